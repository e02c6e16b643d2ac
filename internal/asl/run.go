package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// errClosed cancels a run when its Runner closes; the execution stays
// RUNNING in the store.
var errClosed = errors.New("runner closed")

// run is one execution being driven by this process.
type run struct {
	r      *Runner
	exec   Execution
	def    *Definition
	input  any
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{}

	mu      sync.Mutex
	journal map[string][]byte
	history []HistoryEvent
	active  int // paths executing states
	waiting int // paths blocked on a task token
	changed chan struct{}
}

// notifyLocked wakes the goroutines waiting for a change. The channel is
// made only when someone waits, because most changes have no waiter.
func (x *run) notifyLocked() {
	if x.changed != nil {
		close(x.changed)
		x.changed = nil
	}
}

// changes returns a channel closed at the next change of the journal, the
// history or the path counters.
func (x *run) changes() <-chan struct{} {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.changed == nil {
		x.changed = make(chan struct{})
	}
	return x.changed
}

func (x *run) addActive(n int) {
	x.mu.Lock()
	x.active += n
	x.notifyLocked()
	x.mu.Unlock()
}

func (x *run) addWaiting(n int) {
	x.mu.Lock()
	x.waiting += n
	x.notifyLocked()
	x.mu.Unlock()
}

// settled reports whether every running path waits on a task token.
func (x *run) settled() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.active > 0 && x.active == x.waiting
}

func (x *run) lookup(key string) ([]byte, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	v, ok := x.journal[key]
	return v, ok
}

func (x *run) hasPrefix(prefix string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	for k := range x.journal {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// record stores value under key unless the journal has the key, and returns
// the value stored.
func (x *run) record(key string, value []byte) ([]byte, error) {
	if v, ok := x.lookup(key); ok {
		return v, nil
	}
	stored, err := x.r.store.Record(context.WithoutCancel(x.ctx), x.exec.Name, key, value)
	if err != nil {
		return nil, fmt.Errorf("recording %s of execution %s: %w", key, x.exec.Name, err)
	}
	x.mu.Lock()
	x.journal[key] = stored
	x.notifyLocked()
	x.mu.Unlock()
	return stored, nil
}

// recordTime records a time, returning the one recorded first.
func (x *run) recordTime(key string, t time.Time) (time.Time, error) {
	b, err := x.record(key, encodeTime(t))
	if err != nil {
		return time.Time{}, err
	}
	return decodeTime(b)
}

// refresh reloads the journal from the store, to see task results and
// stops written by other processes.
func (x *run) refresh(ctx context.Context) error {
	j, err := x.r.store.Journal(ctx, x.exec.Name)
	if err != nil {
		return fmt.Errorf("reading journal of execution %s: %w", x.exec.Name, err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	changed := false
	for k, v := range j {
		if _, ok := x.journal[k]; !ok {
			x.journal[k] = v
			changed = true
		}
	}
	if changed {
		x.notifyLocked()
	}
	return nil
}

// event appends a history event and returns its id.
func (x *run) event(typ, stateName string, f *Failure) int {
	x.mu.Lock()
	defer x.mu.Unlock()
	ev := HistoryEvent{ID: len(x.history) + 1, Type: typ, Timestamp: x.r.clock.Now(), State: stateName}
	if f != nil {
		ev.Error, ev.Cause = f.Name, f.Cause
	}
	x.history = append(x.history, ev)
	x.notifyLocked()
	return ev.ID
}

// maxHistoryEvents is Step Functions' limit on the history of a Standard
// execution; it also stops a definition that loops forever.
const maxHistoryEvents = 25000

func (x *run) historyLen() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.history)
}

func (x *run) historyCopy() []HistoryEvent {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]HistoryEvent(nil), x.history...)
}

// sleepUntil waits on the execution clock until t, or until ctx ends.
func (x *run) sleepUntil(ctx context.Context, t time.Time) error {
	d := t.Sub(x.r.clock.Now())
	if d <= 0 {
		return nil
	}
	select {
	case <-x.r.clock.After(d):
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// execute drives the execution to its end, or until the run is canceled.
func (x *run) execute() {
	defer close(x.done)
	defer x.r.forget(x)

	x.event("ExecutionStarted", "", nil)
	if x.def.timeoutSeconds > 0 {
		go x.watchTimeout()
	}

	x.addActive(1)
	output, err := x.runMachine(x.ctx, x.def.root, "", newVarScope(nil), x.input)
	x.addActive(-1)

	var outcome executionOutcome
	var f *Failure
	switch {
	case err == nil:
		raw, _ := json.Marshal(output)
		outcome = executionOutcome{Status: StatusSucceeded, Output: raw, StopDate: x.r.clock.Now()}
	case errors.As(err, &f):
		outcome = executionOutcome{Status: StatusFailed, Error: f.Name, Cause: f.Cause, StopDate: x.r.clock.Now()}
	default:
		// Canceled: by a stop or timeout (their outcome is in the journal),
		// or by Close (no outcome; the execution stays RUNNING).
		_ = x.refresh(context.WithoutCancel(x.ctx))
		if _, ok := x.lookup(outcomeKey); !ok {
			if !errors.Is(context.Cause(x.ctx), errClosed) {
				x.r.log.Error("execution interrupted", "execution", x.exec.Name, "error", err)
			}
			return
		}
	}

	if err := x.r.finish(context.WithoutCancel(x.ctx), x, outcome); err != nil {
		x.r.log.Error("finishing execution", "execution", x.exec.Name, "error", err)
	}
}

func (x *run) watchTimeout() {
	deadline := x.exec.StartDate.Add(time.Duration(x.def.timeoutSeconds) * time.Second)
	if err := x.sleepUntil(x.ctx, deadline); err != nil {
		return
	}
	outcome := executionOutcome{
		Status:   StatusTimedOut,
		Error:    ErrorTimeout,
		Cause:    "The execution ran longer than the state machine's TimeoutSeconds.",
		StopDate: x.r.clock.Now(),
	}
	raw, _ := json.Marshal(outcome)
	if _, err := x.record(outcomeKey, raw); err != nil {
		x.r.log.Error("recording execution timeout", "execution", x.exec.Name, "error", err)
		return
	}
	x.cancel(errors.New("execution timed out"))
}
