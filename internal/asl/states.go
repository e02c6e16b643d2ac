package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/moderato/moderato/internal/asl/expr"
)

// visit is one entry into a state: the input it got and what the context
// object needs.
type visit struct {
	st      *state
	key     string
	input   any
	entered string // context-object format
	eventID int    // id of the StateEntered event
}

// runMachine runs a machine from StartAt to a terminal state. It returns a
// *Failure when the machine fails, or the context's cause when canceled.
func (x *run) runMachine(ctx context.Context, m *machine, scope string, input any) (any, error) {
	visits := map[string]int{}
	name := m.startAt
	for {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		st := m.states[name]
		key := stateKey(scope, name, visits[name])
		visits[name]++

		output, next, err := x.runState(ctx, st, key, input)
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
func (x *run) runState(ctx context.Context, st *state, key string, input any) (any, string, error) {
	entered, err := x.recordTime(key+".entered", x.r.clock.Now())
	if err != nil {
		return nil, "", err
	}
	v := &visit{st: st, key: key, input: input, entered: entered.UTC().Format(contextTimeLayout)}
	v.eventID = x.event(st.kind+"StateEntered", st.name, nil)

	var output any
	next := st.next
	switch st.kind {
	case "Pass":
		output, err = x.runPass(v)
	case "Succeed":
		output, err = x.applyInputOutput(v)
		next = ""
	case "Fail":
		err = x.runFail(v)
	case "Choice":
		output, next, err = x.runChoice(v)
	case "Wait":
		output, err = x.runWait(ctx, v)
	case "Task", "Parallel", "Map":
		output, next, err = x.runWithErrorHandling(ctx, v)
	}
	if err != nil {
		return nil, "", err
	}

	if err := checkSize(st.name, output); err != nil {
		return nil, "", err
	}
	if st.kind != "Fail" {
		x.event(st.kind+"StateExited", st.name, nil)
	}
	if st.end {
		next = ""
	}
	return output, next, nil
}

// context builds the context object ($$) for a state.
func (x *run) context(v *visit, retryCount int, token string, item map[string]any) map[string]any {
	state := map[string]any{"EnteredTime": v.entered, "Name": v.st.name}
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
	if name != ErrorRuntime || strings.HasPrefix(detail, "An error occurred") {
		return &Failure{Name: name, Cause: detail}
	}
	return &Failure{
		Name:  name,
		Cause: fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). %s", v.st.name, v.eventID, detail),
	}
}

func checkSize(stateName string, v any) error {
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

// effectiveInput applies InputPath and Parameters.
func (x *run) effectiveInput(v *visit, ctxObj map[string]any) (any, error) {
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

// applyOutput applies ResultSelector, ResultPath and OutputPath to a result.
func (x *run) applyOutput(v *visit, ctxObj map[string]any, result any) (any, error) {
	var err error
	if v.st.hasSelector {
		result, err = expr.EvalTemplate(v.st.resultSelector, result, ctxObj)
		if err != nil {
			return nil, failure(v, err)
		}
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
	for _, rule := range v.st.choices {
		ok, err := rule.Eval(in, ctxObj)
		if err != nil {
			return nil, "", failure(v, err)
		}
		if ok {
			next = rule.Next
			break
		}
	}
	if next == "" {
		next = v.st.defaultNext
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
