package comprehend

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/comprehend"
	"github.com/stretchr/testify/assert"

	"github.com/moderato/moderato/internal/awsadapter/awserr/awserrtest"
)

// TestErrorClasses checks how the errors of the Comprehend API reference
// reach the state machine: throttling and server faults are retried,
// rejected content ends unsupported, and access errors are not retried.
func TestErrorClasses(t *testing.T) {
	tests := []struct {
		failure awserrtest.Failure
		want    string
	}{
		{awserrtest.Failure{Status: 400, Code: "TooManyRequestsException"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "ThrottlingException"}, "transient"},
		{awserrtest.Failure{Status: 500, Code: "InternalServerException"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "TextSizeLimitExceededException"}, "unsupported"},
		{awserrtest.Failure{Status: 400, Code: "UnsupportedLanguageException"}, "unsupported"},
		{awserrtest.Failure{Status: 400, Code: "AccessDeniedException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "UnrecognizedClientException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "InvalidRequestException"}, "failed"},
	}
	text := strings.Repeat("A long enough English sentence for language detection. ", 3)
	for _, tc := range tests {
		t.Run(tc.failure.Code, func(t *testing.T) {
			client := comprehend.NewFromConfig(awserrtest.Config(t, awserrtest.JSON, tc.failure))
			ctx := context.Background()

			_, moderateErr := (&Moderator{API: client}).ModerateText(ctx, text)
			_, piiErr := (&PIIDetector{API: client}).DetectPII(ctx, text)

			assert.Equal(t, tc.want, awserrtest.Class(moderateErr), "ModerateText: %v", moderateErr)
			assert.Equal(t, tc.want, awserrtest.Class(piiErr), "DetectPII: %v", piiErr)
		})
	}
}
