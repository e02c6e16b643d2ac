package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/moderato/moderato/internal/review"
)

// Reviews is a review.Store over a DynamoDB table.
type Reviews struct {
	api   API
	table string
}

var _ review.Store = (*Reviews)(nil)

// NewReviews returns the store of the table.
func NewReviews(api API, table string) *Reviews {
	return &Reviews{api: api, table: table}
}

// CreateReview stores a new pending review. A review with the same ID and
// execution only gets the new task token, because a retried Wait for review
// task sends a new token for the same review.
func (r *Reviews) CreateReview(ctx context.Context, rv review.Review) error {
	_, err := r.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(r.table),
		Item:                reviewItem(rv),
		ConditionExpression: aws.String("attribute_not_exists(id)"),
	})
	if err == nil {
		return nil
	}
	if !conditionFailed(err) {
		return classify("creating review "+rv.ID, err)
	}

	_, err = r.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(r.table),
		Key:                      map[string]types.AttributeValue{"id": stringAttr(rv.ID)},
		UpdateExpression:         aws.String("SET task_token = :token"),
		ConditionExpression:      aws.String("execution = :execution AND #status = :pending"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":token":     stringAttr(rv.TaskToken),
			":execution": stringAttr(rv.Execution),
			":pending":   stringAttr(string(review.StatusPending)),
		},
	})
	if conditionFailed(err) {
		return fmt.Errorf("creating review %s: it exists for another execution or is decided: %w", rv.ID, review.ErrAlreadyDecided)
	}
	if err != nil {
		return classify("refreshing the task token of review "+rv.ID, err)
	}
	return nil
}

// GetReview returns the review with a strongly consistent read.
func (r *Reviews) GetReview(ctx context.Context, id string) (review.Review, error) {
	out, err := r.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(r.table),
		Key:            map[string]types.AttributeValue{"id": stringAttr(id)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return review.Review{}, classify("reading review "+id, err)
	}
	if out.Item == nil {
		return review.Review{}, fmt.Errorf("reading review %s: %w", id, review.ErrNotFound)
	}
	return parseReview(out.Item)
}

// ListReviews returns the reviews with the status, oldest first, from the
// status index; an empty status scans the table.
//
// NOTE: the index is eventually consistent, so a review decided a moment ago
// may still be listed as pending; GetReview and FinishReview are exact.
func (r *Reviews) ListReviews(ctx context.Context, status review.Status) ([]review.Review, error) {
	var list []review.Review
	var start map[string]types.AttributeValue
	for {
		var items []map[string]types.AttributeValue
		var next map[string]types.AttributeValue
		if status == "" {
			out, err := r.api.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(r.table), ExclusiveStartKey: start})
			if err != nil {
				return nil, classify("listing reviews", err)
			}
			items, next = out.Items, out.LastEvaluatedKey
		} else {
			out, err := r.api.Query(ctx, &dynamodb.QueryInput{
				TableName:                 aws.String(r.table),
				IndexName:                 aws.String(StatusIndex),
				KeyConditionExpression:    aws.String("#status = :status"),
				ExpressionAttributeNames:  map[string]string{"#status": "status"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":status": stringAttr(string(status))},
				ExclusiveStartKey:         start,
			})
			if err != nil {
				return nil, classify("listing "+string(status)+" reviews", err)
			}
			items, next = out.Items, out.LastEvaluatedKey
		}
		for _, item := range items {
			rv, err := parseReview(item)
			if err != nil {
				return nil, err
			}
			list = append(list, rv)
		}
		if len(next) == 0 {
			break
		}
		start = next
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].CreatedAt.Before(list[j].CreatedAt) })
	return list, nil
}

// FinishReview moves a pending review to status. A review that is no
// longer pending is returned with an error wrapping review.ErrAlreadyDecided.
func (r *Reviews) FinishReview(ctx context.Context, id string, status review.Status, by, reason string, at time.Time) (review.Review, error) {
	out, err := r.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(r.table),
		Key:                      map[string]types.AttributeValue{"id": stringAttr(id)},
		UpdateExpression:         aws.String("SET #status = :status, decided_at = :at, decided_by = :by, reason = :reason"),
		ConditionExpression:      aws.String("attribute_exists(id) AND #status = :pending"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":status":  stringAttr(string(status)),
			":at":      stringAttr(at.UTC().Format(time.RFC3339Nano)),
			":by":      stringAttr(by),
			":reason":  stringAttr(reason),
			":pending": stringAttr(string(review.StatusPending)),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if conditionFailed(err) {
		stored, getErr := r.GetReview(ctx, id)
		if getErr != nil {
			return review.Review{}, getErr
		}
		return stored, fmt.Errorf("finishing review %s: %w", id, review.ErrAlreadyDecided)
	}
	if err != nil {
		return review.Review{}, classify("finishing review "+id, err)
	}
	return parseReview(out.Attributes)
}

func reviewItem(rv review.Review) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		"id":         stringAttr(rv.ID),
		"execution":  stringAttr(rv.Execution),
		"task_token": stringAttr(rv.TaskToken),
		"status":     stringAttr(string(rv.Status)),
		"bucket":     stringAttr(rv.Bucket),
		"key":        stringAttr(rv.Key),
		"version_id": stringAttr(rv.VersionID),
		"media_type": stringAttr(rv.MediaType),
		"created_at": stringAttr(rv.CreatedAt.UTC().Format(time.RFC3339Nano)),
		"deadline":   stringAttr(rv.Deadline.UTC().Format(time.RFC3339Nano)),
	}
	if rv.Queue != "" {
		item["queue"] = stringAttr(rv.Queue)
	}
	if rv.EscalationLevel > 0 {
		item["escalation_level"] = &types.AttributeValueMemberN{Value: strconv.Itoa(rv.EscalationLevel)}
		item["escalated_from"] = stringAttr(rv.EscalatedFrom)
	}
	reasons := make([]types.AttributeValue, 0, len(rv.Reasons))
	for _, reason := range rv.Reasons {
		reasons = append(reasons, stringAttr(reason))
	}
	item["reasons"] = &types.AttributeValueMemberL{Value: reasons}
	if len(rv.Details) > 0 {
		item["details"] = &types.AttributeValueMemberB{Value: rv.Details}
	}
	return item
}

func parseReview(item map[string]types.AttributeValue) (review.Review, error) {
	rv := review.Review{
		ID:        str(item, "id"),
		Execution: str(item, "execution"),
		TaskToken: str(item, "task_token"),
		Status:    review.Status(str(item, "status")),
		Bucket:    str(item, "bucket"),
		Key:       str(item, "key"),
		VersionID: str(item, "version_id"),
		MediaType: str(item, "media_type"),
		DecidedBy: str(item, "decided_by"),
		Reason:    str(item, "reason"),
		Queue:     str(item, "queue"),

		EscalatedFrom: str(item, "escalated_from"),
	}
	var err error
	if n, ok := item["escalation_level"].(*types.AttributeValueMemberN); ok {
		if rv.EscalationLevel, err = strconv.Atoi(n.Value); err != nil {
			return review.Review{}, fmt.Errorf("decoding review %s: invalid escalation_level %s", rv.ID, n.Value)
		}
	}
	if rv.CreatedAt, err = parseTime(item, "created_at"); err != nil {
		return review.Review{}, fmt.Errorf("decoding review %s: %w", rv.ID, err)
	}
	if rv.Deadline, err = parseTime(item, "deadline"); err != nil {
		return review.Review{}, fmt.Errorf("decoding review %s: %w", rv.ID, err)
	}
	if str(item, "decided_at") != "" {
		at, err := parseTime(item, "decided_at")
		if err != nil {
			return review.Review{}, fmt.Errorf("decoding review %s: %w", rv.ID, err)
		}
		rv.DecidedAt = &at
	}
	if l, ok := item["reasons"].(*types.AttributeValueMemberL); ok {
		for _, v := range l.Value {
			if reason, ok := v.(*types.AttributeValueMemberS); ok {
				rv.Reasons = append(rv.Reasons, reason.Value)
			}
		}
	}
	if b, ok := item["details"].(*types.AttributeValueMemberB); ok {
		rv.Details = b.Value
	}
	return rv, nil
}

func parseTime(item map[string]types.AttributeValue, name string) (time.Time, error) {
	v := str(item, name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, errors.New("invalid " + name + " " + v)
	}
	return t, nil
}
