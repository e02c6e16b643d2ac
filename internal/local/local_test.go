package local

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/internal/asl/asltest"
	"github.com/moderato/moderato/internal/nsfw"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/internal/speech"
)

const (
	cleanText      = "Loved the hike this weekend, the view over the valley was wonderful.\n"
	threatText     = "Watch your back. I know where you live and I will hurt you.\n"
	borderlineText = "That referee was an idiot today, honestly.\n"
	piiText        = "Email me at jordan.reyes@example.com or call (415) 555-0134. Card 4111 1111 1111 1111.\n"
)

// harness is a local runtime in a temporary data directory, with helpers
// that write input files.
type harness struct {
	t   *testing.T
	rt  *Runtime
	dir string
	cfg Config
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = filepath.Join(t.TempDir(), "data")
	}
	rt, err := Open(context.Background(), cfg)
	require.NoError(t, err)
	h := &harness{t: t, rt: rt, dir: t.TempDir(), cfg: cfg}
	t.Cleanup(func() { h.rt.Close() })
	return h
}

// reopen closes the runtime and opens a new one on the same data directory,
// as a new process would.
func (h *harness) reopen(wrap func(asl.Functions)) {
	h.t.Helper()
	require.NoError(h.t, h.rt.Close())
	rt, err := Open(context.Background(), h.cfg)
	require.NoError(h.t, err)
	h.rt = rt
	if wrap != nil {
		h.replaceFunctions(wrap)
	}
}

// replaceFunctions swaps the runner for one whose functions wrap has edited.
func (h *harness) replaceFunctions(wrap func(asl.Functions)) {
	require.NoError(h.t, h.rt.Runner.Close())
	fns := h.rt.functions()
	wrap(fns)
	opts := []asl.Option{asl.WithOwner(newOwner())}
	if h.cfg.Clock != nil {
		opts = append(opts, asl.WithClock(h.cfg.Clock))
	}
	if h.cfg.Lease > 0 {
		opts = append(opts, asl.WithLeaseDuration(h.cfg.Lease))
	}
	h.rt.Runner = asl.NewRunner(h.rt.DB.Executions(), fns, opts...)
}

func (h *harness) file(name string, data []byte) Source {
	h.t.Helper()
	path := filepath.Join(h.dir, name)
	require.NoError(h.t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(h.t, os.WriteFile(path, data, 0o644))
	return Source{Path: path, Key: uploadPrefix + name}
}

func (h *harness) process(name string, data []byte) Result {
	h.t.Helper()
	return h.rt.Process(context.Background(), []Source{h.file(name, data)}, 1, nil)[0]
}

func pngBytes(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

func jpegBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 200, 150))
	for y := 0; y < 150; y++ {
		for x := 0; x < 200; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y * 2), uint8(x ^ y), 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}))
	return buf.Bytes()
}

func TestTextVerdicts(t *testing.T) {
	h := newHarness(t, Config{})
	tests := []struct {
		name    string
		content string
		verdict policy.Verdict
	}{
		{name: "clean.txt", content: cleanText, verdict: policy.Approved},
		{name: "threat.txt", content: threatText, verdict: policy.Rejected},
		{name: "borderline.txt", content: borderlineText, verdict: policy.Review},
		{name: "pii.txt", content: piiText, verdict: policy.Approved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.process(tt.name, []byte(tt.content))
			assert.Equal(t, "text", res.MediaType)
			assert.Equal(t, tt.verdict, res.Verdict, "reasons: %v", res.Reasons)
			assert.NotEmpty(t, res.Execution)
			assert.NotEmpty(t, res.PolicyVersion)
			if tt.verdict == policy.Review {
				assert.NotEmpty(t, res.ReviewID)
			}
			if tt.verdict == policy.Rejected {
				assert.Nil(t, res.Redacted, "a rejected item has no published redacted copy")
				assert.NoFileExists(t, filepath.Join(h.rt.DataDir, RedactedBucket, "uploads", tt.name))
				return
			}
			require.NotNil(t, res.Redacted)
			if tt.verdict == policy.Review {
				assert.NoFileExists(t, filepath.Join(h.rt.DataDir, RedactedBucket, "uploads", tt.name), "pending items are not published")
			}
		})
	}
}

func TestPIIRedactedCopy(t *testing.T) {
	h := newHarness(t, Config{})
	res := h.process("pii.txt", []byte(piiText))
	require.Equal(t, policy.Approved, res.Verdict)
	assert.Equal(t, []pipeline.TypeCount{{Type: "CREDIT_DEBIT_NUMBER", Count: 1}, {Type: "EMAIL", Count: 1}, {Type: "PHONE", Count: 1}}, res.PII)

	require.NotNil(t, res.Redacted)
	redacted, err := os.ReadFile(*res.Redacted)
	require.NoError(t, err)
	for _, value := range []string{"jordan.reyes@example.com", "555-0134", "4111 1111 1111 1111"} {
		assert.NotContains(t, string(redacted), value)
	}
	assert.Contains(t, string(redacted), "[EMAIL]")

	approved, err := os.ReadFile(filepath.Join(h.rt.DataDir, ApprovedBucket, "uploads", "pii.txt"))
	require.NoError(t, err, "an approved item is copied to the approved bucket")
	assert.Equal(t, piiText, string(approved))
}

func TestReviewThenApproveAndReject(t *testing.T) {
	for _, decision := range []string{review.Approve, review.Reject} {
		t.Run(decision, func(t *testing.T) {
			h := newHarness(t, Config{})
			res := h.process("borderline.txt", []byte(borderlineText))
			require.Equal(t, policy.Review, res.Verdict)

			final, err := h.rt.Decide(context.Background(), res.ReviewID, decision, "checked by hand", "alice")
			require.NoError(t, err)
			want := policy.Approved
			if decision == review.Reject {
				want = policy.Rejected
			}
			assert.Equal(t, want, final.Verdict)
			assert.Equal(t, res.Execution, final.Execution)
			assert.Contains(t, strings.Join(final.Reasons, "\n"), "reviewer alice decided "+decision+": checked by hand")

			r, err := h.rt.DB.Reviews().GetReview(context.Background(), res.ReviewID)
			require.NoError(t, err)
			assert.Equal(t, review.Status(want), r.Status)

			_, err = h.rt.Decide(context.Background(), res.ReviewID, review.Approve, "", "bob")
			var decisionErr *DecisionError
			require.ErrorAs(t, err, &decisionErr)
			assert.ErrorIs(t, err, review.ErrAlreadyDecided)
			assert.Contains(t, err.Error(), "already decided")
			assert.Equal(t, "alice", decisionErr.Review.DecidedBy)
		})
	}
}

func TestDecideUnknownReview(t *testing.T) {
	h := newHarness(t, Config{})
	_, err := h.rt.Decide(context.Background(), "rv-missing", review.Approve, "", "alice")
	assert.ErrorIs(t, err, review.ErrNotFound)
	_, err = h.rt.Decide(context.Background(), "rv-missing", "maybe", "", "alice")
	assert.ErrorContains(t, err, "invalid decision")
}

func TestReviewTimeoutAppliesPolicy(t *testing.T) {
	pol, err := policy.Parse([]byte(`{"version": "timeout-test", "review": {"timeout_seconds": 60, "on_timeout": "reject"}}`))
	require.NoError(t, err)
	clock := asltest.NewFakeClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	h := newHarness(t, Config{Policy: pol, Clock: clock})

	res := h.process("borderline.txt", []byte(borderlineText))
	require.Equal(t, policy.Review, res.Verdict)
	assert.Equal(t, "timeout-test", res.PolicyVersion)

	require.True(t, clock.WaitForTimers(1, 5*time.Second), "the review task must wait on a timer")
	clock.Advance(61 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = h.rt.Runner.Wait(ctx, res.Execution)
	require.NoError(t, err)
	final, err := h.rt.Settle(ctx, res.Execution)
	require.NoError(t, err)
	assert.Equal(t, policy.Rejected, final.Verdict)
	assert.Contains(t, strings.Join(final.Reasons, "\n"), "review not decided within 60 seconds")

	r, err := h.rt.DB.Reviews().GetReview(context.Background(), res.ReviewID)
	require.NoError(t, err)
	assert.Equal(t, review.StatusExpired, r.Status)

	_, err = h.rt.Decide(context.Background(), res.ReviewID, review.Approve, "", "late")
	assert.ErrorIs(t, err, review.ErrExpired, "a decision after the timeout is refused")
}

func TestLateDecisionAppliesTimeout(t *testing.T) {
	pol, err := policy.Parse([]byte(`{"review": {"timeout_seconds": 60, "on_timeout": "approve"}}`))
	require.NoError(t, err)
	clock := asltest.NewFakeClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	h := newHarness(t, Config{Policy: pol, Clock: clock})
	res := h.process("borderline.txt", []byte(borderlineText))
	require.Equal(t, policy.Review, res.Verdict)

	// The process stops before the deadline and a new one starts after it.
	h.reopen(nil)
	clock.Advance(2 * time.Minute)
	_, err = h.rt.Decide(context.Background(), res.ReviewID, review.Reject, "", "late")
	require.ErrorIs(t, err, review.ErrExpired)

	final, err := h.rt.Settle(context.Background(), res.Execution)
	require.NoError(t, err)
	assert.Equal(t, policy.Approved, final.Verdict, "the policy's on_timeout applies, not the late decision")
}

func TestPIIReviewPolicy(t *testing.T) {
	pol, err := policy.Parse([]byte(`{"pii": {"action": "review"}}`))
	require.NoError(t, err)
	h := newHarness(t, Config{Policy: pol})

	res := h.process("contact.txt", []byte("Write to sam.taylor@example.org for details.\n"))
	require.Equal(t, policy.Review, res.Verdict, "reasons: %v", res.Reasons)
	assert.Equal(t, []pipeline.TypeCount{{Type: "EMAIL", Count: 1}}, res.PII)

	final, err := h.rt.Decide(context.Background(), res.ReviewID, review.Approve, "", "alice")
	require.NoError(t, err)
	assert.Equal(t, policy.Approved, final.Verdict)
	assert.Equal(t, []pipeline.TypeCount{{Type: "EMAIL", Count: 1}}, final.PII)
}

func TestMediaTypesRoute(t *testing.T) {
	// An empty model cache makes the image cases independent of whether
	// the image model is installed on this machine.
	t.Setenv(nsfw.CacheEnv, t.TempDir())
	h := newHarness(t, Config{})
	wav := append([]byte("RIFF\x24\x00\x00\x00WAVEfmt "), make([]byte, 64)...)
	mp4 := append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), make([]byte, 64)...)
	tests := []struct {
		name      string
		data      []byte
		mediaType string
		verdict   policy.Verdict
		reason    string
		// engine is the error of a missing engine program that the case
		// needs.
		engine error
	}{
		{name: "photo.png", data: pngBytes(t, 120, 90), mediaType: "image", verdict: policy.Review, reason: "no local image moderation model"},
		{name: "photo.jpg", data: jpegBytes(t), mediaType: "image", verdict: policy.Review, reason: "no local image moderation model"},
		{name: "report.pdf", data: []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"), mediaType: "document", verdict: policy.Unsupported, reason: "the PDF is damaged"},
		{name: "voice.wav", data: wav, mediaType: "audio", verdict: policy.Unsupported, reason: "audio could not be decoded", engine: speech.New().Check()},
		{name: "clip.mp4", data: mp4, mediaType: "video", verdict: policy.Unsupported, reason: "could not be decoded", engine: speech.New().Check()},
		{name: "data.bin", data: bytes.Repeat([]byte{0x00, 0xff, 0x13, 0x37}, 1024), mediaType: "unsupported", verdict: policy.Unsupported, reason: "unrecognised content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.engine != nil {
				t.Skipf("skipping: %v", tt.engine)
			}
			res := h.process(tt.name, tt.data)
			assert.Equal(t, tt.mediaType, res.MediaType)
			assert.Equal(t, tt.verdict, res.Verdict)
			assert.Contains(t, strings.Join(res.Reasons, "\n"), tt.reason)
		})
	}
}

func TestImageRedactedCopyHasNoMetadata(t *testing.T) {
	h := newHarness(t, Config{})
	data, err := os.ReadFile("../../samples/images/photo-exif-rotated.jpg")
	require.NoError(t, err)
	require.True(t, bytes.Contains(data, []byte("Exif")), "the sample must carry EXIF")

	res := h.process("photo.jpg", data)
	require.Equal(t, "image", res.MediaType)
	require.NotNil(t, res.Redacted)
	redacted, err := os.ReadFile(*res.Redacted)
	require.NoError(t, err)
	assert.False(t, bytes.Contains(redacted, []byte("Exif")), "the redacted copy must not keep EXIF (GPS)")

	orig, _, err := image.DecodeConfig(bytes.NewReader(data))
	require.NoError(t, err)
	out, _, err := image.DecodeConfig(bytes.NewReader(redacted))
	require.NoError(t, err)
	assert.Equal(t, orig.Width, out.Height, "orientation 6 turns the image a quarter")
	assert.Equal(t, orig.Height, out.Width)
}

func TestBadInputsGetOutcomes(t *testing.T) {
	h := newHarness(t, Config{})
	jpg := jpegBytes(t)
	big := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 240000) + "\nReach me at late.tail@example.net\n"
	require.Greater(t, len(big), 10<<20)
	tests := []struct {
		name    string
		data    []byte
		verdict policy.Verdict
		reason  string
	}{
		{name: "empty.txt", data: nil, verdict: policy.Unsupported, reason: "empty object"},
		{name: "truncated.jpg", data: jpg[:len(jpg)/2], verdict: policy.Unsupported, reason: "truncated"},
		{name: "random.bin", data: pseudoRandom(65536), verdict: policy.Unsupported, reason: "unrecognised"},
		{name: "name with spaces + plus %41 ü.txt", data: []byte(cleanText), verdict: policy.Approved},
		{name: "dir/ünïcödé 名前.txt", data: []byte(cleanText), verdict: policy.Approved},
		{name: "big.txt", data: []byte(big), verdict: policy.Approved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.process(tt.name, tt.data)
			assert.Equal(t, tt.verdict, res.Verdict, "reasons: %v", res.Reasons)
			if tt.reason != "" {
				assert.Contains(t, strings.Join(res.Reasons, "\n"), tt.reason)
			}
			assert.NotEmpty(t, res.Execution)
		})
	}

	big10 := h.process("big2.txt", []byte(big))
	assert.Equal(t, []pipeline.TypeCount{{Type: "EMAIL", Count: 1}}, big10.PII, "PII at the end of a 10 MB text is found")
	require.NotNil(t, big10.Redacted)
	redacted, err := os.ReadFile(*big10.Redacted)
	require.NoError(t, err)
	assert.NotContains(t, string(redacted), "late.tail@example.net")
}

// pseudoRandom returns deterministic bytes that look random to a sniffer.
func pseudoRandom(n int) []byte {
	out := make([]byte, n)
	x := uint32(2463534242)
	for i := range out {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		out[i] = byte(x >> 24)
	}
	return out
}

func TestDuplicateEventOneOutcome(t *testing.T) {
	h := newHarness(t, Config{})
	src := h.file("dup.txt", []byte(cleanText))
	first, err := h.rt.Upload(context.Background(), src)
	require.NoError(t, err)
	second, err := h.rt.Upload(context.Background(), src)
	require.NoError(t, err)
	assert.Equal(t, first, second, "the same object version maps to the same execution")

	res, err := h.rt.Settle(context.Background(), first)
	require.NoError(t, err)
	assert.Equal(t, policy.Approved, res.Verdict)

	info, err := h.rt.Objects.Head(context.Background(), pipelineLocation(src.Key))
	require.NoError(t, err)
	n, err := h.rt.DB.CountOutcomes(context.Background(), IngestBucket, src.Key, info.VersionID)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestTaskErrorBecomesFailedOutcome(t *testing.T) {
	h := newHarness(t, Config{})
	h.replaceFunctions(func(fns asl.Functions) {
		fns[functionPrefix+"decide"] = func(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
			return nil, errors.New("policy store unreachable")
		}
	})
	res := h.process("clean.txt", []byte(cleanText))
	assert.Equal(t, policy.Failed, res.Verdict)
	assert.Contains(t, strings.Join(res.Reasons, "\n"), "policy store unreachable")

	quarantined := filepath.Join(h.rt.DataDir, QuarantineBucket, "uploads", "clean.txt")
	assert.FileExists(t, quarantined, "a failed item is quarantined, not approved")
}

func TestTransientErrorIsRetried(t *testing.T) {
	h := newHarness(t, Config{})
	var calls atomic.Int32
	h.replaceFunctions(func(fns asl.Functions) {
		inner := fns[functionPrefix+"moderate_text"]
		fns[functionPrefix+"moderate_text"] = func(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
			if calls.Add(1) == 1 {
				return nil, &pipeline.TransientError{Err: errors.New("engine busy")}
			}
			return inner(ctx, payload)
		}
	})
	res := h.process("clean.txt", []byte(cleanText))
	assert.Equal(t, policy.Approved, res.Verdict, "reasons: %v", res.Reasons)
	assert.Equal(t, int32(2), calls.Load())
}

func TestPausedExecutionSurvivesRestart(t *testing.T) {
	h := newHarness(t, Config{})
	res := h.process("borderline.txt", []byte(borderlineText))
	require.Equal(t, policy.Review, res.Verdict)

	var calls atomic.Int32
	h.reopen(func(fns asl.Functions) {
		for name, fn := range fns {
			if name == functionPrefix+"record_outcome" {
				continue
			}
			fns[name] = func(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
				calls.Add(1)
				return fn(ctx, payload)
			}
		}
	})

	final, err := h.rt.Decide(context.Background(), res.ReviewID, review.Approve, "", "alice")
	require.NoError(t, err)
	assert.Equal(t, policy.Approved, final.Verdict)
	assert.Zero(t, calls.Load(), "tasks that finished before the restart must not run again")
}

func TestLogsHoldNoPII(t *testing.T) {
	h := newHarness(t, Config{})
	h.process("pii.txt", []byte(piiText))
	h.process("borderline.txt", []byte(borderlineText))
	require.NoError(t, h.rt.Close())

	logs, err := os.ReadFile(filepath.Join(h.rt.DataDir, "moderato.log"))
	require.NoError(t, err)
	require.NotEmpty(t, logs)
	for _, value := range []string{"jordan.reyes@example.com", "555-0134", "4111"} {
		assert.NotContains(t, string(logs), value)
	}
}

func pipelineLocation(key string) objects.Location {
	return objects.Location{Bucket: IngestBucket, Key: key}
}

func TestCollectSourcesSkipsWhatIsNotAFile(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	require.NoError(t, os.MkdirAll(filepath.Join(data, "ingest"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(data, "ingest", "old.txt"), []byte("x"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "a.txt"), []byte("a"), 0o644))
	require.NoError(t, syscall.Mkfifo(filepath.Join(root, "pipe"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(root, "a.txt"), filepath.Join(root, "link.txt")))
	require.NoError(t, os.Symlink(filepath.Join(root, "missing"), filepath.Join(root, "dangling")))
	require.NoError(t, os.Symlink(root, filepath.Join(root, "loop")))
	other := filepath.Join(root, "old-run")
	require.NoError(t, os.MkdirAll(other, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(other, "moderato.db"), nil, 0o644))

	sources, skipped, err := CollectSources([]string{root}, data)
	require.NoError(t, err)
	var paths []string
	for _, s := range sources {
		paths = append(paths, filepath.Base(s.Path))
	}
	assert.ElementsMatch(t, []string{"a.txt", "link.txt"}, paths, "the data directory is not moderated")
	reasons := map[string]string{}
	for _, s := range skipped {
		reasons[filepath.Base(s.Path)] = s.Reason
	}
	assert.Equal(t, "not a regular file", reasons["pipe"])
	assert.Contains(t, reasons["dangling"], "missing target")
	assert.Contains(t, reasons["loop"], "other than a regular file")
	assert.Equal(t, "a moderato data directory", reasons["old-run"])

	_, skipped, err = CollectSources([]string{filepath.Join(root, "pipe")})
	require.NoError(t, err, "a FIFO argument must not block")
	require.Len(t, skipped, 1)
}

func TestTwoProcessesShareOneDataDirectory(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	first := newHarness(t, Config{DataDir: dataDir})
	second := newHarness(t, Config{DataDir: dataDir})

	var sources []Source
	for i := 0; i < 20; i++ {
		sources = append(sources, first.file(fmt.Sprintf("post-%02d.txt", i), []byte(fmt.Sprintf("Post number %d about the garden.\n", i))))
	}
	results := make(chan []Result, 2)
	go func() { results <- first.rt.Process(context.Background(), sources, 8, nil) }()
	go func() { results <- second.rt.Process(context.Background(), sources, 8, nil) }()
	for i := 0; i < 2; i++ {
		for _, r := range <-results {
			assert.Equal(t, policy.Approved, r.Verdict, "%s: %v", r.Source, r.Reasons)
		}
	}
}
