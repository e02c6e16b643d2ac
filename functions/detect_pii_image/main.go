// Command detect_pii_image is the Lambda function of the Detect and redact
// PII in image state: it reads the text in a normalised image, scores it,
// covers the words of PII with black boxes and stages the redacted copy in
// the work bucket.
//
// Configuration: REDACTED_BUCKET and WORK_BUCKET (required);
// MODERATO_ENGINES (optional, see internal/lambdahandler/engines). With the
// AWS engines, Amazon Textract reads the text and Amazon Comprehend scores
// it and finds its PII. The local engines have no OCR program in the
// Lambda runtime, so they report text in images as not scanned.
package main

import (
	"context"
	"errors"
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

	tasks := &pipeline.Tasks{
		Objects:        s3objects.New(s3.NewFromConfig(cfg)),
		Buckets:        buckets,
		TextRecognizer: kind.TextRecognizer(cfg),
		TextModerator:  kind.TextModerator(cfg, logger),
		PIIDetector:    kind.PIIDetector(cfg, logger),
		Logger:         logger,
	}
	lambda.Start(lambdahandler.Wrap(logger, "detect_pii_image", tasks.DetectPIIImage))
}
