// Command job_callback receives job completions, SNS messages from
// Rekognition Video and Textract and EventBridge "Transcribe Job State
// Change" events, reads each job's result and sends it through the task token.
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
	lambda.Start(manager.HandleNotification)
}
