package eventbus

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/mototest"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
)

func TestOutcomeRecordedAgainstMoto(t *testing.T) {
	server := mototest.Start(t)
	cfg := server.Config()
	bus, queues := eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	ctx := context.Background()
	_, err := bus.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("moderato")})
	require.NoError(t, err)
	queue, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("outcomes")})
	require.NoError(t, err)
	_, err = bus.PutRule(ctx, &eventbridge.PutRuleInput{
		Name:         aws.String("decided"),
		EventBusName: aws.String("moderato"),
		EventPattern: aws.String(`{"source": ["moderato"], "detail-type": ["Moderation Decided"]}`),
	})
	require.NoError(t, err)
	_, err = bus.PutTargets(ctx, &eventbridge.PutTargetsInput{
		Rule:         aws.String("decided"),
		EventBusName: aws.String("moderato"),
		Targets:      []types.Target{{Id: aws.String("queue"), Arn: aws.String("arn:aws:sqs:" + mototest.Region + ":" + mototest.AccountID + ":outcomes")}},
	})
	require.NoError(t, err)
	p := &Publisher{API: bus, BusName: "moderato"}
	outcome := pipeline.Outcome{
		Execution: "arn:aws:states:us-east-1:123456789012:execution:moderato:a-txt-01",
		Bucket:    "ingest", Key: "uploads/a b.txt", VersionID: "v1", MediaType: "text",
		Verdict: policy.Approved, Reasons: []string{"PII redacted: EMAIL (1)"},
		PII:           []pipeline.TypeCount{{Type: "EMAIL", Count: 1}},
		PolicyVersion: "2026-12-01", RecordedAt: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC),
	}

	require.NoError(t, p.OutcomeRecorded(ctx, outcome))

	got, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	var ev struct {
		Source     string           `json:"source"`
		DetailType string           `json:"detail-type"`
		Detail     pipeline.Outcome `json:"detail"`
	}
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(got.Messages[0].Body)), &ev))
	assert.Equal(t, Source, ev.Source)
	assert.Equal(t, DetailType, ev.DetailType)
	assert.Equal(t, outcome, ev.Detail)
}

func TestOutcomeRecordedBoundsLargeEvents(t *testing.T) {
	var sent *eventbridge.PutEventsInput
	api := putEventsFunc(func(in *eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
		sent = in
		return &eventbridge.PutEventsOutput{}, nil
	})
	reasons := make([]string, 5000)
	for i := range reasons {
		reasons[i] = "a reason long enough to add up to more than the event limit"
	}

	err := (&Publisher{API: api, BusName: "b"}).OutcomeRecorded(context.Background(), pipeline.Outcome{Execution: "e", Reasons: reasons})

	require.NoError(t, err)
	assert.LessOrEqual(t, len(aws.ToString(sent.Entries[0].Detail)), maxEventBytes)
	assert.Contains(t, aws.ToString(sent.Entries[0].Detail), "5000 reasons")
}

func TestOutcomeRecordedEntrySizeLimit(t *testing.T) {
	// detailFor returns an outcome whose detail, with the other counted
	// fields of the entry, is exactly size bytes.
	base := pipeline.Outcome{Execution: "execution-with-a-long-name", Reasons: []string{""}}
	empty, err := json.Marshal(base)
	require.NoError(t, err)
	outcomeOfSize := func(size int) pipeline.Outcome {
		o := base
		o.Reasons = []string{strings.Repeat("r", size-entryBytes(empty, o.Execution))}
		return o
	}
	limit := maxEventBytes - envelopeBytes
	tests := []struct {
		name      string
		size      int
		collapsed bool
	}{
		{"at the limit", limit, false},
		{"one byte past the limit", limit + 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sent *eventbridge.PutEventsInput
			api := putEventsFunc(func(in *eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
				sent = in
				return &eventbridge.PutEventsOutput{}, nil
			})
			o := outcomeOfSize(tc.size)

			err := (&Publisher{API: api, BusName: "b"}).OutcomeRecorded(context.Background(), o)

			require.NoError(t, err)
			entry := sent.Entries[0]
			counted := len(aws.ToString(entry.Source)) + len(aws.ToString(entry.DetailType)) + len(aws.ToString(entry.Detail)) + len(entry.Resources[0])
			assert.LessOrEqual(t, counted, limit)
			assert.Equal(t, tc.collapsed, strings.Contains(aws.ToString(entry.Detail), "1 reasons: see the outcome record"))
		})
	}
}

func TestOutcomeRecordedFailedEntry(t *testing.T) {
	tests := []struct {
		code          string
		wantTransient bool
	}{
		{"ThrottlingException", true},
		{"InternalFailure", true},
		{"AccessDeniedException", false},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			api := putEventsFunc(func(in *eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
				return &eventbridge.PutEventsOutput{FailedEntryCount: 1, Entries: []types.PutEventsResultEntry{{ErrorCode: aws.String(tc.code), ErrorMessage: aws.String("test")}}}, nil
			})

			err := (&Publisher{API: api, BusName: "b"}).OutcomeRecorded(context.Background(), pipeline.Outcome{Execution: "e"})

			require.Error(t, err)
			var transient *pipeline.TransientError
			assert.Equal(t, tc.wantTransient, errors.As(err, &transient))
		})
	}
}

// putEventsFunc is a unit-test fake of PutEvents for the partial failures
// that moto never returns.
type putEventsFunc func(in *eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error)

func (f putEventsFunc) PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	return f(in)
}
