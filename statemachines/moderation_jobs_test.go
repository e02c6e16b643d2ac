package statemachines_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/statemachines"
)

// jobAnswer is how the fake job service ends a job of one kind.
type jobAnswer struct {
	output string // JSON sent with SendTaskSuccess
	error  string // error name sent with SendTaskFailure
	cause  string
	never  bool // no result is sent, so the state times out
}

// fakePipeline runs the moderation definition with fake functions and a
// fake job service that completes task tokens from another goroutine, as
// job_callback does on AWS.
type fakePipeline struct {
	t       *testing.T
	item    map[string]any
	answers map[string]jobAnswer
	// startFailures fails that many start_job calls with a TransientError.
	startFailures int
	// startError, when set, fails every start_job call.
	startError error

	// sending counts the results still being sent.
	sending sync.WaitGroup

	mu       sync.Mutex
	runner   *asl.Runner
	calls    map[string]int
	jobs     []string
	texts    []any
	analysis []any
	document map[string]any
}

func (p *fakePipeline) functions() asl.Functions {
	fn := func(name string, handle func(in map[string]any) (any, error)) asl.Function {
		return func(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
			var in map[string]any
			if err := json.Unmarshal(payload, &in); err != nil {
				return nil, err
			}
			p.mu.Lock()
			p.calls[name]++
			p.mu.Unlock()
			out, err := handle(in)
			if err != nil {
				return nil, err
			}
			return json.Marshal(out)
		}
	}
	analysis := func(kind string) func(in map[string]any) (any, error) {
		return func(in map[string]any) (any, error) {
			p.mu.Lock()
			p.texts = append(p.texts, in["text"])
			p.mu.Unlock()
			return map[string]any{"kind": kind, "engine": "fake"}, nil
		}
	}
	return asl.Functions{
		"inspect": fn("inspect", func(map[string]any) (any, error) { return p.item, nil }),
		"extract_text": fn("extract_text", func(map[string]any) (any, error) {
			return map[string]any{"location": map[string]any{"bucket": "work", "key": "text/sync.txt"}}, nil
		}),
		"start_job":       fn("start_job", p.startJob),
		"moderate_text":   fn("moderate_text", analysis("moderation")),
		"detect_pii_text": fn("detect_pii_text", analysis("pii")),
		"decide": fn("decide", func(in map[string]any) (any, error) {
			p.mu.Lock()
			p.analysis, _ = in["analysis"].([]any)
			p.mu.Unlock()
			return map[string]any{"verdict": "approved"}, nil
		}),
		"record_outcome": fn("record_outcome", func(in map[string]any) (any, error) {
			p.mu.Lock()
			p.document, _ = in["document"].(map[string]any)
			p.mu.Unlock()
			return map[string]any{"verdict": "recorded"}, nil
		}),
	}
}

// TransientError stands for pipeline.TransientError: the Lambda runtime
// reports an error by its type name, which the definition retries.
type TransientError struct{}

func (TransientError) Error() string { return "transient: the job service is busy" }

func (p *fakePipeline) startJob(in map[string]any) (any, error) {
	kind, _ := in["kind"].(string)
	token, _ := in["task_token"].(string)
	require.NotEmpty(p.t, token, "start_job needs the task token")
	require.NotNil(p.t, in["item"], "start_job needs the item")
	require.NotEmpty(p.t, in["execution"], "start_job needs the execution for its request token")

	p.mu.Lock()
	if p.startError != nil {
		p.mu.Unlock()
		return nil, p.startError
	}
	if p.startFailures > 0 {
		p.startFailures--
		p.mu.Unlock()
		return nil, &TransientError{}
	}
	p.jobs = append(p.jobs, kind)
	runner := p.runner
	p.mu.Unlock()

	answer, ok := p.answers[kind]
	require.True(p.t, ok, "no answer for %s jobs", kind)
	if answer.never {
		return map[string]any{"job_id": kind + "-1"}, nil
	}
	p.sending.Add(1)
	go func() {
		defer p.sending.Done()
		time.Sleep(10 * time.Millisecond)
		ctx := context.Background()
		var err error
		if answer.error != "" {
			err = runner.SendTaskFailure(ctx, token, answer.error, answer.cause)
		} else {
			err = runner.SendTaskSuccess(ctx, token, json.RawMessage(answer.output))
		}
		// A Parallel state whose other branch failed no longer waits for
		// this branch's result.
		if !errors.Is(err, asl.ErrTaskTimedOut) {
			assert.NoError(p.t, err)
		}
	}()
	return map[string]any{"job_id": kind + "-1"}, nil
}

func (p *fakePipeline) run(jobTimeout string) asl.Execution {
	p.t.Helper()
	vars := map[string]string{}
	for _, name := range statemachines.Placeholders(statemachines.Moderation) {
		if fn, ok := strings.CutSuffix(name, "_function_arn"); ok {
			vars[name] = "arn:aws:lambda:us-east-1:123456789012:function:" + fn
		}
	}
	vars["review_timeout_seconds"] = "3600"
	vars["job_timeout_seconds"] = jobTimeout
	definition, err := statemachines.Render(statemachines.Moderation, vars)
	require.NoError(p.t, err)

	p.calls = map[string]int{}
	runner := asl.NewRunner(asl.NewMemoryStore(), p.functions())
	p.t.Cleanup(func() { runner.Close() })
	p.mu.Lock()
	p.runner = runner
	p.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	input := `{"detail": {"bucket": {"name": "ingest"}, "object": {"key": "uploads/x"}}}`
	_, err = runner.Start(ctx, asl.StartInput{StateMachine: "moderation", Name: "e1", Definition: []byte(definition), Input: json.RawMessage(input)})
	require.NoError(p.t, err)
	e, err := runner.Wait(ctx, "e1")
	require.NoError(p.t, err)
	p.sending.Wait()
	require.Equal(p.t, asl.StatusSucceeded, e.Status, "%s: %s", e.Error, e.Cause)
	return e
}

const (
	transcript   = `{"location": {"bucket": "work", "key": "text/transcript.txt"}, "unscored": null}`
	documentText = `{"location": {"bucket": "work", "key": "text/document.txt"}, "unscored": null}`
	frames       = `{"kind": "moderation", "engine": "amazon-rekognition-video", "categories": [{"name": "Violence", "score": 0.02}]}`
)

func item(mediaType string, extra map[string]any) map[string]any {
	it := map[string]any{"bucket": "ingest", "key": "uploads/x", "media_type": mediaType}
	for k, v := range extra {
		it[k] = v
	}
	return it
}

func TestJobStatesByMediaType(t *testing.T) {
	tests := []struct {
		name      string
		item      map[string]any
		wantJobs  []string
		wantSync  int // extract_text calls
		wantTexts []string
		// wantAnalyses is the number of analyses Decide receives.
		wantAnalyses int
	}{
		{name: "audio", item: item("audio", nil), wantJobs: []string{"transcription"}, wantTexts: []string{"text/transcript.txt"}, wantAnalyses: 2},
		{name: "multi-page document", item: item("document", map[string]any{"page_count": 12}), wantJobs: []string{"document_text"}, wantTexts: []string{"text/document.txt"}, wantAnalyses: 2},
		{name: "multi-page TIFF", item: item("document", map[string]any{"format": "tiff", "mime": "image/tiff", "page_count": 3}), wantJobs: []string{"document_text"}, wantTexts: []string{"text/document.txt"}, wantAnalyses: 2},
		{name: "one-page document", item: item("document", map[string]any{"page_count": 1}), wantSync: 1, wantTexts: []string{"text/sync.txt"}, wantAnalyses: 2},
		{name: "document of unknown page count", item: item("document", map[string]any{"page_count": 0}), wantSync: 1, wantTexts: []string{"text/sync.txt"}, wantAnalyses: 2},
		{name: "item without a page count", item: item("document", nil), wantSync: 1, wantTexts: []string{"text/sync.txt"}, wantAnalyses: 2},
		{name: "video", item: item("video", nil), wantJobs: []string{"transcription", "video_moderation"}, wantTexts: []string{"text/transcript.txt"}, wantAnalyses: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &fakePipeline{t: t, item: tt.item, answers: map[string]jobAnswer{
				"transcription":    {output: transcript},
				"document_text":    {output: documentText},
				"video_moderation": {output: frames},
			}}
			p.run("60")

			assert.ElementsMatch(t, tt.wantJobs, p.jobs)
			assert.Equal(t, tt.wantSync, p.calls["extract_text"])
			require.Len(t, p.texts, 2, "both text branches run")
			for _, text := range p.texts {
				loc, _ := text.(map[string]any)["location"].(map[string]any)
				assert.Contains(t, tt.wantTexts, loc["key"])
			}
			require.Len(t, p.analysis, tt.wantAnalyses)
			if tt.item["media_type"] == "video" {
				assert.Equal(t, "amazon-rekognition-video", p.analysis[0].(map[string]any)["engine"], "the frames analysis comes first")
			}
			assert.Nil(t, p.document["error"])
		})
	}
}

func TestVideoWithoutSpeechStillModerated(t *testing.T) {
	p := &fakePipeline{t: t, item: item("video", nil), answers: map[string]jobAnswer{
		"transcription":    {error: "UnsupportedContentError", cause: "unsupported content: the video has no audio track"},
		"video_moderation": {output: frames},
	}}
	p.run("60")

	require.Len(t, p.analysis, 3)
	assert.Equal(t, "amazon-rekognition-video", p.analysis[0].(map[string]any)["engine"])
	require.Len(t, p.texts, 2)
	for _, text := range p.texts {
		assert.Equal(t, []any{"unsupported content: the video has no audio track"}, text.(map[string]any)["unscored"])
	}
	assert.Nil(t, p.document["error"])
}

func TestJobFailuresRecorded(t *testing.T) {
	tests := []struct {
		name      string
		item      map[string]any
		answers   map[string]jobAnswer
		wantError string
		wantCause string
	}{
		{name: "transcription failed", item: item("audio", nil),
			answers:   map[string]jobAnswer{"transcription": {error: "JobFailedError", cause: "the service failed"}},
			wantError: "JobFailedError", wantCause: "the service failed"},
		{name: "document unsupported", item: item("document", map[string]any{"page_count": 3}),
			answers:   map[string]jobAnswer{"document_text": {error: "UnsupportedContentError", cause: "unsupported content: encrypted"}},
			wantError: "UnsupportedContentError", wantCause: "encrypted"},
		{name: "video frames failed", item: item("video", nil),
			answers:   map[string]jobAnswer{"video_moderation": {error: "InvalidContentError", cause: "invalid content: not a video"}, "transcription": {output: transcript}},
			wantError: "InvalidContentError", wantCause: "not a video"},
		{name: "transcription timed out", item: item("audio", nil),
			answers:   map[string]jobAnswer{"transcription": {never: true}},
			wantError: asl.ErrorTimeout},
		{name: "video job timed out", item: item("video", nil),
			answers:   map[string]jobAnswer{"video_moderation": {never: true}, "transcription": {output: transcript}},
			wantError: asl.ErrorTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &fakePipeline{t: t, item: tt.item, answers: tt.answers}
			p.run("1")

			require.NotNil(t, p.document["error"], "the failure must reach Record outcome")
			failure := p.document["error"].(map[string]any)
			assert.Equal(t, tt.wantError, failure["Error"])
			assert.Contains(t, failure["Cause"], tt.wantCause)
			assert.Zero(t, p.calls["decide"])
			assert.Equal(t, 1, p.calls["record_outcome"])
		})
	}
}

func TestJobStartRetried(t *testing.T) {
	p := &fakePipeline{t: t, item: item("audio", nil), startFailures: 1, answers: map[string]jobAnswer{"transcription": {output: transcript}}}
	p.run("60")

	assert.Equal(t, 2, p.calls["start_job"])
	assert.Equal(t, []string{"transcription"}, p.jobs)
	assert.Nil(t, p.document["error"])
	assert.Len(t, p.analysis, 2)
}

// AccessError and UnsupportedContentError stand for awserr.AccessError and
// pipeline.UnsupportedContentError, which no Retry matches.
type AccessError struct{}

func (AccessError) Error() string { return "access denied: AccessDeniedException" }

type UnsupportedContentError struct{}

func (UnsupportedContentError) Error() string {
	return "unsupported content: the service rejected the content"
}

func TestNonTransientErrorsNotRetried(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"AccessError", &AccessError{}},
		{"UnsupportedContentError", &UnsupportedContentError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &fakePipeline{t: t, item: item("audio", nil), startError: tt.err, answers: map[string]jobAnswer{}}
			p.run("60")

			assert.Equal(t, 1, p.calls["start_job"], "no retry")
			assert.Equal(t, 1, p.calls["record_outcome"])
			require.NotNil(t, p.document["error"], "the error reaches Record outcome")
			assert.Equal(t, tt.name, p.document["error"].(map[string]any)["Error"])
		})
	}
}
