// Command poll_jobs runs on a schedule and finishes the jobs whose
// completion notification did not arrive, because SNS and EventBridge
// deliveries are best-effort.
//
// Configuration: JOBS_TABLE, WORK_BUCKET, JOB_TOPIC_ARN, JOB_TOPIC_ROLE_ARN
// (required); TRANSCRIBE_LANGUAGE (optional);
// POLL_AFTER_SECONDS (default 900), the age of a job before it is polled;
// JOB_TIMEOUT_SECONDS (default 14400), the job states' TimeoutSeconds, after
// which a job's result is no longer polled and its task is failed.
package main

import (
	"context"
	"os"
	"strconv"
	"time"

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
	after, err := strconv.Atoi(env.Optional("POLL_AFTER_SECONDS", "900"))
	if err == nil {
		err = env.Err()
	}
	if err != nil || after < 0 {
		logger.Error("reading the configuration", "error", err, "poll_after_seconds", after)
		os.Exit(1)
	}
	timeout, err := strconv.Atoi(env.Optional("JOB_TIMEOUT_SECONDS", "14400"))
	if err != nil || timeout <= 0 {
		logger.Error("reading the configuration: JOB_TIMEOUT_SECONDS must be a positive whole number of seconds", "error", err, "job_timeout_seconds", timeout)
		os.Exit(1)
	}

	manager.Logger = logger
	manager.JobTimeout = time.Duration(timeout) * time.Second
	lambda.Start(func(ctx context.Context) error {
		return manager.Poll(ctx, time.Now().Add(-time.Duration(after)*time.Second))
	})
}
