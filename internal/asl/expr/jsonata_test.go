package expr_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/asl/expr"
)

// mapVariables is a fixed set of workflow variables for tests.
type mapVariables map[string]any

func (m mapVariables) Variable(name string) (any, bool) {
	v, ok := m[name]
	return v, ok
}

func TestEvalJSONata(t *testing.T) {
	states := map[string]any{
		"input":   jsonValue(t, `{"items": [], "n": [1, 2, 3], "s": "hello$world", "obj": {"a": 1}}`),
		"context": jsonValue(t, `{"State": {"Name": "Check"}}`),
	}
	vars := mapVariables{"answer": jsonValue(t, `42`), "list": jsonValue(t, `["x", "y"]`)}

	tests := []struct {
		name  string
		value string
		want  string
	}{
		{"literal string", `"plain"`, `"plain"`},
		{"literal number", `0.1`, `0.1`},
		{"simple path", `"{% $states.input.obj %}"`, `{"a": 1}`},
		{"empty array kept", `"{% $states.input.items %}"`, `[]`},
		{"variable", `"{% $answer %}"`, `42`},
		{"arithmetic on variable", `"{% $sum($states.input.n) + $answer %}"`, `48`},
		{"context", `"{% $states.context.State.Name %}"`, `"Check"`},
		{"nested template", `{"k": "{% $answer %}", "l": ["{% true %}", "$.literal"]}`, `{"k": 42, "l": [true, "$.literal"]}`},
		{"regex", `"{% $contains($states.input.s, /^hello\\$/) %}"`, `true`},
		{"partition", `"{% $partition([1,2,3], 2) %}"`, `[[1, 2], [3]]`},
		{"partition singleton", `"{% $partition([0], 1) %}"`, `[[0]]`},
		{"range", `"{% $range(0, 9, 3) %}"`, `[0, 3, 6, 9]`},
		{"range single value", `"{% $range(1, 9, 9) %}"`, `1`},
		{"hash", `"{% $hash('Hash this string', 'SHA-256') %}"`, `"1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e"`},
		{"parse", `"{% $parse('{\"a\": [1, true]}') %}"`, `{"a": [1, true]}`},
		{"parse negative zero", `"{% $parse('-0') %}"`, `0`},
		{"merge", `"{% $merge([{'a': 1}, {'b': 2}]) %}"`, `{"a": 1, "b": 2}`},
		{"assignment expression", `"{% $v := 1 %}"`, `1`},
		{"large integer in full", `"{% 9007199254740993 * 10 %}"`, `90071992547409920`},
		{"count", `"{% $count($states.input.n) %}"`, `3`},
		{"string functions", `"{% $uppercase($join(['a', 'b'], '-')) %}"`, `"A-B"`},
		{"filter over array", `"{% $states.input.n[$ > 1] %}"`, `[2, 3]`},
		{"negative zero", `"{% -0 %}"`, `0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expr.EvalJSONata(jsonValue(t, tt.value), "Output", states, vars)
			require.NoError(t, err)
			assertJSON(t, tt.want, got)
		})
	}
}

func TestEvalJSONataErrors(t *testing.T) {
	states := map[string]any{"input": jsonValue(t, `{"a": 1}`)}

	tests := []struct {
		name  string
		value string
		cause string
	}{
		{"undefined variable", `"{% $doesNotExist %}"`, "The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."},
		{"undefined nested field", `{"result": "{% $states.input.b %}"}`, "specified for the field 'Output/result' returned nothing (undefined)."},
		{"not a function", `"{% $randomSeeded(1) %}"`, "threw an error during evaluation. T1006: Attempted to invoke a non-function"},
		{"bad hash algorithm", `"{% $hash('x', 'CRC') %}"`, "unsupported algorithm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := expr.EvalJSONata(jsonValue(t, tt.value), "Output", states, nil)
			assertEvalError(t, err, expr.ErrorQueryEvaluation, tt.cause)
		})
	}
}

func TestCheckJSONata(t *testing.T) {
	assert.NoError(t, expr.CheckJSONata(jsonValue(t, `{"a": "{% $states.input %}", "b": "{ not an expression"}`), "Output"))

	err := expr.CheckJSONata(jsonValue(t, `{"a": ["{% $x.( %}"]}`), "Output")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "field Output/a/0")
}

func TestVariablePaths(t *testing.T) {
	vars := mapVariables{"cfg": jsonValue(t, `{"limits": [5, 6]}`), "name": "x"}
	scope := &expr.Scope{Context: testContext, Variables: vars}

	tests := []struct {
		name string
		path string
		want string
	}{
		{"whole variable", "$name", `"x"`},
		{"member", "$cfg.limits", `[5, 6]`},
		{"index", "$cfg.limits[1]", `6`},
		{"context still works", "$$.State.Name", `"Inspect object"`},
		{"input still works", "$.a", `1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expr.Query(tt.path, jsonValue(t, `{"a": 1}`), scope)
			require.NoError(t, err)
			assertJSON(t, tt.want, got)
		})
	}

	_, err := expr.Query("$missing", jsonValue(t, `{}`), scope)
	assertEvalError(t, err, expr.ErrorRuntime, "$missing")

	tmpl, err := expr.EvalTemplate(jsonValue(t, `{"v.$": "$cfg.limits[0]", "f.$": "States.Format('{}!', $name)"}`), nil, scope)
	require.NoError(t, err)
	assertJSON(t, `{"v": 5, "f": "x!"}`, tmpl)
}

func FuzzJSONata(f *testing.F) {
	for _, seed := range []string{
		"$states.input.a", "$sum($states.input.n) + 1", "$partition([1,2,3], 2)", "$range(0, 10, 3)",
		"$hash('x', 'SHA-256')", "$parse('[1, 2]')", "$random()", "$uuid()", "{'a': [1, 2][0]}",
		"$contains('a$b', /a\\$/)", "$v := 1", "$merge([{'a': 1}, {'b': 2}])", "$states.input.n[$ > 1]",
		"$not(true) and false", "$randomSeeded(1)", "$states.context.State.Name & '!'", "(",
	} {
		f.Add(seed, `{"a": 1, "n": [1, 2, 3]}`)
	}

	f.Fuzz(func(t *testing.T, src, input string) {
		var in any
		if err := json.Unmarshal([]byte(input), &in); err != nil {
			return
		}
		states := map[string]any{"input": in, "context": map[string]any{"State": map[string]any{"Name": "S"}}}
		vars := mapVariables{"v": "x"}

		got, err := expr.EvalJSONata("{% "+src+" %}", "Output", states, vars)
		if err != nil {
			var evalErr *expr.Error
			require.ErrorAs(t, err, &evalErr)
			assert.Equal(t, expr.ErrorQueryEvaluation, evalErr.Name)
			return
		}
		_, err = json.Marshal(got)
		assert.NoError(t, err)
	})
}
