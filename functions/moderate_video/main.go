// Command moderate_video is the Lambda function of the Moderate video frames
// state.
//
// Configuration: none.
//
// NOTE: Rekognition StartContentModeration is not wired yet: the state
// machine has no task-token state for the video job, so every video is
// reported as unscored and goes to review.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/pipeline"
)

func main() {
	logger := lambdahandler.NewLogger()
	tasks := &pipeline.Tasks{Logger: logger}
	lambda.Start(lambdahandler.Wrap(logger, "moderate_video", tasks.ModerateVideoFrames))
}
