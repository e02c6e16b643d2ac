package rekognition

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/stretchr/testify/assert"

	"github.com/moderato/moderato/internal/awsadapter/awserr/awserrtest"
	"github.com/moderato/moderato/internal/pipeline"
)

// TestErrorClasses checks how the errors of the Rekognition API reference
// reach the state machine, for image moderation and both video job calls.
func TestErrorClasses(t *testing.T) {
	tests := []struct {
		failure awserrtest.Failure
		want    string
	}{
		{awserrtest.Failure{Status: 400, Code: "ProvisionedThroughputExceededException"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "ThrottlingException"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "LimitExceededException"}, "transient"},
		{awserrtest.Failure{Status: 500, Code: "InternalServerError"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "InvalidImageFormatException"}, "unsupported"},
		{awserrtest.Failure{Status: 400, Code: "ImageTooLargeException"}, "unsupported"},
		{awserrtest.Failure{Status: 400, Code: "VideoTooLargeException"}, "unsupported"},
		{awserrtest.Failure{Status: 400, Code: "AccessDeniedException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "InvalidParameterException"}, "failed"},
	}
	clip := pipeline.Item{Bucket: "ingest", Key: "clip.mp4", VersionID: "v1", MediaType: "video", Format: "mp4"}
	for _, tc := range tests {
		t.Run(tc.failure.Code, func(t *testing.T) {
			client := rekognition.NewFromConfig(awserrtest.Config(t, awserrtest.JSON, tc.failure))
			ctx := context.Background()

			_, imageErr := (&Moderator{API: client}).ModerateImage(ctx, solid(100, 100))
			_, startErr := (&VideoModerator{API: client}).Start(ctx, clip, "0123456789abcdef")
			_, resultErr := (&VideoModerator{API: client}).Result(ctx, "job-1", clip)

			assert.Equal(t, tc.want, awserrtest.Class(imageErr), "DetectModerationLabels: %v", imageErr)
			assert.Equal(t, tc.want, awserrtest.Class(startErr), "StartContentModeration: %v", startErr)
			assert.Equal(t, tc.want, awserrtest.Class(resultErr), "GetContentModeration: %v", resultErr)
		})
	}
}
