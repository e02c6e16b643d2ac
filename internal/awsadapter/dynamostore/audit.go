package dynamostore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/moderato/moderato/internal/review"
)

// Audit is a review.AuditLog over a DynamoDB table with partition key
// "review_id" (S) and sort key "at" (S). Entries are only ever put with a
// condition that the item does not exist, so the writer role needs
// dynamodb:PutItem and dynamodb:Query only: it can neither update nor
// delete an entry.
//
// NOTE: IAM cannot require that condition, so code running with the role
// could still replace an entry with an unconditional PutItem. The table's
// point-in-time recovery, when on, keeps the earlier versions for up to
// 35 days.
type Audit struct {
	api   API
	table string
}

var _ review.AuditLog = (*Audit)(nil)

// NewAudit returns the audit log of the table.
func NewAudit(api API, table string) *Audit {
	return &Audit{api: api, table: table}
}

// AppendEntry adds e. The sort key is the entry's time in RFC 3339 with
// nanoseconds and the reviewer, so two moderators deciding in the same
// instant both get an entry.
func (a *Audit) AppendEntry(ctx context.Context, e review.Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	doc, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding the audit entry of review %s: %w", e.ReviewID, err)
	}
	_, err = a.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(a.table),
		Item: map[string]types.AttributeValue{
			"review_id": stringAttr(e.ReviewID),
			"at":        stringAttr(e.At.UTC().Format(time.RFC3339Nano) + "#" + e.Reviewer),
			"entry":     stringAttr(string(doc)),
		},
		ConditionExpression: aws.String("attribute_not_exists(review_id)"),
	})
	if conditionFailed(err) {
		return fmt.Errorf("appending the audit entry of review %s: %w", e.ReviewID, review.ErrAuditAppendOnly)
	}
	if err != nil {
		return classify("appending the audit entry of review "+e.ReviewID, err)
	}
	return nil
}

// History returns the entries of a review in time order, and entries of the
// same instant in sort key order. The sort key alone is not time order,
// because RFC 3339 with nanoseconds drops trailing zeros (".17Z" sorts after
// ".173Z"), and the append order is not either, because an accepted
// decision is appended after its execution resumes.
func (a *Audit) History(ctx context.Context, reviewID string) ([]review.Entry, error) {
	var entries []review.Entry
	var start map[string]types.AttributeValue
	for {
		out, err := a.api.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(a.table),
			KeyConditionExpression:    aws.String("review_id = :id"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": stringAttr(reviewID)},
			ConsistentRead:            aws.Bool(true),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, classify("reading the audit trail of review "+reviewID, err)
		}
		for _, item := range out.Items {
			var e review.Entry
			if err := json.Unmarshal([]byte(str(item, "entry")), &e); err != nil {
				return nil, fmt.Errorf("decoding an audit entry of review %s: %w", reviewID, err)
			}
			entries = append(entries, e)
		}
		if len(out.LastEvaluatedKey) == 0 {
			slices.SortStableFunc(entries, func(x, y review.Entry) int { return x.At.Compare(y.At) })
			return entries, nil
		}
		start = out.LastEvaluatedKey
	}
}
