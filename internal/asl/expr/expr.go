// Package expr evaluates the JSONPath-language expressions of the Amazon
// States Language: paths, reference paths, payload templates, intrinsic
// functions and Choice rules.
//
// Values are JSON values as encoding/json decodes them with UseNumber:
// map[string]any, []any, string, json.Number, bool and nil.
package expr

import (
	"encoding/json"
	"errors"
)

// Error is an evaluation error with the States Language error name that a
// Catch or Retry matches, for example States.Runtime.
type Error struct {
	Name  string
	Cause string
}

func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// Query evaluates a path against the state input ($) or the context object ($$).
// API placeholder, replaced by the implementation.
func Query(path string, input, context any) (any, error) {
	return nil, errors.New("not implemented")
}

// ApplyPath applies an InputPath or OutputPath: a nil path means "$", and a
// path that is the JSON null (isNull) yields an empty object.
func ApplyPath(path *string, isNull bool, input, context any) (any, error) {
	return nil, errors.New("not implemented")
}

// ApplyResultPath merges result into input at the reference path.
func ApplyResultPath(path *string, isNull bool, input, result any) (any, error) {
	return nil, errors.New("not implemented")
}

// EvalTemplate evaluates a payload template (Parameters, ResultSelector,
// ItemSelector): keys ending in ".$" take a path or an intrinsic function.
func EvalTemplate(template any, input, context any) (any, error) {
	return nil, errors.New("not implemented")
}

// Rule is a parsed Choice rule.
type Rule struct {
	Next string
}

// ParseRule parses one element of a Choice state's Choices array.
func ParseRule(raw json.RawMessage, topLevel bool) (*Rule, error) {
	return nil, errors.New("not implemented")
}

// Eval reports whether the rule matches the input.
func (r *Rule) Eval(input, context any) (bool, error) {
	return false, errors.New("not implemented")
}
