// Package starter turns S3 "Object Created" events, delivered by EventBridge
// through an SQS queue, into state machine executions: one execution per
// object version, however often the event is delivered.
//
// Each message is handled on its own and only failed messages are reported
// back (SQS partial batch responses), so one bad message does not make SQS
// redeliver the whole batch.
package starter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
)

// ErrExecutionExists is the error an Executions implementation wraps when the
// execution name is taken, which means the event was handled before.
var ErrExecutionExists = errors.New("execution already exists")

// Executions starts state machine executions.
type Executions interface {
	// StartExecution starts an execution named name with the JSON input and
	// returns an error wrapping ErrExecutionExists when the name is taken.
	StartExecution(ctx context.Context, name string, input []byte) (string, error)
}

// ObjectHeads reads object metadata; objects.Store satisfies it.
type ObjectHeads interface {
	Head(ctx context.Context, loc objects.Location) (objects.Info, error)
}

// Event is an EventBridge event from Amazon S3.
type Event struct {
	Version    string                 `json:"version"`
	ID         string                 `json:"id"`
	DetailType string                 `json:"detail-type"`
	Source     string                 `json:"source"`
	Account    string                 `json:"account"`
	Time       string                 `json:"time"`
	Region     string                 `json:"region"`
	Resources  []string               `json:"resources"`
	Detail     pipeline.ObjectCreated `json:"detail"`
}

// Starter starts one execution per new object version.
type Starter struct {
	Executions Executions
	Objects    ObjectHeads
	// IgnoreBuckets are the buckets the pipeline writes to. Their events
	// are dropped, or every output would start the pipeline again.
	IgnoreBuckets []string
	// IgnorePrefixes are key prefixes the pipeline writes to inside the
	// ingest bucket, for the same reason.
	IgnorePrefixes []string
	Logger         *slog.Logger
}

// Result is the outcome of handling one message.
type Result string

// Results of one message.
const (
	Started   Result = "started"
	Duplicate Result = "duplicate" // the execution existed: a redelivery
	Ignored   Result = "ignored"   // not an object creation, or a pipeline output
	Failed    Result = "failed"    // reported back to SQS for redelivery
)

// HandleSQS starts an execution for each message of the batch and reports
// the messages that failed, so that SQS redelivers only those.
func (s *Starter) HandleSQS(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	counts := map[Result]int{}
	for _, msg := range batch.Records {
		result, err := s.handle(ctx, msg)
		counts[result]++
		if err != nil {
			s.logger().ErrorContext(ctx, "starting execution", "message_id", msg.MessageId, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	s.logger().InfoContext(ctx, "batch handled", "messages", len(batch.Records),
		"started", counts[Started], "duplicates", counts[Duplicate], "ignored", counts[Ignored], "failed", counts[Failed])
	return resp, nil
}

func (s *Starter) handle(ctx context.Context, msg events.SQSMessage) (Result, error) {
	var ev Event
	if err := json.Unmarshal([]byte(msg.Body), &ev); err != nil {
		// The message can never succeed; failing it sends it to the
		// dead-letter queue after the queue's maximum receive count.
		return Failed, fmt.Errorf("decoding message %s: %w", msg.MessageId, err)
	}
	if ev.Source != "aws.s3" || ev.DetailType != "Object Created" {
		s.logger().InfoContext(ctx, "ignoring event", "message_id", msg.MessageId, "source", ev.Source, "detail_type", ev.DetailType)
		return Ignored, nil
	}
	d := ev.Detail
	if d.Bucket.Name == "" || d.Object.Key == "" {
		return Failed, fmt.Errorf("decoding message %s: the event names no bucket or no key", msg.MessageId)
	}

	// The bucket is checked before the key is resolved, because resolving
	// sends a HeadObject, which the starter may not call on an output
	// bucket.
	if s.isOutputBucket(d.Bucket.Name) {
		s.logger().InfoContext(ctx, "ignoring pipeline output", "message_id", msg.MessageId, "bucket", d.Bucket.Name)
		return Ignored, nil
	}
	name := pipeline.ExecutionName(d)
	key, err := s.ResolveKey(ctx, d)
	if err != nil {
		return Failed, err
	}
	if s.isOutputKey(key) {
		s.logger().InfoContext(ctx, "ignoring pipeline output", "message_id", msg.MessageId, "bucket", d.Bucket.Name)
		return Ignored, nil
	}
	ev.Detail.Object.Key = key

	input, err := json.Marshal(ev)
	if err != nil {
		return Failed, fmt.Errorf("encoding the input of execution %s: %w", name, err)
	}
	arn, err := s.Executions.StartExecution(ctx, name, input)
	if errors.Is(err, ErrExecutionExists) {
		s.logger().InfoContext(ctx, "execution exists", "execution", name, "message_id", msg.MessageId)
		return Duplicate, nil
	}
	if err != nil {
		return Failed, err
	}
	s.logger().InfoContext(ctx, "execution started", "execution", arn, "reason", d.Reason, "message_id", msg.MessageId)
	return Started, nil
}

// ResolveKey returns the object's real key. S3 event notifications encode
// keys as in a URL query ("a b+c" arrives as "a+b%2Bc"), but a key may also
// arrive raw, and a raw key can itself contain "+" or "%". When the two
// readings differ, the one naming an existing object with the event's
// version (or ETag) wins. When neither exists, for example because the
// object was deleted meanwhile, the decoded reading is returned, and the
// pipeline records the missing object as failed.
func (s *Starter) ResolveKey(ctx context.Context, d pipeline.ObjectCreated) (string, error) {
	raw := d.Object.Key
	decoded, err := url.QueryUnescape(raw)
	if err != nil || decoded == raw {
		return raw, nil
	}
	if s.Objects == nil {
		return decoded, nil
	}

	for _, key := range []string{decoded, raw} {
		found, err := s.matches(ctx, d, key)
		if err != nil {
			return "", err
		}
		if found {
			return key, nil
		}
	}
	return decoded, nil
}

func (s *Starter) matches(ctx context.Context, d pipeline.ObjectCreated, key string) (bool, error) {
	loc := objects.Location{Bucket: d.Bucket.Name, Key: key, VersionID: d.Object.VersionID}
	info, err := s.Objects.Head(ctx, loc)
	if errors.Is(err, objects.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("resolving the key of an event for bucket %s: %w", d.Bucket.Name, err)
	}
	if d.Object.VersionID == "" && d.Object.ETag != "" && info.ETag != "" && info.ETag != d.Object.ETag {
		return false, nil
	}
	return true, nil
}

func (s *Starter) isOutputBucket(bucket string) bool {
	for _, b := range s.IgnoreBuckets {
		if b != "" && b == bucket {
			return true
		}
	}
	return false
}

func (s *Starter) isOutputKey(key string) bool {
	for _, p := range s.IgnorePrefixes {
		if p != "" && strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

func (s *Starter) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
