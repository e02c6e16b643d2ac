package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/asl/asltest"
	"github.com/moderato/moderato/internal/local"
	"github.com/moderato/moderato/internal/policy"
)

// setup moderates one text that the policy sends to review, and returns the
// handler and the review ID.
func setup(t *testing.T, clock *asltest.FakeClock) (*Handler, string) {
	t.Helper()
	pol, err := policy.Parse([]byte(`{"pii": {"action": "review"}, "review": {"timeout_seconds": 60, "on_timeout": "reject"}}`))
	require.NoError(t, err)
	cfg := local.Config{DataDir: filepath.Join(t.TempDir(), "data"), Policy: pol}
	if clock != nil {
		cfg.Clock = clock
	}
	rt, err := local.Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { rt.Close() })

	path := filepath.Join(t.TempDir(), "post.txt")
	require.NoError(t, os.WriteFile(path, []byte("Mail me at kim.lee@example.com <b>bold</b>\n"), 0o644))
	res := rt.Process(context.Background(), []local.Source{{Path: path, Key: "uploads/post.txt"}}, 1, nil)[0]
	require.Equal(t, policy.Review, res.Verdict, "%v", res.Reasons)
	h, err := New(context.Background(), rt, Options{Moderator: "alice"})
	require.NoError(t, err)
	return h, res.ReviewID
}

func do(h http.Handler, method, target, body string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Host = "127.0.0.1:8080"
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

var jsonHeader = map[string]string{"Content-Type": "application/json"}

func TestPageAndList(t *testing.T) {
	h, id := setup(t, nil)

	page := do(h, http.MethodGet, "/", "", nil)
	assert.Equal(t, http.StatusOK, page.Code)
	assert.Contains(t, page.Body.String(), "<title>moderato reviews</title>")

	list := do(h, http.MethodGet, "/api/reviews", "", nil)
	require.Equal(t, http.StatusOK, list.Code)
	assert.Contains(t, list.Body.String(), id)
	assert.NotContains(t, list.Body.String(), "token", "the task token never leaves the server")
	assert.NotContains(t, list.Body.String(), "kim.lee@example.com")

	bad := do(h, http.MethodGet, "/api/reviews?status=bogus", "", nil)
	assert.Equal(t, http.StatusBadRequest, bad.Code)
}

func TestPreviewIsRedactedPlainText(t *testing.T) {
	h, id := setup(t, nil)
	rec := do(h, http.MethodGet, "/api/reviews/"+id+"/preview", "", nil)
	require.Equal(t, http.StatusOK, rec.Code)
	body, _ := io.ReadAll(rec.Body)
	assert.Contains(t, string(body), "[EMAIL]")
	assert.NotContains(t, string(body), "kim.lee@example.com")
	assert.True(t, strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain"), rec.Header().Get("Content-Type"))

	missing := do(h, http.MethodGet, "/api/reviews/rv-missing/preview", "", nil)
	assert.Equal(t, http.StatusNotFound, missing.Code)
}

func TestDecisionStatuses(t *testing.T) {
	h, id := setup(t, nil)
	url := "/api/reviews/" + id + "/decision"

	tests := []struct {
		name   string
		target string
		body   string
		header map[string]string
		status int
	}{
		{name: "form post", target: url, body: "decision=approve", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, status: http.StatusUnsupportedMediaType},
		{name: "invalid decision", target: url, body: `{"decision": "maybe"}`, header: jsonHeader, status: http.StatusBadRequest},
		{name: "unknown field", target: url, body: `{"decision": "approve", "reviewer_id": "x"}`, header: jsonHeader, status: http.StatusBadRequest},
		{name: "malformed JSON", target: url, body: `{"decision": `, header: jsonHeader, status: http.StatusBadRequest},
		{name: "cross origin", target: url, body: `{"decision": "approve"}`, header: map[string]string{"Content-Type": "application/json", "Origin": "http://attacker.example"}, status: http.StatusForbidden},
		{name: "unknown review", target: "/api/reviews/rv-missing/decision", body: `{"decision": "approve"}`, header: jsonHeader, status: http.StatusNotFound},
		{name: "reviewer in body", target: url, body: `{"decision": "approve", "reviewer": "mallory"}`, header: jsonHeader, status: http.StatusBadRequest},
		{name: "approve", target: url, body: `{"decision": "approve", "reason": "fine"}`, header: jsonHeader, status: http.StatusOK},
		{name: "second decision", target: url, body: `{"decision": "reject"}`, header: jsonHeader, status: http.StatusConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(h, http.MethodPost, tt.target, tt.body, tt.header)
			assert.Equal(t, tt.status, rec.Code, rec.Body.String())
		})
	}

	rec := do(h, http.MethodGet, "/api/reviews/"+id, "", nil)
	require.Equal(t, http.StatusOK, rec.Code)
	var got struct {
		Status    string `json:"status"`
		DecidedBy string `json:"decided_by"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	assert.Equal(t, "approved", got.Status)
	assert.Equal(t, "alice", got.DecidedBy)
}

func TestLateDecisionIsGone(t *testing.T) {
	clock := asltest.NewFakeClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	h, id := setup(t, clock)
	clock.Advance(2 * time.Minute)

	rec := do(h, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "approve"}`, jsonHeader)
	assert.Equal(t, http.StatusGone, rec.Code, rec.Body.String())
}

func TestForeignHostRefused(t *testing.T) {
	h, _ := setup(t, nil)
	req := httptest.NewRequest(http.MethodGet, "/api/reviews", nil)
	req.Host = "attacker.example:8080"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusForbidden, rec.Code, "DNS rebinding must not reach the API")
}
