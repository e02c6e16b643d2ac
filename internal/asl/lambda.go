package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Function is a Lambda function handler, called with the JSON payload.
type Function func(ctx context.Context, payload json.RawMessage) (json.RawMessage, error)

// Functions maps Lambda function names to handlers and runs Task states the
// way the AWS Lambda integrations do. It handles the resources
// "arn:aws:states:::lambda:invoke" and its ".waitForTaskToken" variant
// (Parameters FunctionName and Payload), and a bare function ARN, whose
// result is the function's payload itself.
type Functions map[string]Function

const (
	lambdaInvokeResource = "arn:aws:states:::lambda:invoke"
	lambdaFunctionPrefix = "arn:aws:lambda:"
)

// RunTask implements Tasks.
func (fs Functions) RunTask(ctx context.Context, req TaskRequest) (any, error) {
	switch {
	case req.Resource == lambdaInvokeResource || req.Resource == lambdaInvokeResource+waitForTaskTokenSuffix:
		params, ok := req.Input.(map[string]any)
		if !ok {
			return nil, &Failure{Name: ErrorRuntime, Cause: fmt.Sprintf("the Parameters of state '%s' must be an object with FunctionName and Payload", req.State)}
		}
		ref, _ := params["FunctionName"].(string)
		if ref == "" {
			return nil, &Failure{Name: ErrorRuntime, Cause: fmt.Sprintf("the Parameters of state '%s' have no FunctionName", req.State)}
		}
		// NOTE: without a Payload field the function gets JSON null; AWS's
		// behaviour for that case was not checked.
		out, err := fs.invoke(ctx, ref, params["Payload"])
		if err != nil {
			return nil, err
		}
		return map[string]any{"ExecutedVersion": "$LATEST", "Payload": out, "StatusCode": json.Number("200")}, nil

	case strings.HasPrefix(req.Resource, lambdaFunctionPrefix):
		return fs.invoke(ctx, req.Resource, req.Input)

	default:
		return nil, &Failure{Name: ErrorRuntime, Cause: fmt.Sprintf("the resource of state '%s' is not a Lambda function or lambda:invoke: %s", req.State, req.Resource)}
	}
}

// functionName returns the name in a function ARN
// arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], or ref itself
// when it is a plain name.
func functionName(ref string) string {
	if !strings.HasPrefix(ref, lambdaFunctionPrefix) {
		return ref
	}
	parts := strings.Split(ref, ":")
	if len(parts) < 7 || parts[5] != "function" {
		return ref
	}
	return parts[6]
}

func (fs Functions) invoke(ctx context.Context, ref string, payload any) (result any, err error) {
	name := functionName(ref)
	fn, ok := fs[name]
	if !ok {
		return nil, &Failure{
			Name:  errorLambdaResourceNotFound,
			Cause: fmt.Sprintf("Function not found: %s", ref),
		}
	}

	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, &Failure{Name: ErrorRuntime, Cause: fmt.Sprintf("encoding the payload of function %s: %v", name, err)}
	}

	defer func() {
		if p := recover(); p != nil {
			result = nil
			err = lambdaFailure("Runtime.Panic", fmt.Sprintf("function %s panicked: %v", name, p))
		}
	}()
	out, ferr := fn(ctx, raw)
	if ferr != nil {
		var f *Failure
		if errors.As(ferr, &f) {
			return nil, lambdaFailure(f.Name, f.Cause)
		}
		return nil, lambdaFailure(errorType(ferr), ferr.Error())
	}

	if len(out) == 0 {
		return nil, nil
	}
	result, err = decodeValue(out)
	if err != nil {
		return nil, &Failure{Name: ErrorTaskFailed, Cause: fmt.Sprintf("function %s returned invalid JSON: %v", name, err)}
	}
	return result, nil
}

// errorType returns the error type the Lambda Go runtime reports: the name
// of the error's Go type, without package and pointer.
func errorType(err error) string {
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "" {
		return t.String()
	}
	return t.Name()
}

// lambdaFailure builds the failure that a function error becomes: the error
// type as the name and the runtime's JSON error document as the cause.
func lambdaFailure(errorType, message string) *Failure {
	cause, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{message, errorType})
	return &Failure{Name: errorType, Cause: string(cause)}
}
