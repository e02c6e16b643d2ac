package pipeline

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/media"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pii"
	"github.com/moderato/moderato/internal/policy"
)

func newTasks(t *testing.T) *Tasks {
	return &Tasks{
		Objects: &objects.Folder{Root: t.TempDir()},
		Buckets: Buckets{Approved: "approved", Quarantine: "quarantine", Redacted: "redacted", Work: "work"},
		Limits:  media.DefaultLimits(),
		Policy:  policy.Default(),
	}
}

func detail(bucket, key, version string) ObjectCreated {
	var d ObjectCreated
	d.Bucket.Name = bucket
	d.Object.Key = key
	d.Object.VersionID = version
	return d
}

func TestInspect(t *testing.T) {
	ctx := context.Background()
	tasks := newTasks(t)
	put := func(key, content string) objects.Info {
		info, err := tasks.Objects.Put(ctx, objects.Location{Bucket: "ingest", Key: key}, strings.NewReader(content), "")
		require.NoError(t, err)
		return info
	}
	text := put("notes.jpg", "plain words, whatever the extension says\n")
	empty := put("empty.txt", "")

	tests := []struct {
		name      string
		detail    ObjectCreated
		mediaType string
		reason    string
		wantErr   any
	}{
		{name: "text named jpg", detail: detail("ingest", "notes.jpg", text.VersionID), mediaType: "text"},
		{name: "empty", detail: detail("ingest", "empty.txt", empty.VersionID), mediaType: "unsupported", reason: "empty object"},
		{name: "missing object", detail: detail("ingest", "gone.txt", ""), wantErr: &ObjectNotFoundError{}},
		{name: "stale version", detail: detail("ingest", "notes.jpg", "0000"), wantErr: &ObjectNotFoundError{}},
		{name: "no key", detail: detail("ingest", "", ""), wantErr: &InvalidContentError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			item, err := tasks.Inspect(ctx, InspectInput{Detail: tt.detail})
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.IsType(t, tt.wantErr, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.mediaType, item.MediaType)
			assert.Contains(t, item.Reason, tt.reason)
		})
	}
}

func TestDecodeText(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{name: "utf8", data: []byte("héllo"), want: "héllo"},
		{name: "utf8 bom", data: []byte("\xef\xbb\xbfhi"), want: "hi"},
		{name: "utf16 le bom", data: []byte{0xff, 0xfe, 'h', 0, 'i', 0}, want: "hi"},
		{name: "utf16 be bom", data: []byte{0xfe, 0xff, 0, 'h', 0, 'i'}, want: "hi"},
		{name: "latin-1", data: []byte("a\xffb caf\xe9"), want: "aÿb café"},
		{name: "windows-1252 euro sign", data: []byte("\x80 5"), want: "€ 5"},
		{name: "damaged utf8", data: []byte("caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9e \xff"), want: "café crème brûlée \uFFFD"},
		{name: "utf16 le without bom", data: []byte{'h', 0, 'i', 0}, want: "hi"},
		{name: "utf16 be without bom", data: []byte{0, 'h', 0, 'i'}, want: "hi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeText(tt.data)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.True(t, utf8.ValidString(got))
		})
	}
}

func TestDecodeTextUnsupported(t *testing.T) {
	_, err := DecodeText([]byte("caf\xe9 \x81"))

	assert.ErrorContains(t, err, "no supported encoding")
}

func TestExecutionName(t *testing.T) {
	a := detail("ingest", "uploads/invoice jane.roe@example.com.pdf", "v1")
	a.Object.Sequencer = "0055AED6DCD90281E5"
	name := ExecutionName(a)
	assert.Equal(t, name, ExecutionName(a), "the name is deterministic")
	assert.Regexp(t, `^object-[0-9a-f]{32}$`, name, "a digest only, within Step Functions' 80 characters")
	assert.NotContains(t, name, "jane", "the key may hold personal data")

	b := a
	b.Object.VersionID = "v2"
	assert.NotEqual(t, name, ExecutionName(b), "a new version is a new execution")

	c := detail("ingest", "uploads/a.txt", "")
	c.Object.ETag = "etag-1"
	d := c
	d.Object.ETag = "etag-2"
	assert.NotEqual(t, ExecutionName(c), ExecutionName(d), "without versioning the ETag tells versions apart")
}

func TestSettle(t *testing.T) {
	decision := &Decision{Verdict: policy.Review, Reasons: []string{"INSULT score 0.62"}, OnTimeout: policy.Rejected, ReviewTimeoutSeconds: 60}
	tests := []struct {
		name    string
		doc     Document
		verdict policy.Verdict
		reason  string
	}{
		{name: "unsupported error", doc: Document{Error: &ErrorOutput{Error: "UnsupportedContentError", Cause: `{"errorMessage":"unsupported content: HEIC has no decoder","errorType":"UnsupportedContentError"}`}}, verdict: policy.Unsupported, reason: "HEIC has no decoder"},
		{name: "other error", doc: Document{Error: &ErrorOutput{Error: "States.TaskFailed", Cause: "boom"}}, verdict: policy.Failed, reason: "States.TaskFailed: boom"},
		{name: "unsupported item", doc: Document{Item: &Item{MediaType: "unsupported", Reason: "empty object (0 bytes)"}}, verdict: policy.Unsupported, reason: "empty object"},
		{name: "no decision", doc: Document{Item: &Item{MediaType: "text"}}, verdict: policy.Failed, reason: "without a decision"},
		{name: "review approve", doc: Document{Item: &Item{MediaType: "text"}, Decision: decision, Review: &ReviewResult{Decision: "approve", Reviewer: "ann"}}, verdict: policy.Approved, reason: "reviewer ann decided approve"},
		{name: "review reject", doc: Document{Item: &Item{MediaType: "text"}, Decision: decision, Review: &ReviewResult{Decision: "reject", Reason: "spam"}}, verdict: policy.Rejected, reason: "decided reject: spam"},
		{name: "timeout", doc: Document{Item: &Item{MediaType: "text"}, Decision: decision, ReviewTimeout: &ErrorOutput{Error: "States.Timeout"}}, verdict: policy.Rejected, reason: "within 60 seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verdict, reasons := settle(tt.doc)
			assert.Equal(t, tt.verdict, verdict)
			assert.Contains(t, strings.Join(reasons, "\n"), tt.reason)
		})
	}
}

func TestRedactedImageKey(t *testing.T) {
	tests := []struct{ format, key, wantKey, wantType string }{
		{"jpeg", "a/photo.jpg", "a/photo.jpg", "image/jpeg"},
		{"png", "a/pic.png", "a/pic.png", "image/png"},
		{"gif", "a/anim.gif", "a/anim.gif.png", "image/png"},
		{"webp", "a/x.webp", "a/x.webp.png", "image/png"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			key, ct := redactedImageKey(Item{Format: tt.format, Key: tt.key})
			assert.Equal(t, tt.wantKey, key)
			assert.Equal(t, tt.wantType, ct)
		})
	}
}

func TestReviewIDStable(t *testing.T) {
	assert.Equal(t, ReviewID("arn:x"), ReviewID("arn:x"))
	assert.NotEqual(t, ReviewID("arn:x"), ReviewID("arn:y"))
	assert.Regexp(t, `^rv-[0-9a-f]{16}$`, ReviewID("arn:x"))
}

func TestPutDetectionsCodePointOffsets(t *testing.T) {
	ctx := context.Background()
	tasks := newTasks(t)
	text := "ünï a@b.co 名前 c@d.io"
	entities := []pii.Entity{
		{Type: "EMAIL", Begin: strings.Index(text, "a@b.co"), End: strings.Index(text, "a@b.co") + 6, Score: 0.9},
		{Type: "EMAIL", Begin: strings.Index(text, "c@d.io"), End: len(text), Score: 0.9},
	}
	loc, err := tasks.putDetections(ctx, Item{SHA256: "abc"}, text, entities)
	require.NoError(t, err)
	data, err := objects.ReadAll(ctx, tasks.Objects, *loc, 1<<20)
	require.NoError(t, err)
	var got struct {
		Entities []detection `json:"entities"`
	}
	require.NoError(t, json.Unmarshal(data, &got))
	require.Len(t, got.Entities, 2)
	for i, e := range entities {
		begin, end := pii.CodePoints(text, e)
		assert.Equal(t, begin, got.Entities[i].Begin)
		assert.Equal(t, end, got.Entities[i].End)
	}
	assert.NotContains(t, string(data), "a@b.co", "detections hold no values")
}

func TestRedactedCopyPublishedOnlyWhenApproved(t *testing.T) {
	ctx := context.Background()
	for _, verdict := range []policy.Verdict{policy.Approved, policy.Rejected, policy.Review} {
		t.Run(string(verdict), func(t *testing.T) {
			tasks := newTasks(t)
			tasks.Outcomes = memoryOutcomes{}
			staged := tasks.stagedRedacted("uploads/post.txt")
			_, err := tasks.Objects.Put(ctx, staged, strings.NewReader("mail [EMAIL]"), "")
			require.NoError(t, err)

			doc := Document{
				Item:     &Item{Bucket: "ingest", Key: "uploads/post.txt", MediaType: "text"},
				Analysis: []Analysis{{Kind: KindPII, Redacted: &staged}},
				Decision: &Decision{Verdict: verdict, PolicyVersion: "v1"},
			}
			o, err := tasks.RecordOutcome(ctx, RecordInput{Execution: "arn:exec", Document: doc})
			require.NoError(t, err)

			published := objects.Location{Bucket: "redacted", Key: "uploads/post.txt"}
			_, headErr := tasks.Objects.Head(ctx, published)
			if verdict == policy.Approved {
				require.NotNil(t, o.Redacted)
				assert.Equal(t, published, *o.Redacted)
				assert.NoError(t, headErr)
				return
			}
			assert.Nil(t, o.Redacted)
			assert.ErrorIs(t, headErr, objects.ErrNotFound, "a %s item must not be published", verdict)
		})
	}
}
