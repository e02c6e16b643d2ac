// Command moderate_image is the Lambda function of the Moderate image state:
// it scores the normalised image with Amazon Rekognition
// DetectModerationLabels.
//
// Configuration: MODERATO_ENGINES (optional, "aws" or "local"; see
// functions/README.md); REKOGNITION_READ_BUCKETS (optional),
// comma-separated buckets in the function's region whose JPEG and PNG
// originals Rekognition reads directly as S3 objects. Other images are
// sent as bytes.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/moderato/moderato/internal/awsadapter/rekognition"
	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/lambdahandler/engines"
	"github.com/moderato/moderato/internal/pipeline"
)

func main() {
	logger := lambdahandler.NewLogger()
	kind, err := engines.FromEnv(os.Getenv)
	var env lambdahandler.Env
	readBuckets := env.List("REKOGNITION_READ_BUCKETS")
	if err == nil {
		err = env.Err()
	}
	if err != nil {
		logger.Error("reading the configuration", "error", err)
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("loading the AWS configuration", "error", err)
		os.Exit(1)
	}

	moderator := kind.ImageModerator(cfg, logger)
	if m, ok := moderator.(*rekognition.Moderator); ok {
		m.ReadBuckets = readBuckets
		m.Logger = logger
	}
	tasks := &pipeline.Tasks{
		Objects:        s3objects.New(s3.NewFromConfig(cfg)),
		ImageModerator: moderator,
		Logger:         logger,
	}
	lambda.Start(lambdahandler.Wrap(logger, "moderate_image", tasks.ModerateImage))
}
