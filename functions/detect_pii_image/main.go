// Command detect_pii_image is the Lambda function of the Detect and redact
// PII in image state: it writes the redacted copy of a normalised image to
// the redacted bucket.
//
// Configuration: REDACTED_BUCKET and WORK_BUCKET (required).
//
// NOTE: no OCR engine is wired on AWS yet (Rekognition DetectText would be
// the one), so text inside images is reported as not scanned for PII and
// the image goes to review.
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
	buckets := env.Buckets("REDACTED_BUCKET", "WORK_BUCKET")
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
	lambda.Start(lambdahandler.Wrap(logger, "detect_pii_image", tasks.DetectPIIImage))
}
