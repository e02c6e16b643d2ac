package dynamostore

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"

	"github.com/moderato/moderato/internal/awsadapter/awserr/awserrtest"
	"github.com/moderato/moderato/internal/jobs"
	"github.com/moderato/moderato/internal/pipeline"
)

// TestErrorClasses checks how the errors of the DynamoDB API reference
// reach the state machine. A table's KMS key that is disabled or denied
// is an access error, which no Retry matches.
func TestErrorClasses(t *testing.T) {
	tests := []struct {
		failure awserrtest.Failure
		want    string
	}{
		{awserrtest.Failure{Status: 400, Code: "ProvisionedThroughputExceededException"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "ThrottlingException"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "RequestLimitExceeded"}, "transient"},
		{awserrtest.Failure{Status: 500, Code: "InternalServerError"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "AccessDeniedException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "UnrecognizedClientException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "KMSAccessDeniedException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "KMSDisabledException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "ResourceNotFoundException"}, "failed"},
	}
	for _, tc := range tests {
		t.Run(tc.failure.Code, func(t *testing.T) {
			client := dynamodb.NewFromConfig(awserrtest.Config(t, awserrtest.JSON, tc.failure))
			ctx := context.Background()

			_, outcomeErr := NewOutcomes(client, "outcomes").PutOutcome(ctx, pipeline.Outcome{Execution: "e1"})
			tokenErr := NewJobTokens(client, "jobs").PutToken(ctx, jobs.Token{JobID: "j1", Kind: jobs.Transcription, TaskToken: "t", StartedAt: time.Now()})
			_, reviewErr := NewReviews(client, "reviews").GetReview(ctx, "r1")

			assert.Equal(t, tc.want, awserrtest.Class(outcomeErr), "PutItem on outcomes: %v", outcomeErr)
			assert.Equal(t, tc.want, awserrtest.Class(tokenErr), "PutItem on jobs: %v", tokenErr)
			assert.Equal(t, tc.want, awserrtest.Class(reviewErr), "GetItem on reviews: %v", reviewErr)
		})
	}
}
