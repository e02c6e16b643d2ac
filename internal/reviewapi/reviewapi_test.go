package reviewapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/asl/asltest"
	"github.com/moderato/moderato/internal/local"
	"github.com/moderato/moderato/internal/local/web"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/internal/reviewapi"
)

// fixture is a local runtime with reviews waiting, served through the
// reviewapi handler with the API Gateway authenticator.
type fixture struct {
	rt      *local.Runtime
	svc     *reviewapi.Service
	handler http.Handler
	reviews []string
	clock   *asltest.FakeClock
}

// newFixture moderates one text per entry of texts, each of which the
// policy sends to review, and serves the API in auth's mode.
func newFixture(t *testing.T, auth reviewapi.Authenticator, opts web.Options, texts ...string) *fixture {
	t.Helper()
	return newFixtureWithPolicy(t, `{"version": "v-test", "pii": {"action": "review"}, "review": {"timeout_seconds": 3600, "on_timeout": "reject"}}`, auth, opts, texts...)
}

func newFixtureWithPolicy(t *testing.T, policyDoc string, auth reviewapi.Authenticator, opts web.Options, texts ...string) *fixture {
	t.Helper()
	pol, err := policy.Parse([]byte(policyDoc))
	require.NoError(t, err)
	clock := asltest.NewFakeClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	// The pipeline stores each review's queue, so it routes as the API does.
	rt, err := local.Open(context.Background(), local.Config{DataDir: filepath.Join(t.TempDir(), "data"), Policy: pol, Clock: clock, Queues: opts.Router})
	require.NoError(t, err)
	t.Cleanup(func() { rt.Close() })

	f := &fixture{rt: rt, clock: clock}
	for i, text := range texts {
		path := filepath.Join(t.TempDir(), "post.txt")
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		res := rt.Process(context.Background(), []local.Source{{Path: path, Key: "uploads/post-" + string(rune('a'+i)) + ".txt"}}, 1, nil)[0]
		require.Equal(t, policy.Review, res.Verdict, "%v", res.Reasons)
		f.reviews = append(f.reviews, res.ReviewID)
		clock.Advance(time.Minute)
	}
	f.svc, err = web.NewService(context.Background(), rt, opts)
	require.NoError(t, err)
	f.handler = reviewapi.NewHandler(f.svc, auth)
	return f
}

// jwtContext is an API Gateway request context whose JWT authorizer vouched
// for subject with the groups.
func jwtContext(subject string, groups ...string) events.APIGatewayV2HTTPRequestContext {
	return events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{
			"sub": subject, "cognito:groups": "[" + strings.Join(groups, " ") + "]",
		}},
	}}
}

func iamContext(arn string) events.APIGatewayV2HTTPRequestContext {
	return events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{UserARN: arn},
	}}
}

// call sends a request as the identity in rc; a nil rc sends none.
func call(h http.Handler, rc *events.APIGatewayV2HTTPRequestContext, method, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if rc != nil {
		req = req.WithContext(reviewapi.WithRequestContext(req.Context(), *rc))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

const piiText = "Mail me at kim.lee@example.com please\n"

func TestGatewayAuthentication(t *testing.T) {
	restricted := reviewapi.Gateway{Mode: reviewapi.ModeJWT, RestrictQueues: true}
	tests := []struct {
		name   string
		auth   reviewapi.Gateway
		rc     *events.APIGatewayV2HTTPRequestContext
		status int
	}{
		{"no context", reviewapi.Gateway{Mode: reviewapi.ModeIAM}, nil, http.StatusUnauthorized},
		{"iam principal", reviewapi.Gateway{Mode: reviewapi.ModeIAM}, ptr(iamContext("arn:aws:iam::123456789012:role/moderator")), http.StatusOK},
		{"jwt in iam mode", reviewapi.Gateway{Mode: reviewapi.ModeIAM}, ptr(jwtContext("alice")), http.StatusUnauthorized},
		{"iam in jwt mode", reviewapi.Gateway{Mode: reviewapi.ModeJWT}, ptr(iamContext("arn:aws:iam::123456789012:role/moderator")), http.StatusUnauthorized},
		{"jwt subject", reviewapi.Gateway{Mode: reviewapi.ModeJWT}, ptr(jwtContext("alice")), http.StatusOK},
		{"jwt without subject", reviewapi.Gateway{Mode: reviewapi.ModeJWT}, ptr(jwtContext("")), http.StatusUnauthorized},
		{"granted queue", restricted, ptr(jwtContext("alice", "moderato/queue:default")), http.StatusOK},
		{"all queues grant", restricted, ptr(jwtContext("alice", "moderato/queue:*")), http.StatusOK},
		{"other queue", restricted, ptr(jwtContext("bob", "moderato/queue:images")), http.StatusForbidden},
		{"iam principal without queue", reviewapi.Gateway{Mode: reviewapi.ModeIAM, RestrictQueues: true}, ptr(iamContext("arn:aws:iam::123456789012:role/other")), http.StatusForbidden},
	}
	f := newFixture(t, nil, web.Options{}, piiText)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := reviewapi.NewHandler(f.svc, tc.auth)
			rec := call(h, tc.rc, http.MethodGet, "/api/reviews/"+f.reviews[0], "")
			assert.Equal(t, tc.status, rec.Code, rec.Body.String())
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestCrossQueueRequestsRejected(t *testing.T) {
	auth := reviewapi.Gateway{Mode: reviewapi.ModeJWT, RestrictQueues: true}
	router := review.Router{ByMediaType: map[string]string{"text": "text"}}
	f := newFixture(t, auth, web.Options{Router: router}, piiText)
	id := f.reviews[0]
	outsider := jwtContext("bob", "moderato/queue:images")
	insider := jwtContext("alice", "moderato/queue:text")

	list := call(f.handler, &outsider, http.MethodGet, "/api/reviews", "")
	require.Equal(t, http.StatusOK, list.Code)
	assert.NotContains(t, list.Body.String(), id, "a review of another queue is not listed")

	tests := []struct {
		name   string
		method string
		target string
		body   string
	}{
		{"show", http.MethodGet, "/api/reviews/" + id, ""},
		{"preview", http.MethodGet, "/api/reviews/" + id + "/preview", ""},
		{"history", http.MethodGet, "/api/reviews/" + id + "/history", ""},
		{"decision", http.MethodPost, "/api/reviews/" + id + "/decision", `{"decision": "approve"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := call(f.handler, &outsider, tc.method, tc.target, tc.body)
			assert.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
		})
	}

	mine := call(f.handler, &insider, http.MethodGet, "/api/reviews", "")
	require.Equal(t, http.StatusOK, mine.Code)
	assert.Contains(t, mine.Body.String(), id)
	r, err := f.rt.DB.Reviews().GetReview(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, review.StatusPending, r.Status, "the outsider's decision must not count")
}

func TestDecisionExactlyOnce(t *testing.T) {
	auth := reviewapi.Gateway{Mode: reviewapi.ModeJWT}
	f := newFixture(t, auth, web.Options{}, piiText)
	id := f.reviews[0]
	alice, bob := jwtContext("alice"), jwtContext("bob")
	url := "/api/reviews/" + id + "/decision"

	first := call(f.handler, &alice, http.MethodPost, url, `{"decision": "approve", "reason": "benign", "corrections": [{"category": "pii", "present": false}]}`)
	require.Equal(t, http.StatusOK, first.Code, first.Body.String())
	var out struct {
		Result    string `json:"result"`
		Execution struct {
			Verdict string `json:"verdict"`
		} `json:"execution"`
	}
	require.NoError(t, json.Unmarshal(first.Body.Bytes(), &out))
	assert.Equal(t, review.ResultAccepted, out.Result)
	assert.Equal(t, "approved", out.Execution.Verdict)

	second := call(f.handler, &bob, http.MethodPost, url, `{"decision": "reject"}`)
	require.Equal(t, http.StatusConflict, second.Code, second.Body.String())
	var conflict struct {
		Review struct {
			Status    string `json:"status"`
			DecidedBy string `json:"decided_by"`
		} `json:"review"`
	}
	require.NoError(t, json.Unmarshal(second.Body.Bytes(), &conflict))
	assert.Equal(t, "approved", conflict.Review.Status, "the 409 carries the first decision")
	assert.Equal(t, "alice", conflict.Review.DecidedBy)

	history := historyOf(t, f, &alice, id)
	require.Len(t, history, 2)
	assert.Equal(t, "alice", history[0].Reviewer)
	assert.Equal(t, review.ResultAccepted, history[0].Result)
	assert.Equal(t, "v-test", history[0].PolicyVersion)
	assert.Equal(t, "benign", history[0].Reason)
	assert.Equal(t, []review.Correction{{Category: "pii", Present: false}}, history[0].Corrections)
	assert.Equal(t, "uploads/post-a.txt", history[0].Key)
	assert.Equal(t, "bob", history[1].Reviewer)
	assert.Equal(t, review.ResultConflict, history[1].Result)
}

func historyOf(t *testing.T, f *fixture, rc *events.APIGatewayV2HTTPRequestContext, id string) []review.Entry {
	t.Helper()
	rec := call(f.handler, rc, http.MethodGet, "/api/reviews/"+id+"/history", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var body struct {
		Entries []review.Entry `json:"entries"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	return body.Entries
}

func TestLateDecisionGone(t *testing.T) {
	auth := reviewapi.Gateway{Mode: reviewapi.ModeJWT}
	f := newFixture(t, auth, web.Options{}, piiText)
	id := f.reviews[0]
	alice := jwtContext("alice")
	f.clock.Advance(2 * time.Hour)

	rec := call(f.handler, &alice, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "approve"}`)
	require.Equal(t, http.StatusGone, rec.Code, rec.Body.String())

	r, err := f.rt.DB.Reviews().GetReview(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, review.StatusExpired, r.Status, "the timeout action applied")
	history := historyOf(t, f, &alice, id)
	require.Len(t, history, 1)
	assert.Equal(t, review.ResultExpired, history[0].Result)
}

func TestQuorum(t *testing.T) {
	tests := []struct {
		name      string
		votes     []string // alice's, bob's and carol's decisions, in order
		statuses  []int
		verdict   string
		wantAudit []string
	}{
		{
			name:      "two approvals",
			votes:     []string{review.Approve, review.Approve},
			statuses:  []int{http.StatusAccepted, http.StatusOK},
			verdict:   "approved",
			wantAudit: []string{review.ResultVote, review.ResultAccepted},
		},
		{
			name:      "split votes reject",
			votes:     []string{review.Approve, review.Reject},
			statuses:  []int{http.StatusAccepted, http.StatusOK},
			verdict:   "rejected",
			wantAudit: []string{review.ResultVote, review.ResultAccepted},
		},
		{
			name:      "third vote after settling",
			votes:     []string{review.Reject, review.Reject, review.Approve},
			statuses:  []int{http.StatusAccepted, http.StatusOK, http.StatusConflict},
			verdict:   "rejected",
			wantAudit: []string{review.ResultVote, review.ResultAccepted, review.ResultConflict},
		},
	}
	moderators := []string{"alice", "bob", "carol"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, reviewapi.Gateway{Mode: reviewapi.ModeJWT}, web.Options{Quorum: 2}, piiText)
			id := f.reviews[0]
			for i, decision := range tc.votes {
				rc := jwtContext(moderators[i])
				rec := call(f.handler, &rc, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "`+decision+`"}`)
				assert.Equal(t, tc.statuses[i], rec.Code, "vote %d: %s", i, rec.Body.String())
			}
			r, err := f.rt.DB.Reviews().GetReview(context.Background(), id)
			require.NoError(t, err)
			outcome, err := f.rt.DB.GetOutcome(context.Background(), r.Execution)
			require.NoError(t, err)
			assert.Equal(t, tc.verdict, string(outcome.Verdict))
			rc := jwtContext("alice")
			var results []string
			for _, e := range historyOf(t, f, &rc, id) {
				results = append(results, e.Result)
			}
			assert.Equal(t, tc.wantAudit, results)
		})
	}
}

func TestQuorumSameModeratorVotesOnce(t *testing.T) {
	f := newFixture(t, reviewapi.Gateway{Mode: reviewapi.ModeJWT}, web.Options{Quorum: 2}, piiText)
	id := f.reviews[0]
	alice := jwtContext("alice")

	first := call(f.handler, &alice, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "approve"}`)
	require.Equal(t, http.StatusAccepted, first.Code, first.Body.String())
	again := call(f.handler, &alice, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "approve"}`)
	assert.Equal(t, http.StatusConflict, again.Code, again.Body.String())

	r, err := f.rt.DB.Reviews().GetReview(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, review.StatusPending, r.Status)
}

func TestListFiltersAndPages(t *testing.T) {
	auth := reviewapi.Gateway{Mode: reviewapi.ModeJWT}
	f := newFixture(t, auth, web.Options{}, piiText, "Call 415-555-0132 today\n", "Reach bo.chen@example.org\n")
	alice := jwtContext("alice")

	list := func(t *testing.T, query string) (ids []string, cursor string, status int) {
		t.Helper()
		rec := call(f.handler, &alice, http.MethodGet, "/api/reviews"+query, "")
		if rec.Code != http.StatusOK {
			return nil, "", rec.Code
		}
		var page struct {
			Reviews []struct {
				ID string `json:"id"`
			} `json:"reviews"`
			NextCursor string `json:"next_cursor"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &page))
		for _, r := range page.Reviews {
			ids = append(ids, r.ID)
		}
		return ids, page.NextCursor, rec.Code
	}

	all, cursor, _ := list(t, "")
	assert.Equal(t, f.reviews, all)
	assert.Empty(t, cursor)

	first, cursor, _ := list(t, "?limit=2")
	assert.Equal(t, f.reviews[:2], first)
	require.NotEmpty(t, cursor)
	rest, last, _ := list(t, "?limit=2&cursor="+cursor)
	assert.Equal(t, f.reviews[2:], rest)
	assert.Empty(t, last)

	text, _, _ := list(t, "?media_type=text")
	assert.Len(t, text, 3)
	images, _, _ := list(t, "?media_type=image")
	assert.Empty(t, images)

	// The fixture created the reviews one minute apart, then the clock
	// moved one more minute: the first is 3 minutes old, the last 1.
	old, _, _ := list(t, "?min_age=150s")
	assert.Equal(t, f.reviews[:1], old)

	bad := []string{"?status=bogus", "?min_age=soon", "?limit=0", "?limit=1000", "?cursor=%21%21"}
	for _, query := range bad {
		_, _, status := list(t, query)
		assert.Equal(t, http.StatusBadRequest, status, query)
	}
}

func TestListBadCursorMessage(t *testing.T) {
	auth := reviewapi.Gateway{Mode: reviewapi.ModeJWT}
	f := newFixture(t, auth, web.Options{}, piiText)
	alice := jwtContext("alice")

	for _, cursor := range []string{"%ff%00garbage", "bm90LWEtY3Vyc29y"} {
		rec := call(f.handler, &alice, http.MethodGet, "/api/reviews?cursor="+cursor, "")

		require.Equal(t, http.StatusBadRequest, rec.Code, cursor)
		var body struct {
			Error string `json:"error"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		assert.Equal(t, "invalid list cursor: the cursor is not one this API returned; list again without it", body.Error, cursor)
	}
}

func TestShowHasNoPIIOrToken(t *testing.T) {
	f := newFixture(t, reviewapi.Gateway{Mode: reviewapi.ModeJWT}, web.Options{}, piiText)
	alice := jwtContext("alice")
	rec := call(f.handler, &alice, http.MethodGet, "/api/reviews/"+f.reviews[0], "")
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	assert.NotContains(t, body, "kim.lee@example.com")
	assert.NotContains(t, body, "token")
	var v struct {
		PIITypes []string `json:"pii_types"`
		Queue    string   `json:"queue"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v))
	assert.Equal(t, []string{"EMAIL"}, v.PIITypes)
	assert.Equal(t, review.DefaultQueue, v.Queue)

	preview := call(f.handler, &alice, http.MethodGet, "/api/reviews/"+f.reviews[0]+"/preview", "")
	require.Equal(t, http.StatusOK, preview.Code)
	assert.Contains(t, preview.Body.String(), "[EMAIL]")
	assert.NotContains(t, preview.Body.String(), "kim.lee@example.com")
}

func TestLambdaHandler(t *testing.T) {
	f := newFixture(t, reviewapi.Gateway{Mode: reviewapi.ModeJWT, RestrictQueues: true}, web.Options{Router: review.Router{ByMediaType: map[string]string{"text": "text"}}}, piiText)
	lambdaHandler := reviewapi.LambdaHandler(f.handler)

	raw, err := os.ReadFile("testdata/jwt-list-event.json")
	require.NoError(t, err)
	var ev events.APIGatewayV2HTTPRequest
	require.NoError(t, json.Unmarshal(raw, &ev))
	res, err := lambdaHandler(context.Background(), ev)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	assert.False(t, res.IsBase64Encoded)
	assert.Contains(t, res.Body, f.reviews[0], "the text queue grant from the groups claim applies")

	decision := ev
	decision.RawPath = "/api/reviews/" + f.reviews[0] + "/decision"
	decision.RawQueryString = ""
	decision.RequestContext.HTTP.Method = http.MethodPost
	decision.Headers = map[string]string{"content-type": "application/json"}
	decision.Body = base64.StdEncoding.EncodeToString([]byte(`{"decision": "reject", "reason": "spam"}`))
	decision.IsBase64Encoded = true
	res, err = lambdaHandler(context.Background(), decision)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.StatusCode, res.Body)

	r, err := f.rt.DB.Reviews().GetReview(context.Background(), f.reviews[0])
	require.NoError(t, err)
	assert.Equal(t, review.StatusRejected, r.Status)
	assert.Equal(t, "moderator-7", r.DecidedBy, "the reviewer comes from the JWT subject")

	page := ev
	page.RawPath, page.RawQueryString = "/", ""
	res, err = lambdaHandler(context.Background(), page)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, res.Body, "<title>moderato reviews</title>")
}

func TestLambdaHandlerNamedStage(t *testing.T) {
	f := newFixture(t, reviewapi.Gateway{Mode: reviewapi.ModeJWT, RestrictQueues: true}, web.Options{Router: review.Router{ByMediaType: map[string]string{"text": "text"}}}, piiText)
	lambdaHandler := reviewapi.LambdaHandler(f.handler)
	raw, err := os.ReadFile("testdata/jwt-list-event.json")
	require.NoError(t, err)

	// API Gateway keeps a named stage as the first segment of rawPath.
	tests := []struct {
		name    string
		stage   string
		rawPath string
		status  int
		body    string
	}{
		{name: "list on stage", stage: "review", rawPath: "/review/api/reviews", status: http.StatusOK, body: f.reviews[0]},
		{name: "page on stage", stage: "review", rawPath: "/review/", status: http.StatusOK, body: "<title>moderato reviews</title>"},
		{name: "page on stage without slash", stage: "review", rawPath: "/review", status: http.StatusOK, body: "<title>moderato reviews</title>"},
		{name: "default stage", stage: "$default", rawPath: "/api/reviews", status: http.StatusOK, body: f.reviews[0]},
		{name: "stage name as a prefix of a segment", stage: "rev", rawPath: "/review/api/reviews", status: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ev events.APIGatewayV2HTTPRequest
			require.NoError(t, json.Unmarshal(raw, &ev))
			ev.RawPath, ev.RawQueryString = tt.rawPath, ""
			ev.RequestContext.Stage = tt.stage
			res, err := lambdaHandler(context.Background(), ev)
			require.NoError(t, err)
			assert.Equal(t, tt.status, res.StatusCode, res.Body)
			if tt.body != "" {
				assert.Contains(t, res.Body, tt.body)
			}
		})
	}
}

func TestQuorumConcurrentVotes(t *testing.T) {
	// Two moderators vote at the same moment: whichever order the store
	// sees, the quorum is reached and the execution resumes once.
	for i := range 5 {
		f := newFixture(t, reviewapi.Gateway{Mode: reviewapi.ModeJWT}, web.Options{Quorum: 2}, piiText)
		id := f.reviews[0]
		codes := make(chan int, 2)
		for _, name := range []string{"alice", "bob"} {
			go func() {
				rc := jwtContext(name)
				codes <- call(f.handler, &rc, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "approve"}`).Code
			}()
		}
		got := []int{<-codes, <-codes}
		assert.Contains(t, got, http.StatusOK, "round %d: one vote settles the quorum", i)
		for _, code := range got {
			assert.Contains(t, []int{http.StatusOK, http.StatusAccepted}, code, "round %d", i)
		}
		r, err := f.rt.DB.Reviews().GetReview(context.Background(), id)
		require.NoError(t, err)
		assert.Equal(t, review.StatusApproved, r.Status, "round %d", i)
	}
}

func TestConcurrentDecisionsOneWins(t *testing.T) {
	for i := range 5 {
		f := newFixture(t, reviewapi.Gateway{Mode: reviewapi.ModeJWT}, web.Options{}, piiText)
		id := f.reviews[0]
		codes := make(chan int, 2)
		for _, vote := range []struct{ name, decision string }{{"alice", "approve"}, {"bob", "reject"}} {
			go func() {
				rc := jwtContext(vote.name)
				codes <- call(f.handler, &rc, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "`+vote.decision+`"}`).Code
			}()
		}
		got := []int{<-codes, <-codes}
		assert.ElementsMatch(t, []int{http.StatusOK, http.StatusConflict}, got, "round %d", i)
	}
}

func TestPolicyQuorum(t *testing.T) {
	doc := `{"version": "v-quorum", "pii": {"action": "review"}, "review": {"timeout_seconds": 3600, "quorum": 2}}`
	f := newFixtureWithPolicy(t, doc, reviewapi.Gateway{Mode: reviewapi.ModeJWT}, web.Options{}, piiText)
	id := f.reviews[0]
	alice, bob := jwtContext("alice"), jwtContext("bob")

	first := call(f.handler, &alice, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "approve"}`)
	assert.Equal(t, http.StatusAccepted, first.Code, "the policy asks for two decisions: %s", first.Body.String())
	second := call(f.handler, &bob, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "approve"}`)
	assert.Equal(t, http.StatusOK, second.Code, second.Body.String())

	r, err := f.rt.DB.Reviews().GetReview(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, review.StatusApproved, r.Status)
}

func TestDocumentPreviews(t *testing.T) {
	pol, err := policy.Parse([]byte(`{"pii": {"action": "review"}}`))
	require.NoError(t, err)
	rt, err := local.Open(context.Background(), local.Config{DataDir: filepath.Join(t.TempDir(), "data"), Policy: pol})
	require.NoError(t, err)
	t.Cleanup(func() { rt.Close() })
	res := rt.Process(context.Background(), []local.Source{{Path: "../../samples/documents/club-report.pdf", Key: "uploads/club-report.pdf"}}, 1, nil)[0]
	require.Equal(t, policy.Review, res.Verdict, "%v", res.Reasons)
	svc, err := web.NewService(context.Background(), rt, web.Options{})
	require.NoError(t, err)
	h := reviewapi.NewHandler(svc, reviewapi.Gateway{Mode: reviewapi.ModeJWT})
	alice := jwtContext("alice")

	show := call(h, &alice, http.MethodGet, "/api/reviews/"+res.ReviewID, "")
	require.Equal(t, http.StatusOK, show.Code)
	var v struct {
		Previews int `json:"previews"`
	}
	require.NoError(t, json.Unmarshal(show.Body.Bytes(), &v))
	require.Equal(t, 2, v.Previews, "the redacted text and the redacted PDF")

	types := map[string]string{}
	for n := range v.Previews {
		rec := call(h, &alice, http.MethodGet, "/api/reviews/"+res.ReviewID+"/preview?n="+strconv.Itoa(n), "")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		contentType := strings.SplitN(rec.Header().Get("Content-Type"), ";", 2)[0]
		types[contentType] = rec.Body.String()
	}
	require.Contains(t, types, "application/pdf")
	require.Contains(t, types, "text/plain")
	assert.Contains(t, types["text/plain"], "[EMAIL]")

	outOfRange := call(h, &alice, http.MethodGet, "/api/reviews/"+res.ReviewID+"/preview?n=2", "")
	assert.Equal(t, http.StatusNotFound, outOfRange.Code)
	invalid := call(h, &alice, http.MethodGet, "/api/reviews/"+res.ReviewID+"/preview?n=-1", "")
	assert.Equal(t, http.StatusBadRequest, invalid.Code)
}

func TestOversizedDecisionBody(t *testing.T) {
	auth := reviewapi.Gateway{Mode: reviewapi.ModeJWT}
	f := newFixture(t, auth, web.Options{}, piiText)
	id := f.reviews[0]
	alice := jwtContext("alice")

	body := `{"decision": "approve", "reason": "` + strings.Repeat("a", 20<<10) + `"}`
	rec := call(f.handler, &alice, http.MethodPost, "/api/reviews/"+id+"/decision", body)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "larger than 16384 bytes")

	r, err := f.rt.DB.Reviews().GetReview(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, review.StatusPending, r.Status, "an oversized decision must not count")

	malformed := call(f.handler, &alice, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": `)
	assert.Equal(t, http.StatusBadRequest, malformed.Code, "a malformed body that fits stays a 400")
}

// Ambiguous or meaningless decision bodies get a 400 and leave the review
// pending, so no body can count as a decision it does not clearly state.
func TestAmbiguousDecisionBodyRejected(t *testing.T) {
	auth := reviewapi.Gateway{Mode: reviewapi.ModeJWT}
	f := newFixture(t, auth, web.Options{}, piiText)
	id := f.reviews[0]
	alice := jwtContext("alice")

	cases := []struct {
		name, body, message string
	}{
		{"duplicate decision", `{"decision": "reject", "decision": "approve"}`, `duplicate key \"decision\" in body`},
		{"duplicate key in other case", `{"decision": "reject", "Decision": "approve"}`, `duplicate key \"Decision\" in body`},
		{"duplicate key in correction", `{"decision": "approve", "corrections": [{"category": "pii", "present": true, "present": false}]}`, `duplicate key \"present\" in body.corrections[0]`},
		{"trailing object", `{"decision": "reject"}{"x": 1}`, "unexpected data after the JSON object"},
		{"trailing garbage", `{"decision": "reject"} x`, "unexpected data after the JSON object"},
		{"missing present", `{"decision": "approve", "corrections": [{"category": "INSULT"}]}`, `corrections[0] has no \"present\" field`},
		{"contradictory corrections", `{"decision": "approve", "corrections": [{"category": "INSULT", "present": false}, {"category": "INSULT", "present": true}]}`, `category \"INSULT\" is corrected twice`},
		{"format character", `{"decision": "approve", "corrections": [{"category": "NOT A CAT\u202e<script>", "present": false}]}`, "control or format character"},
		{"control character", `{"decision": "approve", "corrections": [{"category": "INSULT\n", "present": false}]}`, "control or format character"},
	}
	for _, tc := range cases {
		rec := call(f.handler, &alice, http.MethodPost, "/api/reviews/"+id+"/decision", tc.body)
		assert.Equal(t, http.StatusBadRequest, rec.Code, "%s: %s", tc.name, rec.Body.String())
		assert.Contains(t, rec.Body.String(), tc.message, tc.name)
	}

	r, err := f.rt.DB.Reviews().GetReview(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, review.StatusPending, r.Status, "no rejected body counts as a decision")

	trailingSpace := call(f.handler, &alice, http.MethodPost, "/api/reviews/"+id+"/decision", "{\"decision\": \"reject\", \"corrections\": [{\"category\": \"INSULT\", \"present\": true}]}\n")
	assert.Equal(t, http.StatusOK, trailingSpace.Code, "trailing white space is allowed: %s", trailingSpace.Body.String())
}
