package expr_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/moderato/moderato/internal/asl/expr"
)

func ExampleEvalTemplate() {
	dec := json.NewDecoder(strings.NewReader(`{"bucket": "ingest", "key": "photos/cat.jpg", "size": 2048}`))
	dec.UseNumber()
	var input any
	if err := dec.Decode(&input); err != nil {
		panic(err)
	}
	template := map[string]any{
		"uri.$":  "States.Format('s3://{}/{}', $.bucket, $.key)",
		"size.$": "$.size",
		"stage":  "inspect",
	}

	out, err := expr.EvalTemplate(template, input, nil)
	if err != nil {
		panic(err)
	}
	text, _ := json.Marshal(out)
	fmt.Println(string(text))
	// Output: {"size":2048,"stage":"inspect","uri":"s3://ingest/photos/cat.jpg"}
}

func ExampleParseRule() {
	rule, err := expr.ParseRule(json.RawMessage(`{
		"And": [
			{"Variable": "$.verdict", "StringEquals": "review"},
			{"Variable": "$.score", "NumericLessThan": 0.8}
		],
		"Next": "Wait for review"
	}`), true)
	if err != nil {
		panic(err)
	}

	matched, err := rule.Eval(map[string]any{"verdict": "review", "score": json.Number("0.65")}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(matched, rule.Next)
	// Output: true Wait for review
}
