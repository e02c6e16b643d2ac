package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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

// Text that a moderator stored, such as a decision reason or a reviewer
// name, is quoted in the tables, so escape codes and line breaks cannot
// clear the terminal or forge a row.
func TestReviewsHistoryQuotesStoredText(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	policyFile := filepath.Join(dir, "policy.json")
	require.NoError(t, os.WriteFile(policyFile, []byte(`{"pii": {"action": "review"}}`), 0o644))
	post := filepath.Join(dir, "post.txt")
	require.NoError(t, os.WriteFile(post, []byte("Mail me at kim.lee@example.com please\n"), 0o644))

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"run", "--data", data, "--policy", policyFile, "--json", post}, nil, &stdout, &stderr)
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
	var first struct {
		ReviewID string `json:"review_id"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &first), stdout.String())
	require.NotEmpty(t, first.ReviewID)

	reason := "evil \x1b[2J\x1b[31mRED\x1b[0m \r\nTIME fake-line"
	reviewer := "mallory\u202e\x1b[1m"
	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), []string{"reviews", "decide", "--data", data, "--reason", reason, "--reviewer", reviewer, first.ReviewID, "approve"}, nil, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	assert.NotContains(t, stdout.String(), "\x1b", "decide output")

	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), []string{"reviews", "history", "--data", data, first.ReviewID}, nil, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	out := stdout.String()
	assert.NotContains(t, out, "\x1b", "history output has no raw escape")
	assert.NotContains(t, out, "\r", "history output has no raw carriage return")
	assert.NotContains(t, out, "\u202e", "history output has no raw bidirectional override")
	assert.Equal(t, 2, strings.Count(out, "\n"), "one header line and one entry line: %q", out)
	assert.Contains(t, out, `"mallory\u202e\x1b[1m"`, "the reviewer is quoted")
	assert.Contains(t, out, `"evil \x1b[2J\x1b[31mRED\x1b[0m \r\nTIME`, "the reason is quoted")

	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), []string{"reviews", "list", "--all", "--data", data}, nil, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	assert.NotContains(t, stdout.String(), "\x1b", "list output")
}

func TestPrintableQuotesUnsafeText(t *testing.T) {
	for in, want := range map[string]string{
		"plain name.txt":    "plain name.txt",
		"ümlaut café":       "ümlaut café",
		"a\nb":              `"a\nb"`,
		"red\x1b[31m":       `"red\x1b[31m"`,
		"rtl\u202eoverride": `"rtl\u202eoverride"`,
		"tab\there":         `"tab\there"`,
		"bad\xffbyte":       `"bad\xffbyte"`,
	} {
		assert.Equal(t, want, printable(in), "printable(%q)", in)
	}
}
