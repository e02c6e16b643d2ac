package expr_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/asl/expr"
)

func TestEvalTemplate(t *testing.T) {
	input := jsonValue(t, `{"bucket": "ingest", "key": "a b.jpg", "size": 12, "tags": ["x", "y"]}`)

	tests := []struct {
		name     string
		template string
		want     string
	}{
		{"static values are copied", `{"a": 1, "b": [true, null, "s"], "c": {"d": 1.50}}`, `{"a": 1, "b": [true, null, "s"], "c": {"d": 1.50}}`},
		{"path field", `{"bucket.$": "$.bucket"}`, `{"bucket": "ingest"}`},
		{"root path field", `{"all.$": "$"}`, `{"all": {"bucket": "ingest", "key": "a b.jpg", "size": 12, "tags": ["x", "y"]}}`},
		{"context path field", `{"name.$": "$$.Execution.Name"}`, `{"name": "run-1"}`},
		{"intrinsic field", `{"uri.$": "States.Format('s3://{}/{}', $.bucket, $.key)"}`, `{"uri": "s3://ingest/a b.jpg"}`},
		{"nested object", `{"object": {"size.$": "$.size", "kind": "image"}}`, `{"object": {"size": 12, "kind": "image"}}`},
		{"object in array", `{"list": [{"first.$": "$.tags[0]"}, 2]}`, `{"list": [{"first": "x"}, 2]}`},
		{"wildcard path gives a list", `{"tags.$": "$.tags[*]"}`, `{"tags": ["x", "y"]}`},
		{"filter matching nothing gives an empty list", `{"tags.$": "$.tags[?(@ == 'z')]"}`, `{"tags": []}`},
		{"dollar key without path suffix is static", `{"price$": "$.size"}`, `{"price$": "$.size"}`},
		{"scalar template", `"plain"`, `"plain"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expr.EvalTemplate(jsonValue(t, tt.template), input, testContext)
			require.NoError(t, err)

			assertJSON(t, tt.want, got)
		})
	}
}

func TestEvalTemplateErrors(t *testing.T) {
	input := jsonValue(t, `{"a": 1}`)

	tests := []struct {
		name     string
		template string
		err      string
		cause    string
	}{
		{"missing path", `{"value.$": "$.no_such_jsonpath"}`, expr.ErrorRuntime, "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input"},
		{"missing context path", `{"value.$": "$$.Execution.Input.no_such_jsonpath"}`, expr.ErrorRuntime, "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$'"},
		{"missing nested path", `{"outer": [{"inner.$": "$.b"}]}`, expr.ErrorRuntime, "for the field 'inner.$'"},
		{"missing path in intrinsic", `{"v.$": "States.Array($.b)"}`, expr.ErrorRuntime, "The JSONPath '$.b' specified for the field 'v.$'"},
		{"not a path", `{"v.$": "missing"}`, expr.ErrorRuntime, "The field 'v.$' is not a JSONPath or an intrinsic function"},
		{"not a string", `{"v.$": 1}`, expr.ErrorRuntime, "must be a STRING that contains a JSONPath or an intrinsic function, but was NUMBER"},
		{"malformed intrinsic", `{"v.$": "States.Array("}`, expr.ErrorIntrinsicFailure, "The field 'v.$': invalid intrinsic function"},
		{"intrinsic invalid arguments", `{"v.$": "States.MathAdd('a', 1)"}`, expr.ErrorRuntime, "Invalid arguments in States.MathAdd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := expr.EvalTemplate(jsonValue(t, tt.template), input, testContext)

			assertEvalError(t, err, tt.err, tt.cause)
		})
	}
}
