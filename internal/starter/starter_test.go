package starter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
)

// recordingExecutions is a unit-test fake of Step Functions: it remembers
// the names it started and reports a reused name as existing.
type recordingExecutions struct {
	inputs map[string][]byte
	fail   map[string]error
}

func (r *recordingExecutions) StartExecution(ctx context.Context, name string, input []byte) (string, error) {
	if err := r.fail[name]; err != nil {
		return "", err
	}
	if _, ok := r.inputs[name]; ok {
		return "", fmt.Errorf("starting %s: %w", name, ErrExecutionExists)
	}
	r.inputs[name] = input
	return "arn:aws:states:us-east-1:111122223333:execution:moderato:" + name, nil
}

func readFixture(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}

func TestEventFixturesRoundTrip(t *testing.T) {
	tests := []struct {
		file   string
		reason string
		key    string
	}{
		{"eventbridge-put-object.json", "PutObject", "uploads/report+2026%28final%29.txt"},
		{"eventbridge-post-object.json", "POST Object", "uploads/photo.jpg"},
		{"eventbridge-copy-object.json", "CopyObject", "uploads/copied/Zo%C3%AB+notes.txt"},
		{"eventbridge-complete-multipart.json", "CompleteMultipartUpload", "uploads/videos/clip 1.mp4"},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			var ev Event
			readFixture(t, tc.file, &ev)

			assert.Equal(t, "aws.s3", ev.Source)
			assert.Equal(t, "Object Created", ev.DetailType)
			assert.Equal(t, tc.reason, ev.Detail.Reason)
			assert.Equal(t, "ingest-bucket", ev.Detail.Bucket.Name)
			assert.Equal(t, tc.key, ev.Detail.Object.Key)
			assert.NotEmpty(t, ev.Detail.Object.Sequencer)

			again, err := json.Marshal(ev)
			require.NoError(t, err)
			var back Event
			require.NoError(t, json.Unmarshal(again, &back))
			assert.Equal(t, ev, back)
		})
	}
}

func TestHandleSQSEachReasonFixture(t *testing.T) {
	tests := []struct {
		file    string
		reason  string
		wantKey string
	}{
		{"eventbridge-put-object.json", "PutObject", "uploads/report 2026(final).txt"},
		{"eventbridge-post-object.json", "POST Object", "uploads/photo.jpg"},
		{"eventbridge-copy-object.json", "CopyObject", "uploads/copied/Zoë notes.txt"},
		{"eventbridge-complete-multipart.json", "CompleteMultipartUpload", "uploads/videos/clip 1.mp4"},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tc.file))
			require.NoError(t, err)
			execs := &recordingExecutions{inputs: map[string][]byte{}}
			s := &Starter{Executions: execs}

			resp, err := s.HandleSQS(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: string(body)}}})

			require.NoError(t, err)
			assert.Empty(t, resp.BatchItemFailures)
			require.Len(t, execs.inputs, 1, "every reason starts an execution")
			for _, input := range execs.inputs {
				var ev Event
				require.NoError(t, json.Unmarshal(input, &ev))
				assert.Equal(t, tc.reason, ev.Detail.Reason)
				assert.Equal(t, tc.wantKey, ev.Detail.Object.Key)
			}
		})
	}
}

func TestHandleSQSBatchFixture(t *testing.T) {
	var batch events.SQSEvent
	readFixture(t, "sqs-batch.json", &batch)
	require.Len(t, batch.Records, 7)
	execs := &recordingExecutions{inputs: map[string][]byte{}}
	s := &Starter{Executions: execs}

	resp, err := s.HandleSQS(context.Background(), batch)

	require.NoError(t, err)
	require.Len(t, resp.BatchItemFailures, 1, "only the malformed message fails")
	assert.Equal(t, "msg-6", resp.BatchItemFailures[0].ItemIdentifier)
	assert.Len(t, execs.inputs, 4, "four object versions, one duplicate delivery, one deletion ignored")

	keys := map[string]bool{}
	for _, input := range execs.inputs {
		var ev Event
		require.NoError(t, json.Unmarshal(input, &ev))
		keys[ev.Detail.Object.Key] = true
	}
	// Without an object store to check against, the decoded reading wins.
	assert.Equal(t, map[string]bool{
		"uploads/report 2026(final).txt": true,
		"uploads/photo.jpg":              true,
		"uploads/copied/Zoë notes.txt":   true,
		"uploads/videos/clip 1.mp4":      true,
	}, keys)
}

func TestHandleSQSReportsOnlyFailedMessages(t *testing.T) {
	var put Event
	readFixture(t, "eventbridge-put-object.json", &put)
	other := put
	other.Detail.Object.Key = "uploads/other.txt"
	failing := pipeline.ExecutionName(other.Detail)
	execs := &recordingExecutions{
		inputs: map[string][]byte{},
		fail:   map[string]error{failing: &pipeline.TransientError{Err: fmt.Errorf("throttled")}},
	}
	s := &Starter{Executions: execs}

	resp, err := s.HandleSQS(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "ok", Body: mustJSON(t, put)},
		{MessageId: "throttled", Body: mustJSON(t, other)},
	}})

	require.NoError(t, err)
	assert.Equal(t, []events.SQSBatchItemFailure{{ItemIdentifier: "throttled"}}, resp.BatchItemFailures)
	assert.Len(t, execs.inputs, 1)
}

func TestHandleSQSIgnoresPipelineOutputs(t *testing.T) {
	var put Event
	readFixture(t, "eventbridge-put-object.json", &put)
	inOutputBucket := put
	inOutputBucket.Detail.Bucket.Name = "moderato-redacted"
	underOutputPrefix := put
	underOutputPrefix.Detail.Object.Key = "moderato-work/normalized/abc.png"
	execs := &recordingExecutions{inputs: map[string][]byte{}}
	s := &Starter{Executions: execs, IgnoreBuckets: []string{"moderato-redacted"}, IgnorePrefixes: []string{"moderato-work/"}}

	resp, err := s.HandleSQS(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "bucket", Body: mustJSON(t, inOutputBucket)},
		{MessageId: "prefix", Body: mustJSON(t, underOutputPrefix)},
	}})

	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	assert.Empty(t, execs.inputs)
}

// deniedHeads is a unit-test fake of object metadata in a bucket the
// starter may not read: every Head fails with access denied.
type deniedHeads struct{ calls []objects.Location }

func (d *deniedHeads) Head(ctx context.Context, loc objects.Location) (objects.Info, error) {
	d.calls = append(d.calls, loc)
	return objects.Info{}, &awserr.AccessError{Err: errors.New("Forbidden: 403")}
}

func TestHandleSQSIgnoresOutputBucketBeforeHead(t *testing.T) {
	var put Event
	readFixture(t, "eventbridge-put-object.json", &put)
	encoded := put
	encoded.Detail.Bucket.Name = "moderato-redacted"
	encoded.Detail.Object.Key = "redacted/report+2026%28final%29.txt"
	heads := &deniedHeads{}
	execs := &recordingExecutions{inputs: map[string][]byte{}}
	s := &Starter{Executions: execs, Objects: heads, IgnoreBuckets: []string{"moderato-redacted"}}

	resp, err := s.HandleSQS(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "encoded", Body: mustJSON(t, encoded)},
	}})

	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures, "an output event is ignored, not retried")
	assert.Empty(t, heads.calls, "no HeadObject on an ignored bucket")
	assert.Empty(t, execs.inputs)
}

func TestExecutionNameIgnoresRedelivery(t *testing.T) {
	var batch events.SQSEvent
	readFixture(t, "sqs-batch.json", &batch)
	var first, redelivered Event
	require.NoError(t, json.Unmarshal([]byte(batch.Records[0].Body), &first))
	require.NoError(t, json.Unmarshal([]byte(batch.Records[4].Body), &redelivered))

	assert.Equal(t, pipeline.ExecutionName(first.Detail), pipeline.ExecutionName(redelivered.Detail))
}

// headsByKey is a unit-test fake of object metadata for key resolution.
type headsByKey map[string]objects.Info

func (h headsByKey) Head(ctx context.Context, loc objects.Location) (objects.Info, error) {
	info, ok := h[loc.Key]
	if !ok || (loc.VersionID != "" && info.VersionID != loc.VersionID) {
		return objects.Info{}, fmt.Errorf("head %s: %w", loc, objects.ErrNotFound)
	}
	return info, nil
}

func TestResolveKey(t *testing.T) {
	tests := []struct {
		name    string
		stored  headsByKey
		key     string
		version string
		etag    string
		want    string
	}{
		{"plain key", headsByKey{"a.txt": {}}, "a.txt", "", "", "a.txt"},
		{"encoded space", headsByKey{"a b.txt": {}}, "a+b.txt", "", "", "a b.txt"},
		{"raw plus", headsByKey{"a+b.txt": {}}, "a+b.txt", "", "", "a+b.txt"},
		{"raw percent escape", headsByKey{"100%41.txt": {}}, "100%41.txt", "", "", "100%41.txt"},
		{"invalid escape stays raw", headsByKey{}, "100%.txt", "", "", "100%.txt"},
		{"encoded non-ASCII", headsByKey{"Zoë.txt": {}}, "Zo%C3%AB.txt", "", "", "Zoë.txt"},
		{"raw non-ASCII", headsByKey{"日本.txt": {}}, "日本.txt", "", "", "日本.txt"},
		{"both exist, version decides", headsByKey{"a b": {VersionID: "v1"}, "a+b": {VersionID: "v2"}}, "a+b", "v2", "", "a+b"},
		{"both exist, ETag decides", headsByKey{"a b": {ETag: "e1"}, "a+b": {ETag: "e2"}}, "a+b", "", "e2", "a+b"},
		{"deleted object", headsByKey{}, "a+b.txt", "", "", "a b.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &Starter{Objects: tc.stored}
			var d pipeline.ObjectCreated
			d.Bucket.Name = "b"
			d.Object.Key, d.Object.VersionID, d.Object.ETag = tc.key, tc.version, tc.etag

			got, err := s.ResolveKey(context.Background(), d)

			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
