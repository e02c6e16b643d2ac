// Command start_job is the Lambda function of the states that start a
// long-running job (invoked with .waitForTaskToken): it starts the job and
// stores the task token under the job ID. The job's completion reaches
// job_callback, or poll_jobs when the completion never comes.
//
// Configuration: JOBS_TABLE, WORK_BUCKET, JOB_TOPIC_ARN, JOB_TOPIC_ROLE_ARN
// (required); TRANSCRIBE_LANGUAGE (optional).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/textract"
	"github.com/aws/aws-sdk-go-v2/service/transcribe"

	"github.com/moderato/moderato/internal/lambdahandler"
)

func main() {
	logger := lambdahandler.NewLogger()
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("loading the AWS configuration", "error", err)
		os.Exit(1)
	}
	var env lambdahandler.Env
	manager := env.JobManager(lambdahandler.JobClients{
		Rekognition:   rekognition.NewFromConfig(cfg),
		Transcribe:    transcribe.NewFromConfig(cfg),
		Textract:      textract.NewFromConfig(cfg),
		S3:            s3.NewFromConfig(cfg),
		DynamoDB:      dynamodb.NewFromConfig(cfg),
		StepFunctions: sfn.NewFromConfig(cfg),
	})
	if err := env.Err(); err != nil {
		logger.Error("reading the configuration", "error", err)
		os.Exit(1)
	}

	manager.Logger = logger
	lambda.Start(lambdahandler.Wrap(logger, "start_job", manager.Start))
}
