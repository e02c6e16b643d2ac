package expr_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/asl/expr"
)

var testContext = map[string]any{
	"Execution": map[string]any{"Name": "run-1", "Input": map[string]any{"x": json.Number("1")}},
	"State":     map[string]any{"Name": "Inspect object"},
}

func TestQuery(t *testing.T) {
	store := fixture(t, "store.json")

	tests := []struct {
		name string
		path string
		want string
	}{
		{"root", "$", ``},
		{"dot child", "$.store.bicycle.color", `"red"`},
		{"bracket child", "$['store']['bicycle']['color']", `"red"`},
		{"double quoted child", `$["store"]["bicycle"]["price"]`, `19.95`},
		{"child with space and dot", "$['a b']['c.d']", `"spaced"`},
		{"child with hyphen", "$.input-value", `7`},
		{"index", "$.store.book[0].author", `"Nigel Rees"`},
		{"length index", "$.store.book[(@.length-1)].author", `"J. R. R. Tolkien"`},
		{"length index with spaces", "$.store.book[( @.length - 2 )].author", `"Herman Melville"`},
		{"null value", "$.nothing", `null`},
		{"big integer keeps its text", "$.big", `123456789012345678901234567890`},
		{"wildcard on array", "$.store.book[*].price", `[8.95, 12.99, 8.99, 22.99]`},
		{"dot wildcard on object", "$.store.bicycle.*", `["red", 19.95]`},
		{"index union", "$.store.book[0,2].title", `["Sayings of the Century", "Moby Dick"]`},
		{"name union", "$.store.bicycle['color','price']", `["red", 19.95]`},
		{"slice", "$.store.book[1:3].price", `[12.99, 8.99]`},
		{"slice open start", "$.store.book[:2].price", `[8.95, 12.99]`},
		{"slice negative start", "$.store.book[-2:].price", `[8.99, 22.99]`},
		{"slice with step", "$.store.book[::2].price", `[8.95, 8.99]`},
		{"slice backwards", "$.store.book[::-1].price", `[22.99, 8.99, 12.99, 8.95]`},
		{"filter equals", "$.store.book[?(@.category == 'reference')].title", `["Sayings of the Century"]`},
		{"filter less than", "$.store.book[?(@.price < 10)].price", `[8.95, 8.99]`},
		{"filter exists", "$.store.book[?(@.isbn)].title", `["Moby Dick", "The Lord of the Rings"]`},
		{"filter and", "$.store.book[?(@.category == 'fiction' && @.price > 20)].title", `["The Lord of the Rings"]`},
		{"filter or", "$.store.book[?(@.price < 9 || @.price > 20)].price", `[8.95, 8.99, 22.99]`},
		{"filter not", "$.store.book[?(!(@.category == 'fiction'))].title", `["Sayings of the Century"]`},
		{"filter matches objects only", "$.mixed[?(@.k == 1)]", `[{"k": 1}]`},
		{"filter never matches scalars", "$.mixed[?(@ == 1)]", `[]`},
		{"filter number by value", "$.store.book[?(@.price == 8.950)].author", `["Nigel Rees"]`},
		{"filter matching nothing", "$.store.book[?(@.price > 100)]", `[]`},
		{"recursive descent", "$..author", `["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]`},
		{"recursive descent with index", "$..book[2].title", `["Moby Dick"]`},
		{"wildcard over empty array", "$.empty[*]", `[]`},
		{"context object", "$$.Execution.Name", `"run-1"`},
		{"context object input", "$$.Execution.Input.x", `1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expr.Query(tt.path, store, testContext)
			require.NoError(t, err)

			if tt.want == "" {
				assert.Equal(t, store, got)
				return
			}
			assertJSON(t, tt.want, got)
		})
	}
}

func TestQueryKeepsNumberType(t *testing.T) {
	got, err := expr.Query("$.big", fixture(t, "store.json"), nil)
	require.NoError(t, err)

	assert.Equal(t, json.Number("123456789012345678901234567890"), got)
}

func TestQueryMissing(t *testing.T) {
	store := fixture(t, "store.json")

	tests := []struct {
		name  string
		path  string
		cause string
	}{
		{"missing member", "$.NoSuchInputPath", "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"},
		{"missing nested member", "$.store.nope", "No results for path: $['store']['nope']"},
		{"index out of range", "$.store.book[9]", "No results for path: $['store']['book'][9]"},
		{"negative index", "$.store.book[-1]", "No results for path: $['store']['book'][-1]"},
		{"length index past the start", "$.empty[(@.length-1)]", "No results for path: $['empty'][(@.length-1)]"},
		{"length index past the end", "$.empty[(@.length)]", "No results for path: $['empty'][(@.length+0)]"},
		{"member of a string", "$.store.bicycle.color.x", "No results for path: $['store']['bicycle']['color']['x']"},
		{"index into an object", "$.store[0]", "No results for path: $['store'][0]"},
		{"missing context member", "$$.Execution.Nope", "No results for path: $$['Execution']['Nope']"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := expr.Query(tt.path, store, testContext)

			assertEvalError(t, err, expr.ErrorRuntime, tt.cause)
		})
	}
}

func TestQueryInvalidPath(t *testing.T) {
	_, err := expr.Query("$.a[", map[string]any{}, nil)

	assertEvalError(t, err, expr.ErrorRuntime, "invalid path '$.a['")
}

func TestParsePathErrors(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		message string
	}{
		{"empty", "", "must start with '$'"},
		{"no root", "store.book", "must start with '$'"},
		{"at root outside filter", "@.x", "only valid inside a filter"},
		{"trailing dot", "$.", "missing name after '.'"},
		{"unclosed bracket", "$['a'", "expected ']'"},
		{"unclosed quote", "$['a]", "unclosed quote"},
		{"bad index", "$[x]", "unexpected character 'x' in brackets"},
		{"index overflow", "$[99999999999]", "invalid array index"},
		{"zero slice step", "$[::0]", "slice step cannot be 0"},
		{"mixed slice and union", "$[1:2,3]", "cannot mix"},
		{"space in name", "$.a b", "unexpected character ' '"},
		{"unclosed filter", "$[?(@.a == 1]", "expected ')'"},
		{"filter without operator", "$[?(1)]", "expected a comparison operator"},
		{"bad filter number", "$[?(@.a == 1.)]", "invalid number"},
		{"filter referring to root", "$.a[?(@.b > $.c)]", "a filter cannot refer to '$'"},
		{"unsupported script", "$.a[(@.size)]", "only (@.length-n) is allowed"},
		{"length index without number", "$.a[(@.length-)]", "missing number after '-'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := expr.ParsePath(tt.path)

			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.message)
		})
	}
}

func TestParseReferencePath(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		valid bool
	}{
		{"root", "$", true},
		{"child", "$.a.b", true},
		{"index", "$.a[0]", true},
		{"bracket child", "$['a b']", true},
		{"context", "$$.Execution.Input", true},
		{"wildcard", "$.a[*]", false},
		{"dot wildcard", "$.a.*", false},
		{"slice", "$.a[0:1]", false},
		{"union", "$.a[0,1]", false},
		{"filter", "$.a[?(@.b)]", false},
		{"recursive descent", "$..a", false},
		{"length index", "$.a[(@.length-1)]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := expr.ParseReferencePath(tt.path)

			if tt.valid {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "invalid reference path")
		})
	}
}

func TestApplyPath(t *testing.T) {
	input := jsonValue(t, `{"a": {"b": 1}}`)

	tests := []struct {
		name   string
		path   *string
		isNull bool
		want   string
	}{
		{"nil path keeps the input", nil, false, `{"a": {"b": 1}}`},
		{"null path gives an empty object", nil, true, `{}`},
		{"path selects", ptr("$.a"), false, `{"b": 1}`},
		{"context path", ptr("$$.State.Name"), false, `"Inspect object"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expr.ApplyPath(tt.path, tt.isNull, input, testContext)
			require.NoError(t, err)

			assertJSON(t, tt.want, got)
		})
	}
}

func TestApplyPathMissing(t *testing.T) {
	_, err := expr.ApplyPath(ptr("$.NoSuchOutputPath"), false, map[string]any{}, nil)

	assertEvalError(t, err, expr.ErrorRuntime, "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']")
}

func TestApplyResultPath(t *testing.T) {
	tests := []struct {
		name   string
		path   *string
		isNull bool
		input  string
		result string
		want   string
	}{
		{"nil path replaces the input", nil, false, `{"a": 1}`, `"r"`, `"r"`},
		{"null path discards the result", nil, true, `{"a": 1}`, `"r"`, `{"a": 1}`},
		{"root replaces the input", ptr("$"), false, `{"a": 1}`, `{"r": 2}`, `{"r": 2}`},
		{"new member", ptr("$.r"), false, `{"a": 1}`, `2`, `{"a": 1, "r": 2}`},
		{"existing member is replaced", ptr("$.a"), false, `{"a": 1}`, `[1]`, `{"a": [1]}`},
		{"intermediate objects are created", ptr("$.x.y.z"), false, `{"a": 1}`, `true`, `{"a": 1, "x": {"y": {"z": true}}}`},
		{"nested existing object is kept", ptr("$.a.c"), false, `{"a": {"b": 1}}`, `2`, `{"a": {"b": 1, "c": 2}}`},
		{"bracket notation", ptr("$['a b']"), false, `{}`, `1`, `{"a b": 1}`},
		{"array element", ptr("$.list[1]"), false, `{"list": [1, 2, 3]}`, `"two"`, `{"list": [1, "two", 3]}`},
		{"member of array element", ptr("$.list[0].x"), false, `{"list": [{}]}`, `1`, `{"list": [{"x": 1}]}`},
		{"index zero of nested array", ptr("$.m[0][0]"), false, `{"m": [[1]]}`, `2`, `{"m": [[2]]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := jsonValue(t, tt.input)

			got, err := expr.ApplyResultPath(tt.path, tt.isNull, input, jsonValue(t, tt.result))
			require.NoError(t, err)

			assertJSON(t, tt.want, got)
			assertJSON(t, tt.input, input)
		})
	}
}

func TestApplyResultPathErrors(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		input string
		err   string
		cause string
	}{
		{"input is a string", "$.a", `"text"`, expr.ErrorResultPathMatchFailure, "Unable to apply ReferencePath $.a to input"},
		{"through a number", "$.a.b", `{"a": 1}`, expr.ErrorResultPathMatchFailure, "Unable to apply ReferencePath $.a.b"},
		{"through null", "$.a.b", `{"a": null}`, expr.ErrorResultPathMatchFailure, "Unable to apply ReferencePath"},
		{"index out of range", "$.list[5]", `{"list": []}`, expr.ErrorResultPathMatchFailure, "Unable to apply ReferencePath"},
		{"negative index", "$.list[-1]", `{"list": [1]}`, expr.ErrorResultPathMatchFailure, "Unable to apply ReferencePath"},
		{"wildcard", "$.a[*]", `{}`, expr.ErrorRuntime, "must name a single node"},
		{"context object", "$$.Execution", `{}`, expr.ErrorRuntime, "cannot write to the context object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := expr.ApplyResultPath(&tt.path, false, jsonValue(t, tt.input), "r")

			assertEvalError(t, err, tt.err, tt.cause)
		})
	}
}

func FuzzQuery(f *testing.F) {
	for _, seed := range []string{
		"$", "$$", "$.a.b", "$['a b']", "$.a[0]", "$.a[-1]", "$.a[*].b", "$..x",
		"$.a[1:3:2]", "$.a[?(@.x == 1)]", "$.a[?(@.x < 'b' && !(@.y) || @.z != null)]",
		"$.a[0,1]", "$['a','b']", "$[?(@..x)]", "$.a[(@.length-1)]", "$.a[?(@.b[?(@.c)])]", "$.",
	} {
		f.Add(seed)
	}
	input := jsonValue(f, `{"a": [{"x": 1, "b": {"c": [true]}}, {"x": "b", "y": null}], "x": {"x": 2}}`)

	f.Fuzz(func(t *testing.T, path string) {
		got, err := expr.Query(path, input, testContext)
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
