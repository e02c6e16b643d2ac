package local

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/internal/asl/asltest"
	"github.com/moderato/moderato/internal/jobs"
	"github.com/moderato/moderato/internal/localstore"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/testmedia"
)

// stateEvents returns the event types the execution recorded for a state.
func stateEvents(rt *Runtime, execution, state string) []string {
	var types []string
	for _, ev := range rt.Runner.History(execution) {
		if ev.State == state {
			types = append(types, ev.Type)
		}
	}
	return types
}

// jobOf returns the local job that a state of the execution started.
func jobOf(t *testing.T, rt *Runtime, execution string, kind jobs.Kind) localstore.Job {
	t.Helper()
	id := jobID(kind, jobs.RequestToken(ExecutionARN(execution), kind))
	job, err := rt.DB.GetJob(context.Background(), id)
	require.NoError(t, err)
	return job
}

func readSample(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "samples", path))
	require.NoError(t, err)
	return data
}

func TestJobStatesRunByMediaType(t *testing.T) {
	onePage, err := testmedia.PDF([]testmedia.PDFPage{{Lines: []string{"Minutes of the garden club meeting."}}}, testmedia.PDFOptions{})
	require.NoError(t, err)
	tests := []struct {
		name string
		data []byte
		// jobStates are the states that wait for a job, with the job's kind.
		jobStates map[string]jobs.Kind
		// syncStates are states that run instead of a job.
		syncStates []string
		// skipped are job states this media type must not reach.
		skipped []string
	}{
		{name: "voicemail.wav", data: readSample(t, "audio/voicemail.wav"),
			jobStates: map[string]jobs.Kind{"Transcribe audio": jobs.Transcription},
			skipped:   []string{"Extract document text", "Moderate video frames"}},
		{name: "tour.mp4", data: readSample(t, "video/tour-with-threat.mp4"),
			jobStates:  map[string]jobs.Kind{"Moderate video frames": jobs.VideoModeration, "Transcribe video": jobs.Transcription},
			syncStates: []string{"Keep video moderation", "Moderate video speech"},
			skipped:    []string{"Transcribe audio"}},
		{name: "club-report.pdf", data: readSample(t, "documents/club-report.pdf"),
			jobStates: map[string]jobs.Kind{"Detect document text": jobs.DocumentText},
			skipped:   []string{"Extract document text"}},
		{name: "one-page.pdf", data: onePage,
			syncStates: []string{"Extract document text"},
			skipped:    []string{"Detect document text"}},
	}
	h := newHarness(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.process(tt.name, tt.data)
			require.NotEqual(t, policy.Failed, res.Verdict, "reasons: %v", res.Reasons)
			require.NotEqual(t, policy.Unsupported, res.Verdict, "reasons: %v", res.Reasons)

			for state, kind := range tt.jobStates {
				events := stateEvents(h.rt, res.Execution, state)
				assert.Contains(t, events, "TaskSubmitted", "%s must start a job", state)
				assert.Contains(t, events, "TaskSucceeded", "%s must get the job's result", state)
				job := jobOf(t, h.rt, res.Execution, kind)
				assert.Equal(t, localstore.JobSucceeded, job.Status)
				assert.Equal(t, 1, job.Attempts)
			}
			for _, state := range tt.syncStates {
				assert.NotEmpty(t, stateEvents(h.rt, res.Execution, state), "%s must run", state)
			}
			for _, state := range tt.skipped {
				assert.Empty(t, stateEvents(h.rt, res.Execution, state), "%s must not run", state)
			}
		})
	}
}

func TestMultiPageDocumentTextAnalysed(t *testing.T) {
	data, err := testmedia.PDF([]testmedia.PDFPage{
		{Lines: []string{"Quarterly report of the garden club."}},
		{Lines: []string{"Contact the treasurer at jordan.reyes@example.com."}},
	}, testmedia.PDFOptions{})
	require.NoError(t, err)
	h := newHarness(t, Config{})

	res := h.process("report.pdf", data)

	assert.Equal(t, "document", res.MediaType)
	assert.Equal(t, []pipeline.TypeCount{{Type: "EMAIL", Count: 1}}, res.PII, "the second page's text must reach the PII branch")
	assert.Contains(t, stateEvents(h.rt, res.Execution, "Detect document text"), "TaskSubmitted")
}

func TestJobFailureRecordedWithReason(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		data    []byte
		kind    jobs.Kind
		err     error
		verdict policy.Verdict
		reason  string
		// others replaces the results of other kinds of jobs.
		others map[jobs.Kind]any
	}{
		{name: "unsupported audio", file: "voice.wav", data: readSample(t, "audio/voicemail.wav"), kind: jobs.Transcription,
			err: &pipeline.UnsupportedContentError{Reason: "the audio codec is not supported"}, verdict: policy.Unsupported, reason: "the audio codec is not supported"},
		{name: "invalid document", file: "report.pdf", data: readSample(t, "documents/club-report.pdf"), kind: jobs.DocumentText,
			err: &pipeline.InvalidContentError{Reason: "page 2 is truncated"}, verdict: policy.Unsupported, reason: "invalid content: page 2 is truncated"},
		{name: "engine failure on video", file: "clip.mp4", data: readSample(t, "video/tour-with-threat.mp4"), kind: jobs.VideoModeration,
			err: fmt.Errorf("the frame decoder crashed"), verdict: policy.Failed, reason: "JobFailedError: the frame decoder crashed"},
		{name: "video speech not transcribed", file: "silent.mp4", data: readSample(t, "video/tour-with-threat.mp4"), kind: jobs.Transcription,
			err: &pipeline.UnsupportedContentError{Reason: "the video has no audio track"}, verdict: policy.Review, reason: "the video has no audio track",
			others: map[jobs.Kind]any{jobs.VideoModeration: pipeline.Analysis{Kind: pipeline.KindModeration, Engine: "test", Categories: []pipeline.Score{{Name: "Violence", Score: 0.01}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			h.rt.jobs.handlers[tt.kind] = func(ctx context.Context, item pipeline.Item) (any, error) {
				return nil, tt.err
			}
			for kind, out := range tt.others {
				h.rt.jobs.handlers[kind] = func(ctx context.Context, item pipeline.Item) (any, error) { return out, nil }
			}

			res := h.process(tt.file, tt.data)

			assert.Equal(t, tt.verdict, res.Verdict)
			assert.Contains(t, strings.Join(res.Reasons, "\n"), tt.reason)
		})
	}
}

func TestJobTimeoutRecordedAsFailure(t *testing.T) {
	clock := asltest.NewFakeClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	h := newHarness(t, Config{Clock: clock})
	h.rt.jobs.handlers[jobs.Transcription] = func(ctx context.Context, item pipeline.Item) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}

	name, err := h.rt.Upload(context.Background(), h.file("voice.wav", readSample(t, "audio/voicemail.wav")))
	require.NoError(t, err)
	require.True(t, clock.WaitForTimers(1, 10*time.Second), "the job state must wait on its timeout")
	clock.Advance(localJobTimeoutSeconds * time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := h.rt.Settle(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, policy.Failed, res.Verdict)
	assert.Contains(t, strings.Join(res.Reasons, "\n"), asl.ErrorTimeout)
	assert.Contains(t, stateEvents(h.rt, name, "Transcribe audio"), "TaskTimedOut")
}

func TestResumePendingSkipsRunningJobs(t *testing.T) {
	h := newHarness(t, Config{})
	release := make(chan struct{})
	h.rt.jobs.handlers[jobs.Transcription] = func(ctx context.Context, item pipeline.Item) (any, error) {
		select {
		case <-release:
			return pipeline.TextRef{Unscored: []string{"no speech in this test"}}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	name, err := h.rt.Upload(context.Background(), h.file("voice.wav", readSample(t, "audio/voicemail.wav")))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		job, err := h.rt.DB.GetJob(context.Background(), jobID(jobs.Transcription, jobs.RequestToken(ExecutionARN(name), jobs.Transcription)))
		return err == nil && job.Status == localstore.JobRunning
	}, 10*time.Second, 20*time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	require.NoError(t, h.rt.ResumePending(ctx))
	assert.Less(t, time.Since(start), 2*time.Second, "listing reviews must not wait for a running job")

	close(release)
	res, err := h.rt.Settle(context.Background(), name)
	require.NoError(t, err)
	assert.Equal(t, "audio", res.MediaType)
	assert.Equal(t, policy.Review, res.Verdict, "unscored speech goes to review")
}

func TestRetriedStartFindsItsJob(t *testing.T) {
	h := newHarness(t, Config{})
	var starts atomic.Int32
	h.replaceFunctions(func(fns asl.Functions) {
		start := fns[functionPrefix+"start_job"]
		fns[functionPrefix+"start_job"] = func(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
			out, err := start(ctx, payload)
			if starts.Add(1) == 1 && err == nil {
				// The job started, but the invoke fails, so the state
				// retries it with a new task token.
				return nil, &pipeline.TransientError{Err: errors.New("connection reset after the start")}
			}
			return out, err
		}
	})
	extract := h.rt.jobs.handlers[jobs.DocumentText]
	h.rt.jobs.handlers[jobs.DocumentText] = func(ctx context.Context, item pipeline.Item) (any, error) {
		time.Sleep(300 * time.Millisecond)
		return extract(ctx, item)
	}

	res := h.process("report.pdf", readSample(t, "documents/club-report.pdf"))

	assert.Equal(t, "document", res.MediaType)
	assert.NotEqual(t, policy.Failed, res.Verdict, "reasons: %v", res.Reasons)
	assert.Equal(t, int32(2), starts.Load())
	job := jobOf(t, h.rt, res.Execution, jobs.DocumentText)
	assert.Equal(t, 1, job.Attempts, "the retried start must find the job, not run it again")
	waiting, err := h.rt.DB.JobTokens().ListTokens(context.Background(), time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.Empty(t, waiting, "no job may wait once the execution ended")
}

func TestJobTokensStoredHashed(t *testing.T) {
	h := newHarness(t, Config{})
	var seen []string
	h.rt.jobs.handlers[jobs.Transcription] = func(ctx context.Context, item pipeline.Item) (any, error) {
		// The token is stored after the job is queued, so the job may
		// start first.
		for range 100 {
			tokens, err := h.rt.DB.JobTokens().ListTokens(ctx, time.Now().Add(time.Hour))
			if err != nil {
				return nil, err
			}
			for _, tok := range tokens {
				seen = append(seen, tok.TaskToken)
			}
			if len(seen) > 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		return pipeline.TextRef{Unscored: []string{"no speech in this test"}}, nil
	}
	h.process("voice.wav", readSample(t, "audio/voicemail.wav"))
	require.NoError(t, h.rt.Close())
	require.NotEmpty(t, seen, "the running job's token must be readable")

	db, err := sql.Open("sqlite", filepath.Join(h.rt.DataDir, "moderato.db"))
	require.NoError(t, err)
	defer db.Close()
	raw, err := os.ReadFile(filepath.Join(h.rt.DataDir, "moderato.log"))
	require.NoError(t, err)
	for _, token := range seen {
		require.NotEmpty(t, token)
		var n int
		require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM job_tokens WHERE token_hash = ?`, token).Scan(&n))
		assert.Zero(t, n, "the jobs table must not hold the plain token")
		assert.NotContains(t, string(raw), token, "the log must not hold a task token")
	}
}

// The crash tests run this test in a child process that starts a job and
// then hangs in it until the parent kills the process.
const crashDataDirEnv = "MODERATO_TEST_CRASH_DATA_DIR"

func TestJobCrashHelper(t *testing.T) {
	dir := os.Getenv(crashDataDirEnv)
	if dir == "" {
		t.Skip("run by the crash tests")
	}
	rt, err := Open(context.Background(), Config{DataDir: dir, Lease: time.Second})
	require.NoError(t, err)
	rt.jobs.handlers[jobs.DocumentText] = func(ctx context.Context, item pipeline.Item) (any, error) {
		select {}
	}
	src := Source{Path: filepath.Join("..", "..", "samples", "documents", "club-report.pdf"), Key: uploadPrefix + "club-report.pdf"}
	_, err = rt.Upload(context.Background(), src)
	require.NoError(t, err)
	select {}
}

// crashDuringJob runs TestJobCrashHelper in a child process, waits until
// its job runs, kills the process and returns the execution's name.
func crashDuringJob(t *testing.T, dataDir string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dataDir, 0o755))
	cmd := exec.Command(os.Args[0], "-test.run=^TestJobCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDataDirEnv+"="+dataDir)
	require.NoError(t, cmd.Start())
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})

	db, err := localstore.Open(context.Background(), filepath.Join(dataDir, "moderato.db"))
	require.NoError(t, err)
	defer db.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		require.True(t, time.Now().Before(deadline), "the child process never ran its job")
		executions, err := db.Executions().ListExecutions(context.Background(), asl.StatusRunning)
		if err == nil && len(executions) == 1 {
			id := jobID(jobs.DocumentText, jobs.RequestToken(ExecutionARN(executions[0].Name), jobs.DocumentText))
			job, err := db.GetJob(context.Background(), id)
			if err == nil && job.Status == localstore.JobRunning {
				require.NoError(t, cmd.Process.Kill())
				_ = cmd.Wait()
				killed = true
				return executions[0].Name
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestJobRerunAfterCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	name := crashDuringJob(t, dataDir)

	h := newHarness(t, Config{DataDir: dataDir, Lease: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := h.rt.Settle(ctx, name)
	require.NoError(t, err)

	assert.Equal(t, "document", res.MediaType)
	assert.NotEqual(t, policy.Failed, res.Verdict, "reasons: %v", res.Reasons)
	job := jobOf(t, h.rt, name, jobs.DocumentText)
	assert.Equal(t, localstore.JobSucceeded, job.Status)
	assert.Equal(t, 2, job.Attempts, "the interrupted job runs once more")
}

func TestJobInterruptedTooOftenFails(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	name := crashDuringJob(t, dataDir)

	h := newHarness(t, Config{DataDir: dataDir, Lease: time.Second, MaxJobAttempts: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := h.rt.Settle(ctx, name)
	require.NoError(t, err)

	assert.Equal(t, policy.Failed, res.Verdict)
	assert.Contains(t, strings.Join(res.Reasons, "\n"), "the document_text job was interrupted once before it finished")
	assert.Equal(t, localstore.JobFailed, jobOf(t, h.rt, name, jobs.DocumentText).Status)
}

func TestClosedTaskReportedToJobs(t *testing.T) {
	for _, err := range []error{asl.ErrTaskTimedOut, asl.ErrInvalidToken} {
		assert.ErrorIs(t, closedTask(fmt.Errorf("completing task token: %w", err)), jobs.ErrTaskClosed)
	}
	assert.NotErrorIs(t, closedTask(errors.New("database is locked")), jobs.ErrTaskClosed)
	assert.NoError(t, closedTask(nil))
}

func scannedTIFF(t *testing.T, pages ...[]string) []byte {
	t.Helper()
	imgs := make([]image.Image, len(pages))
	for i, lines := range pages {
		img, _, err := testmedia.TextImage(lines, 40)
		require.NoError(t, err)
		imgs[i] = img
	}
	return testmedia.MultiPageTIFF(imgs)
}

func TestMultiPageTIFFTextAnalysed(t *testing.T) {
	requireTesseract(t)
	data := scannedTIFF(t,
		[]string{"Quarterly report of the garden club"},
		[]string{"Call the treasurer at 212-555-0187 today"})
	h := newHarness(t, Config{})

	res := h.process("fax.tif", data)

	assert.Equal(t, "document", res.MediaType)
	assert.Contains(t, stateEvents(h.rt, res.Execution, "Detect document text"), "TaskSubmitted")
	assert.Empty(t, stateEvents(h.rt, res.Execution, "Normalize image"), "a multi-page TIFF skips the image path")
	assert.Equal(t, localstore.JobSucceeded, jobOf(t, h.rt, res.Execution, jobs.DocumentText).Status)
	assert.Equal(t, []pipeline.TypeCount{{Type: "PHONE", Count: 1}}, res.PII, "the second page's text must reach the PII branch")
}

func TestMultiPageTIFFWithoutText(t *testing.T) {
	requireTesseract(t)
	blank := image.NewGray(image.Rect(0, 0, 200, 120))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	h := newHarness(t, Config{})

	res := h.process("blank.tif", testmedia.MultiPageTIFF([]image.Image{blank, blank}))

	assert.Equal(t, "document", res.MediaType)
	assert.Equal(t, policy.Review, res.Verdict, "pages nobody could read must not be approved")
	assert.Contains(t, strings.Join(res.Reasons, "\n"), "OCR found no text on the 2 pages of the TIFF")
}

func TestMultiPageTIFFWithoutTesseract(t *testing.T) {
	h := newHarness(t, Config{})
	t.Setenv("PATH", t.TempDir())

	res := h.process("fax.tif", scannedTIFF(t, []string{"Page one"}, []string{"Page two"}))

	assert.Equal(t, "document", res.MediaType)
	assert.Equal(t, policy.Review, res.Verdict)
	assert.Contains(t, strings.Join(res.Reasons, "\n"), "tesseract is not installed")
}
