package pipeline

import (
	"errors"
	"fmt"
)

// The state machine matches these errors by their Go type names in Retry
// and Catch (the Lambda runtime reports the type name as the error type),
// so renaming a type breaks the state machine.

// UnsupportedContentError means the content cannot be analysed by this
// pipeline: its outcome is recorded as unsupported, with Reason.
type UnsupportedContentError struct {
	Reason string
}

func (e *UnsupportedContentError) Error() string { return "unsupported content: " + e.Reason }

// InvalidContentError means the content claims a format but is damaged, for
// example a truncated image. Its outcome is recorded as unsupported, with
// Reason, because no retry can read it. The failed verdict is kept for
// items that the pipeline itself could not finish.
type InvalidContentError struct {
	Reason string
}

func (e *InvalidContentError) Error() string { return "invalid content: " + e.Reason }

// ObjectNotFoundError means the object version disappeared before it was
// processed.
type ObjectNotFoundError struct {
	Location string
}

func (e *ObjectNotFoundError) Error() string {
	return fmt.Sprintf("object %s no longer exists", e.Location)
}

// TransientError wraps a failure that a retry may fix, such as a timeout of a
// dependency. The state machine retries it with backoff.
type TransientError struct {
	Err error
}

func (e *TransientError) Error() string { return "transient: " + e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *TransientError) Unwrap() error { return e.Err }

// ErrEngineUnavailable matches errors of engines that cannot analyse content
// in this environment, for example because no model is installed. The task
// then reports the content as unscored instead of inventing a score.
var ErrEngineUnavailable = errors.New("engine unavailable")

// EngineUnavailableError is the error an engine returns when it cannot
// analyse content here. Reason is shown to moderators, so it names what is
// missing ("no OCR engine is installed"). It matches ErrEngineUnavailable.
type EngineUnavailableError struct {
	Reason string
}

func (e *EngineUnavailableError) Error() string { return e.Reason }

// Is reports whether target is ErrEngineUnavailable.
func (e *EngineUnavailableError) Is(target error) bool { return target == ErrEngineUnavailable }
