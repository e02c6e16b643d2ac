// Package browser drives the review page in headless Chromium: a moderator
// opens the queue, moves with the keyboard, approves an item, and the paused
// execution completes.
package browser

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/local"
	"github.com/moderato/moderato/internal/local/web"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
)

// requireEnv names the variable that turns a missing Chromium from a skip
// into a failure. CI sets it, so that the browser test cannot silently stop
// running there.
const requireEnv = "MODERATO_REQUIRE_BROWSER"

// chromiumPath returns the Chromium binary: $CHROMIUM_PATH, or chromium on
// the PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err == nil {
		return p
	}
	msg := "chromium is not installed: run \"apt-get install -y chromium\" (Debian) or set CHROMIUM_PATH to a Chromium binary"
	if os.Getenv(requireEnv) != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// artifactDir returns the folder for the screenshot: $MODERATO_ARTIFACT_DIR,
// or a moderato-artifacts folder in the system's temporary directory.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MODERATO_ARTIFACT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "moderato-artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// startReviews moderates one text per entry, each of which the policy sends
// to review, and serves the review page on 127.0.0.1.
func startReviews(t *testing.T, texts ...string) (*local.Runtime, *httptest.Server, []string) {
	t.Helper()
	var sources []local.Source
	for i, text := range texts {
		path := filepath.Join(t.TempDir(), "post.txt")
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		sources = append(sources, local.Source{Path: path, Key: fmt.Sprintf("uploads/post-%d.txt", i+1)})
	}
	return startSources(t, sources...)
}

// startSources moderates the sources, each of which the policy sends to
// review, and serves the review page on 127.0.0.1.
func startSources(t *testing.T, sources ...local.Source) (*local.Runtime, *httptest.Server, []string) {
	t.Helper()
	ctx := context.Background()
	pol, err := policy.Parse([]byte(`{"version": "browser-test", "pii": {"action": "review"}, "review": {"timeout_seconds": 7200, "on_timeout": "reject"}}`))
	require.NoError(t, err)
	rt, err := local.Open(ctx, local.Config{DataDir: filepath.Join(t.TempDir(), "data"), Policy: pol})
	require.NoError(t, err)
	t.Cleanup(func() { rt.Close() })

	var ids []string
	for _, src := range sources {
		res := rt.Process(ctx, []local.Source{src}, 1, nil)[0]
		require.Equal(t, policy.Review, res.Verdict, "%v", res.Reasons)
		ids = append(ids, res.ReviewID)
	}

	handler, err := web.New(ctx, rt, web.Options{Moderator: "browser-moderator"})
	require.NoError(t, err)
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	return rt, srv, ids
}

// newBrowser starts headless Chromium with a fresh profile and no
// background traffic.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

func TestApproveThroughPage(t *testing.T) {
	ctx := newBrowser(t)
	rt, srv, ids := startReviews(t,
		"Mail me at kim.lee@example.com about the order\n",
		"Call me on 415-555-0132 after six\n",
	)
	first := chromedp.CSS(fmt.Sprintf(`.item[data-id=%q]`, ids[0]))
	second := fmt.Sprintf(`.item[data-id=%q]`, ids[1])

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(first),
		chromedp.WaitVisible(chromedp.CSS(second)),
		chromedp.WaitVisible(chromedp.CSS(`#preview`)),
		// The j shortcut moves the selection to the second review.
		chromedp.KeyEvent("j"),
		chromedp.WaitVisible(chromedp.CSS(second+`.selected`)),
	))
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#detail h2")?.textContent === "uploads/post-2.txt" && !!document.querySelector("#preview")`))
	require.NoError(t, err)
	preview, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#preview`)))
	require.NoError(t, err)
	sla, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#sla`)))
	require.NoError(t, err)
	detail, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#detail`)))
	require.NoError(t, err)
	assert.Contains(t, preview, "[PHONE]", "the preview is the redacted text")
	assert.NotContains(t, preview, "415-555-0132")
	assert.Contains(t, sla, "left", "the remaining SLA time is shown")
	assert.Contains(t, detail, "PII types found: PHONE")

	// The a shortcut approves the selected review.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.KeyEvent("a"),
		chromedp.WaitVisible(chromedp.CSS(`#status[data-result="decided"]`)),
	))
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#status`)))
	require.NoError(t, err)
	assert.Equal(t, "Done: approved", status)
	screenshot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	path := filepath.Join(artifactDir(t), "review-page-approved.png")
	require.NoError(t, os.WriteFile(path, screenshot, 0o644))
	t.Logf("screenshot of the review page: %s", path)

	// The execution completed with the moderator's decision, and the other
	// review still waits.
	bg := context.Background()
	decided, err := rt.DB.Reviews().GetReview(bg, ids[1])
	require.NoError(t, err)
	assert.Equal(t, review.StatusApproved, decided.Status)
	assert.Equal(t, "browser-moderator", decided.DecidedBy)
	outcome, err := rt.DB.GetOutcome(bg, decided.Execution)
	require.NoError(t, err)
	assert.Equal(t, policy.Approved, outcome.Verdict)
	waiting, err := rt.DB.Reviews().GetReview(bg, ids[0])
	require.NoError(t, err)
	assert.Equal(t, review.StatusPending, waiting.Status)

	audit, err := rt.DB.Audit(bg)
	require.NoError(t, err)
	history, err := audit.History(bg, ids[1])
	require.NoError(t, err)
	require.Len(t, history, 1)
	assert.Equal(t, review.ResultAccepted, history[0].Result)
	assert.Equal(t, "browser-test", history[0].PolicyVersion)

	// The queue reloads without the decided review.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.WaitNotPresent(chromedp.CSS(second)),
		chromedp.WaitVisible(first),
	))
}

func TestLinkOpensReview(t *testing.T) {
	ctx := newBrowser(t)
	_, srv, ids := startReviews(t,
		"Mail me at kim.lee@example.com about the order\n",
		"Call me on 415-555-0132 after six\n",
	)

	// Notifications link to "#review=ID"; the page opens that review rather
	// than the oldest.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/#review="+ids[1]),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.item.selected[data-id=%q]`, ids[1]))),
		chromedp.WaitVisible(chromedp.CSS(`#preview`)),
	))
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#detail h2`)))
	require.NoError(t, err)
	assert.Equal(t, "uploads/post-2.txt", heading)
}

func TestDocumentPreview(t *testing.T) {
	ctx := newBrowser(t)
	_, srv, ids := startSources(t, local.Source{Path: "../../samples/documents/club-report.pdf", Key: "uploads/club-report.pdf"})

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.item.selected[data-id=%q]`, ids[0]))),
		chromedp.WaitReady(chromedp.CSS(`.preview[data-type="application/pdf"] embed`)),
		chromedp.WaitVisible(chromedp.CSS(`.preview[data-type="text/plain"] pre`)),
	))
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.preview[data-type="text/plain"] pre`)))
	require.NoError(t, err)
	assert.Contains(t, text, "[EMAIL]", "the document's text is shown with type labels")
	screenshot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	path := filepath.Join(artifactDir(t), "review-page-document.png")
	require.NoError(t, os.WriteFile(path, screenshot, 0o644))
	t.Logf("screenshot of a document review: %s", path)
}

func TestRejectButtonAfterOtherDecision(t *testing.T) {
	ctx := newBrowser(t)
	rt, srv, ids := startReviews(t, "Reach bo.chen@example.org today\n")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.item[data-id=%q]`, ids[0]))),
		chromedp.WaitVisible(chromedp.CSS(`#reject`)),
	))
	// A decision made elsewhere comes first, so the page's decision gets
	// the 409 with the first decision.
	_, err := rt.Decide(context.Background(), ids[0], review.Approve, "decided in the CLI", "cli-moderator")
	require.NoError(t, err)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#reject`)),
		chromedp.WaitVisible(chromedp.CSS(`#status[data-result="refused"]`)),
	))
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#status`)))
	require.NoError(t, err)
	assert.Contains(t, status, "already decided")
	assert.Contains(t, status, "cli-moderator")

	r, err := rt.DB.Reviews().GetReview(context.Background(), ids[0])
	require.NoError(t, err)
	assert.Equal(t, review.StatusApproved, r.Status, "the page's late rejection must not change the decision")
}
