// Package e2e runs the moderato command as a user does, on the bundled
// samples and on files made by the tests, and checks what it prints and
// stores.
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// piiValues are the PII values in samples/text. None may appear in a log
// line, a database row, an outcome or a redacted copy.
var piiValues = []string{
	"jordan.reyes@example.com", "555-0134",
	"4111 1111 1111 1111", "09/28", "737", "GB82 WEST 1234 5698 7654 32",
	"536-22-8817", "203.0.113.42",
	"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "hunter2pass",
	"212 555 0187",
}

type result struct {
	Source     string   `json:"source"`
	MediaType  string   `json:"media_type"`
	Verdict    string   `json:"verdict"`
	Reasons    []string `json:"reasons"`
	Categories []struct {
		Name  string  `json:"name"`
		Score float64 `json:"score"`
	} `json:"categories"`
	PII []struct {
		Type  string `json:"type"`
		Count int    `json:"count"`
	} `json:"pii"`
	Redacted      *string `json:"redacted"`
	ReviewID      string  `json:"review_id"`
	PolicyVersion string  `json:"policy_version"`
	Execution     string  `json:"execution"`
}

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// buildCLI builds the moderato command once per test binary.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "moderato")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/moderato")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "building the CLI: %s", out)
	return bin
}

type run struct {
	stdout, stderr string
	code           int
}

func moderato(t *testing.T, bin, dir string, args ...string) run {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return run{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func parseResults(t *testing.T, stdout string) map[string]result {
	t.Helper()
	out := map[string]result{}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r result
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), "line: %s", sc.Text())
		out[filepath.ToSlash(r.Source)] = r
	}
	return out
}

func TestRunSamples(t *testing.T) {
	bin := buildCLI(t)
	root := repoRoot(t)
	data := filepath.Join(t.TempDir(), "data")
	images := sampleImageVerdict(t)

	r := moderato(t, bin, root, "run", "--json", "--data", data, "samples")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	results := parseResults(t, r.stdout)

	want := map[string]struct{ mediaType, verdict string }{
		"samples/text/clean-post.txt":                 {"text", "approved"},
		"samples/text/clean-recipe.md":                {"text", "approved"},
		"samples/text/notes with spaces + 100% ü.txt": {"text", "approved"},
		"samples/text/pii-contact.txt":                {"text", "approved"},
		"samples/text/pii-payment.txt":                {"text", "approved"},
		"samples/text/pii-identity.txt":               {"text", "approved"},
		"samples/text/pii-credentials.txt":            {"text", "approved"},
		"samples/text/abusive-insult.txt":             {"text", "rejected"},
		"samples/text/abusive-threat.txt":             {"text", "rejected"},
		"samples/text/borderline-sports.txt":          {"text", "review"},
		"samples/images/photo-exif-rotated.jpg":       {"image", images},
		"samples/images/graphic.png":                  {"image", images},
		"samples/images/graphic.webp":                 {"image", images},
		"samples/images/animated.gif":                 {"image", images},
		"samples/images/pattern.bmp":                  {"image", images},
		"samples/images/pattern.tiff":                 {"image", images},
		"samples/images/tiny-40x40.png":               {"image", images},
		"samples/bad/empty.txt":                       {"unsupported", "unsupported"},
		"samples/bad/random.bin":                      {"unsupported", "unsupported"},
		"samples/bad/truncated.jpg":                   {"image", "unsupported"},
		"samples/bad/image-bomb.png":                  {"image", "unsupported"},
		"samples/bad/fake-image.jpg":                  {"text", "approved"},
		"samples/documents/club-report.pdf":           {"document", "approved"},
		"samples/audio/voicemail.wav":                 {"audio", verdictWith(t, "approved", "pocketsphinx_continuous", "ffmpeg")},
		"samples/video/tour-with-threat.mp4":          {"video", verdictWith(t, "rejected", "tesseract", "ffmpeg")},
	}
	assert.Len(t, results, len(want))
	for source, w := range want {
		got, ok := results[source]
		if !assert.True(t, ok, "no result for %s", source) {
			continue
		}
		assert.Equal(t, w.mediaType, got.MediaType, source)
		assert.Equal(t, w.verdict, got.Verdict, "%s: %v", source, got.Reasons)
		assert.NotEmpty(t, got.Execution, source)
		assert.NotEmpty(t, got.PolicyVersion, source)
		if got.Verdict == "review" {
			assert.NotEmpty(t, got.ReviewID, source)
		}
		if got.Verdict == "failed" || got.Verdict == "unsupported" || got.Verdict == "review" {
			assert.NotEmpty(t, got.Reasons, "%s needs a reason", source)
		}
	}

	piiTypes := func(source string) map[string]int {
		m := map[string]int{}
		for _, p := range results[source].PII {
			m[p.Type] = p.Count
		}
		return m
	}
	assert.Equal(t, map[string]int{"EMAIL": 1, "PHONE": 1}, piiTypes("samples/text/pii-contact.txt"))
	assert.Equal(t, 1, piiTypes("samples/text/pii-payment.txt")["CREDIT_DEBIT_NUMBER"], "the Luhn-invalid look-alike is not a card")
	assert.Equal(t, 1, piiTypes("samples/text/pii-payment.txt")["INTERNATIONAL_BANK_ACCOUNT_NUMBER"])
	assert.Equal(t, 1, piiTypes("samples/text/pii-identity.txt")["SSN"], "the 000 area number is not an SSN")
	assert.Equal(t, 1, piiTypes("samples/text/pii-identity.txt")["IP_ADDRESS"])
	assert.Equal(t, 1, piiTypes("samples/text/pii-credentials.txt")["AWS_ACCESS_KEY"])
	assert.Equal(t, 1, piiTypes("samples/text/pii-credentials.txt")["AWS_SECRET_KEY"])

	for source, res := range results {
		if !strings.HasPrefix(source, "samples/text/pii-") {
			continue
		}
		require.NotNil(t, res.Redacted, source)
		redacted, err := os.ReadFile(*res.Redacted)
		require.NoError(t, err)
		for _, v := range piiValues {
			assert.NotContains(t, string(redacted), v, "redacted copy of %s", source)
		}
	}

	assertNoPII(t, "stdout", r.stdout)
	assertNoPII(t, "stderr", r.stderr)
	for _, name := range []string{"moderato.log", "moderato.db", "moderato.db-wal"} {
		content, err := os.ReadFile(filepath.Join(data, name))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		assertNoPII(t, name, string(content))
	}

	// Running the same files again is the same object versions: no new
	// outcomes, the same executions.
	again := moderato(t, bin, root, "run", "--json", "--data", data, "samples/text")
	require.Equal(t, 0, again.code, again.stderr)
	for source, res := range parseResults(t, again.stdout) {
		assert.Equal(t, results[source].Execution, res.Execution, source)
	}
}

func assertNoPII(t *testing.T, where, content string) {
	t.Helper()
	for _, v := range piiValues {
		if len(v) < 5 {
			continue // short values such as a CVV occur by chance in binary data
		}
		assert.NotContains(t, content, v, "%s contains a PII value", where)
	}
}

func TestReviewDecisionFlow(t *testing.T) {
	bin := buildCLI(t)
	root := repoRoot(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	policyFile := filepath.Join(dir, "policy.json")
	require.NoError(t, os.WriteFile(policyFile, []byte(`{"version": "pii-review", "pii": {"action": "review"}}`), 0o644))

	r := moderato(t, bin, root, "run", "--json", "--data", data, "--policy", policyFile, "samples/text/pii-contact.txt")
	require.Equal(t, 0, r.code, r.stderr)
	res := parseResults(t, r.stdout)["samples/text/pii-contact.txt"]
	require.Equal(t, "review", res.Verdict, "%v", res.Reasons)
	assert.Equal(t, "pii-review", res.PolicyVersion)

	list := moderato(t, bin, root, "reviews", "list", "--json", "--data", data)
	require.Equal(t, 0, list.code, list.stderr)
	assert.Contains(t, list.stdout, res.ReviewID)
	assert.NotContains(t, list.stdout, "task_token", "the task token never leaves the server")

	decided := moderato(t, bin, root, "reviews", "decide", "--json", "--data", data, res.ReviewID, "approve", "--reason", "looks fine")
	require.Equal(t, 0, decided.code, decided.stderr)
	var final result
	require.NoError(t, json.Unmarshal([]byte(decided.stdout), &final))
	assert.Equal(t, "approved", final.Verdict)
	assert.Equal(t, res.Execution, final.Execution)

	second := moderato(t, bin, root, "reviews", "decide", "--data", data, res.ReviewID, "reject")
	assert.Equal(t, 1, second.code)
	assert.Contains(t, second.stderr, "already decided")

	missing := moderato(t, bin, root, "reviews", "decide", "--data", data, "rv-0000", "approve")
	assert.Equal(t, 1, missing.code)
	assert.Contains(t, missing.stderr, "not found")

	badDecision := moderato(t, bin, root, "reviews", "decide", "--data", data, res.ReviewID, "maybe")
	assert.Equal(t, 2, badDecision.code)

	history := moderato(t, bin, root, "reviews", "history", "--json", "--data", data, res.ReviewID)
	require.Equal(t, 0, history.code, history.stderr)
	type auditEntry struct {
		Reviewer      string `json:"reviewer"`
		Decision      string `json:"decision"`
		Result        string `json:"result"`
		Reason        string `json:"reason"`
		PolicyVersion string `json:"policy_version"`
	}
	var entries []auditEntry
	for _, line := range strings.Split(strings.TrimSpace(history.stdout), "\n") {
		var e auditEntry
		require.NoError(t, json.Unmarshal([]byte(line), &e), line)
		entries = append(entries, e)
	}
	require.Len(t, entries, 2, history.stdout)
	assert.Equal(t, "approve", entries[0].Decision)
	assert.Equal(t, "accepted", entries[0].Result)
	assert.Equal(t, "looks fine", entries[0].Reason)
	assert.Equal(t, "pii-review", entries[0].PolicyVersion)
	assert.Equal(t, "reject", entries[1].Decision)
	assert.Equal(t, "conflict", entries[1].Result)

	noHistory := moderato(t, bin, root, "reviews", "history", "--data", data, "rv-0000")
	assert.Equal(t, 1, noHistory.code)
	assert.Contains(t, noHistory.stderr, "not found")
}

func TestRunRejectsBadArguments(t *testing.T) {
	bin := buildCLI(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{name: "no paths", args: []string{"run", "--data", dir}, code: 2, want: "at least one file"},
		{name: "missing path", args: []string{"run", "--data", dir, "does-not-exist"}, code: 1, want: "does-not-exist"},
		{name: "bad policy", args: []string{"run", "--data", dir, "--policy", "does-not-exist.json", "."}, code: 1, want: "loading policy"},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, want: "unknown command"},
		{name: "reviews without data", args: []string{"reviews", "list", "--data", filepath.Join(dir, "nothing")}, code: 1, want: "no moderato database"},
		{name: "serve on a public address", args: []string{"serve", "--addr", "0.0.0.0:8080"}, code: 2, want: "not a loopback address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := moderato(t, bin, dir, tt.args...)
			assert.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, tt.want)
		})
	}
}

func TestStatemachineRun(t *testing.T) {
	bin := buildCLI(t)
	dir := t.TempDir()
	def := filepath.Join(dir, "def.json")
	require.NoError(t, os.WriteFile(def, []byte(`{
	  "StartAt": "Check",
	  "States": {
	    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}], "Default": "Small"},
	    "Big": {"Type": "Pass", "Parameters": {"size": "big", "n.$": "$.n"}, "End": true},
	    "Small": {"Type": "Fail", "Error": "TooSmall", "Cause": "n is 10 or less"}
	  }
	}`), 0o644))
	input := filepath.Join(dir, "in.json")
	require.NoError(t, os.WriteFile(input, []byte(`{"n": 42}`), 0o644))

	ok := moderato(t, bin, dir, "statemachine", "run", "--definition", def, "--input", input)
	require.Equal(t, 0, ok.code, ok.stderr)
	assert.JSONEq(t, `{"size": "big", "n": 42}`, ok.stdout)

	small := filepath.Join(dir, "small.json")
	require.NoError(t, os.WriteFile(small, []byte(`{"n": 1}`), 0o644))
	failed := moderato(t, bin, dir, "statemachine", "run", "--definition", def, "--input", small)
	assert.Equal(t, 1, failed.code)
	assert.JSONEq(t, `{"error": "TooSmall", "cause": "n is 10 or less"}`, failed.stdout)

	badInput := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(badInput, []byte(`{"n": `), 0o644))
	bad := moderato(t, bin, dir, "statemachine", "run", "--definition", def, "--input", badInput)
	assert.Equal(t, 1, bad.code)
	assert.Contains(t, bad.stderr, "not valid JSON")
}
