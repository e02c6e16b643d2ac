package expr_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/asl/expr"
)

const intrinsicInput = `{
	"name": "Ada", "n": 3, "half": 1.5, "text": "a,b;;c", "list": [1, 2, 2, "x", {"k": 1}, {"k": 1.0}],
	"obj": {"k": 1, "l": [true, null]}, "other": {"l": "new", "m": 2}, "json": "{\"a\": [1, 2.50]}",
	"template": "Hi {}", "empty": [], "nothing": null, "big": 12345678901234567890
}`

func TestIntrinsicFunctions(t *testing.T) {
	input := jsonValue(t, intrinsicInput)

	tests := []struct {
		name string
		call string
		want string
	}{
		{"format literal", "States.Format('Hello {}', $.name)", `"Hello Ada"`},
		{"format several types", "States.Format('{} {} {} {}', $.n, true, null, $.half)", `"3 true null 1.5"`},
		{"format object and array", "States.Format('{}', $.obj)", `"{k=1, l=[true, null]}"`},
		{"format escaped braces", `States.Format('\{\} {} \'q\' \\', $.name)`, `"{} Ada 'q' \\"`},
		{"format template from path", "States.Format($.template, $.name)", `"Hi Ada"`},
		{"format without placeholders", "States.Format('plain')", `"plain"`},
		{"format nested call", "States.Format('n={}', States.MathAdd($.n, 1))", `"n=4"`},
		{"string to json", "States.StringToJson($.json)", `{"a": [1, 2.50]}`},
		{"string to json blank", "States.StringToJson(' ')", `null`},
		{"json to string", "States.JsonToString($.obj)", `"{\"k\":1,\"l\":[true,null]}"`},
		{"json to string keeps number text", "States.JsonToString($.big)", `"12345678901234567890"`},
		{"json to string does not escape html", "States.JsonToString('<&>')", `"\"<&>\""`},
		{"array", "States.Array($.n, 'x', null, States.Array())", `[3, "x", null, []]`},
		{"array empty", "States.Array()", `[]`},
		{"array partition", "States.ArrayPartition($.list, 4)", `[[1, 2, 2, "x"], [{"k": 1}, {"k": 1.0}]]`},
		{"array partition rounds size", "States.ArrayPartition(States.Array(1, 2, 3), 1.5)", `[[1, 2], [3]]`},
		{"array partition empty", "States.ArrayPartition($.empty, 2)", `[]`},
		{"array contains number by value", "States.ArrayContains($.list, 2.0)", `true`},
		{"array contains object", "States.ArrayContains($.list, States.StringToJson('{\"k\": 1}'))", `true`},
		{"array contains missing", "States.ArrayContains($.list, 'y')", `false`},
		{"array range", "States.ArrayRange(1, 9, 2)", `[1, 3, 5, 7, 9]`},
		{"array range descending", "States.ArrayRange(5, 1, -2)", `[5, 3, 1]`},
		{"array range wrong direction", "States.ArrayRange(1, 5, -1)", `[]`},
		{"array range truncates", "States.ArrayRange(1.6, 1.4, 1)", `[1]`},
		{"array range thousand items", "States.ArrayLength(States.ArrayRange(1, 1000, 1))", `1000`},
		{"array get item", "States.ArrayGetItem($.list, 3)", `"x"`},
		{"array length", "States.ArrayLength($.list)", `6`},
		{"array unique", "States.ArrayUnique($.list)", `[1, 2, "x", {"k": 1}]`},
		{"base64 encode", "States.Base64Encode('Data to encode')", `"RGF0YSB0byBlbmNvZGU="`},
		{"base64 decode", "States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", `"Data to encode"`},
		{"hash md5", "States.Hash('hello', 'MD5')", `"5d41402abc4b2a76b9719d911017c592"`},
		{"hash sha-1", "States.Hash('hello', 'SHA-1')", `"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"`},
		{"hash sha-256", "States.Hash('hello', 'SHA-256')", `"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"`},
		{"hash sha-384", "States.Hash('hello', 'SHA-384')", `"59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f"`},
		{"hash sha-512", "States.Hash('hello', 'SHA-512')", `"9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043"`},
		{"json merge", "States.JsonMerge($.obj, $.other, false)", `{"k": 1, "l": "new", "m": 2}`},
		{"math add", "States.MathAdd($.n, -5)", `-2`},
		{"math add rounds half up", "States.MathAdd(1.5, -1.5)", `1`},
		{"math add rounds each argument", "States.MathAdd(1.49, 1.5)", `3`},
		{"math random seeded", "States.MathRandom(5, 6, 42)", `5`},
		{"string split", "States.StringSplit($.text, ',;')", `["a", "b", "c"]`},
		{"string split only delimiters", "States.StringSplit(',,,', ',')", `[]`},
		{"nested calls", "States.ArrayGetItem(States.StringSplit('a-b-c', '-'), States.MathAdd(States.ArrayLength(States.StringSplit('a-b-c', '-')), -1))", `"c"`},
		{"context path argument", "States.Format('{}', $$.Execution.Name)", `"run-1"`},
		{"spaces around arguments", "States.Array( 1 ,  'a' )", `[1, "a"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call, err := expr.ParseIntrinsic(tt.call)
			require.NoError(t, err)

			got, err := call.Eval(input, testContext, "value.$")
			require.NoError(t, err)

			assertJSON(t, tt.want, got)
		})
	}
}

func TestIntrinsicNumbersAreJSONNumbers(t *testing.T) {
	for _, call := range []string{"States.MathAdd(1, 2)", "States.ArrayLength(States.Array(1))", "States.MathRandom(1, 100)"} {
		t.Run(call, func(t *testing.T) {
			in, err := expr.ParseIntrinsic(call)
			require.NoError(t, err)

			got, err := in.Eval(nil, nil, "value.$")
			require.NoError(t, err)

			assert.IsType(t, json.Number(""), got)
		})
	}
}

func TestIntrinsicSeededRandomRepeats(t *testing.T) {
	call, err := expr.ParseIntrinsic("States.MathRandom(1, 1000000, 7)")
	require.NoError(t, err)

	first, err := call.Eval(nil, nil, "value.$")
	require.NoError(t, err)
	second, err := call.Eval(nil, nil, "value.$")
	require.NoError(t, err)

	assert.Equal(t, first, second)
}

func TestIntrinsicRandomValues(t *testing.T) {
	random, err := expr.ParseIntrinsic("States.MathRandom(10, 20)")
	require.NoError(t, err)
	uuid, err := expr.ParseIntrinsic("States.UUID()")
	require.NoError(t, err)
	uuidV4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

	seen := map[string]bool{}
	for range 200 {
		v, err := random.Eval(nil, nil, "value.$")
		require.NoError(t, err)
		n, err := v.(json.Number).Int64()
		require.NoError(t, err)
		assert.GreaterOrEqual(t, n, int64(10))
		assert.Less(t, n, int64(20))

		id, err := uuid.Eval(nil, nil, "value.$")
		require.NoError(t, err)
		assert.Regexp(t, uuidV4, id)
		assert.False(t, seen[id.(string)], "UUID repeated")
		seen[id.(string)] = true
	}
}

func TestIntrinsicInvalidArguments(t *testing.T) {
	input := jsonValue(t, intrinsicInput)

	tests := []struct {
		name string
		call string
	}{
		{"format too few arguments", "States.Format('{} {}', $.name)"},
		{"format too many arguments", "States.Format('{}', $.name, $.n)"},
		{"format lone brace", "States.Format('Hello {', $.name)"},
		{"format lone closing brace", "States.Format('}')"},
		{"format non-string template", "States.Format($.n)"},
		{"string to json invalid", "States.StringToJson('{')"},
		{"string to json trailing data", "States.StringToJson('1 2')"},
		{"string to json non-string", "States.StringToJson($.n)"},
		{"array partition zero size", "States.ArrayPartition($.list, 0.49)"},
		{"array partition non-array", "States.ArrayPartition($.name, 1)"},
		{"array contains non-array", "States.ArrayContains($.obj, 1)"},
		{"array range zero step", "States.ArrayRange(1, 10, 0)"},
		{"array range too long", "States.ArrayRange(1, 1001, 1)"},
		{"array range non-number", "States.ArrayRange('a', 5, 1)"},
		{"array get item out of range", "States.ArrayGetItem($.list, 6)"},
		{"array get item negative", "States.ArrayGetItem($.list, -1)"},
		{"array get item fraction", "States.ArrayGetItem($.list, 1.5)"},
		{"array length non-array", "States.ArrayLength($.obj)"},
		{"array unique non-array", "States.ArrayUnique($.name)"},
		{"base64 encode non-string", "States.Base64Encode($.n)"},
		{"base64 decode invalid", "States.Base64Decode('***')"},
		{"hash unknown algorithm", "States.Hash('data', 'SHA256')"},
		{"hash lowercase algorithm", "States.Hash('data', 'sha-256')"},
		{"hash null data", "States.Hash(null, 'MD5')"},
		{"json merge deep", "States.JsonMerge($.obj, $.other, true)"},
		{"json merge non-object", "States.JsonMerge($.obj, $.list, false)"},
		{"math random empty range", "States.MathRandom(5, 5)"},
		{"math add non-number", "States.MathAdd($.name, 1)"},
		{"string split non-string", "States.StringSplit($.list, ',')"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call, err := expr.ParseIntrinsic(tt.call)
			require.NoError(t, err)

			_, err = call.Eval(input, testContext, "value.$")

			name := tt.call[:strings.IndexByte(tt.call, '(')]
			assertEvalError(t, err, expr.ErrorRuntime, "Invalid arguments in "+name)
		})
	}
}

func TestIntrinsicInputLimits(t *testing.T) {
	tests := []struct {
		name  string
		call  string
		size  int
		valid bool
	}{
		{"hash at limit", "States.Hash($.s, 'SHA-256')", 10000, true},
		{"hash over limit", "States.Hash($.s, 'SHA-256')", 10001, false},
		{"base64 encode at limit", "States.Base64Encode($.s)", 10000, true},
		{"base64 encode over limit", "States.Base64Encode($.s)", 10001, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call, err := expr.ParseIntrinsic(tt.call)
			require.NoError(t, err)

			_, err = call.Eval(map[string]any{"s": strings.Repeat("a", tt.size)}, nil, "value.$")

			if tt.valid {
				assert.NoError(t, err)
				return
			}
			assertEvalError(t, err, expr.ErrorRuntime, "Invalid arguments in")
		})
	}
}

func TestIntrinsicMissingPath(t *testing.T) {
	call, err := expr.ParseIntrinsic("States.Hash($.missing, 'SHA-256')")
	require.NoError(t, err)

	_, err = call.Eval(map[string]any{}, nil, "digest.$")

	assertEvalError(t, err, expr.ErrorRuntime, "The JSONPath '$.missing' specified for the field 'digest.$' could not be found in the input")
}

func TestParseIntrinsicErrors(t *testing.T) {
	tests := []struct {
		name    string
		call    string
		message string
	}{
		{"unknown function", "States.Nope(1)", `unknown function "States.Nope"`},
		{"not a call", "Format('x')", "expected a function name starting with 'States.'"},
		{"missing parenthesis", "States.UUID", "expected '('"},
		{"unclosed call", "States.Array(1, 2", "expected ','"},
		{"trailing text", "States.UUID() x", "unexpected 'x' after the call"},
		{"too few arguments", "States.Hash('a')", "States.Hash takes 2 arguments, got 1"},
		{"too many arguments", "States.UUID(1)", "States.UUID takes 0 arguments, got 1"},
		{"unclosed string", "States.Format('abc)", "unclosed string literal"},
		{"bad escape", `States.Format('a\nb')`, "invalid escape"},
		{"bad number", "States.MathAdd(1.2.3, 1)", "invalid number"},
		{"bare word", "States.Array(abc)", "unexpected 'a'"},
		{"bad path", "States.Array($.a[)", "invalid path"},
		{"empty argument", "States.Array(1,,2)", "unexpected ','"},
		{"too deep", strings.Repeat("States.Array(", 40) + strings.Repeat(")", 40), "nested deeper than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := expr.ParseIntrinsic(tt.call)

			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.message)
		})
	}
}

func FuzzIntrinsic(f *testing.F) {
	for _, seed := range []string{
		"States.Format('Hello {}', $.name)", `States.Format('\{\}', $.a[?(@.x == 'a,b')])`,
		"States.StringToJson($.json)", "States.JsonToString($)", "States.Array(1, 'a', null, true)",
		"States.ArrayPartition($.list, 2)", "States.ArrayContains($.list, 2)", "States.ArrayRange(1, 9, 2)",
		"States.ArrayGetItem($.list, 1)", "States.ArrayLength($.list)", "States.ArrayUnique($.list)",
		"States.Base64Encode('x')", "States.Base64Decode('eA==')", "States.Hash('x', 'SHA-512')",
		"States.JsonMerge($.obj, $.other, false)", "States.MathRandom(1, 9, 3)", "States.MathAdd(1e400, -1)",
		"States.StringSplit($.text, ',')", "States.UUID()", "States.Format($$.Execution.Name)",
	} {
		f.Add(seed)
	}
	input := jsonValue(f, intrinsicInput)

	f.Fuzz(func(t *testing.T, text string) {
		call, err := expr.ParseIntrinsic(text)
		if err != nil {
			return
		}

		got, err := call.Eval(input, testContext, "value.$")
		if err != nil {
			var evalErr *expr.Error
			require.ErrorAs(t, err, &evalErr)
			assert.Equal(t, expr.ErrorRuntime, evalErr.Name)
			return
		}

		_, err = json.Marshal(got)
		assert.NoError(t, err)
	})
}
