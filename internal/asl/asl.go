// Package asl runs Amazon States Language state machines in process, the way
// AWS Step Functions runs a Standard workflow.
//
// A Runner executes definitions parsed by Parse. Task states call Go code
// through the Tasks interface. Every nondeterministic event of an execution
// (task results, task tokens, deadlines, entered times) is recorded in a
// journal kept by a Store, so an execution paused on a task token survives a
// restart: running it again replays the journal instead of calling the tasks
// again. States may use either query language, JSONPath or JSONata, and
// assign workflow variables. The expression layer (paths, templates,
// Choice rules, JSONata) is package expr. Validate lists every problem of
// a definition for people who edit one.
package asl

import (
	"encoding/json"
	"errors"
	"time"
)

// Errors returned by a Runner and a Store. They match the AWS Step Functions
// API error names.
var (
	ErrExecutionAlreadyExists = errors.New("asl: execution already exists")
	ErrExecutionDoesNotExist  = errors.New("asl: execution does not exist")
	ErrInvalidToken           = errors.New("asl: invalid task token")
	ErrTaskTimedOut           = errors.New("asl: task timed out or already completed")
	ErrNotRunning             = errors.New("asl: execution is not running")
	// ErrLeaseHeld means another runner, in this process or another one,
	// drives the execution now.
	ErrLeaseHeld = errors.New("asl: another process holds the execution's lease")
)

// States Language error names.
const (
	ErrorALL                    = "States.ALL"
	ErrorTaskFailed             = "States.TaskFailed"
	ErrorTimeout                = "States.Timeout"
	ErrorHeartbeatTimeout       = "States.HeartbeatTimeout"
	ErrorRuntime                = "States.Runtime"
	ErrorPermissions            = "States.Permissions"
	ErrorResultPathMatchFailure = "States.ResultPathMatchFailure"
	ErrorParameterPathFailure   = "States.ParameterPathFailure"
	ErrorBranchFailed           = "States.BranchFailed"
	ErrorNoChoiceMatched        = "States.NoChoiceMatched"
	ErrorIntrinsicFailure       = "States.IntrinsicFailure"
	ErrorExceedToleratedFailure = "States.ExceedToleratedFailureThreshold"
	ErrorDataLimitExceeded      = "States.DataLimitExceeded"
	errorLambdaResourceNotFound = "Lambda.ResourceNotFoundException"
	maxPayloadBytes             = 256 * 1024
	executionARNPrefix          = "arn:aws:states:local:000000000000:execution:"
	stateMachineARNPrefix       = "arn:aws:states:local:000000000000:stateMachine:"
	roleARN                     = "arn:aws:iam::000000000000:role/moderato-local"
	contextTimeLayout           = "2006-01-02T15:04:05.000Z"
)

// Failure is an error with a States Language error name. A task returns a
// Failure to fail with that name; any other error fails the task with
// States.TaskFailed. The name field is Name, not Error, because Go does not
// allow a field and a method with the same name.
type Failure struct {
	Name  string
	Cause string
}

// Error returns the error name and cause.
func (f *Failure) Error() string {
	if f.Cause == "" {
		return f.Name
	}
	return f.Name + ": " + f.Cause
}

// Status is the status of an execution.
type Status string

// Execution statuses, as AWS names them.
const (
	StatusRunning   Status = "RUNNING"
	StatusSucceeded Status = "SUCCEEDED"
	StatusFailed    Status = "FAILED"
	StatusTimedOut  Status = "TIMED_OUT"
	StatusAborted   Status = "ABORTED"
)

// Terminal reports whether the status is final.
func (s Status) Terminal() bool {
	return s != StatusRunning && s != ""
}

// Execution is the stored record of one execution of a state machine.
type Execution struct {
	Name         string
	StateMachine string
	Definition   []byte
	Input        json.RawMessage
	Output       json.RawMessage // set when Status is SUCCEEDED
	Status       Status
	Error        string // set when Status is FAILED, TIMED_OUT or ABORTED
	Cause        string
	StartDate    time.Time
	StopDate     time.Time // zero while RUNNING
}

// HistoryEvent is one event of an execution history.
type HistoryEvent struct {
	ID        int
	Type      string // AWS event type, for example TaskStateEntered
	Timestamp time.Time
	State     string // state name for state events
	Error     string
	Cause     string
}
