// Command inspect is the Lambda function of the Inspect object state: it
// reads the object's metadata and first bytes, sniffs its media type and
// computes its SHA-256 checksum.
//
// Configuration: none beyond the AWS environment.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/media"
	"github.com/moderato/moderato/internal/pipeline"
)

func main() {
	logger := lambdahandler.NewLogger()
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("loading the AWS configuration", "error", err)
		os.Exit(1)
	}

	tasks := &pipeline.Tasks{
		Objects: s3objects.New(s3.NewFromConfig(cfg)),
		Limits:  media.DefaultLimits(),
		Logger:  logger,
	}
	lambda.Start(lambdahandler.Wrap(logger, "inspect", tasks.Inspect))
}
