// Command normalize_image is the Lambda function of the Normalize image
// state: it decodes the image, turns it upright and stores it as PNG without
// metadata in the work bucket.
//
// Configuration: WORK_BUCKET (required).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/imaging"
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

	tasks := &pipeline.Tasks{
		Objects: s3objects.New(s3.NewFromConfig(cfg)),
		Buckets: buckets,
		Imaging: imaging.DefaultOptions(),
		Logger:  logger,
	}
	lambda.Start(lambdahandler.Wrap(logger, "normalize_image", tasks.NormalizeImage))
}
