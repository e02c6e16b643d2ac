package sfnexec

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"

	"github.com/moderato/moderato/internal/awsadapter/awserr/awserrtest"
)

// TestErrorClasses checks how the errors of the Step Functions API
// reference reach the caller of StartExecution and SendTaskSuccess.
func TestErrorClasses(t *testing.T) {
	tests := []struct {
		failure awserrtest.Failure
		want    string
	}{
		{awserrtest.Failure{Status: 400, Code: "ThrottlingException"}, "transient"},
		{awserrtest.Failure{Status: 500, Code: "ServiceUnavailable"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "AccessDeniedException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "KmsAccessDeniedException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "KmsInvalidStateException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "KmsThrottlingException"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "StateMachineDoesNotExist"}, "failed"},
	}
	for _, tc := range tests {
		t.Run(tc.failure.Code, func(t *testing.T) {
			client := New(sfn.NewFromConfig(awserrtest.Config(t, awserrtest.JSON, tc.failure)), "arn:aws:states:us-east-1:111122223333:stateMachine:moderato")
			ctx := context.Background()

			_, startErr := client.StartExecution(ctx, "e1", []byte(`{}`))
			sendErr := client.SendTaskSuccess(ctx, "token", []byte(`{}`))

			assert.Equal(t, tc.want, awserrtest.Class(startErr), "StartExecution: %v", startErr)
			assert.Equal(t, tc.want, awserrtest.Class(sendErr), "SendTaskSuccess: %v", sendErr)
		})
	}
}
