package transcribe

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/transcribe"
	"github.com/stretchr/testify/assert"

	"github.com/moderato/moderato/internal/awsadapter/awserr/awserrtest"
)

// TestErrorClasses checks how the errors of the Transcribe API reference
// reach the state machine when a job is started and when it is read.
func TestErrorClasses(t *testing.T) {
	tests := []struct {
		failure awserrtest.Failure
		want    string
	}{
		{awserrtest.Failure{Status: 400, Code: "LimitExceededException"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "ThrottlingException"}, "transient"},
		{awserrtest.Failure{Status: 500, Code: "InternalFailureException"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "AccessDeniedException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "KMSAccessDeniedException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "BadRequestException"}, "failed"},
	}
	for _, tc := range tests {
		t.Run(tc.failure.Code, func(t *testing.T) {
			client := transcribe.NewFromConfig(awserrtest.Config(t, awserrtest.JSON, tc.failure))
			tr := &Transcriber{API: client, WorkBucket: "work", LanguageCode: "en-US"}
			ctx := context.Background()

			_, startErr := tr.Start(ctx, clip, "0123456789abcdef")
			_, resultErr := tr.Result(ctx, "moderato-0123456789abcdef", clip)

			assert.Equal(t, tc.want, awserrtest.Class(startErr), "StartTranscriptionJob: %v", startErr)
			assert.Equal(t, tc.want, awserrtest.Class(resultErr), "GetTranscriptionJob: %v", resultErr)
		})
	}
}
