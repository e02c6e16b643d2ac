package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/moderato/moderato/internal/asl/expr"
)

// TaskRequest is one call of a Task state.
type TaskRequest struct {
	Execution string // execution name
	State     string // state name
	Resource  string
	Input     any    // effective input after InputPath and Parameters
	TaskToken string // set when Resource ends in ".waitForTaskToken"
	Attempt   int    // 0 for the first try
}

// Tasks runs the work of Task states. A returned *Failure fails the task
// with its name; any other error fails it with States.TaskFailed. For a
// ".waitForTaskToken" resource the result is ignored: the task ends when
// its token gets a result.
type Tasks interface {
	RunTask(ctx context.Context, req TaskRequest) (any, error)
}

const waitForTaskTokenSuffix = ".waitForTaskToken"

// TaskTokenKey returns the journal key under which an execution records
// the task token of a task attempt, given the attempt key that
// Store.PutTaskToken receives. A store can read a token back from there,
// so it need not keep the token anywhere else.
func TaskTokenKey(attemptKey string) string {
	return attemptKey + ".token"
}

func (x *run) runTask(ctx context.Context, v *visit, akey string, attempt int) (any, error) {
	st := v.st
	waitToken := strings.HasSuffix(st.resource, waitForTaskTokenSuffix)

	token := ""
	if waitToken {
		b, err := x.record(TaskTokenKey(akey), []byte(newTaskToken()))
		if err != nil {
			return nil, err
		}
		token = string(b)
		if err := x.r.store.PutTaskToken(context.WithoutCancel(ctx), token, x.exec.Name, akey); err != nil {
			return nil, fmt.Errorf("storing task token of execution %s state %s: %w", x.exec.Name, st.name, err)
		}
	}

	ctxObj := x.context(v, attempt, token, nil)
	in, err := x.effectiveInput(v, ctxObj)
	if err != nil {
		return nil, err
	}
	timeout, err := x.secondsField(v, st.timeoutSeconds, st.timeoutSecondsPath, "TimeoutSecondsPath", ctxObj)
	if err != nil {
		return nil, err
	}
	heartbeat, err := x.secondsField(v, st.heartbeatSeconds, st.heartbeatSecondsPath, "HeartbeatSecondsPath", ctxObj)
	if err != nil {
		return nil, err
	}

	started, err := x.recordTime(akey+".started", x.r.clock.Now())
	if err != nil {
		return nil, err
	}
	x.event("TaskScheduled", st.name, nil)
	x.event("TaskStarted", st.name, nil)

	req := TaskRequest{Execution: x.exec.Name, State: st.name, Resource: st.resource, Input: in, TaskToken: token, Attempt: attempt}
	outcome, err := x.taskOutcome(ctx, req, akey, started, timeout, heartbeat)
	if err != nil {
		return nil, err
	}

	if !outcome.OK {
		f := &Failure{Name: outcome.Error, Cause: outcome.Cause}
		typ := "TaskFailed"
		if f.Name == ErrorTimeout || f.Name == ErrorHeartbeatTimeout {
			typ = "TaskTimedOut"
		}
		x.event(typ, st.name, f)
		return nil, f
	}
	result, err := decodeValue(outcome.Output)
	if err != nil {
		return nil, &Failure{Name: ErrorRuntime, Cause: fmt.Sprintf("decoding the result of state '%s': %v", st.name, err)}
	}
	x.event("TaskSucceeded", st.name, nil)
	if err := checkSize(st.name, result); err != nil {
		return nil, err
	}
	return x.applyOutput(v, ctxObj, result)
}

// taskOutcome returns the recorded outcome of a task attempt, or runs the
// task and records it.
func (x *run) taskOutcome(ctx context.Context, req TaskRequest, akey string, started time.Time, timeout, heartbeat time.Duration) (taskOutcome, error) {
	resultKey := akey + ".result"
	if raw, ok := x.lookup(resultKey); ok {
		return decodeOutcome(raw)
	}

	if req.TaskToken == "" {
		o, err := x.callTask(ctx, req, started, timeout)
		if err != nil {
			return taskOutcome{}, err
		}
		return x.recordOutcome(resultKey, o)
	}

	if _, ok := x.lookup(akey + ".invoked"); !ok {
		o, err := x.callTask(ctx, req, started, timeout)
		if err != nil {
			return taskOutcome{}, err
		}
		if !o.OK {
			return x.recordOutcome(resultKey, o)
		}
		if _, err := x.record(akey+".invoked", []byte("true")); err != nil {
			return taskOutcome{}, err
		}
	}
	x.event("TaskSubmitted", req.State, nil)
	return x.awaitToken(ctx, akey, started, timeout, heartbeat)
}

func (x *run) recordOutcome(key string, o taskOutcome) (taskOutcome, error) {
	raw, err := json.Marshal(o)
	if err != nil {
		return taskOutcome{}, fmt.Errorf("encoding task outcome: %w", err)
	}
	stored, err := x.record(key, raw)
	if err != nil {
		return taskOutcome{}, err
	}
	return decodeOutcome(stored)
}

func decodeOutcome(raw []byte) (taskOutcome, error) {
	var o taskOutcome
	if err := json.Unmarshal(raw, &o); err != nil {
		return o, fmt.Errorf("decoding recorded task outcome: %w", err)
	}
	return o, nil
}

// callTask calls the Tasks implementation, bounded by the task timeout on
// the execution clock. It returns an error only when ctx ends.
func (x *run) callTask(ctx context.Context, req TaskRequest, started time.Time, timeout time.Duration) (taskOutcome, error) {
	callCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	done := make(chan taskOutcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				// The panic value may carry item data, so only the cause
				// of the failed task contains it.
				x.r.log.Error("task panicked", "execution", req.Execution, "state", req.State)
				done <- taskOutcome{Error: ErrorTaskFailed, Cause: fmt.Sprintf("the task handler of state '%s' panicked: %v", req.State, p)}
			}
		}()
		out, err := x.r.tasks.RunTask(callCtx, req)
		done <- newTaskOutcome(out, err)
	}()

	var expired <-chan time.Time
	if timeout > 0 {
		expired = x.r.clock.After(started.Add(timeout).Sub(x.r.clock.Now()))
	}
	select {
	case o := <-done:
		return o, nil
	case <-expired:
		return timeoutOutcome(ErrorTimeout), nil
	case <-ctx.Done():
		return taskOutcome{}, context.Cause(ctx)
	}
}

func newTaskOutcome(out any, err error) taskOutcome {
	if err != nil {
		var f *Failure
		if errors.As(err, &f) {
			return taskOutcome{Error: f.Name, Cause: f.Cause}
		}
		return taskOutcome{Error: ErrorTaskFailed, Cause: err.Error()}
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return taskOutcome{Error: ErrorTaskFailed, Cause: fmt.Sprintf("encoding the task result as JSON: %v", err)}
	}
	return taskOutcome{OK: true, Output: raw}
}

func timeoutOutcome(name string) taskOutcome {
	cause := "The task did not complete within its TimeoutSeconds."
	if name == ErrorHeartbeatTimeout {
		cause = "The task sent no heartbeat within its HeartbeatSeconds."
	}
	return taskOutcome{Error: name, Cause: cause}
}

// awaitToken waits until the task token gets a result, here or by another
// process, or until the task times out. First write wins: a result and a
// timeout race through Record, and both sides use the value stored.
func (x *run) awaitToken(ctx context.Context, akey string, started time.Time, timeout, heartbeat time.Duration) (taskOutcome, error) {
	resultKey := akey + ".result"
	x.addWaiting(1)
	defer x.addWaiting(-1)
	for {
		changed := x.changes()
		if raw, ok := x.lookup(resultKey); ok {
			return decodeOutcome(raw)
		}

		var deadline time.Time
		name := ""
		if timeout > 0 {
			deadline, name = started.Add(timeout), ErrorTimeout
		}
		if heartbeat > 0 {
			hb := x.lastHeartbeat(akey, started).Add(heartbeat)
			if deadline.IsZero() || hb.Before(deadline) {
				deadline, name = hb, ErrorHeartbeatTimeout
			}
		}
		now := x.r.clock.Now()
		if !deadline.IsZero() && !now.Before(deadline) {
			if _, err := x.recordOutcome(resultKey, timeoutOutcome(name)); err != nil {
				return taskOutcome{}, err
			}
			continue
		}

		var expired <-chan time.Time
		if !deadline.IsZero() {
			expired = x.r.clock.After(deadline.Sub(now))
		}
		select {
		case <-changed:
		case <-expired:
		case <-ctx.Done():
			return taskOutcome{}, context.Cause(ctx)
		}
	}
}

// lastHeartbeat returns the time of the latest heartbeat recorded for a
// task attempt, or started when there is none.
func (x *run) lastHeartbeat(akey string, started time.Time) time.Time {
	prefix := akey + ".hb."
	latest := started
	x.mu.Lock()
	defer x.mu.Unlock()
	for k, v := range x.journal {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if t, err := decodeTime(v); err == nil && t.After(latest) {
			latest = t
		}
	}
	return latest
}

func heartbeatKey(akey string, t time.Time) string {
	return akey + ".hb." + strconv.FormatInt(t.UnixNano(), 10)
}

// secondsField returns TimeoutSeconds or HeartbeatSeconds, reading the Path
// variant from the state input when it is set.
func (x *run) secondsField(v *visit, seconds int, path, field string, ctxObj *expr.Scope) (time.Duration, error) {
	if v.st.jsonata {
		n, ok, err := x.jsonataNumberField(v, ctxObj, strings.TrimSuffix(field, "Path"), true, math.MaxInt32)
		if err != nil {
			return 0, err
		}
		if ok {
			return time.Duration(n) * time.Second, nil
		}
	}
	if path == "" {
		return time.Duration(seconds) * time.Second, nil
	}
	val, err := expr.Query(path, v.input, ctxObj)
	if err != nil {
		return 0, failure(v, err)
	}
	n, ok := integerValue(val)
	if !ok || n <= 0 {
		return 0, runtimeFailure(v, ErrorRuntime, fmt.Sprintf("The %s field refers to value \"%s\" which is not a positive integer: %s", field, plainValue(val), path))
	}
	return time.Duration(n) * time.Second, nil
}
