package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/moderato/moderato/internal/asl/expr"
)

// ErrorQueryEvaluation is the error of a JSONata expression that fails or
// returns a value of the wrong type.
const ErrorQueryEvaluation = expr.ErrorQueryEvaluation

// statesValue builds the $states variable of a JSONata expression.
// result and errorOutput are set when hasResult or hasError are.
func statesValue(v *visit, scope *expr.Scope, result any, hasResult bool, errorOutput any, hasError bool) map[string]any {
	s := map[string]any{"input": v.input, "context": scope.ContextObject()}
	if hasResult {
		s["result"] = result
	}
	if hasError {
		s["errorOutput"] = errorOutput
	}
	return s
}

// evalJSONata evaluates a JSONata field value. A failure is recorded with
// an EvaluationFailed event and returned as States.QueryEvaluationError.
func (x *run) evalJSONata(v *visit, value any, field string, states map[string]any) (any, error) {
	out, err := expr.EvalJSONata(value, field, states, v.vars)
	if err != nil {
		return nil, x.queryFailure(v, err)
	}
	return out, nil
}

// queryFailure converts an evaluation error of a JSONata state into a
// *Failure and records the EvaluationFailed event that AWS records.
func (x *run) queryFailure(v *visit, err error) error {
	f, ok := failure(v, err).(*Failure)
	if !ok {
		return err
	}
	if f.Name == ErrorQueryEvaluation {
		x.event("EvaluationFailed", v.st.name, f)
	}
	return f
}

func (x *run) queryError(v *visit, cause string) error {
	return x.queryFailure(v, &expr.Error{Name: ErrorQueryEvaluation, Cause: cause})
}

// jsonataAssign evaluates the Assign field that applies into v.assigned.
func (x *run) jsonataAssign(v *visit, assign map[string]any, states map[string]any) error {
	if assign == nil {
		return nil
	}
	out, err := x.evalJSONata(v, map[string]any(assign), "Assign", states)
	if err != nil {
		return err
	}
	v.assigned = out.(map[string]any)
	return nil
}

// jsonataOutput evaluates an Output field, or returns def when the state
// has none.
func (x *run) jsonataOutput(v *visit, output any, hasOutput bool, def any, states map[string]any) (any, error) {
	if !hasOutput {
		return def, nil
	}
	return x.evalJSONata(v, output, "Output", states)
}

// finishJSONata evaluates Assign and Output of a state that ends with
// result (the state input for Pass, Wait and Succeed).
func (x *run) finishJSONata(v *visit, scope *expr.Scope, result any, hasResult bool) (any, error) {
	states := statesValue(v, scope, result, hasResult, nil, false)
	if err := x.jsonataAssign(v, v.st.assign, states); err != nil {
		return nil, err
	}
	output, hasOutput := v.st.jx["Output"]
	def := v.input
	if hasResult {
		def = result
	}
	return x.jsonataOutput(v, output, hasOutput, def, states)
}

func (x *run) runJSONataPass(v *visit) (any, error) {
	return x.finishJSONata(v, x.context(v, 0, "", nil), nil, false)
}

func (x *run) runJSONataFail(v *visit) error {
	scope := x.context(v, 0, "", nil)
	states := statesValue(v, scope, nil, false, nil, false)
	f := &Failure{Name: v.st.errorName, Cause: v.st.cause}
	for _, field := range []struct {
		name string
		dst  *string
	}{{"Error", &f.Name}, {"Cause", &f.Cause}} {
		e, ok := v.st.jx[field.name]
		if !ok {
			continue
		}
		val, err := x.evalJSONata(v, e, field.name, states)
		if err != nil {
			return err
		}
		s, ok := val.(string)
		if !ok {
			return x.queryError(v, fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected 'string', but was '%s' for value: %s", jsonataText(e), field.name, jsonataTypeName(val), compactJSON(val)))
		}
		*field.dst = s
	}
	return f
}

func (x *run) runJSONataChoice(v *visit) (any, string, error) {
	scope := x.context(v, 0, "", nil)
	states := statesValue(v, scope, nil, false, nil, false)
	st := v.st

	for _, r := range st.jsonataRules {
		val, err := x.evalJSONata(v, r.condition, "Condition", states)
		if err != nil {
			return nil, "", err
		}
		matched, ok := val.(bool)
		if !ok {
			return nil, "", x.queryError(v, fmt.Sprintf("The JSONata expression '%s' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '%s' for value: %s", jsonataText(r.condition), jsonataTypeName(val), compactJSON(val)))
		}
		if !matched {
			continue
		}
		// NOTE: a matching rule without Assign or Output falls back to the
		// state's own field here. No recorded execution shows whether AWS
		// does that or applies neither.
		assign := r.assign
		if assign == nil {
			assign = st.assign
		}
		if err := x.jsonataAssign(v, assign, states); err != nil {
			return nil, "", err
		}
		output, hasOutput := r.output, r.hasOutput
		if !hasOutput {
			output, hasOutput = st.jx["Output"]
		}
		out, err := x.jsonataOutput(v, output, hasOutput, v.input, states)
		return out, r.next, err
	}

	if st.defaultNext == "" {
		return nil, "", &Failure{Name: ErrorNoChoiceMatched, Cause: "No Matches!"}
	}
	out, err := x.finishJSONata(v, scope, nil, false)
	return out, st.defaultNext, err
}

func (x *run) runJSONataWait(ctx context.Context, v *visit) (any, error) {
	st := v.st
	scope := x.context(v, 0, "", nil)
	states := statesValue(v, scope, nil, false, nil, false)

	entered, err := x.recordTime(v.key+".entered", time.Time{})
	if err != nil {
		return nil, err
	}
	var deadline time.Time
	switch {
	case st.jx["Seconds"] != nil:
		val, err := x.evalJSONata(v, st.jx["Seconds"], "Seconds", states)
		if err != nil {
			return nil, err
		}
		n, ok := integerValue(val)
		if !ok || n < 0 || n > math.MaxInt32 {
			return nil, x.queryError(v, fmt.Sprintf("The JSONata expression '%s' specified for the field 'Seconds' returned an unexpected result type. Expected 'non-negative integer', but was '%s' for value: %s", jsonataText(st.jx["Seconds"]), jsonataTypeName(val), compactJSON(val)))
		}
		deadline = entered.Add(time.Duration(n) * time.Second)
	case st.seconds != nil:
		deadline = entered.Add(time.Duration(*st.seconds) * time.Second)
	case st.jx["Timestamp"] != nil:
		val, err := x.evalJSONata(v, st.jx["Timestamp"], "Timestamp", states)
		if err != nil {
			return nil, err
		}
		s, _ := val.(string)
		t, perr := parseTimestamp(s)
		if perr != nil {
			return nil, x.queryError(v, fmt.Sprintf("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: %s", plainValue(val)))
		}
		deadline = t
	case st.timestamp != "":
		deadline, _ = parseTimestamp(st.timestamp)
	}

	deadline, err = x.recordTime(v.key+".deadline", deadline)
	if err != nil {
		return nil, err
	}
	if err := x.sleepUntil(ctx, deadline); err != nil {
		return nil, err
	}
	return x.finishJSONata(v, scope, nil, false)
}

// jsonataArguments evaluates Arguments, the input of a Task or the
// branches of a Parallel state; without it they get the state input.
func (x *run) jsonataArguments(v *visit, scope *expr.Scope) (any, error) {
	args, ok := v.st.jx["Arguments"]
	if !ok {
		return v.input, nil
	}
	return x.evalJSONata(v, args, "Arguments", statesValue(v, scope, nil, false, nil, false))
}

// jsonataItems evaluates the items of a Map state: Items, or the state
// input.
func (x *run) jsonataItems(v *visit, scope *expr.Scope) ([]any, error) {
	itemsExpr, ok := v.st.jx["Items"]
	if !ok {
		items, isArray := v.input.([]any)
		if !isArray {
			return nil, x.queryError(v, "Map state input must be an array but was: "+compactJSON(v.input))
		}
		return items, nil
	}
	val, err := x.evalJSONata(v, itemsExpr, "Items", statesValue(v, scope, nil, false, nil, false))
	if err != nil {
		return nil, err
	}
	items, isArray := val.([]any)
	if !isArray {
		return nil, x.queryError(v, fmt.Sprintf("The JSONata expression '%s' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '%s' for value: %s", jsonataText(itemsExpr), jsonataTypeName(val), compactJSON(val)))
	}
	return items, nil
}

// jsonataNumberField evaluates a Map or Task field given as an expression
// and checks that it is a number in [0, limit].
// NOTE: this cause, and those for a Condition that is not a boolean, a
// Seconds that is not an integer and an Error or Cause that is not a
// string, copy the wording AWS uses for Items. No recorded execution
// confirms them.
func (x *run) jsonataNumberField(v *visit, scope *expr.Scope, field string, integer bool, limit float64) (float64, bool, error) {
	e, ok := v.st.jx[field]
	if !ok {
		return 0, false, nil
	}
	val, err := x.evalJSONata(v, e, field, statesValue(v, scope, nil, false, nil, false))
	if err != nil {
		return 0, false, err
	}
	n, isNumber := val.(json.Number)
	f, ferr := n.Float64()
	if !isNumber || ferr != nil || f < 0 || f > limit || (integer && f != math.Trunc(f)) {
		want := "number"
		if integer {
			want = "integer"
		}
		return 0, false, x.queryError(v, fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected '%s', but was '%s' for value: %s", jsonataText(e), field, want, jsonataTypeName(val), compactJSON(val)))
	}
	return f, true, nil
}

// jsonataText returns the expression inside "{% %}", as AWS quotes it.
func jsonataText(value any) string {
	s, ok := value.(string)
	if !ok || !expr.IsJSONata(s) {
		return compactJSON(value)
	}
	return trimJSONata(s)
}

func trimJSONata(s string) string {
	inner := s[2 : len(s)-2]
	start, end := 0, len(inner)
	for start < end && (inner[start] == ' ' || inner[start] == '\t' || inner[start] == '\n' || inner[start] == '\r') {
		start++
	}
	for end > start && (inner[end-1] == ' ' || inner[end-1] == '\t' || inner[end-1] == '\n' || inner[end-1] == '\r') {
		end--
	}
	return inner[start:end]
}

// jsonataTypeName names a JSON type the way AWS's JSONata messages do.
func jsonataTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// catchJSONata applies a JSONata Catch: Assign and Output read the error
// output as $states.errorOutput, and Output defaults to it.
func (x *run) catchJSONata(v *visit, c catcher, errorOutput map[string]any) (any, error) {
	scope := x.context(v, 0, "", nil)
	states := statesValue(v, scope, nil, false, errorOutput, true)
	v.assigned = nil
	if err := x.jsonataAssign(v, c.assign, states); err != nil {
		return nil, err
	}
	return x.jsonataOutput(v, c.output, c.hasOutput, errorOutput, states)
}
