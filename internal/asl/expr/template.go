package expr

import (
	"fmt"
	"strings"
)

// maxTemplateDepth bounds how deeply a payload template may nest.
const maxTemplateDepth = 512

// EvalTemplate evaluates a payload template (Parameters, ResultSelector,
// ItemSelector): keys ending in ".$" take a path or an intrinsic function.
// Such a key loses its ".$" in the result. Every other key and every array
// element is copied, with nested objects evaluated the same way. A path
// that selects nothing fails with States.Runtime.
func EvalTemplate(template any, input, context any) (any, error) {
	return evalTemplate(template, input, context, 0)
}

func evalTemplate(template, input, context any, depth int) (any, error) {
	if depth > maxTemplateDepth {
		return nil, runtimeError(fmt.Sprintf("payload template nested deeper than %d levels", maxTemplateDepth))
	}

	switch t := template.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for _, key := range sortedKeys(t) {
			value := t[key]
			if name, ok := strings.CutSuffix(key, ".$"); ok {
				v, err := evalDynamicField(key, value, input, context)
				if err != nil {
					return nil, err
				}
				out[name] = v
				continue
			}
			v, err := evalTemplate(value, input, context, depth+1)
			if err != nil {
				return nil, err
			}
			out[key] = v
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			v, err := evalTemplate(e, input, context, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}

	return template, nil
}

// evalDynamicField evaluates the value of one "key.$" field: a path on the
// input, a path on the context object, or an intrinsic function call.
func evalDynamicField(field string, value, input, context any) (any, error) {
	text, ok := value.(string)
	if !ok {
		return nil, runtimeError(fmt.Sprintf("The value for the field '%s' must be a STRING that contains a JSONPath or an intrinsic function, but was %s", field, jsonTypeName(value)))
	}

	if IsIntrinsic(text) {
		call, err := ParseIntrinsic(text)
		if err != nil {
			return nil, &Error{Name: ErrorIntrinsicFailure, Cause: fmt.Sprintf("The field '%s': %v", field, err)}
		}
		return call.Eval(input, context, field)
	}

	path, err := ParsePath(text)
	if err != nil {
		return nil, runtimeError(fmt.Sprintf("The field '%s' is not a JSONPath or an intrinsic function: %v", field, err))
	}
	v, ok := path.Lookup(input, context)
	if !ok && path.Definite() {
		return nil, missingPathError(text, field)
	}

	return v, nil
}

// jsonTypeName names the JSON type of v in the upper case that AWS uses in
// its messages.
func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NULL"
	case string:
		return "STRING"
	case bool:
		return "BOOLEAN"
	case map[string]any:
		return "OBJECT"
	case []any:
		return "ARRAY"
	}
	if _, ok := asNumber(v); ok {
		return "NUMBER"
	}

	return fmt.Sprintf("%T", v)
}
