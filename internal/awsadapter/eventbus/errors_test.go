package eventbus

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/stretchr/testify/assert"

	"github.com/moderato/moderato/internal/awsadapter/awserr/awserrtest"
	"github.com/moderato/moderato/internal/pipeline"
)

// TestErrorClasses checks how the errors of the EventBridge PutEvents API
// reference reach the record_outcome task.
func TestErrorClasses(t *testing.T) {
	tests := []struct {
		failure awserrtest.Failure
		want    string
	}{
		{awserrtest.Failure{Status: 400, Code: "ThrottlingException"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "LimitExceededException"}, "transient"},
		{awserrtest.Failure{Status: 500, Code: "InternalException"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "AccessDeniedException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "ResourceNotFoundException"}, "failed"},
	}
	for _, tc := range tests {
		t.Run(tc.failure.Code, func(t *testing.T) {
			client := eventbridge.NewFromConfig(awserrtest.Config(t, awserrtest.JSON, tc.failure))

			err := (&Publisher{API: client, BusName: "moderato-outcomes"}).OutcomeRecorded(context.Background(), pipeline.Outcome{Execution: "e1"})

			assert.Equal(t, tc.want, awserrtest.Class(err), "PutEvents: %v", err)
		})
	}
}
