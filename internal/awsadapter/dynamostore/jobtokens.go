package dynamostore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/moderato/moderato/internal/jobs"
	"github.com/moderato/moderato/internal/pipeline"
)

// tokenLifetime is how long a job's item stays in the table before
// DynamoDB's TTL deletes it, through its expires_at attribute (epoch
// seconds). It outlasts the longest job state timeout the Terraform module
// accepts (two days), so only the items of jobs whose task already timed
// out expire.
const tokenLifetime = 7 * 24 * time.Hour

// JobTokens is a jobs.TokenStore over a DynamoDB table with partition key
// "job_id" (S). Items hold the task token, so the table must be encrypted
// and readable only by the job functions.
type JobTokens struct {
	api   API
	table string
}

var _ jobs.TokenStore = (*JobTokens)(nil)

// NewJobTokens returns the token store of the table.
func NewJobTokens(api API, table string) *JobTokens {
	return &JobTokens{api: api, table: table}
}

// PutToken stores t under its job ID.
func (s *JobTokens) PutToken(ctx context.Context, t jobs.Token) error {
	item, err := json.Marshal(t.Item)
	if err != nil {
		return fmt.Errorf("encoding the item of job %s: %w", t.JobID, err)
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{
			"job_id":     stringAttr(t.JobID),
			"kind":       stringAttr(string(t.Kind)),
			"task_token": stringAttr(t.TaskToken),
			"item":       stringAttr(string(item)),
			"started_at": stringAttr(t.StartedAt.UTC().Format(time.RFC3339Nano)),
			"expires_at": &types.AttributeValueMemberN{Value: strconv.FormatInt(t.StartedAt.Add(tokenLifetime).Unix(), 10)},
		},
	})
	if err != nil {
		return classify("storing the task token of job "+t.JobID, err)
	}
	return nil
}

// GetToken returns the token of the job.
func (s *JobTokens) GetToken(ctx context.Context, jobID string) (jobs.Token, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{"job_id": stringAttr(jobID)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return jobs.Token{}, classify("reading the task token of job "+jobID, err)
	}
	if out.Item == nil {
		return jobs.Token{}, fmt.Errorf("reading job %s: %w", jobID, jobs.ErrTokenNotFound)
	}
	return parseToken(out.Item)
}

// TakeToken deletes the token of the job and returns it. The delete is
// conditional on the item existing, so of concurrent callers one gets it.
func (s *JobTokens) TakeToken(ctx context.Context, jobID string) (jobs.Token, error) {
	out, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:           aws.String(s.table),
		Key:                 map[string]types.AttributeValue{"job_id": stringAttr(jobID)},
		ConditionExpression: aws.String("attribute_exists(job_id)"),
		ReturnValues:        types.ReturnValueAllOld,
	})
	if conditionFailed(err) {
		return jobs.Token{}, fmt.Errorf("taking job %s: %w", jobID, jobs.ErrTokenNotFound)
	}
	if err != nil {
		return jobs.Token{}, classify("taking the task token of job "+jobID, err)
	}
	return parseToken(out.Attributes)
}

// ListTokens returns the tokens of jobs started before the time. It scans
// the table, which holds only the jobs in flight.
func (s *JobTokens) ListTokens(ctx context.Context, startedBefore time.Time) ([]jobs.Token, error) {
	var list []jobs.Token
	var start map[string]types.AttributeValue
	for {
		out, err := s.api.Scan(ctx, &dynamodb.ScanInput{
			TableName:                 aws.String(s.table),
			FilterExpression:          aws.String("started_at < :before"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":before": stringAttr(startedBefore.UTC().Format(time.RFC3339Nano))},
			ConsistentRead:            aws.Bool(true),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, classify("listing waiting jobs", err)
		}
		for _, item := range out.Items {
			t, err := parseToken(item)
			if err != nil {
				return nil, err
			}
			list = append(list, t)
		}
		if len(out.LastEvaluatedKey) == 0 {
			return list, nil
		}
		start = out.LastEvaluatedKey
	}
}

func parseToken(item map[string]types.AttributeValue) (jobs.Token, error) {
	t := jobs.Token{
		JobID:     str(item, "job_id"),
		Kind:      jobs.Kind(str(item, "kind")),
		TaskToken: str(item, "task_token"),
	}
	var it pipeline.Item
	if err := json.Unmarshal([]byte(str(item, "item")), &it); err != nil {
		return jobs.Token{}, fmt.Errorf("decoding the item of job %s: %w", t.JobID, err)
	}
	t.Item = it
	started, err := parseTime(item, "started_at")
	if err != nil {
		return jobs.Token{}, fmt.Errorf("decoding job %s: %w", t.JobID, err)
	}
	t.StartedAt = started
	return t, nil
}
