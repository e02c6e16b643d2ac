// Package expr evaluates the expressions of the Amazon States Language:
// for JSONPath states, paths (on the input, the context object or a
// variable), reference paths, payload templates, intrinsic functions and
// Choice rules; for JSONata states, "{% %}" expressions (see EvalJSONata).
//
// Values are JSON values as encoding/json decodes them with UseNumber:
// map[string]any, []any, string, json.Number, bool and nil. Functions in
// this package never modify the values they receive, but their results may
// share nested values with their arguments, so callers must not modify a
// result in place either.
package expr

// Error names that the States Language defines and that this package
// returns in Error.Name.
const (
	ErrorRuntime                = "States.Runtime"
	ErrorIntrinsicFailure       = "States.IntrinsicFailure"
	ErrorResultPathMatchFailure = "States.ResultPathMatchFailure"
)

// Error is an evaluation error with the States Language error name that a
// Catch or Retry matches, for example States.Runtime.
type Error struct {
	Name  string
	Cause string
}

// Error returns the error name and the cause, separated by a colon.
func (e *Error) Error() string { return e.Name + ": " + e.Cause }

func runtimeError(cause string) *Error {
	return &Error{Name: ErrorRuntime, Cause: cause}
}

// Variables holds the workflow variables that Assign fields set, which
// paths read as $name.
type Variables interface {
	// Variable returns the value of a variable and whether it is defined.
	Variable(name string) (any, bool)
}

// Scope is what an expression reads besides the state input: the context
// object ($$) and the variables ($name). Every function of this package
// that takes a context argument accepts either the context object itself
// or a *Scope.
type Scope struct {
	Context   any
	Variables Variables
	// ContextFunc, when set and Context is nil, builds the context object
	// the first time an expression reads it. Most states never read $$,
	// so building it lazily saves its allocations.
	ContextFunc func() any
}

// ContextObject returns the context object, building it when needed.
func (s *Scope) ContextObject() any {
	if s.Context == nil && s.ContextFunc != nil {
		s.Context = s.ContextFunc()
		s.ContextFunc = nil
	}
	return s.Context
}

func splitContext(context any) (any, Variables) {
	if s, ok := context.(*Scope); ok {
		return s.ContextObject(), s.Variables
	}
	return context, nil
}

// Query evaluates a path against the state input ($) or the context object
// ($$). A definite path (one that names a single node) returns that node's
// value and fails with States.Runtime when the node does not exist. A path
// with wildcards, slices, unions, filters or recursive descent returns an
// []any of every match, which may be empty.
func Query(path string, input, context any) (any, error) {
	p, err := ParsePath(path)
	if err != nil {
		return nil, runtimeError(err.Error())
	}

	return p.Query(input, context)
}

// ApplyPath applies an InputPath or OutputPath: a nil path means "$", and a
// path that is the JSON null (isNull) yields an empty object.
func ApplyPath(path *string, isNull bool, input, context any) (any, error) {
	if isNull {
		return map[string]any{}, nil
	}
	if path == nil {
		return input, nil
	}

	return Query(*path, input, context)
}
