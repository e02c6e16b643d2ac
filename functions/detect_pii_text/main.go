// Command detect_pii_text is the Lambda function of the Detect and redact
// PII states for text, documents and speech: it finds PII with Amazon
// Comprehend DetectPiiEntities, writes the redacted copy and stores the
// detections (types and offsets, never values). For a PDF it also writes a
// redacted PDF, with a black box in place of each PII word.
//
// Configuration: REDACTED_BUCKET and WORK_BUCKET (required);
// MODERATO_ENGINES (optional, "aws" or "local"; see functions/README.md).
// Text in a
// language that DetectPiiEntities does not support (it supports English
// and Spanish) is reported as not scanned, which sends the item to review.
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	awstextract "github.com/aws/aws-sdk-go-v2/service/textract"

	"github.com/moderato/moderato/internal/awsadapter/documents"
	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/lambdahandler/engines"
	"github.com/moderato/moderato/internal/pipeline"
)

func main() {
	logger := lambdahandler.NewLogger()
	var env lambdahandler.Env
	buckets := env.Buckets("REDACTED_BUCKET", "WORK_BUCKET")
	kind, kindErr := engines.FromEnv(os.Getenv)
	if err := errors.Join(env.Err(), kindErr); err != nil {
		logger.Error("reading the configuration", "error", err)
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("loading the AWS configuration", "error", err)
		os.Exit(1)
	}

	store := s3objects.New(s3.NewFromConfig(cfg))
	tasks := &pipeline.Tasks{
		Objects:     store,
		Buckets:     buckets,
		PIIDetector: kind.PIIDetector(cfg, logger),
		DocumentRedactor: &documents.Redactor{
			Reader: &documents.Reader{Objects: store, Textract: awstextract.NewFromConfig(cfg)},
		},
		Logger: logger,
	}
	lambda.Start(lambdahandler.Wrap(logger, "detect_pii_text", tasks.DetectPIIText))
}
