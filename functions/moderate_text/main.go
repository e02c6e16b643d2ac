// Command moderate_text is the Lambda function of the Moderate text,
// Moderate document text, Moderate speech and Moderate video speech states:
// it scores text with Amazon Comprehend DetectToxicContent.
//
// Configuration: MODERATO_ENGINES (optional, "aws" or "local"; see
// functions/README.md). Text in a language that DetectToxicContent does not
// support is reported as unscored with the language, which sends the item
// to review.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/lambdahandler/engines"
	"github.com/moderato/moderato/internal/pipeline"
)

func main() {
	logger := lambdahandler.NewLogger()
	kind, err := engines.FromEnv(os.Getenv)
	if err != nil {
		logger.Error("reading the configuration", "error", err)
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("loading the AWS configuration", "error", err)
		os.Exit(1)
	}

	tasks := &pipeline.Tasks{
		Objects:       s3objects.New(s3.NewFromConfig(cfg)),
		TextModerator: kind.TextModerator(cfg, logger),
		Logger:        logger,
	}
	lambda.Start(lambdahandler.Wrap(logger, "moderate_text", tasks.ModerateText))
}
