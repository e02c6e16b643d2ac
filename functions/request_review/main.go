// Command request_review is the Lambda function of the Wait for review
// state (invoked with .waitForTaskToken): it stores the pending review with
// its task token in DynamoDB, and the execution pauses until a moderator
// decides through the review API or the review times out.
//
// Configuration: REVIEWS_TABLE (required); POLICY_JSON and
// REVIEW_TOPIC_ARN, the SNS topic that notifies moderators of new reviews,
// and REVIEW_PAGE_URL, the review page that each notification links to
// (optional).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/moderato/moderato/internal/awsadapter/dynamostore"
	"github.com/moderato/moderato/internal/awsadapter/snsnotify"
	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/pipeline"
)

func main() {
	logger := lambdahandler.NewLogger()
	var env lambdahandler.Env
	table := env.Require("REVIEWS_TABLE")
	topic := env.Optional("REVIEW_TOPIC_ARN", "")
	pol, err := env.Policy()
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

	tasks := &pipeline.Tasks{
		Policy:  pol,
		Reviews: dynamostore.NewReviews(dynamodb.NewFromConfig(cfg), table),
		Logger:  logger,
	}
	if topic != "" {
		tasks.Notifier = &snsnotify.Notifier{API: sns.NewFromConfig(cfg), TopicARN: topic, PageURL: os.Getenv("REVIEW_PAGE_URL")}
	}
	lambda.Start(lambdahandler.Wrap(logger, "request_review", tasks.RequestReview))
}
