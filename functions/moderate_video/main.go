// Command moderate_video is the Lambda function of the Moderate video frames
// state.
//
// Configuration: none.
//
// NOTE: the state machine has no task-token state for video jobs yet, so
// this function reports every video as unscored, which sends it to review.
// The start_job, job_callback and poll_jobs functions run Rekognition
// StartContentModeration once a state uses them.
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
