package cwmetrics

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/stretchr/testify/assert"

	"github.com/moderato/moderato/internal/awsadapter/awserr/awserrtest"
)

// TestErrorClasses checks how the errors of the CloudWatch PutMetricData
// API reference, in the awsQuery format, reach the review_reminders
// function.
func TestErrorClasses(t *testing.T) {
	tests := []struct {
		failure awserrtest.Failure
		want    string
	}{
		{awserrtest.Failure{Status: 400, Code: "Throttling"}, "transient"},
		{awserrtest.Failure{Status: 500, Code: "InternalServiceFault"}, "transient"},
		{awserrtest.Failure{Status: 403, Code: "AccessDenied"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "InvalidParameterValue"}, "failed"},
	}
	for _, tc := range tests {
		t.Run(tc.failure.Code, func(t *testing.T) {
			client := cloudwatch.NewFromConfig(awserrtest.Config(t, awserrtest.Query, tc.failure), QueryProtocol)

			err := Publisher{API: client, StateMachine: "moderato-moderation"}.RecordOldestPendingAge(context.Background(), time.Minute)

			assert.Equal(t, tc.want, awserrtest.Class(err), "PutMetricData: %v", err)
		})
	}
}
