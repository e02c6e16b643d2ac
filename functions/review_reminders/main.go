// Command review_reminders is the scheduled Lambda function (an EventBridge
// schedule, for example every hour) that reminds moderators of reviews
// pending longer than REMIND_AFTER: one SNS message per queue, with review
// IDs, ages, time left and links, never content. Each run also puts the
// age of the oldest pending review as the CloudWatch metric
// Moderato/OldestPendingReviewAgeSeconds, which the pending-review alarm
// watches.
//
// Configuration: REVIEWS_TABLE, REVIEW_TOPIC_ARN and REMIND_AFTER (a Go
// duration such as 2h) are required. STATE_MACHINE_NAME, the metric's
// StateMachine dimension, turns the metric on. REVIEW_PAGE_URL adds links,
// and the queue variables of reviewapi.SettingsFromEnv group reviews by
// queue.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/moderato/moderato/internal/awsadapter/cwmetrics"
	"github.com/moderato/moderato/internal/awsadapter/dynamostore"
	"github.com/moderato/moderato/internal/awsadapter/snsnotify"
	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/reviewapi"
)

func main() {
	logger := lambdahandler.NewLogger()
	var env lambdahandler.Env
	table := env.Require("REVIEWS_TABLE")
	topic := env.Require("REVIEW_TOPIC_ARN")
	after, afterErr := time.ParseDuration(env.Require("REMIND_AFTER"))
	if afterErr != nil || after <= 0 {
		afterErr = fmt.Errorf("invalid REMIND_AFTER: use a positive Go duration such as 2h")
	}
	settings, settingsErr := reviewapi.SettingsFromEnv(os.Getenv)
	if err := errors.Join(env.Err(), afterErr, settingsErr); err != nil {
		logger.Error("reading the configuration", "error", err)
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("loading the AWS configuration", "error", err)
		os.Exit(1)
	}

	reminder := reviewapi.Reminder{
		Store:     dynamostore.NewReviews(dynamodb.NewFromConfig(cfg), table),
		Publisher: &snsnotify.Notifier{API: sns.NewFromConfig(cfg), TopicARN: topic},
		Router:    settings.Router,
		After:     after,
		PageURL:   os.Getenv("REVIEW_PAGE_URL"),
		Logger:    logger,
	}
	if stateMachine := os.Getenv("STATE_MACHINE_NAME"); stateMachine != "" {
		reminder.Ages = cwmetrics.Publisher{API: cloudwatch.NewFromConfig(cfg, cwmetrics.QueryProtocol), StateMachine: stateMachine}
	}
	lambda.Start(reminder.Run)
}
