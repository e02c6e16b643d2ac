// Command review_api is the Lambda function behind the review API (an API
// Gateway HTTP API, payload format 2.0): moderators list, show and decide
// pending reviews, and a decision resumes the paused execution with
// SendTaskSuccess.
//
// Configuration: REVIEWS_TABLE, AUDIT_TABLE (required); AUTH_MODE, "iam"
// (the default) or "jwt", selects the API Gateway authorizer that
// identifies the moderator. reviewapi.SettingsFromEnv lists the optional variables for
// queues, escalation, quorum and JWT claims.
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/moderato/moderato/internal/awsadapter/dynamostore"
	"github.com/moderato/moderato/internal/awsadapter/reviewbackend"
	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/awsadapter/sfnexec"
	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/reviewapi"
)

func main() {
	logger := lambdahandler.NewLogger()
	var env lambdahandler.Env
	reviews := env.Require("REVIEWS_TABLE")
	audit := env.Require("AUDIT_TABLE")
	settings, settingsErr := reviewapi.SettingsFromEnv(os.Getenv)
	if err := errors.Join(env.Err(), settingsErr); err != nil {
		logger.Error("reading the configuration", "error", err)
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("loading the AWS configuration", "error", err)
		os.Exit(1)
	}

	db := dynamodb.NewFromConfig(cfg)
	backend := &reviewbackend.Backend{
		Store:     dynamostore.NewReviews(db, reviews),
		Tasks:     sfnexec.New(sfn.NewFromConfig(cfg), ""),
		Presigner: s3objects.NewPresigner(s3.NewFromConfig(cfg)),
		Logger:    logger,
	}
	svc, err := reviewapi.NewService(reviewapi.Config{
		Backend:       backend,
		Audit:         dynamostore.NewAudit(db, audit),
		Router:        settings.Router,
		Quorum:        settings.Quorum,
		AllowOriginal: settings.AllowOriginal,
		Logger:        logger,
	})
	if err != nil {
		logger.Error("creating the review service", "error", err)
		os.Exit(1)
	}
	lambda.Start(reviewapi.LambdaHandler(reviewapi.NewHandler(svc, settings.Auth)))
}
