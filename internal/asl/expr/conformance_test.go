package expr_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/asl/expr"
)

// conformanceDir holds executions recorded on real AWS; see its README.md.
// Only the areas that exercise this package are run here.
const conformanceDir = "/work/shared/asl-conformance/cases"

var conformanceAreas = []string{"choice_operators", "intrinsic_functions"}

// conformanceCase is the part of a recorded execution that this test reads.
type conformanceCase struct {
	ID            string          `json:"id"`
	QueryLanguage string          `json:"query_language"`
	Definition    json.RawMessage `json:"definition"`
	Input         json.RawMessage `json:"input"`
	Expected      struct {
		Status string          `json:"status"`
		Output json.RawMessage `json:"output"`
		Error  string          `json:"error"`
	} `json:"expected"`
	IgnorePaths []string `json:"ignore_paths"`
}

// outcome is how a run of the mini executor ended.
type outcome struct {
	status string
	output any
	err    string
}

// errUnsupported marks a definition that the mini executor does not run.
var errUnsupported = errors.New("unsupported")

func TestConformance(t *testing.T) {
	if _, err := os.Stat(conformanceDir); err != nil {
		t.Skipf("conformance corpus not found at %s (%v); copy the corpus there to run these cases", conformanceDir, err)
	}

	for _, area := range conformanceAreas {
		files, err := filepath.Glob(filepath.Join(conformanceDir, area, "*.json"))
		require.NoError(t, err)
		require.NotEmpty(t, files, "no cases in area %s", area)

		passed, skipped, failed := 0, 0, 0
		t.Run(area, func(t *testing.T) {
			for _, file := range files {
				c := loadCase(t, file)
				t.Run(filepath.Base(file), func(t *testing.T) {
					got, err := runCase(c)
					if errors.Is(err, errUnsupported) {
						skipped++
						t.Skipf("%s: %v", c.ID, err)
					}
					require.NoError(t, err, c.ID)

					if !assertOutcome(t, c, got) {
						failed++
						return
					}
					passed++
				})
			}
		})
		t.Logf("%s: %d of %d run cases pass, %d fail, %d skipped", area, passed, passed+failed, failed, skipped)
	}
}

func loadCase(t *testing.T, file string) conformanceCase {
	t.Helper()

	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var c conformanceCase
	require.NoError(t, json.Unmarshal(data, &c), file)

	return c
}

func assertOutcome(t *testing.T, c conformanceCase, got outcome) bool {
	t.Helper()

	ok := assert.Equal(t, c.Expected.Status, got.status, "%s: status", c.ID)
	if c.Expected.Status == "FAILED" {
		return assert.Equal(t, c.Expected.Error, got.err, "%s: error", c.ID) && ok
	}

	want := decode(t, c.Expected.Output)
	output := got.output
	for _, ignored := range c.IgnorePaths {
		// Ignore paths start at the expected object, so "$.output.x" is
		// "$.x" in the output; both sides get the same placeholder there.
		rel := "$" + ignored[len("$.output"):]
		want = overwrite(t, rel, want)
		output = overwrite(t, rel, output)
	}

	return assert.Truef(t, sameJSON(want, output), "%s: output\nwant %s\n got %s", c.ID, mustJSON(want), mustJSON(output)) && ok
}

func overwrite(t *testing.T, path string, v any) any {
	t.Helper()

	out, err := expr.ApplyResultPath(&path, false, v, "<ignored>")
	require.NoError(t, err, "applying ignore path %s", path)

	return out
}

// runCase executes the definition with Pass, Choice, Succeed and Fail
// states, the only state types these areas need.
func runCase(c conformanceCase) (outcome, error) {
	if c.QueryLanguage != "JSONPath" {
		return outcome{}, fmt.Errorf("%w: query language %s", errUnsupported, c.QueryLanguage)
	}

	var machine struct {
		StartAt string                                `json:"StartAt"`
		States  map[string]map[string]json.RawMessage `json:"States"`
	}
	if err := json.Unmarshal(c.Definition, &machine); err != nil {
		return outcome{}, fmt.Errorf("decoding definition: %w", err)
	}
	if err := checkSupported(machine.States); err != nil {
		return outcome{}, err
	}

	input, err := decodeNumbers(c.Input)
	if err != nil {
		return outcome{}, err
	}
	context := map[string]any{
		"Execution": map[string]any{
			"Id":    "arn:aws:states:us-east-1:111111111111:execution:conformance-machine:conformance-run",
			"Input": input,
			"Name":  "conformance-run",
		},
		"StateMachine": map[string]any{
			"Id":   "arn:aws:states:us-east-1:111111111111:stateMachine:conformance-machine",
			"Name": "conformance-machine",
		},
	}

	data := input
	name := machine.StartAt
	for range 100 {
		state, ok := machine.States[name]
		if !ok {
			return outcome{}, fmt.Errorf("state %q not found", name)
		}
		context["State"] = map[string]any{"Name": name}

		next, output, err := runState(state, data, context)
		var evalErr *expr.Error
		if errors.As(err, &evalErr) {
			return outcome{status: "FAILED", err: evalErr.Name}, nil
		}
		if err != nil {
			return outcome{}, fmt.Errorf("state %q: %w", name, err)
		}
		if failure, ok := output.(failOutcome); ok {
			return outcome{status: "FAILED", err: failure.name}, nil
		}
		if next == "" {
			return outcome{status: "SUCCEEDED", output: output}, nil
		}
		name, data = next, output
	}

	return outcome{}, errors.New("more than 100 state transitions")
}

// failOutcome is the output of a Fail state.
type failOutcome struct{ name string }

var supportedFields = map[string]map[string]bool{
	"Pass":    {"Type": true, "Comment": true, "Result": true, "Parameters": true, "InputPath": true, "OutputPath": true, "ResultPath": true, "Next": true, "End": true},
	"Choice":  {"Type": true, "Comment": true, "Choices": true, "Default": true, "InputPath": true, "OutputPath": true},
	"Succeed": {"Type": true, "Comment": true, "InputPath": true, "OutputPath": true},
	"Fail":    {"Type": true, "Comment": true, "Error": true, "Cause": true},
}

func checkSupported(states map[string]map[string]json.RawMessage) error {
	for name, state := range states {
		var stateType string
		if err := json.Unmarshal(state["Type"], &stateType); err != nil {
			return fmt.Errorf("state %q: decoding Type: %w", name, err)
		}
		fields, ok := supportedFields[stateType]
		if !ok {
			return fmt.Errorf("%w: state type %s", errUnsupported, stateType)
		}
		for field := range state {
			if !fields[field] {
				return fmt.Errorf("%w: field %s of a %s state", errUnsupported, field, stateType)
			}
		}
	}

	return nil
}

func runState(state map[string]json.RawMessage, input, context any) (string, any, error) {
	var stateType, next string
	_ = json.Unmarshal(state["Type"], &stateType)
	if raw, ok := state["Next"]; ok {
		if err := json.Unmarshal(raw, &next); err != nil {
			return "", nil, fmt.Errorf("decoding Next: %w", err)
		}
	}

	if stateType == "Fail" {
		var name string
		if raw, ok := state["Error"]; ok {
			if err := json.Unmarshal(raw, &name); err != nil {
				return "", nil, fmt.Errorf("decoding Error: %w", err)
			}
		}
		return "", failOutcome{name: name}, nil
	}

	inputPath, inputNull := pathField(state, "InputPath")
	effective, err := expr.ApplyPath(inputPath, inputNull, input, context)
	if err != nil {
		return "", nil, err
	}

	output := effective
	switch stateType {
	case "Pass":
		output, err = runPass(state, input, effective, context)
	case "Choice":
		next, err = runChoice(state, effective, context)
	}
	if err != nil {
		return "", nil, err
	}

	outputPath, outputNull := pathField(state, "OutputPath")
	output, err = expr.ApplyPath(outputPath, outputNull, output, context)
	if err != nil {
		return "", nil, err
	}

	return next, output, nil
}

func runPass(state map[string]json.RawMessage, rawInput, effective, context any) (any, error) {
	result := effective
	if raw, ok := state["Parameters"]; ok {
		template, err := decodeNumbers(raw)
		if err != nil {
			return nil, err
		}
		if result, err = expr.EvalTemplate(template, effective, context); err != nil {
			return nil, err
		}
	}
	if raw, ok := state["Result"]; ok {
		var err error
		if result, err = decodeNumbers(raw); err != nil {
			return nil, err
		}
	}

	resultPath, resultNull := pathField(state, "ResultPath")

	return expr.ApplyResultPath(resultPath, resultNull, rawInput, result)
}

func runChoice(state map[string]json.RawMessage, input, context any) (string, error) {
	var choices []json.RawMessage
	if err := json.Unmarshal(state["Choices"], &choices); err != nil {
		return "", fmt.Errorf("decoding Choices: %w", err)
	}
	for i, raw := range choices {
		rule, err := expr.ParseRule(raw, true)
		if err != nil {
			return "", fmt.Errorf("parsing Choices[%d]: %w", i, err)
		}
		matched, err := rule.Eval(input, context)
		if err != nil {
			return "", err
		}
		if matched {
			return rule.Next, nil
		}
	}

	var fallback string
	if raw, ok := state["Default"]; ok {
		if err := json.Unmarshal(raw, &fallback); err != nil {
			return "", fmt.Errorf("decoding Default: %w", err)
		}
	}
	if fallback == "" {
		return "", &expr.Error{Name: "States.NoChoiceMatched", Cause: "no choice rule matched and there is no Default"}
	}

	return fallback, nil
}

// pathField returns a path field's value, nil when it is absent, and
// whether it is the JSON null.
func pathField(state map[string]json.RawMessage, field string) (*string, bool) {
	raw, ok := state[field]
	if !ok {
		return nil, false
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, true
	}
	var path string
	if err := json.Unmarshal(raw, &path); err != nil {
		return nil, false
	}

	return &path, false
}

func decodeNumbers(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decoding JSON: %w", err)
	}

	return v, nil
}

func decode(t *testing.T, raw json.RawMessage) any {
	t.Helper()

	v, err := decodeNumbers(raw)
	require.NoError(t, err)

	return v
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}

	return string(b)
}

// sameJSON compares JSON values structurally, numbers by value, because the
// snapshots keep number text such as 1.0 that means 1.
func sameJSON(a, b any) bool {
	switch ta := a.(type) {
	case json.Number:
		tb, ok := b.(json.Number)
		if !ok {
			return false
		}
		ra, okA := new(big.Rat).SetString(string(ta))
		rb, okB := new(big.Rat).SetString(string(tb))
		return okA && okB && ra.Cmp(rb) == 0
	case map[string]any:
		tb, ok := b.(map[string]any)
		if !ok || len(ta) != len(tb) {
			return false
		}
		keys := make([]string, 0, len(ta))
		for k := range ta {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			vb, ok := tb[k]
			if !ok || !sameJSON(ta[k], vb) {
				return false
			}
		}
		return true
	case []any:
		tb, ok := b.([]any)
		if !ok || len(ta) != len(tb) {
			return false
		}
		for i := range ta {
			if !sameJSON(ta[i], tb[i]) {
				return false
			}
		}
		return true
	}

	return a == b
}
