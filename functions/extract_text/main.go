// Command extract_text is the Lambda function of the Extract document text
// state, which one-page documents take (multi-page ones start a Textract
// job through start_job). It reads the text layer of PDFs in process,
// scanned PDF pages with Amazon Textract DetectDocumentText, and other
// one-page documents of up to 10 MB with DetectDocumentText from S3, and
// stores the text in the work bucket.
//
// Configuration: WORK_BUCKET (required).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	awstextract "github.com/aws/aws-sdk-go-v2/service/textract"

	"github.com/moderato/moderato/internal/awsadapter/documents"
	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/awsadapter/textract"
	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/pipeline"
)

func main() {
	logger := lambdahandler.NewLogger()
	var env lambdahandler.Env
	buckets := env.Buckets("WORK_BUCKET")
	if err := env.Err(); err != nil {
		logger.Error("reading the configuration", "error", err)
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("loading the AWS configuration", "error", err)
		os.Exit(1)
	}

	store := s3objects.New(s3.NewFromConfig(cfg))
	textractClient := awstextract.NewFromConfig(cfg)
	tasks := &pipeline.Tasks{
		Objects: store,
		Buckets: buckets,
		TextExtractor: &documents.Extractor{
			Reader:   &documents.Reader{Objects: store, Textract: textractClient},
			Fallback: &textract.Extractor{API: textractClient},
		},
		Logger: logger,
	}
	lambda.Start(lambdahandler.Wrap(logger, "extract_text", tasks.ExtractText))
}
