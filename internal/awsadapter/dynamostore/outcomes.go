package dynamostore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/moderato/moderato/internal/pipeline"
)

// Outcomes is a pipeline.OutcomeStore over a DynamoDB table. Each item has
// the outcome's identifying fields as attributes, for queries and the
// console, and the whole outcome as JSON in "outcome".
type Outcomes struct {
	api   API
	table string
}

var _ pipeline.OutcomeStore = (*Outcomes)(nil)

// NewOutcomes returns the store of the table.
func NewOutcomes(api API, table string) *Outcomes {
	return &Outcomes{api: api, table: table}
}

// PutOutcome stores o unless an outcome for the execution exists, and
// returns the stored outcome.
func (s *Outcomes) PutOutcome(ctx context.Context, o pipeline.Outcome) (pipeline.Outcome, error) {
	doc, err := json.Marshal(o)
	if err != nil {
		return pipeline.Outcome{}, fmt.Errorf("encoding outcome of %s: %w", o.Execution, err)
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{
			"execution":      stringAttr(o.Execution),
			"bucket":         stringAttr(o.Bucket),
			"key":            stringAttr(o.Key),
			"version_id":     stringAttr(o.VersionID),
			"media_type":     stringAttr(o.MediaType),
			"verdict":        stringAttr(string(o.Verdict)),
			"policy_version": stringAttr(o.PolicyVersion),
			"recorded_at":    stringAttr(o.RecordedAt.UTC().Format(time.RFC3339Nano)),
			"outcome":        stringAttr(string(doc)),
		},
		ConditionExpression: aws.String("attribute_not_exists(execution)"),
	})
	if conditionFailed(err) {
		return s.GetOutcome(ctx, o.Execution)
	}
	if err != nil {
		return pipeline.Outcome{}, classify("storing outcome of "+o.Execution, err)
	}
	return o, nil
}

// GetOutcome returns the outcome of the execution.
func (s *Outcomes) GetOutcome(ctx context.Context, execution string) (pipeline.Outcome, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{"execution": stringAttr(execution)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return pipeline.Outcome{}, classify("reading outcome of "+execution, err)
	}
	if out.Item == nil {
		return pipeline.Outcome{}, fmt.Errorf("reading outcome of %s: no outcome is stored", execution)
	}
	var o pipeline.Outcome
	if err := json.Unmarshal([]byte(str(out.Item, "outcome")), &o); err != nil {
		return pipeline.Outcome{}, fmt.Errorf("decoding outcome of %s: %w", execution, err)
	}
	return o, nil
}
