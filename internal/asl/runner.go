package asl

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Runner runs executions and completes their task tokens. Several runners, in one
// process or several, may share a Store: a lease on each execution makes
// sure only one of them drives it at a time.
type Runner struct {
	store    Store
	tasks    Tasks
	clock    Clock
	owner    string
	log      *slog.Logger
	poll     time.Duration
	leaseTTL time.Duration

	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	runs      map[string]*run
	histories map[string][]HistoryEvent
	// definitions caches parsed definitions by their text, because
	// executions of one state machine share it and parsing costs more
	// than running a short execution.
	definitions map[string]*Definition
}

// maxCachedDefinitions bounds Runner.definitions.
const maxCachedDefinitions = 64

// parse returns the parsed definition, from the cache when possible. A
// Definition is never modified after Parse, so executions share it.
func (r *Runner) parse(definition []byte) (*Definition, error) {
	r.mu.Lock()
	def, ok := r.definitions[string(definition)]
	r.mu.Unlock()
	if ok {
		return def, nil
	}

	def, err := Parse(definition)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if len(r.definitions) >= maxCachedDefinitions {
		clear(r.definitions)
	}
	r.definitions[string(definition)] = def
	r.mu.Unlock()
	return def, nil
}

// Option configures a Runner.
type Option func(*Runner)

// WithClock sets the clock used for Wait states, timeouts, retry intervals
// and the context object.
func WithClock(c Clock) Option { return func(r *Runner) { r.clock = c } }

// WithOwner sets the name this runner claims leases under. The default is
// random, so that each process is a different owner.
func WithOwner(owner string) Option { return func(r *Runner) { r.owner = owner } }

// WithLogger sets the logger. The default discards logs.
func WithLogger(l *slog.Logger) Option { return func(r *Runner) { r.log = l } }

// WithPollInterval sets how often a runner reads the journals of the
// executions it drives, to see task results and stops written by
// other processes. The default is one second.
func WithPollInterval(d time.Duration) Option { return func(r *Runner) { r.poll = d } }

// WithLeaseDuration sets how long a lease on an execution lasts without
// renewal. A runner renews its leases at a third of it. The default is 30
// seconds.
func WithLeaseDuration(d time.Duration) Option { return func(r *Runner) { r.leaseTTL = d } }

// NewRunner returns a Runner that keeps executions in store and runs Task
// states with tasks.
func NewRunner(store Store, tasks Tasks, opts ...Option) *Runner {
	r := &Runner{
		store:       store,
		tasks:       tasks,
		clock:       realClock{},
		log:         slog.New(slog.NewJSONHandler(io.Discard, nil)),
		poll:        time.Second,
		leaseTTL:    30 * time.Second,
		runs:        map[string]*run{},
		histories:   map[string][]HistoryEvent{},
		definitions: map[string]*Definition{},
	}
	for _, opt := range opts {
		opt(r)
	}
	if r.owner == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		r.owner = "runner-" + hex.EncodeToString(b)
	}
	if r.poll <= 0 {
		r.poll = time.Second
	}
	if r.leaseTTL <= 0 {
		r.leaseTTL = 30 * time.Second
	}
	r.ctx, r.cancel = context.WithCancelCause(context.Background())
	r.wg.Add(1)
	go r.maintain()
	return r
}

// StartInput is the request of Runner.Start.
type StartInput struct {
	StateMachine string // state machine name, used in ARNs
	Name         string // execution name, unique in the store
	Definition   []byte
	Input        json.RawMessage // "{}" when empty
}

// Start stores a new execution and runs it in the background. When the name
// exists it returns the stored execution and ErrExecutionAlreadyExists.
func (r *Runner) Start(ctx context.Context, in StartInput) (Execution, error) {
	if in.Name == "" || len(in.Name) > 80 {
		return Execution{}, fmt.Errorf("starting execution %q: the name must be 1 to 80 characters", in.Name)
	}
	def, err := r.parse(in.Definition)
	if err != nil {
		return Execution{}, fmt.Errorf("starting execution %s: %w", in.Name, err)
	}
	input := in.Input
	if len(input) == 0 {
		input = json.RawMessage("{}")
	}
	if !json.Valid(input) {
		return Execution{}, fmt.Errorf("starting execution %s: the input is not valid JSON", in.Name)
	}
	if len(input) > maxPayloadBytes {
		return Execution{}, fmt.Errorf("starting execution %s: the input is %d bytes, more than the %d-byte limit", in.Name, len(input), maxPayloadBytes)
	}

	e := Execution{
		Name:         in.Name,
		StateMachine: in.StateMachine,
		Definition:   in.Definition,
		Input:        input,
		Status:       StatusRunning,
		StartDate:    r.clock.Now().UTC(),
	}
	if e.StateMachine == "" {
		e.StateMachine = "StateMachine"
	}
	if err := r.store.CreateExecution(ctx, e); err != nil {
		if errors.Is(err, ErrExecutionAlreadyExists) {
			existing, gerr := r.store.GetExecution(ctx, in.Name)
			if gerr != nil {
				return Execution{}, fmt.Errorf("starting execution %s: %w", in.Name, gerr)
			}
			return existing, fmt.Errorf("starting execution %s: %w", in.Name, ErrExecutionAlreadyExists)
		}
		return Execution{}, fmt.Errorf("starting execution %s: %w", in.Name, err)
	}

	if err := r.launch(ctx, e, def); err != nil {
		return e, err
	}
	return e, nil
}

// launch claims the lease of a stored RUNNING execution and drives it in
// the background, replaying its journal.
func (r *Runner) launch(ctx context.Context, e Execution, def *Definition) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx.Err() != nil {
		return fmt.Errorf("running execution %s: runner is closed", e.Name)
	}
	if _, ok := r.runs[e.Name]; ok {
		return nil
	}

	ok, err := r.store.Claim(ctx, e.Name, r.owner, time.Now().Add(r.leaseTTL))
	if err != nil {
		return fmt.Errorf("claiming execution %s: %w", e.Name, err)
	}
	if !ok {
		return fmt.Errorf("claiming execution %s: %w", e.Name, ErrLeaseHeld)
	}
	journal, err := r.store.Journal(ctx, e.Name)
	if err != nil {
		return fmt.Errorf("reading journal of execution %s: %w", e.Name, err)
	}
	input, err := decodeValue(e.Input)
	if err != nil {
		return fmt.Errorf("decoding input of execution %s: %w", e.Name, err)
	}

	x := &run{r: r, exec: e, def: def, input: input, journal: journal, done: make(chan struct{}), history: make([]HistoryEvent, 0, 32)}
	x.ctx, x.cancel = context.WithCancelCause(r.ctx)
	r.runs[e.Name] = x
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		x.execute()
	}()
	return nil
}

// forget removes a run that ended and keeps its history.
func (r *Runner) forget(x *run) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.histories[x.exec.Name] = x.historyCopy()
	if r.runs[x.exec.Name] == x {
		delete(r.runs, x.exec.Name)
	}
	if err := r.store.Release(context.Background(), x.exec.Name, r.owner); err != nil {
		r.log.Error("releasing execution lease", "execution", x.exec.Name, "error", err)
	}
}

func (r *Runner) local(name string) *run {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[name]
}

// finish records the final outcome of an execution (first write wins) and
// stores the execution with it.
func (r *Runner) finish(ctx context.Context, x *run, outcome executionOutcome) error {
	raw, err := json.Marshal(outcome)
	if err != nil {
		return fmt.Errorf("encoding outcome of execution %s: %w", x.exec.Name, err)
	}
	stored, err := x.record(outcomeKey, raw)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(stored, &outcome); err != nil {
		return fmt.Errorf("decoding outcome of execution %s: %w", x.exec.Name, err)
	}

	typ := map[Status]string{
		StatusSucceeded: "ExecutionSucceeded",
		StatusFailed:    "ExecutionFailed",
		StatusTimedOut:  "ExecutionTimedOut",
		StatusAborted:   "ExecutionAborted",
	}[outcome.Status]
	var f *Failure
	if outcome.Status != StatusSucceeded {
		f = &Failure{Name: outcome.Error, Cause: outcome.Cause}
	}
	x.event(typ, "", f)
	return r.store.UpdateExecution(ctx, applyOutcome(x.exec, outcome))
}

func applyOutcome(e Execution, o executionOutcome) Execution {
	e.Status = o.Status
	e.Output = o.Output
	e.Error, e.Cause = o.Error, o.Cause
	e.StopDate = o.StopDate
	return e
}

// maintain renews leases and polls the journals of local runs until Close.
func (r *Runner) maintain() {
	defer r.wg.Done()
	poll := time.NewTicker(r.poll)
	defer poll.Stop()
	renew := time.NewTicker(r.leaseTTL / 3)
	defer renew.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-poll.C:
			for _, x := range r.snapshot() {
				if err := x.refresh(r.ctx); err != nil {
					r.log.Error("polling journal", "execution", x.exec.Name, "error", err)
					continue
				}
				if _, stopped := x.lookup(outcomeKey); stopped {
					x.cancel(errors.New("execution stopped"))
				}
			}
		case <-renew.C:
			for _, x := range r.snapshot() {
				ok, err := r.store.Claim(r.ctx, x.exec.Name, r.owner, time.Now().Add(r.leaseTTL))
				if err != nil || !ok {
					r.log.Error("renewing execution lease", "execution", x.exec.Name, "claimed", ok, "error", err)
				}
			}
		}
	}
}

func (r *Runner) snapshot() []*run {
	r.mu.Lock()
	defer r.mu.Unlock()
	runs := make([]*run, 0, len(r.runs))
	for _, x := range r.runs {
		runs = append(runs, x)
	}
	return runs
}

// Wait blocks until the execution reaches a terminal status.
func (r *Runner) Wait(ctx context.Context, name string) (Execution, error) {
	return r.wait(ctx, name, false)
}

// WaitSettled blocks until the execution reaches a terminal status or, when
// this runner drives it, until every running path waits on a task token
// (the execution is then paused, with status RUNNING). For an execution
// driven by another process it returns the stored execution at once.
func (r *Runner) WaitSettled(ctx context.Context, name string) (Execution, error) {
	return r.wait(ctx, name, true)
}

func (r *Runner) wait(ctx context.Context, name string, settled bool) (Execution, error) {
	for {
		x := r.local(name)
		var changed <-chan struct{}
		if x != nil && settled {
			// Only WaitSettled needs every change; Wait needs the end.
			changed = x.changes()
		}
		e, err := r.store.GetExecution(ctx, name)
		if err != nil {
			return Execution{}, fmt.Errorf("waiting for execution %s: %w", name, err)
		}
		if e.Status.Terminal() {
			if x != nil {
				// Let the run finish its bookkeeping (history, lease).
				select {
				case <-x.done:
				case <-ctx.Done():
				}
			}
			return e, nil
		}
		if settled && (x == nil || x.settled()) {
			return e, nil
		}

		var tick <-chan time.Time
		var done <-chan struct{}
		var timer *time.Timer
		if x == nil {
			timer = time.NewTimer(r.poll)
			tick = timer.C
		} else {
			done = x.done
		}
		select {
		case <-changed:
		case <-tick:
		case <-done:
		case <-ctx.Done():
			return e, fmt.Errorf("waiting for execution %s: %w", name, ctx.Err())
		}
		if timer != nil {
			timer.Stop()
		}
	}
}
