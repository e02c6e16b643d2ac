package dynamostore

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TableNames names the tables of the stores; an empty name skips the
// table.
type TableNames struct {
	Reviews  string
	Outcomes string
	Audit    string
	Jobs     string
}

// CreateTables creates the tables with the key schema and index the stores
// expect, billed per request. The Terraform module creates the same tables
// on AWS; tests create them in an emulator with this function.
func CreateTables(ctx context.Context, client *dynamodb.Client, names TableNames) error {
	s := types.ScalarAttributeTypeS
	hash, rangeKey := types.KeyTypeHash, types.KeyTypeRange
	tables := []*dynamodb.CreateTableInput{
		{
			TableName: aws.String(names.Reviews),
			AttributeDefinitions: []types.AttributeDefinition{
				{AttributeName: aws.String("id"), AttributeType: s},
				{AttributeName: aws.String("status"), AttributeType: s},
				{AttributeName: aws.String("created_at"), AttributeType: s},
			},
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: hash}},
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
				IndexName: aws.String(StatusIndex),
				KeySchema: []types.KeySchemaElement{
					{AttributeName: aws.String("status"), KeyType: hash},
					{AttributeName: aws.String("created_at"), KeyType: rangeKey},
				},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
			}},
		},
		{
			TableName:            aws.String(names.Outcomes),
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("execution"), AttributeType: s}},
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("execution"), KeyType: hash}},
		},
		{
			TableName: aws.String(names.Audit),
			AttributeDefinitions: []types.AttributeDefinition{
				{AttributeName: aws.String("review_id"), AttributeType: s},
				{AttributeName: aws.String("at"), AttributeType: s},
			},
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("review_id"), KeyType: hash},
				{AttributeName: aws.String("at"), KeyType: rangeKey},
			},
		},
		{
			TableName:            aws.String(names.Jobs),
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("job_id"), AttributeType: s}},
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("job_id"), KeyType: hash}},
		},
	}
	for _, in := range tables {
		if aws.ToString(in.TableName) == "" {
			continue
		}
		in.BillingMode = types.BillingModePayPerRequest
		if _, err := client.CreateTable(ctx, in); err != nil {
			return classify("creating table "+aws.ToString(in.TableName), err)
		}
	}
	return nil
}
