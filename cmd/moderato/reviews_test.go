package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A review that is not decided within the policy's timeout moves to the
// escalation queue, with the real clock and one-second timeouts.
func TestRunThenReviewsListEscalated(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	policyFile := filepath.Join(dir, "policy.json")
	require.NoError(t, os.WriteFile(policyFile, []byte(`{"pii": {"action": "review"},
		"review": {"timeout_seconds": 1, "on_timeout": "reject", "escalation": {"queue": "senior", "timeout_seconds": 600}}}`), 0o644))
	post := filepath.Join(dir, "post.txt")
	require.NoError(t, os.WriteFile(post, []byte("Mail me at kim.lee@example.com please\n"), 0o644))

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"run", "--data", data, "--policy", policyFile, "--json", post}, nil, &stdout, &stderr)
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
	var first struct {
		Verdict  string `json:"verdict"`
		ReviewID string `json:"review_id"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &first), stdout.String())
	require.Equal(t, "review", first.Verdict)

	time.Sleep(1500 * time.Millisecond)

	listed := func(args ...string) []map[string]any {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"reviews", "list", "--data", data, "--json"}, args...), nil, &stdout, &stderr)
		require.Equal(t, 0, code, "stderr: %s", stderr.String())
		var out []map[string]any
		dec := json.NewDecoder(&stdout)
		for dec.More() {
			var r map[string]any
			require.NoError(t, dec.Decode(&r))
			out = append(out, r)
		}
		return out
	}

	senior := listed("--queue", "senior")
	require.Len(t, senior, 1, "the escalated review waits in the senior queue")
	assert.Equal(t, first.ReviewID+"-e1", senior[0]["id"])
	assert.Equal(t, "pending", senior[0]["status"])
	assert.EqualValues(t, 1, senior[0]["escalation_level"])
	assert.Equal(t, first.ReviewID, senior[0]["escalated_from"])

	assert.Empty(t, listed("--queue", "default"), "no review is pending in the first queue")
	all := listed("--all", "--queue", "default")
	require.Len(t, all, 1)
	assert.Equal(t, "escalated", all[0]["status"])
}
