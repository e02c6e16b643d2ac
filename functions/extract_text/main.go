// Command extract_text is the Lambda function of the Extract document text,
// Transcribe audio and Transcribe video states.
//
// Configuration: WORK_BUCKET (required).
//
// NOTE: Textract and Transcribe are not wired yet: both are asynchronous
// jobs that need a task-token state in the state machine. Until then the
// function reports that no text could be extracted, which sends documents,
// audio and video to review.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/pipeline"
)

func main() {
	logger := lambdahandler.NewLogger()
	var env lambdahandler.Env
	buckets := env.Buckets("WORK_BUCKET")
	if err := env.Err(); err != nil {
		logger.Error("reading the configuration", "error", err)
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("loading the AWS configuration", "error", err)
		os.Exit(1)
	}

	tasks := &pipeline.Tasks{
		Objects: s3objects.New(s3.NewFromConfig(cfg)),
		Buckets: buckets,
		Logger:  logger,
	}
	lambda.Start(lambdahandler.Wrap(logger, "extract_text", tasks.ExtractText))
}
