// Command record_outcome is the Lambda function of the Record outcome
// state: it settles the final verdict, copies the original to the approved
// or quarantine bucket and stores the outcome once per execution.
//
// Configuration: APPROVED_BUCKET, QUARANTINE_BUCKET, REDACTED_BUCKET (where
// the redacted copies of approved items are published), OUTCOMES_TABLE and
// REVIEWS_TABLE (required); POLICY_JSON and EVENT_BUS_NAME, the
// EventBridge bus that receives a "Moderation Decided" event per outcome
// (optional).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/moderato/moderato/internal/awsadapter/dynamostore"
	"github.com/moderato/moderato/internal/awsadapter/eventbus"
	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/pipeline"
)

func main() {
	logger := lambdahandler.NewLogger()
	var env lambdahandler.Env
	buckets := env.Buckets("APPROVED_BUCKET", "QUARANTINE_BUCKET", "REDACTED_BUCKET")
	outcomes := env.Require("OUTCOMES_TABLE")
	reviews := env.Require("REVIEWS_TABLE")
	bus := env.Optional("EVENT_BUS_NAME", "")
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

	db := dynamodb.NewFromConfig(cfg)
	tasks := &pipeline.Tasks{
		Objects:  s3objects.New(s3.NewFromConfig(cfg)),
		Buckets:  buckets,
		Policy:   pol,
		Reviews:  dynamostore.NewReviews(db, reviews),
		Outcomes: dynamostore.NewOutcomes(db, outcomes),
		Logger:   logger,
	}
	if bus != "" {
		tasks.Publisher = &eventbus.Publisher{API: eventbridge.NewFromConfig(cfg), BusName: bus}
	}
	lambda.Start(lambdahandler.Wrap(logger, "record_outcome", tasks.RecordOutcome))
}
