package asl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// SendTaskSuccess completes the task of a task token with the task's output. It returns
// ErrInvalidToken for an unknown token and ErrTaskTimedOut when the token
// was already completed, timed out, or its execution is no longer running.
// The result is recorded in the store; when no live process drives the
// execution, this runner resumes it.
func (r *Runner) SendTaskSuccess(ctx context.Context, token string, output json.RawMessage) error {
	if !json.Valid(output) {
		return errors.New("sending task success: the output is not valid JSON")
	}
	if len(output) > maxPayloadBytes {
		return fmt.Errorf("sending task success: the output is %d bytes, more than the %d-byte limit", len(output), maxPayloadBytes)
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, output)
	return r.answer(ctx, token, taskOutcome{OK: true, Output: compact.Bytes()})
}

// SendTaskFailure fails the task of a task token with an error name and cause. Its
// errors are those of SendTaskSuccess.
func (r *Runner) SendTaskFailure(ctx context.Context, token, errorName, cause string) error {
	if errorName == "" {
		errorName = ErrorTaskFailed
	}
	return r.answer(ctx, token, taskOutcome{Error: errorName, Cause: cause})
}

// SendTaskHeartbeat records a heartbeat for a task token, which restarts
// the task's HeartbeatSeconds. Its errors are those of SendTaskSuccess.
func (r *Runner) SendTaskHeartbeat(ctx context.Context, token string) error {
	name, akey, err := r.openToken(ctx, token)
	if err != nil {
		return err
	}
	now := r.clock.Now()
	if _, err := r.store.Record(ctx, name, heartbeatKey(akey, now), encodeTime(now)); err != nil {
		return fmt.Errorf("recording heartbeat of execution %s: %w", name, err)
	}
	r.deliver(ctx, name)
	return nil
}

// openToken resolves a token to its execution and attempt key, and checks
// that the task still waits for its result.
func (r *Runner) openToken(ctx context.Context, token string) (string, string, error) {
	name, akey, err := r.store.LookupTaskToken(ctx, token)
	if err != nil {
		if errors.Is(err, ErrInvalidToken) {
			return "", "", ErrInvalidToken
		}
		return "", "", fmt.Errorf("looking up task token: %w", err)
	}
	e, err := r.store.GetExecution(ctx, name)
	if err != nil {
		return "", "", fmt.Errorf("completing task token of execution %s: %w", name, err)
	}
	if e.Status != StatusRunning {
		return "", "", fmt.Errorf("answering task token of execution %s (status %s): %w", name, e.Status, ErrTaskTimedOut)
	}
	journal, err := r.store.Journal(ctx, name)
	if err != nil {
		return "", "", fmt.Errorf("reading journal of execution %s: %w", name, err)
	}
	if _, done := journal[akey+".result"]; done {
		return "", "", fmt.Errorf("completing task token of execution %s: %w", name, ErrTaskTimedOut)
	}
	if _, done := journal[outcomeKey]; done {
		return "", "", fmt.Errorf("completing task token of execution %s: %w", name, ErrTaskTimedOut)
	}
	return name, akey, nil
}

func (r *Runner) answer(ctx context.Context, token string, o taskOutcome) error {
	name, akey, err := r.openToken(ctx, token)
	if err != nil {
		return err
	}
	o.Nonce = newTaskToken()[:16]
	raw, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("encoding task result of execution %s: %w", name, err)
	}
	stored, err := r.store.Record(ctx, name, akey+".result", raw)
	if err != nil {
		return fmt.Errorf("recording task result of execution %s: %w", name, err)
	}
	if !bytes.Equal(stored, raw) {
		return fmt.Errorf("completing task token of execution %s: %w", name, ErrTaskTimedOut)
	}
	r.deliver(ctx, name)
	return nil
}

// deliver makes the execution see a new journal entry: at once when this
// runner drives it, by resuming it when no live process does, and otherwise
// through the owner's polling.
func (r *Runner) deliver(ctx context.Context, name string) {
	if x := r.local(name); x != nil {
		if err := x.refresh(ctx); err != nil {
			r.log.Error("reading journal after task result", "execution", name, "error", err)
		}
		return
	}
	if err := r.Resume(ctx, name); err != nil && !errors.Is(err, ErrLeaseHeld) {
		r.log.Error("resuming execution after task result", "execution", name, "error", err)
	}
}

// Resume claims a RUNNING execution and replays it from its journal. It
// does nothing when this runner already drives it.
func (r *Runner) Resume(ctx context.Context, name string) error {
	if r.local(name) != nil {
		return nil
	}
	e, err := r.store.GetExecution(ctx, name)
	if err != nil {
		return fmt.Errorf("resuming execution %s: %w", name, err)
	}
	if e.Status != StatusRunning {
		return fmt.Errorf("resuming execution %s (status %s): %w", name, e.Status, ErrNotRunning)
	}
	def, err := r.parse(e.Definition)
	if err != nil {
		return fmt.Errorf("resuming execution %s: %w", name, err)
	}

	// An outcome recorded by a process that stopped before storing it
	// (for example StopExecution) only needs storing.
	journal, err := r.store.Journal(ctx, name)
	if err != nil {
		return fmt.Errorf("reading journal of execution %s: %w", name, err)
	}
	if raw, ok := journal[outcomeKey]; ok {
		var o executionOutcome
		if err := json.Unmarshal(raw, &o); err != nil {
			return fmt.Errorf("decoding outcome of execution %s: %w", name, err)
		}
		return r.store.UpdateExecution(ctx, applyOutcome(e, o))
	}

	if err := r.launch(ctx, e, def); err != nil {
		return fmt.Errorf("resuming execution %s: %w", name, err)
	}
	return nil
}

// ResumeAll resumes every RUNNING execution whose lease is free. It returns
// the first error other than a held lease, after trying all executions.
func (r *Runner) ResumeAll(ctx context.Context) error {
	executions, err := r.store.ListExecutions(ctx, StatusRunning)
	if err != nil {
		return fmt.Errorf("listing running executions: %w", err)
	}
	var first error
	for _, e := range executions {
		if err := r.Resume(ctx, e.Name); err != nil && !errors.Is(err, ErrLeaseHeld) && first == nil {
			first = err
		}
	}
	return first
}

// StopExecution aborts a RUNNING execution with an error name and cause.
func (r *Runner) StopExecution(ctx context.Context, name, errorName, cause string) error {
	e, err := r.store.GetExecution(ctx, name)
	if err != nil {
		return fmt.Errorf("stopping execution %s: %w", name, err)
	}
	if e.Status != StatusRunning {
		return fmt.Errorf("stopping execution %s (status %s): %w", name, e.Status, ErrNotRunning)
	}

	o := executionOutcome{Status: StatusAborted, Error: errorName, Cause: cause, StopDate: r.clock.Now().UTC()}
	raw, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("encoding outcome of execution %s: %w", name, err)
	}
	stored, err := r.store.Record(ctx, name, outcomeKey, raw)
	if err != nil {
		return fmt.Errorf("stopping execution %s: %w", name, err)
	}
	if !bytes.Equal(stored, raw) {
		return fmt.Errorf("stopping execution %s: %w", name, ErrNotRunning)
	}

	if x := r.local(name); x != nil {
		if err := x.refresh(ctx); err != nil {
			return err
		}
		x.cancel(errors.New("execution stopped"))
		<-x.done
		return nil
	}
	return r.store.UpdateExecution(ctx, applyOutcome(e, o))
}

// History returns the events this runner recorded for an execution, with
// AWS event type names. A replayed execution's history starts again at the
// replay, including the events of the replayed states.
func (r *Runner) History(name string) []HistoryEvent {
	if x := r.local(name); x != nil {
		return x.historyCopy()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]HistoryEvent(nil), r.histories[name]...)
}

// Close stops the runner's goroutines and releases its leases. Executions
// it drove stay RUNNING in the store, to be resumed by another runner.
func (r *Runner) Close() error {
	r.cancel(errClosed)
	r.wg.Wait()
	return nil
}

// Run runs one execution in memory to its end and returns it with its
// history. A ".waitForTaskToken" task without a timeout blocks until ctx
// ends, because nothing else can answer its token.
func Run(ctx context.Context, definition []byte, input json.RawMessage, tasks Tasks) (Execution, []HistoryEvent, error) {
	r := NewRunner(NewMemoryStore(), tasks)
	defer r.Close()

	e, err := r.Start(ctx, StartInput{StateMachine: "StateMachine", Name: "run", Definition: definition, Input: input})
	if err != nil {
		return e, nil, err
	}
	e, err = r.Wait(ctx, e.Name)
	return e, r.History(e.Name), err
}
