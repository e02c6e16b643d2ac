package snsnotify

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"

	"github.com/moderato/moderato/internal/awsadapter/awserr/awserrtest"
	"github.com/moderato/moderato/internal/review"
)

// TestErrorClasses checks how the errors of the SNS API reference, sent
// in the awsQuery XML format, reach the request_review task.
func TestErrorClasses(t *testing.T) {
	tests := []struct {
		failure awserrtest.Failure
		want    string
	}{
		{awserrtest.Failure{Status: 400, Code: "Throttled"}, "transient"},
		{awserrtest.Failure{Status: 500, Code: "InternalError"}, "transient"},
		{awserrtest.Failure{Status: 403, Code: "AuthorizationError"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "KMSAccessDenied"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "KMSDisabled"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "KMSThrottling"}, "transient"},
		{awserrtest.Failure{Status: 404, Code: "NotFound"}, "failed"},
	}
	for _, tc := range tests {
		t.Run(tc.failure.Code, func(t *testing.T) {
			client := sns.NewFromConfig(awserrtest.Config(t, awserrtest.Query, tc.failure))
			n := &Notifier{API: client, TopicARN: "arn:aws:sns:us-east-1:111122223333:moderato-reviews"}

			err := n.ReviewCreated(context.Background(), review.Review{ID: "r1", Queue: "default"})

			assert.Equal(t, tc.want, awserrtest.Class(err), "Publish: %v", err)
		})
	}
}
