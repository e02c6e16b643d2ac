package expr_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/asl/expr"
)

const choiceInput = `{
	"s": "beta", "empty": "", "n": 10, "dec": 10.50, "big": 123456789012345678901234567890,
	"t": "2016-03-14T01:59:00Z", "tOffset": "2016-03-14T02:59:00+01:00", "notTime": "2016-03-14 01:59:00",
	"yes": true, "nothing": null, "obj": {"n": 10}, "list": [1, 2],
	"other": {"s": "alpha", "n": 11, "yes": false, "t": "2016-03-14T02:00:00Z"},
	"file": "report.log", "star": "a*b", "emoji": "\ud83d\ude00", "privateUse": "\uf000"
}`

func TestRuleComparisons(t *testing.T) {
	input := jsonValue(t, choiceInput)

	tests := []struct {
		name string
		rule string
		want bool
	}{
		{"string equals", `{"Variable": "$.s", "StringEquals": "beta"}`, true},
		{"string equals other", `{"Variable": "$.s", "StringEquals": "Beta"}`, false},
		{"string equals on number", `{"Variable": "$.n", "StringEquals": "10"}`, false},
		{"string less than", `{"Variable": "$.s", "StringLessThan": "gamma"}`, true},
		{"string greater than", `{"Variable": "$.s", "StringGreaterThan": "alpha"}`, true},
		{"string less than equals", `{"Variable": "$.s", "StringLessThanEquals": "beta"}`, true},
		{"string greater than equals", `{"Variable": "$.s", "StringGreaterThanEquals": "betb"}`, false},
		{"string order by utf-16 units", `{"Variable": "$.emoji", "StringLessThan": "\uf000"}`, true},
		{"string equals path", `{"Variable": "$.s", "StringEqualsPath": "$.other.s"}`, false},
		{"string greater than path", `{"Variable": "$.s", "StringGreaterThanPath": "$.other.s"}`, true},
		{"string less than path", `{"Variable": "$.other.s", "StringLessThanPath": "$.s"}`, true},
		{"string less than equals path", `{"Variable": "$.s", "StringLessThanEqualsPath": "$.s"}`, true},
		{"string greater than equals path", `{"Variable": "$.other.s", "StringGreaterThanEqualsPath": "$.s"}`, false},
		{"string matches suffix", `{"Variable": "$.file", "StringMatches": "*.log"}`, true},
		{"string matches infix", `{"Variable": "$.file", "StringMatches": "re*t.*g"}`, true},
		{"string matches no match", `{"Variable": "$.file", "StringMatches": "*.txt"}`, false},
		{"string matches escaped star", `{"Variable": "$.star", "StringMatches": "a\\*b"}`, true},
		{"string matches escaped star literal only", `{"Variable": "$.file", "StringMatches": "report\\*"}`, false},
		{"string matches empty", `{"Variable": "$.empty", "StringMatches": "*"}`, true},
		{"string matches on number", `{"Variable": "$.n", "StringMatches": "*"}`, false},
		{"numeric equals", `{"Variable": "$.n", "NumericEquals": 10}`, true},
		{"numeric equals decimal text", `{"Variable": "$.n", "NumericEquals": 10.0}`, true},
		{"numeric equals big integer", `{"Variable": "$.big", "NumericEquals": 123456789012345678901234567890}`, true},
		{"numeric equals big integer off by one", `{"Variable": "$.big", "NumericEquals": 123456789012345678901234567891}`, false},
		{"numeric equals on string", `{"Variable": "$.s", "NumericEquals": 10}`, false},
		{"numeric less than", `{"Variable": "$.dec", "NumericLessThan": 10.51}`, true},
		{"numeric greater than", `{"Variable": "$.dec", "NumericGreaterThan": 10.5}`, false},
		{"numeric less than equals", `{"Variable": "$.dec", "NumericLessThanEquals": 10.5}`, true},
		{"numeric greater than equals", `{"Variable": "$.n", "NumericGreaterThanEquals": 1e1}`, true},
		{"numeric equals path", `{"Variable": "$.n", "NumericEqualsPath": "$.obj.n"}`, true},
		{"numeric less than path", `{"Variable": "$.n", "NumericLessThanPath": "$.other.n"}`, true},
		{"numeric greater than path", `{"Variable": "$.n", "NumericGreaterThanPath": "$.other.n"}`, false},
		{"numeric less than equals path", `{"Variable": "$.n", "NumericLessThanEqualsPath": "$.n"}`, true},
		{"numeric greater than equals path", `{"Variable": "$.other.n", "NumericGreaterThanEqualsPath": "$.n"}`, true},
		{"numeric huge exponent less than", `{"Variable": "$.n", "NumericLessThan": 1e999999}`, true},
		{"numeric huge negative exponent greater than", `{"Variable": "$.n", "NumericGreaterThan": 1e-999999}`, true},
		{"numeric path to string", `{"Variable": "$.n", "NumericEqualsPath": "$.s"}`, false},
		{"boolean equals", `{"Variable": "$.yes", "BooleanEquals": true}`, true},
		{"boolean equals false", `{"Variable": "$.yes", "BooleanEquals": false}`, false},
		{"boolean equals on null", `{"Variable": "$.nothing", "BooleanEquals": false}`, false},
		{"boolean equals path", `{"Variable": "$.yes", "BooleanEqualsPath": "$.other.yes"}`, false},
		{"timestamp equals", `{"Variable": "$.t", "TimestampEquals": "2016-03-14T01:59:00Z"}`, true},
		{"timestamp equals other offset", `{"Variable": "$.tOffset", "TimestampEquals": "2016-03-14T01:59:00.000Z"}`, true},
		{"timestamp less than", `{"Variable": "$.t", "TimestampLessThan": "2016-03-14T02:00:00Z"}`, true},
		{"timestamp greater than", `{"Variable": "$.t", "TimestampGreaterThan": "2016-03-14T02:00:00Z"}`, false},
		{"timestamp less than equals", `{"Variable": "$.t", "TimestampLessThanEquals": "2016-03-14T01:59:00Z"}`, true},
		{"timestamp greater than equals", `{"Variable": "$.t", "TimestampGreaterThanEquals": "2016-03-14T01:59:01Z"}`, false},
		{"timestamp on non-timestamp string", `{"Variable": "$.notTime", "TimestampEquals": "2016-03-14T01:59:00Z"}`, false},
		{"timestamp equals path", `{"Variable": "$.t", "TimestampEqualsPath": "$.tOffset"}`, true},
		{"timestamp less than path", `{"Variable": "$.t", "TimestampLessThanPath": "$.other.t"}`, true},
		{"timestamp greater than path", `{"Variable": "$.other.t", "TimestampGreaterThanPath": "$.t"}`, true},
		{"timestamp less than equals path", `{"Variable": "$.other.t", "TimestampLessThanEqualsPath": "$.t"}`, false},
		{"timestamp greater than equals path", `{"Variable": "$.t", "TimestampGreaterThanEqualsPath": "$.t"}`, true},
		{"is null", `{"Variable": "$.nothing", "IsNull": true}`, true},
		{"is null on string", `{"Variable": "$.s", "IsNull": true}`, false},
		{"is present", `{"Variable": "$.nothing", "IsPresent": true}`, true},
		{"is present missing", `{"Variable": "$.missing", "IsPresent": true}`, false},
		{"is not present missing", `{"Variable": "$.missing", "IsPresent": false}`, true},
		{"is present missing deep", `{"Variable": "$.s.deeper[0]", "IsPresent": false}`, true},
		{"is numeric", `{"Variable": "$.dec", "IsNumeric": true}`, true},
		{"is numeric on numeric string", `{"Variable": "$.obj", "IsNumeric": false}`, true},
		{"is string", `{"Variable": "$.empty", "IsString": true}`, true},
		{"is string on list", `{"Variable": "$.list", "IsString": true}`, false},
		{"is boolean", `{"Variable": "$.yes", "IsBoolean": true}`, true},
		{"is boolean on null", `{"Variable": "$.nothing", "IsBoolean": false}`, true},
		{"is timestamp", `{"Variable": "$.tOffset", "IsTimestamp": true}`, true},
		{"is timestamp without zone", `{"Variable": "$.notTime", "IsTimestamp": true}`, false},
		{"variable with index", `{"Variable": "$.list[1]", "NumericEquals": 2}`, true},
		{"variable on context", `{"Variable": "$$.Execution.Name", "StringEquals": "run-1"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule, err := expr.ParseRule(json.RawMessage(tt.rule), false)
			require.NoError(t, err)

			got, err := rule.Eval(input, testContext)
			require.NoError(t, err)

			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRuleBooleanOperators(t *testing.T) {
	input := jsonValue(t, `{"type": "Private", "value": 22}`)

	tests := []struct {
		name string
		rule string
		want bool
	}{
		{"not", `{"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"}`, false},
		{"and all true", `{"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20}, {"Variable": "$.value", "NumericLessThan": 30}], "Next": "Twenties"}`, true},
		{"and one false", `{"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20}, {"Variable": "$.value", "NumericLessThan": 21}], "Next": "Twenties"}`, false},
		{"or one true", `{"Or": [{"Variable": "$.type", "StringEquals": "Public"}, {"Variable": "$.value", "NumericEquals": 22}], "Next": "Match"}`, true},
		{"or none true", `{"Or": [{"Variable": "$.type", "StringEquals": "Public"}, {"Variable": "$.value", "NumericEquals": 0}], "Next": "Match"}`, false},
		{"nested", `{"Not": {"Or": [{"Not": {"Variable": "$.value", "IsNumeric": true}}, {"Variable": "$.type", "IsNull": true}]}, "Next": "Match"}`, true},
		{"and stops before a missing variable", `{"And": [{"Variable": "$.value", "NumericEquals": 0}, {"Variable": "$.missing", "NumericEquals": 0}], "Next": "Match"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule, err := expr.ParseRule(json.RawMessage(tt.rule), true)
			require.NoError(t, err)

			got, err := rule.Eval(input, nil)
			require.NoError(t, err)

			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRuleFields(t *testing.T) {
	rule, err := expr.ParseRule(json.RawMessage(`{"Variable": "$.a", "IsPresent": true, "Next": "Found", "Comment": "why", "Assign": {"x": 1}}`), true)
	require.NoError(t, err)

	assert.Equal(t, "Found", rule.Next)
	assert.Equal(t, "why", rule.Comment)
	assert.JSONEq(t, `{"x": 1}`, string(rule.Assign))
}

func TestRuleMissingPath(t *testing.T) {
	input := jsonValue(t, `{"left": 8}`)

	tests := []struct {
		name  string
		rule  string
		cause string
	}{
		{"missing variable", `{"Variable": "$.approved", "BooleanEquals": true}`, "Invalid path '$.approved': The choice state's condition path references an invalid value."},
		{"missing operand path", `{"Variable": "$.left", "NumericLessThanPath": "$.right"}`, "Invalid path '$.right': The choice state's condition path references an invalid value."},
		{"missing variable in not", `{"Not": {"Variable": "$.x", "IsNull": true}}`, "Invalid path '$.x'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule, err := expr.ParseRule(json.RawMessage(tt.rule), false)
			require.NoError(t, err)

			_, err = rule.Eval(input, nil)

			assertEvalError(t, err, expr.ErrorRuntime, tt.cause)
		})
	}
}

func TestParseRuleErrors(t *testing.T) {
	tests := []struct {
		name     string
		rule     string
		topLevel bool
		message  string
	}{
		{"not an object", `[1]`, true, "decoding choice rule"},
		{"null", `null`, true, "must be a JSON object"},
		{"unknown operator", `{"Variable": "$.a", "StringContains": "x", "Next": "N"}`, true, `unknown field "StringContains"`},
		{"no operator", `{"Variable": "$.a", "Next": "N"}`, true, "has no operator"},
		{"two operators", `{"Variable": "$.a", "StringEquals": "x", "IsNull": true, "Next": "N"}`, true, "more than one operator: IsNull, StringEquals"},
		{"missing variable", `{"StringEquals": "x", "Next": "N"}`, true, `"StringEquals" is missing field "Variable"`},
		{"variable not a string", `{"Variable": 1, "IsNull": true, "Next": "N"}`, true, `field "Variable" must be a string`},
		{"variable not a path", `{"Variable": "a", "IsNull": true, "Next": "N"}`, true, `field "Variable": invalid path`},
		{"variable with wildcard", `{"Variable": "$.a[*]", "IsNull": true, "Next": "N"}`, true, "must name a single node"},
		{"missing next", `{"Variable": "$.a", "IsNull": true}`, true, `missing field "Next"`},
		{"empty next", `{"Variable": "$.a", "IsNull": true, "Next": ""}`, true, `"Next" must be a non-empty string`},
		{"nested next", `{"Variable": "$.a", "IsNull": true, "Next": "N"}`, false, `cannot have field "Next"`},
		{"nested next inside and", `{"And": [{"Variable": "$.a", "IsNull": true, "Next": "N"}], "Next": "N"}`, true, `And[0]: choice rule nested in And, Or or Not cannot have field "Next"`},
		{"empty and", `{"And": [], "Next": "N"}`, true, `"And" must be a non-empty array`},
		{"or not an array", `{"Or": {}, "Next": "N"}`, true, `"Or" must be a non-empty array`},
		{"not with variable", `{"Variable": "$.a", "Not": {"Variable": "$.a", "IsNull": true}, "Next": "N"}`, true, `"Not" cannot have field "Variable"`},
		{"string operand is number", `{"Variable": "$.a", "StringEquals": 1, "Next": "N"}`, true, `"StringEquals" must be a string, got NUMBER`},
		{"numeric operand is string", `{"Variable": "$.a", "NumericEquals": "1", "Next": "N"}`, true, `"NumericEquals" must be a number, got STRING`},
		{"boolean operand is string", `{"Variable": "$.a", "BooleanEquals": "true", "Next": "N"}`, true, `"BooleanEquals" must be a boolean`},
		{"type test operand is string", `{"Variable": "$.a", "IsNull": "yes", "Next": "N"}`, true, `"IsNull" must be a boolean`},
		{"timestamp operand without zone", `{"Variable": "$.a", "TimestampEquals": "2016-03-14T01:59:00", "Next": "N"}`, true, "RFC 3339 timestamp"},
		{"path operand not a path", `{"Variable": "$.a", "StringEqualsPath": "b", "Next": "N"}`, true, `"StringEqualsPath": invalid path`},
		{"path operand not a string", `{"Variable": "$.a", "NumericEqualsPath": 1, "Next": "N"}`, true, `"NumericEqualsPath" must be a string`},
		{"string matches has no path form", `{"Variable": "$.a", "StringMatchesPath": "$.b", "Next": "N"}`, true, `unknown field "StringMatchesPath"`},
		{"type test has no path form", `{"Variable": "$.a", "IsNullPath": "$.b", "Next": "N"}`, true, `unknown field "IsNullPath"`},
		{"pattern with lone backslash", `{"Variable": "$.a", "StringMatches": "a\\", "Next": "N"}`, true, "lone backslash"},
		{"jsonata condition", `{"Condition": "{% true %}", "Next": "N"}`, true, "JSONata"},
		{"assign in nested rule", `{"Not": {"Variable": "$.a", "IsNull": true, "Assign": {}}, "Next": "N"}`, true, `cannot have field "Assign"`},
		{"too deep", strings.Repeat(`{"Not": `, 70) + `{"Variable": "$.a", "IsNull": true}` + strings.Repeat(`}`, 70), false, "nested deeper than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := expr.ParseRule(json.RawMessage(tt.rule), tt.topLevel)

			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.message)
		})
	}
}
