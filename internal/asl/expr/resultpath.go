package expr

import (
	"fmt"
	"maps"
	"slices"
)

// ApplyResultPath merges result into input at the reference path. A nil
// path means "$", so the result replaces the input. A path that is the JSON
// null (isNull) discards the result and keeps the input. Missing objects on
// the way are created, and a step through any other value fails with
// States.ResultPathMatchFailure. The input itself is not modified, because
// the objects and arrays along the path are copied.
func ApplyResultPath(path *string, isNull bool, input, result any) (any, error) {
	if isNull {
		return input, nil
	}
	if path == nil {
		return result, nil
	}

	p, err := ParseReferencePath(*path)
	if err != nil {
		return nil, runtimeError(err.Error())
	}
	if p.context {
		return nil, runtimeError(fmt.Sprintf("invalid ResultPath '%s': a ResultPath cannot write to the context object", *path))
	}
	if p.variable != "" {
		return nil, runtimeError(fmt.Sprintf("invalid ResultPath '%s': a ResultPath cannot write to a variable, use Assign", *path))
	}

	out, ok := setAt(p.steps, input, result)
	if !ok {
		// NOTE: AWS is believed to word this cause as "Unable to apply
		// ReferencePath <path> to input <input JSON>", which no recorded
		// execution confirms. The input is left out because it may carry
		// personal data.
		return nil, &Error{
			Name:  ErrorResultPathMatchFailure,
			Cause: fmt.Sprintf("Unable to apply ReferencePath %s to input", *path),
		}
	}

	return out, nil
}

// setAt returns a copy of v with value stored at steps, copying only the
// objects and arrays on the way.
func setAt(steps []step, v, value any) (any, bool) {
	if len(steps) == 0 {
		return value, true
	}

	s := steps[0]
	switch s.kind {
	case stepName:
		// Only a member that does not exist yet becomes a new object; an
		// existing null, string, number, boolean or array stops the path.
		current, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		obj := maps.Clone(current)
		child, exists := obj[s.name]
		if !exists && len(steps) > 1 {
			child = map[string]any{}
		}
		newChild, ok := setAt(steps[1:], child, value)
		if !ok {
			return nil, false
		}
		obj[s.name] = newChild
		return obj, true
	case stepIndex:
		arr, ok := v.([]any)
		if !ok {
			return nil, false
		}
		i, ok := s.arrayIndex(len(arr))
		if !ok {
			return nil, false
		}
		arr = slices.Clone(arr)
		newChild, ok := setAt(steps[1:], arr[i], value)
		if !ok {
			return nil, false
		}
		arr[i] = newChild
		return arr, true
	}

	return nil, false
}
