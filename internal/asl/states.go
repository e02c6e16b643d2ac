package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/moderato/moderato/internal/asl/expr"
)

// visit is one entry into a state: the input it got and what the context
// object needs.
type visit struct {
	st      *state
	key     string
	input   any
	entered time.Time
	eventID int // id of the StateEntered event
	vars    *varScope
	// assigned holds the values of the Assign field that applies, set when
	// the state succeeds or a Catch handles its error.
	assigned map[string]any
}

// runMachine runs a machine from StartAt to a terminal state. It returns a
// *Failure when the machine fails, or the context's cause when canceled.
func (x *run) runMachine(ctx context.Context, m *machine, scope string, vars *varScope, input any) (any, error) {
	visits := map[string]int{}
	name := m.startAt
	for {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		if x.historyLen() >= maxHistoryEvents {
			// NOTE: AWS's exact error name and cause for this limit are not
			// confirmed by a recording.
			return nil, &Failure{Name: ErrorRuntime, Cause: fmt.Sprintf("The execution reached the maximum number of history events (%d).", maxHistoryEvents)}
		}
		st := m.states[name]
		key := stateKey(scope, name, visits[name])
		visits[name]++

		output, next, err := x.runState(ctx, st, key, vars, input)
		if err != nil {
			return nil, err
		}
		if next == "" {
			return output, nil
		}
		name, input = next, output
	}
}

// runState runs one state and returns its output and the next state name
// ("" when the machine ends).
func (x *run) runState(ctx context.Context, st *state, key string, vars *varScope, input any) (any, string, error) {
	entered, err := x.recordTime(key+".entered", x.r.clock.Now())
	if err != nil {
		return nil, "", err
	}
	v := &visit{st: st, key: key, input: input, entered: entered, vars: vars}
	v.eventID = x.event(st.kind+"StateEntered", st.name, nil)
	if hook, ok := ctx.Value(enteredHookKey{}).(func()); ok {
		hook()
	}

	var output any
	next := st.next
	switch {
	case st.jsonata && st.kind == "Pass":
		output, err = x.runJSONataPass(v)
	case st.jsonata && st.kind == "Succeed":
		output, err = x.runJSONataPass(v)
		next = ""
	case st.jsonata && st.kind == "Fail":
		err = x.runJSONataFail(v)
	case st.jsonata && st.kind == "Choice":
		output, next, err = x.runJSONataChoice(v)
	case st.jsonata && st.kind == "Wait":
		output, err = x.runJSONataWait(ctx, v)
	case st.kind == "Pass":
		output, err = x.runPass(v)
	case st.kind == "Succeed":
		output, err = x.applyInputOutput(v)
		next = ""
	case st.kind == "Fail":
		err = x.runFail(v)
	case st.kind == "Choice":
		output, next, err = x.runChoice(v)
	case st.kind == "Wait":
		output, err = x.runWait(ctx, v)
	default: // Task, Parallel, Map
		output, next, err = x.runWithErrorHandling(ctx, v)
	}
	if err != nil {
		return nil, "", err
	}

	if err := checkSize(st.name, output); err != nil {
		return nil, "", err
	}
	vars.assign(v.assigned)
	if st.kind != "Fail" {
		x.event(st.kind+"StateExited", st.name, nil)
	}
	// A state with End has no Next, so next is empty unless a Catch
	// chose the state to go to.
	return output, next, nil
}

// context builds what expressions of a state read besides its input: the
// context object ($$) and the variables in scope.
func (x *run) context(v *visit, retryCount int, token string, item map[string]any) *expr.Scope {
	return &expr.Scope{
		Variables:   v.vars,
		ContextFunc: func() any { return x.contextObject(v, retryCount, token, item) },
	}
}

// contextObject builds the context object ($$) for a state.
func (x *run) contextObject(v *visit, retryCount int, token string, item map[string]any) map[string]any {
	state := map[string]any{"EnteredTime": v.entered.UTC().Format(contextTimeLayout), "Name": v.st.name}
	// AWS sets RetryCount only for the states that have Retry.
	switch v.st.kind {
	case "Task", "Parallel", "Map":
		state["RetryCount"] = json.Number(fmt.Sprint(retryCount))
	}
	c := map[string]any{
		"Execution": map[string]any{
			"Id":           executionARNPrefix + x.exec.StateMachine + ":" + x.exec.Name,
			"Input":        x.input,
			"Name":         x.exec.Name,
			"RoleArn":      roleARN,
			"StartTime":    x.exec.StartDate.UTC().Format(contextTimeLayout),
			"RedriveCount": json.Number("0"),
		},
		"State": state,
		"StateMachine": map[string]any{
			"Id":   stateMachineARNPrefix + x.exec.StateMachine,
			"Name": x.exec.StateMachine,
		},
	}
	if token != "" {
		c["Task"] = map[string]any{"Token": token}
	}
	if item != nil {
		c["Map"] = map[string]any{"Item": item}
	}
	return c
}

// failure converts an expression or task error into a *Failure, adding the
// state and event to States.Runtime causes as AWS does.
func failure(v *visit, err error) error {
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	var e *expr.Error
	if errors.As(err, &e) {
		return runtimeFailure(v, e.Name, e.Cause)
	}
	return err
}

func runtimeFailure(v *visit, name, detail string) *Failure {
	if (name != ErrorRuntime && name != ErrorQueryEvaluation) || strings.HasPrefix(detail, "An error occurred") {
		return &Failure{Name: name, Cause: detail}
	}
	return &Failure{
		Name:  name,
		Cause: fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). %s", v.st.name, v.eventID, detail),
	}
}

func checkSize(stateName string, v any) error {
	if jsonSize(v, maxPayloadBytes) <= maxPayloadBytes {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return &Failure{Name: ErrorRuntime, Cause: fmt.Sprintf("encoding the output of state '%s': %v", stateName, err)}
	}
	if len(raw) > maxPayloadBytes {
		return &Failure{
			Name:  ErrorDataLimitExceeded,
			Cause: fmt.Sprintf("The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", stateName),
		}
	}
	return nil
}

// effectiveInput applies InputPath and Parameters, or evaluates Arguments
// in a JSONata state.
func (x *run) effectiveInput(v *visit, ctxObj *expr.Scope) (any, error) {
	if v.st.jsonata {
		return x.jsonataArguments(v, ctxObj)
	}
	in, err := expr.ApplyPath(v.st.inputPath.value, v.st.inputPath.null, v.input, ctxObj)
	if err != nil {
		return nil, failure(v, err)
	}
	if v.st.hasParameters {
		in, err = expr.EvalTemplate(v.st.parameters, in, ctxObj)
		if err != nil {
			return nil, failure(v, err)
		}
	}
	return in, nil
}

// applyOutput applies ResultSelector, Assign, ResultPath and OutputPath to
// a result, or Assign and Output in a JSONata state.
func (x *run) applyOutput(v *visit, ctxObj *expr.Scope, result any) (any, error) {
	if v.st.jsonata {
		return x.finishJSONata(v, ctxObj, result, true)
	}
	var err error
	if v.st.hasSelector {
		result, err = expr.EvalTemplate(v.st.resultSelector, result, ctxObj)
		if err != nil {
			return nil, failure(v, err)
		}
	}
	if err := x.assignJSONPath(v, v.st.assign, result, ctxObj); err != nil {
		return nil, err
	}
	output, err := expr.ApplyResultPath(v.st.resultPath.value, v.st.resultPath.null, v.input, result)
	if err != nil {
		return nil, failure(v, err)
	}
	output, err = expr.ApplyPath(v.st.outputPath.value, v.st.outputPath.null, output, ctxObj)
	if err != nil {
		return nil, failure(v, err)
	}
	return output, nil
}

// applyInputOutput applies InputPath then OutputPath, for Succeed, Choice
// and Wait states.
func (x *run) applyInputOutput(v *visit) (any, error) {
	ctxObj := x.context(v, 0, "", nil)
	in, err := expr.ApplyPath(v.st.inputPath.value, v.st.inputPath.null, v.input, ctxObj)
	if err != nil {
		return nil, failure(v, err)
	}
	out, err := expr.ApplyPath(v.st.outputPath.value, v.st.outputPath.null, in, ctxObj)
	if err != nil {
		return nil, failure(v, err)
	}
	return out, nil
}

func (x *run) runPass(v *visit) (any, error) {
	ctxObj := x.context(v, 0, "", nil)
	in, err := x.effectiveInput(v, ctxObj)
	if err != nil {
		return nil, err
	}
	result := in
	if v.st.hasResult {
		result = v.st.result
	}
	if err := x.assignJSONPath(v, v.st.assign, result, ctxObj); err != nil {
		return nil, err
	}
	output, err := expr.ApplyResultPath(v.st.resultPath.value, v.st.resultPath.null, v.input, result)
	if err != nil {
		return nil, failure(v, err)
	}
	output, err = expr.ApplyPath(v.st.outputPath.value, v.st.outputPath.null, output, ctxObj)
	if err != nil {
		return nil, failure(v, err)
	}
	return output, nil
}

func (x *run) runFail(v *visit) error {
	ctxObj := x.context(v, 0, "", nil)
	f := &Failure{Name: v.st.errorName, Cause: v.st.cause}
	resolve := func(path, field string, dst *string) error {
		if path == "" {
			return nil
		}
		val, err := expr.Query(path, v.input, ctxObj)
		if err != nil {
			return runtimeFailure(v, ErrorRuntime, fmt.Sprintf("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", path, field, compactJSON(v.input)))
		}
		s, ok := val.(string)
		if !ok {
			return runtimeFailure(v, ErrorRuntime, fmt.Sprintf("The JSONPath '%s' specified for the field '%s' must resolve to a string, not '%s'", path, field, compactJSON(val)))
		}
		*dst = s
		return nil
	}
	if err := resolve(v.st.errorPath, "ErrorPath", &f.Name); err != nil {
		return err
	}
	if err := resolve(v.st.causePath, "CausePath", &f.Cause); err != nil {
		return err
	}
	return f
}

func (x *run) runChoice(v *visit) (any, string, error) {
	ctxObj := x.context(v, 0, "", nil)
	in, err := expr.ApplyPath(v.st.inputPath.value, v.st.inputPath.null, v.input, ctxObj)
	if err != nil {
		return nil, "", failure(v, err)
	}

	next := ""
	assign := v.st.assign
	for i, rule := range v.st.choices {
		ok, err := rule.Eval(in, ctxObj)
		if err != nil {
			return nil, "", failure(v, err)
		}
		if ok {
			next = rule.Next
			if v.st.choiceAssign[i] != nil {
				assign = v.st.choiceAssign[i]
			}
			break
		}
	}
	if next == "" {
		next = v.st.defaultNext
	}
	if next != "" {
		if err := x.assignJSONPath(v, assign, in, ctxObj); err != nil {
			return nil, "", err
		}
	}
	if next == "" {
		return nil, "", &Failure{Name: ErrorNoChoiceMatched, Cause: "No Matches!"}
	}

	out, err := expr.ApplyPath(v.st.outputPath.value, v.st.outputPath.null, in, ctxObj)
	if err != nil {
		return nil, "", failure(v, err)
	}
	return out, next, nil
}

func compactJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}

// integerValue returns v as an int64 when it is a JSON number with an
// integer value.
func integerValue(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// assignJSONPath evaluates the Assign field of a JSONPath state into
// v.assigned. Its paths read value as $: the state result, the Choice or
// Wait input, or the error output in a Catch.
func (x *run) assignJSONPath(v *visit, assign map[string]any, value any, ctxObj *expr.Scope) error {
	if assign == nil {
		return nil
	}
	out, err := expr.EvalTemplate(map[string]any(assign), value, ctxObj)
	if err != nil {
		return failure(v, err)
	}
	v.assigned = out.(map[string]any)
	return nil
}

// jsonSize returns an upper bound of the length of v encoded by
// json.Marshal, without encoding it, and stops counting once the count
// passes limit. Bytes of multi-byte UTF-8 count as 6 each, the most that
// json.Marshal can write for one, so the count is never below the length.
func jsonSize(v any, limit int) int {
	n := 0
	addJSONSize(v, limit, &n)
	return n
}

// addJSONSize adds the size of v to *n and reports whether *n is still
// within limit.
func addJSONSize(v any, limit int, n *int) bool {
	switch t := v.(type) {
	case nil:
		*n += 4
	case bool:
		*n += 5
	case string:
		*n += quotedSize(t)
	case json.Number:
		*n += len(t)
	case float64:
		*n += 24
	case map[string]any:
		*n += 2 + len(t) // braces, colons and commas
		for k, e := range t {
			*n += quotedSize(k)
			if *n > limit || !addJSONSize(e, limit, n) {
				return false
			}
		}
	case []any:
		*n += 2 + len(t)
		for _, e := range t {
			if *n > limit || !addJSONSize(e, limit, n) {
				return false
			}
		}
	default:
		// Values of other types only come from Go tasks, which
		// json.Marshal measures exactly.
		raw, err := json.Marshal(t)
		if err != nil {
			*n = limit + 1
			return false
		}
		*n += len(raw)
	}
	return *n <= limit
}

// quotedSize returns the length of s as a JSON string with json.Marshal's
// escaping, which includes HTML escaping of <, > and &.
func quotedSize(s string) int {
	n := 2
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t':
			n += 2
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			n += 6
		case c < 0x80:
			n++
		default:
			// Multi-byte UTF-8: at most 6 bytes of output per input byte
			// (U+2028 and U+2029 become \u2028 and \u2029, invalid bytes
			// \ufffd).
			n += 6
		}
	}
	return n
}
