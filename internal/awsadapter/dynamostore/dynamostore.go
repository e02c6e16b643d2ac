// Package dynamostore keeps the pipeline's reviews and outcomes in Amazon
// DynamoDB. It implements review.Store and pipeline.OutcomeStore.
//
// Table layout (the Terraform module creates the tables):
//
//   - reviews: partition key "id" (S), and a global secondary index
//     "status-created_at" with partition key "status" (S) and sort key
//     "created_at" (S, RFC 3339 in UTC, so that strings sort by time).
//   - outcomes: partition key "execution" (S).
//
// Every write that must happen once is a conditional write, so a retried
// Lambda invocation cannot create a second review, replace a decision or
// overwrite an outcome.
package dynamostore

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
)

// StatusIndex is the name of the reviews table's index by status.
const StatusIndex = "status-created_at"

// API is the part of the DynamoDB client the stores call.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func classify(action string, err error) error {
	return awserr.Classify(action, err)
}

func str(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func stringAttr(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
