// Command request_review is the Lambda function of the Wait for review and
// Wait for escalated review states (invoked with .waitForTaskToken). It
// stores the pending review with its task token and queue in DynamoDB.
// The execution pauses until a moderator decides through the review API or
// the review times out. For an escalated review it also marks the first
// review escalated and records that in the audit trail.
//
// Configuration: REVIEWS_TABLE is required. The others are optional:
//
//	POLICY_JSON       the moderation policy
//	AUDIT_TABLE       the audit trail that records escalations
//	REVIEW_TOPIC_ARN  the SNS topic that notifies moderators of new and escalated reviews
//	REVIEW_PAGE_URL   the review page that each notification links to
//	REVIEW_QUEUES, DEFAULT_QUEUE  the queue of a new review, read as the review API reads them
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/moderato/moderato/internal/awsadapter/dynamostore"
	"github.com/moderato/moderato/internal/awsadapter/snsnotify"
	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/reviewapi"
)

func main() {
	logger := lambdahandler.NewLogger()
	var env lambdahandler.Env
	table := env.Require("REVIEWS_TABLE")
	audit := env.Optional("AUDIT_TABLE", "")
	topic := env.Optional("REVIEW_TOPIC_ARN", "")
	pol, err := env.Policy()
	settings, settingsErr := reviewapi.SettingsFromEnv(os.Getenv)
	if err = errors.Join(err, env.Err(), settingsErr); err != nil {
		logger.Error("reading the configuration", "error", err)
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("loading the AWS configuration", "error", err)
		os.Exit(1)
	}

	db := dynamodb.NewFromConfig(cfg)
	tasks := &pipeline.Tasks{
		Policy:  pol,
		Reviews: dynamostore.NewReviews(db, table),
		Queues:  settings.Router,
		Logger:  logger,
	}
	if audit != "" {
		tasks.Audit = dynamostore.NewAudit(db, audit)
	}
	if topic != "" {
		tasks.Notifier = &snsnotify.Notifier{API: sns.NewFromConfig(cfg), TopicARN: topic, PageURL: os.Getenv("REVIEW_PAGE_URL")}
	}
	lambda.Start(lambdahandler.Wrap(logger, "request_review", tasks.RequestReview))
}
