package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/local"
	"github.com/moderato/moderato/internal/local/web"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/internal/reviewapi"
)

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

// newBrowser starts headless Chromium for one test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return New(t, 90*time.Second)
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
	t.Logf("screenshot of the review page: %s", SaveScreenshot(t, ctx, "review-page-approved.png"))

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
	t.Logf("screenshot of a document review: %s", SaveScreenshot(t, ctx, "review-page-document.png"))
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

// TestApproveBehindGatewayStage serves the review API as the review_api
// function does, through Gateway on a named stage with a JWT authorizer. The
// page loads without a token, asks for one after the API's 401, and its
// requests keep the stage in their paths.
func TestApproveBehindGatewayStage(t *testing.T) {
	ctx := newBrowser(t)
	rt, _, ids := startReviews(t, "Mail me at kim.lee@example.com about the order\n")
	svc, err := web.NewService(context.Background(), rt, web.Options{})
	require.NoError(t, err)
	auth := reviewapi.Gateway{Mode: reviewapi.ModeJWT, RestrictQueues: true}
	handler := reviewapi.LambdaHandler(reviewapi.NewHandler(svc, auth))

	const audience = "review-page"
	issuer := NewIssuer(t)
	jwt := &JWTAuthorizer{Issuer: issuer.URL, Audience: []string{audience}}
	gateway := &Gateway{
		Stage:  "review",
		Routes: []Route{{Key: "GET /"}, {Key: "ANY /api/{proxy+}", Authorizer: jwt}},
		Invoke: func(ctx context.Context, payload []byte) ([]byte, error) {
			var event events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(payload, &event); err != nil {
				return nil, err
			}
			res, err := handler(ctx, event)
			if err != nil {
				return nil, err
			}
			return json.Marshal(res)
		},
		Logf: t.Logf,
	}
	srv := httptest.NewServer(gateway)
	t.Cleanup(srv.Close)

	// A moderator of another queue neither sees nor decides the review.
	outsider := issuer.ModeratorToken(t, audience, "vera", "moderato/queue:visual")
	list := gatewayRequest(t, http.MethodGet, srv.URL+"/review/api/reviews", outsider, "")
	assert.Equal(t, http.StatusOK, list.StatusCode)
	assert.NotContains(t, readBody(t, list), ids[0])
	decision := gatewayRequest(t, http.MethodPost, srv.URL+"/review/api/reviews/"+ids[0]+"/decision", outsider, `{"decision": "reject"}`)
	assert.Equal(t, http.StatusForbidden, decision.StatusCode, readBody(t, decision))

	// The stage URL without a trailing slash serves the page too.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/review"),
		chromedp.WaitVisible(chromedp.CSS(`#token`)),
		chromedp.SendKeys(chromedp.CSS(`#token`), issuer.ModeratorToken(t, audience, "alice", "moderato/queue:default")),
		chromedp.Click(chromedp.CSS(`#use-token`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.item.selected[data-id=%q]`, ids[0]))),
		chromedp.WaitVisible(chromedp.CSS(`#preview`)),
	))
	me, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#me`)))
	require.NoError(t, err)
	assert.Equal(t, "Signed in as alice", me)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#approve`)),
		chromedp.WaitVisible(chromedp.CSS(`#status[data-result="decided"]`)),
	))
	decided, err := rt.DB.Reviews().GetReview(context.Background(), ids[0])
	require.NoError(t, err)
	assert.Equal(t, review.StatusApproved, decided.Status)
	assert.Equal(t, "alice", decided.DecidedBy, "the moderator is the token's subject")
	outcome, err := rt.DB.GetOutcome(context.Background(), decided.Execution)
	require.NoError(t, err)
	assert.Equal(t, policy.Approved, outcome.Verdict)

	// Without the stage, no route matches. Without a token, the authorizer
	// rejects the request before the function runs.
	res := gatewayRequest(t, http.MethodGet, srv.URL+"/api/reviews", "", "")
	assert.Equal(t, http.StatusNotFound, res.StatusCode, readBody(t, res))
	res = gatewayRequest(t, http.MethodGet, srv.URL+"/review/api/reviews", "", "")
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode, readBody(t, res))
}

// gatewayRequest sends a request with the token as bearer token, none when
// empty, and a JSON body when body is not empty.
func gatewayRequest(t *testing.T, method, url, token, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(body)
}
