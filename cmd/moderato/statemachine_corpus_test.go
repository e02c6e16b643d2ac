package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStatemachineRunCorpus runs the executions recorded on AWS through
// `moderato statemachine run`, the way an independent check of the
// executor runs them, and compares the printed output or error and cause.
// The history is compared by the conformance test of package asl.
func TestStatemachineRunCorpus(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "asl-conformance", "cases")
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.json"))
	if len(files) == 0 {
		t.Skipf("conformance corpus not found at %s: put the recorded AWS executions there to run this test", root)
	}

	dir := t.TempDir()
	failures := 0
	for _, file := range files {
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		var c struct {
			ID          string          `json:"id"`
			Definition  json.RawMessage `json:"definition"`
			Input       json.RawMessage `json:"input"`
			IgnorePaths []string        `json:"ignore_paths"`
			Expected    struct {
				Status string          `json:"status"`
				Output json.RawMessage `json:"output"`
				Error  *string         `json:"error"`
				Cause  *string         `json:"cause"`
			} `json:"expected"`
		}
		require.NoError(t, json.Unmarshal(raw, &c), file)
		definition, input := filepath.Join(dir, "definition.json"), filepath.Join(dir, "input.json")
		require.NoError(t, os.WriteFile(definition, c.Definition, 0o600))
		require.NoError(t, os.WriteFile(input, c.Input, 0o600))

		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"statemachine", "run", "--definition", definition, "--input", input}, nil, &stdout, &stderr)

		if msg := compareRunOutput(c.Expected.Status, c.Expected.Output, c.Expected.Error, c.Expected.Cause, c.IgnorePaths, code, stdout.Bytes()); msg != "" {
			failures++
			t.Logf("not reproduced: %s: %s (stderr %s)", c.ID, msg, stderr.String())
		}
	}
	rate := 1 - float64(failures)/float64(len(files))
	assert.GreaterOrEqual(t, rate, 0.99, "%d of %d recorded executions not reproduced through statemachine run", failures, len(files))
}

// compareRunOutput checks what `statemachine run` printed against a
// recorded result. Cases whose expected value has snapshot placeholders
// are compared on status alone.
func compareRunOutput(status string, output json.RawMessage, errorName, cause *string, ignore []string, code int, printed []byte) string {
	if status == "SUCCEEDED" {
		if code != 0 {
			return fmt.Sprintf("exit status %d, want 0: %s", code, printed)
		}
		if len(ignore) > 0 {
			return ""
		}
		var want, got any
		if err := json.Unmarshal(output, &want); err != nil {
			return "decoding expected output: " + err.Error()
		}
		if err := json.Unmarshal(printed, &got); err != nil {
			return "decoding printed output: " + err.Error()
		}
		if !jsonValuesEqual(want, got) {
			return "output " + strings.TrimSpace(string(printed)) + ", want " + string(output)
		}
		return ""
	}

	var got struct {
		Error string `json:"error"`
		Cause string `json:"cause"`
	}
	if code != 1 {
		return fmt.Sprintf("exit status %d, want 1", code)
	}
	if err := json.Unmarshal(printed, &got); err != nil {
		return "decoding printed error: " + err.Error()
	}
	if errorName != nil && got.Error != *errorName {
		return "error " + got.Error + ", want " + *errorName
	}
	if cause != nil && len(ignore) == 0 && got.Cause != *cause {
		return "cause " + got.Cause + ", want " + *cause
	}
	return ""
}

// jsonValuesEqual compares decoded JSON values; encoding/json decodes
// every number as float64, so numbers compare by value.
func jsonValuesEqual(a, b any) bool {
	ra, errA := json.Marshal(a)
	rb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ra, rb)
}
