// Package eventbus announces recorded outcomes as "Moderation Decided"
// events on an Amazon EventBridge bus. Publisher implements
// pipeline.Publisher.
package eventbus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/pipeline"
)

// Event source and detail type of the outcome events, for the rules of the
// applications that consume them.
const (
	Source     = "moderato"
	DetailType = "Moderation Decided"
)

// maxEventBytes is the largest PutEvents entry (256 KB, PutEvents API
// reference). EventBridge counts the UTF-8 bytes of Source, DetailType,
// Detail and each resource, and the PutEvents reference adds the keys and
// characters of the event's JSON form, so envelopeBytes is kept free for
// those.
//
// NOTE: envelopeBytes is an estimate. The reference gives no figure for the
// JSON form, and the other fields of an event (version, id, time, account,
// region and the keys) take a few hundred bytes.
const (
	maxEventBytes = 256 << 10
	envelopeBytes = 4 << 10
)

// API is the part of the EventBridge client Publisher calls.
type API interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Publisher puts one event per outcome on a bus.
type Publisher struct {
	API API
	// BusName is the name or ARN of the custom bus.
	BusName string
}

var _ pipeline.Publisher = (*Publisher)(nil)

// OutcomeRecorded puts the outcome as the event's detail. The outcome
// carries PII types and counts, never values. An entry that EventBridge
// rejects is an error, transient when EventBridge reports throttling or an
// internal failure.
func (p *Publisher) OutcomeRecorded(ctx context.Context, o pipeline.Outcome) error {
	detail, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("encoding the event of %s: %w", o.Execution, err)
	}
	if entryBytes(detail, o.Execution) > maxEventBytes-envelopeBytes {
		// Reasons are the only unbounded part; the event keeps the rest.
		o.Reasons = []string{fmt.Sprintf("%d reasons: see the outcome record", len(o.Reasons))}
		if detail, err = json.Marshal(o); err != nil {
			return fmt.Errorf("encoding the event of %s: %w", o.Execution, err)
		}
	}
	if size := entryBytes(detail, o.Execution); size > maxEventBytes-envelopeBytes {
		return fmt.Errorf("putting the event of %s: the entry is %d bytes, above the %d bytes that EventBridge's limit of %d leaves after the event's JSON form", o.Execution, size, maxEventBytes-envelopeBytes, maxEventBytes)
	}

	out, err := p.API.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		EventBusName: aws.String(p.BusName),
		Source:       aws.String(Source),
		DetailType:   aws.String(DetailType),
		Detail:       aws.String(string(detail)),
		Resources:    []string{o.Execution},
	}}})
	if err != nil {
		return awserr.Classify("putting the event of "+o.Execution, err)
	}
	if out.FailedEntryCount == 0 {
		return nil
	}
	code, message := "", ""
	if len(out.Entries) > 0 {
		code, message = aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage)
	}
	failure := fmt.Errorf("putting the event of %s: EventBridge rejected it: %s %s", o.Execution, code, message)
	if code == "ThrottlingException" || code == "InternalFailure" {
		return &pipeline.TransientError{Err: failure}
	}
	return failure
}

// entryBytes is the size EventBridge counts for an entry of this package:
// Source, DetailType, the detail and the one resource, in UTF-8 bytes.
func entryBytes(detail []byte, resource string) int {
	return len(Source) + len(DetailType) + len(detail) + len(resource)
}
