// Command starter is the Lambda function that reads the intake SQS queue of
// S3 "Object Created" events and starts one state machine execution per
// object version.
//
// Configuration: STATE_MACHINE_ARN (required); IGNORE_BUCKETS and
// IGNORE_PREFIXES, comma-separated buckets and key prefixes that the
// pipeline writes to, whose events are dropped.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/awsadapter/sfnexec"
	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/starter"
)

func main() {
	logger := lambdahandler.NewLogger()
	var env lambdahandler.Env
	machine := env.Require("STATE_MACHINE_ARN")
	if err := env.Err(); err != nil {
		logger.Error("reading the configuration", "error", err)
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("loading the AWS configuration", "error", err)
		os.Exit(1)
	}

	s := &starter.Starter{
		Executions:     sfnexec.New(sfn.NewFromConfig(cfg), machine),
		Objects:        s3objects.New(s3.NewFromConfig(cfg)),
		IgnoreBuckets:  env.List("IGNORE_BUCKETS"),
		IgnorePrefixes: env.List("IGNORE_PREFIXES"),
		Logger:         logger,
	}
	lambda.Start(s.HandleSQS)
}
