package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func smTestdata(name string) string { return filepath.Join("testdata", "statemachine", name) }

func TestStatemachineValidate(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"statemachine", "validate", smTestdata("invalid.asl.json")}, nil, &stdout, &stderr)
	out := stdout.String()

	assert.Equal(t, 1, code)
	for _, want := range []string{
		`state "First": $.States.First.InputPath: invalid path '$.a['`,
		`state "First": $.States.First.Next: names state "Missing", which does not exist`,
		`state "Lonely": $.States.Lonely: unreachable`,
		`state "Format": $.States.Format.Parameters['v.$']: invalid intrinsic function`,
		`state "Format": $.States.Format.Output: is a JSONata field, but the state's QueryLanguage is JSONPath`,
		`state "Run": $.States.Run.Resource: missing`,
		`state "Mixed": $.States.Mixed.ResultPath: is a JSONPath field, but the state's QueryLanguage is JSONata`,
	} {
		assert.Contains(t, out, want)
	}
}

func TestStatemachineValidateProjectDefinitions(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "statemachines", "*.asl.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)

	var stdout, stderr bytes.Buffer
	args := append([]string{"statemachine", "validate", "--render"}, files...)
	code := run(context.Background(), args, nil, &stdout, &stderr)

	assert.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
	assert.Equal(t, len(files), strings.Count(stdout.String(), ": valid\n"))
}

func TestStatemachineTestRetriesThenSucceeds(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"statemachine", "test", "--json",
		"--definition", smTestdata("retry.asl.json"), "--mocks", smTestdata("retry.mocks.json")}, nil, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())

	var got struct {
		Status  string          `json:"status"`
		Output  json.RawMessage `json:"output"`
		History []struct {
			Type  string `json:"type"`
			State string `json:"state"`
			Error string `json:"error"`
		} `json:"history"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &got), stdout.String())
	assert.Equal(t, "SUCCEEDED", got.Status)
	assert.JSONEq(t, `{"recorded": true}`, string(got.Output))

	failures := 0
	for _, ev := range got.History {
		if ev.Type == "TaskFailed" {
			failures++
			assert.Equal(t, "Fetch item", ev.State)
			assert.Equal(t, "TransientError", ev.Error)
		}
	}
	assert.Equal(t, 2, failures, "two mocked errors before the result")
}

func TestStatemachineTestCatchesError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"statemachine", "test",
		"--definition", smTestdata("retry.asl.json"), "--mocks", smTestdata("fail.mocks.json")}, nil, &stdout, &stderr)

	assert.Equal(t, 1, code)
	assert.Contains(t, stdout.String(), "FailStateEntered")
	assert.Contains(t, stdout.String(), "Status: FAILED")
	assert.Contains(t, stdout.String(), "Error: NotFound")
	assert.Contains(t, stdout.String(), "Cause: no such item")
}

func TestStatemachineTestMockErrors(t *testing.T) {
	tests := []struct {
		name  string
		mocks string
		want  string
	}{
		{"not an object", `[1]`, "expected an object of state names"},
		{"empty list", `{"A": []}`, "the list of responses is empty"},
		{"return and throw", `{"A": {"Return": 1, "Throw": {"Error": "X"}}}`, "exactly one of Return and Throw"},
		{"throw without error", `{"A": {"Throw": {"Cause": "c"}}}`, "Throw needs an Error name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "mocks.json")
			require.NoError(t, os.WriteFile(path, []byte(tt.mocks), 0o600))
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"statemachine", "test",
				"--definition", smTestdata("retry.asl.json"), "--mocks", path}, nil, &stdout, &stderr)
			assert.Equal(t, 1, code)
			assert.Contains(t, stderr.String(), tt.want)
		})
	}
}

func TestStatemachineTestModerationReview(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"statemachine", "test", "--render", "--json",
		"--definition", filepath.Join("..", "..", "statemachines", "moderation.asl.json"),
		"--mocks", smTestdata("moderation-review.mocks.json"),
		"--input", smTestdata("moderation.input.json")}, nil, &stdout, &stderr)
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())

	var got struct {
		Status  string `json:"status"`
		History []struct {
			Type  string `json:"type"`
			State string `json:"state"`
		} `json:"history"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &got), stdout.String())
	assert.Equal(t, "SUCCEEDED", got.Status)

	var entered []string
	retried := 0
	for _, ev := range got.History {
		if ev.Type == "TaskStateEntered" {
			entered = append(entered, ev.State)
		}
		if ev.Type == "TaskFailed" && ev.State == "Detect and redact PII in text" {
			retried++
		}
	}
	assert.Contains(t, entered, "Wait for review", "the review verdict waits for a moderator")
	assert.Contains(t, entered, "Record outcome")
	assert.Equal(t, 1, retried, "the mocked TransientError is retried once")
}

// The job states answer through their task tokens: a video's two jobs run
// in parallel, a video without speech still reaches Decide, and a job that
// times out ends in Record outcome.
func TestStatemachineTestJobStates(t *testing.T) {
	tests := []struct {
		mocks    string
		entered  []string
		notEnter []string
	}{
		{
			mocks:    "moderation-video.mocks.json",
			entered:  []string{"Run video jobs", "Moderate video frames", "Transcribe video", "Video speech not transcribed", "Keep video moderation", "Decide", "Record outcome"},
			notEnter: []string{"Transcribe audio"},
		},
		{
			mocks:    "moderation-job-timeout.mocks.json",
			entered:  []string{"Transcribe audio", "Record outcome"},
			notEnter: []string{"Analyze audio", "Decide"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.mocks, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"statemachine", "test", "--render", "--json",
				"--definition", filepath.Join("..", "..", "statemachines", "moderation.asl.json"),
				"--mocks", smTestdata(tt.mocks),
				"--input", smTestdata("moderation.input.json")}, nil, &stdout, &stderr)
			require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())

			var got struct {
				Status  string `json:"status"`
				History []struct {
					Type  string `json:"type"`
					State string `json:"state"`
				} `json:"history"`
			}
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &got), stdout.String())
			assert.Equal(t, "SUCCEEDED", got.Status)
			var entered []string
			for _, ev := range got.History {
				if ev.Type == "TaskStateEntered" || ev.Type == "ParallelStateEntered" || ev.Type == "PassStateEntered" {
					entered = append(entered, ev.State)
				}
			}
			for _, state := range tt.entered {
				assert.Contains(t, entered, state)
			}
			for _, state := range tt.notEnter {
				assert.NotContains(t, entered, state)
			}
		})
	}
}

func TestStatemachineTestShowsRetryIntervals(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"statemachine", "test",
		"--definition", smTestdata("retry.asl.json"), "--mocks", smTestdata("retry.mocks.json")}, nil, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())

	// IntervalSeconds 30 and BackoffRate 2: the retries start 30 s and
	// 90 s after the start, on the execution's clock.
	assert.Regexp(t, `\n\s+6\s+30s\s+TaskScheduled\s+Fetch item\n`, stdout.String())
	assert.Regexp(t, `\n\s+9\s+1m30s\s+TaskScheduled\s+Fetch item\n`, stdout.String())
	assert.Contains(t, stdout.String(), `Output: {"recorded":true}`)
}

// A review that times out escalates only when the decision carries the
// policy's escalation, and a timeout of the escalated review still ends in
// Record outcome.
func TestStatemachineTestReviewEscalation(t *testing.T) {
	tests := []struct {
		mocks     string
		entered   []string
		notEnter  []string
		timeouts  []string
		lastState string
	}{
		{
			mocks:     "moderation-escalation.mocks.json",
			entered:   []string{"Wait for review", "Escalate?", "Wait for escalated review", "Record outcome"},
			timeouts:  []string{"Wait for review"},
			lastState: "Record outcome",
		},
		{
			mocks:     "moderation-escalation-timeout.mocks.json",
			entered:   []string{"Wait for review", "Escalate?", "Wait for escalated review", "Record outcome"},
			notEnter:  []string{"Outcome not recorded"},
			timeouts:  []string{"Wait for review", "Wait for escalated review"},
			lastState: "Record outcome",
		},
		{
			mocks:     "moderation-no-escalation.mocks.json",
			entered:   []string{"Wait for review", "Escalate?", "Record outcome"},
			notEnter:  []string{"Wait for escalated review"},
			timeouts:  []string{"Wait for review"},
			lastState: "Record outcome",
		},
	}
	for _, tc := range tests {
		t.Run(tc.mocks, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"statemachine", "test", "--render", "--json",
				"--definition", filepath.Join("..", "..", "statemachines", "moderation.asl.json"),
				"--mocks", smTestdata(tc.mocks),
				"--input", smTestdata("moderation.input.json")}, nil, &stdout, &stderr)
			require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())

			var got struct {
				Status  string `json:"status"`
				History []struct {
					Type  string `json:"type"`
					State string `json:"state"`
				} `json:"history"`
			}
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &got), stdout.String())
			assert.Equal(t, "SUCCEEDED", got.Status)

			var entered, timedOut []string
			for _, ev := range got.History {
				if strings.HasSuffix(ev.Type, "StateEntered") {
					entered = append(entered, ev.State)
				}
				if ev.Type == "TaskTimedOut" {
					timedOut = append(timedOut, ev.State)
				}
			}
			require.NotEmpty(t, entered)
			start := slices.Index(entered, tc.entered[0])
			require.GreaterOrEqual(t, start, 0, "entered: %v", entered)
			assert.Equal(t, tc.entered, entered[start:], "states after the first review wait")
			for _, state := range tc.notEnter {
				assert.NotContains(t, entered, state)
			}
			assert.Equal(t, tc.timeouts, timedOut)
			assert.Equal(t, tc.lastState, entered[len(entered)-1])
		})
	}
}
