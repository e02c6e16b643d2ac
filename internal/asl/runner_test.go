package asl_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/internal/asl/asltest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// taskFunc adapts a function to asl.Tasks.
type taskFunc func(ctx context.Context, req asl.TaskRequest) (any, error)

func (f taskFunc) RunTask(ctx context.Context, req asl.TaskRequest) (any, error) { return f(ctx, req) }

// callLog records task calls and hands out the requests of token tasks.
type callLog struct {
	mu     sync.Mutex
	calls  map[string]int
	tokens chan asl.TaskRequest
}

func newCallLog() *callLog {
	return &callLog{calls: map[string]int{}, tokens: make(chan asl.TaskRequest, 16)}
}

func (l *callLog) count(state string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[state]
}

// tasks returns Tasks that echo their input, except that token tasks send
// their request to l.tokens.
func (l *callLog) tasks() asl.Tasks {
	return taskFunc(func(_ context.Context, req asl.TaskRequest) (any, error) {
		l.mu.Lock()
		l.calls[req.State]++
		l.mu.Unlock()
		if req.TaskToken != "" {
			l.tokens <- req
		}
		return req.Input, nil
	})
}

func (l *callLog) nextToken(t *testing.T) asl.TaskRequest {
	t.Helper()
	select {
	case req := <-l.tokens:
		return req
	case <-time.After(5 * time.Second):
		require.FailNow(t, "no token task was called")
		return asl.TaskRequest{}
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

const tokenMachine = `{
  "StartAt": "Prepare",
  "States": {
    "Prepare": {"Type": "Task", "Resource": "prepare", "ResultPath": "$.prepared", "Next": "Review"},
    "Review": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"token.$": "$$.Task.Token", "item.$": "$.item"},
      "TimeoutSeconds": 3600,
      "ResultPath": "$.decision",
      "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Timed out"}],
      "Next": "Record"
    },
    "Timed out": {"Type": "Pass", "Result": "default", "ResultPath": "$.decision", "Next": "Record"},
    "Record": {"Type": "Task", "Resource": "record", "End": true}
  }
}`

func startTokenMachine(t *testing.T, r *asl.Runner, name string) {
	t.Helper()
	_, err := r.Start(testContext(t), asl.StartInput{StateMachine: "Moderate", Name: name, Definition: []byte(tokenMachine), Input: json.RawMessage(`{"item":"photo.jpg"}`)})
	require.NoError(t, err)
}

func TestWaitForTaskToken(t *testing.T) {
	tests := []struct {
		name       string
		answer     func(ctx context.Context, r *asl.Runner, clock *asltest.FakeClock, token string) error
		wantStatus asl.Status
		wantOutput string
		wantError  string
	}{
		{
			name: "success",
			answer: func(ctx context.Context, r *asl.Runner, _ *asltest.FakeClock, token string) error {
				return r.SendTaskSuccess(ctx, token, json.RawMessage(`{"verdict":"approved"}`))
			},
			wantStatus: asl.StatusSucceeded,
			wantOutput: `{"item":"photo.jpg","prepared":{"item":"photo.jpg"},"decision":{"verdict":"approved"}}`,
		},
		{
			name: "failure",
			answer: func(ctx context.Context, r *asl.Runner, _ *asltest.FakeClock, token string) error {
				return r.SendTaskFailure(ctx, token, "Rejected", "moderator rejected")
			},
			wantStatus: asl.StatusFailed,
			wantError:  "Rejected",
		},
		{
			name: "timeout",
			answer: func(_ context.Context, _ *asl.Runner, clock *asltest.FakeClock, _ string) error {
				clock.Advance(time.Hour)
				return nil
			},
			wantStatus: asl.StatusSucceeded,
			wantOutput: `{"item":"photo.jpg","prepared":{"item":"photo.jpg"},"decision":"default","error":{"Error":"States.Timeout","Cause":"The task did not complete within its TimeoutSeconds."}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			clock := asltest.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			log := newCallLog()
			r := asl.NewRunner(asl.NewMemoryStore(), log.tasks(), asl.WithClock(clock))
			defer r.Close()
			startTokenMachine(t, r, "e1")

			req := log.nextToken(t)
			paused, err := r.WaitSettled(ctx, "e1")
			require.NoError(t, err)
			require.Equal(t, asl.StatusRunning, paused.Status)
			require.True(t, clock.WaitForTimers(1, 5*time.Second), "the task timeout timer is set")

			require.NoError(t, tt.answer(ctx, r, clock, req.TaskToken))
			e, err := r.Wait(ctx, "e1")
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, e.Status)
			assert.Equal(t, tt.wantError, e.Error)
			if tt.wantOutput != "" {
				assert.JSONEq(t, tt.wantOutput, string(e.Output))
			}
			err = r.SendTaskSuccess(ctx, req.TaskToken, json.RawMessage(`{}`))
			assert.ErrorIs(t, err, asl.ErrTaskTimedOut, "a token is valid once")
		})
	}
}

func TestTaskTokenShape(t *testing.T) {
	ctx := testContext(t)
	log := newCallLog()
	r := asl.NewRunner(asl.NewMemoryStore(), log.tasks())
	defer r.Close()
	startTokenMachine(t, r, "e1")

	req := log.nextToken(t)
	assert.LessOrEqual(t, len(req.TaskToken), 2048)
	assert.True(t, strings.HasSuffix(req.TaskToken, "="), "base64 padding")
	assert.Equal(t, req.TaskToken, req.Input.(map[string]any)["token"], "$$.Task.Token")
	assert.ErrorIs(t, r.SendTaskSuccess(ctx, "not-a-token", json.RawMessage(`{}`)), asl.ErrInvalidToken)
}

func TestAnsweredTwice(t *testing.T) {
	ctx := testContext(t)
	log := newCallLog()
	r := asl.NewRunner(asl.NewMemoryStore(), log.tasks())
	defer r.Close()
	startTokenMachine(t, r, "e1")
	req := log.nextToken(t)

	require.NoError(t, r.SendTaskSuccess(ctx, req.TaskToken, json.RawMessage(`{"verdict":"approved"}`)))
	err := r.SendTaskFailure(ctx, req.TaskToken, "Rejected", "too late")
	assert.ErrorIs(t, err, asl.ErrTaskTimedOut)

	e, err := r.Wait(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusSucceeded, e.Status)
}

func TestHeartbeatTimeout(t *testing.T) {
	ctx := testContext(t)
	clock := asltest.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	log := newCallLog()
	r := asl.NewRunner(asl.NewMemoryStore(), log.tasks(), asl.WithClock(clock))
	defer r.Close()
	def := `{"StartAt":"Job","States":{"Job":{"Type":"Task","Resource":"job.waitForTaskToken","TimeoutSeconds":100,"HeartbeatSeconds":10,"End":true}}}`
	_, err := r.Start(ctx, asl.StartInput{Name: "e1", Definition: []byte(def)})
	require.NoError(t, err)
	req := log.nextToken(t)
	_, err = r.WaitSettled(ctx, "e1")
	require.NoError(t, err)

	// A heartbeat at 8 s moves the heartbeat deadline to 18 s.
	require.True(t, clock.WaitForTimers(1, 5*time.Second))
	clock.Advance(8 * time.Second)
	require.NoError(t, r.SendTaskHeartbeat(ctx, req.TaskToken))
	clock.Advance(5 * time.Second)
	time.Sleep(20 * time.Millisecond)
	running, err := r.WaitSettled(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusRunning, running.Status, "still running at 13 s")

	require.True(t, clock.WaitForTimers(1, 5*time.Second))
	clock.Advance(6 * time.Second)
	e, err := r.Wait(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusFailed, e.Status)
	assert.Equal(t, asl.ErrorHeartbeatTimeout, e.Error)
	assert.ErrorIs(t, r.SendTaskHeartbeat(ctx, req.TaskToken), asl.ErrTaskTimedOut)
}

func TestRestartResumesFromJournal(t *testing.T) {
	ctx := testContext(t)
	store := asl.NewMemoryStore()

	first := newCallLog()
	r1 := asl.NewRunner(store, first.tasks(), asl.WithOwner("process-1"))
	startTokenMachine(t, r1, "e1")
	req := first.nextToken(t)
	paused, err := r1.WaitSettled(ctx, "e1")
	require.NoError(t, err)
	require.Equal(t, asl.StatusRunning, paused.Status)
	require.NoError(t, r1.Close())

	stored, err := store.GetExecution(ctx, "e1")
	require.NoError(t, err)
	require.Equal(t, asl.StatusRunning, stored.Status, "Close leaves the execution running")

	second := newCallLog()
	r2 := asl.NewRunner(store, second.tasks(), asl.WithOwner("process-2"))
	defer r2.Close()
	require.NoError(t, r2.SendTaskSuccess(ctx, req.TaskToken, json.RawMessage(`{"verdict":"rejected"}`)))

	e, err := r2.Wait(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusSucceeded, e.Status)
	assert.JSONEq(t, `{"item":"photo.jpg","prepared":{"item":"photo.jpg"},"decision":{"verdict":"rejected"}}`, string(e.Output))
	assert.Equal(t, 0, second.count("Prepare"), "the recorded task is not called again")
	assert.Equal(t, 0, second.count("Review"), "the token task is not called again")
	assert.Equal(t, 1, second.count("Record"))
	assert.Equal(t, 1, first.count("Prepare"))
}

func TestAnswerFromAnotherRunner(t *testing.T) {
	ctx := testContext(t)
	store := asl.NewMemoryStore()
	log := newCallLog()
	owner := asl.NewRunner(store, log.tasks(), asl.WithPollInterval(10*time.Millisecond))
	defer owner.Close()
	startTokenMachine(t, owner, "e1")
	req := log.nextToken(t)

	// The other runner finds a live lease, so it only records the answer and
	// the owner picks it up by polling.
	other := asl.NewRunner(store, newCallLog().tasks())
	defer other.Close()
	require.NoError(t, other.SendTaskSuccess(ctx, req.TaskToken, json.RawMessage(`"ok"`)))

	e, err := owner.Wait(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusSucceeded, e.Status)
	assert.Equal(t, 1, log.count("Record"))
}

func TestResumeAll(t *testing.T) {
	ctx := testContext(t)
	store := asl.NewMemoryStore()
	first := newCallLog()
	r1 := asl.NewRunner(store, first.tasks())
	startTokenMachine(t, r1, "e1")
	first.nextToken(t)
	_, err := r1.WaitSettled(ctx, "e1")
	require.NoError(t, err)
	require.NoError(t, r1.Close())

	second := newCallLog()
	r2 := asl.NewRunner(store, second.tasks())
	defer r2.Close()
	require.NoError(t, r2.ResumeAll(ctx))
	e, err := r2.WaitSettled(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusRunning, e.Status)
	assert.Equal(t, 0, second.count("Review"))

	require.NoError(t, r2.StopExecution(ctx, "e1", "Cancelled", "operator stop"))
	e, err = r2.Wait(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusAborted, e.Status)
	assert.Equal(t, "Cancelled", e.Error)
	history := r2.History("e1")
	require.NotEmpty(t, history)
	assert.Equal(t, "ExecutionAborted", history[len(history)-1].Type)
}

func TestStartExistingName(t *testing.T) {
	ctx := testContext(t)
	r := asl.NewRunner(asl.NewMemoryStore(), newCallLog().tasks())
	defer r.Close()
	def := []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	_, err := r.Start(ctx, asl.StartInput{Name: "e1", Definition: def, Input: json.RawMessage(`{"n":1}`)})
	require.NoError(t, err)

	existing, err := r.Start(ctx, asl.StartInput{Name: "e1", Definition: def, Input: json.RawMessage(`{"n":2}`)})
	assert.ErrorIs(t, err, asl.ErrExecutionAlreadyExists)
	assert.JSONEq(t, `{"n":1}`, string(existing.Input))
}

func TestRetryBackoff(t *testing.T) {
	tests := []struct {
		name   string
		retry  string
		delays []time.Duration
	}{
		{
			name:   "backoff",
			retry:  `{"ErrorEquals":["Flaky"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":3}`,
			delays: []time.Duration{2 * time.Second, 6 * time.Second, 18 * time.Second},
		},
		{
			name:   "max delay",
			retry:  `{"ErrorEquals":["Flaky"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":3,"MaxDelaySeconds":5}`,
			delays: []time.Duration{2 * time.Second, 5 * time.Second, 5 * time.Second},
		},
		{
			name:   "defaults",
			retry:  `{"ErrorEquals":["States.ALL"]}`,
			delays: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			clock := asltest.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			calls := make(chan int, 10)
			tasks := taskFunc(func(_ context.Context, req asl.TaskRequest) (any, error) {
				calls <- req.Attempt
				if req.Attempt < len(tt.delays) {
					return nil, &asl.Failure{Name: "Flaky", Cause: "try again"}
				}
				return "done", nil
			})
			r := asl.NewRunner(asl.NewMemoryStore(), tasks, asl.WithClock(clock))
			defer r.Close()
			def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"t","Retry":[` + tt.retry + `],"End":true}}}`
			_, err := r.Start(ctx, asl.StartInput{Name: "e1", Definition: []byte(def)})
			require.NoError(t, err)

			assert.Equal(t, 0, <-calls)
			for i, d := range tt.delays {
				require.True(t, clock.WaitForTimers(1, 5*time.Second), "retry %d waits", i+1)
				clock.Advance(d - time.Millisecond)
				select {
				case <-calls:
					require.FailNow(t, "retried before its interval", "retry %d", i+1)
				case <-time.After(20 * time.Millisecond):
				}
				clock.Advance(time.Millisecond)
				assert.Equal(t, i+1, <-calls)
			}

			e, err := r.Wait(ctx, "e1")
			require.NoError(t, err)
			assert.Equal(t, asl.StatusSucceeded, e.Status)
			assert.JSONEq(t, `"done"`, string(e.Output))
		})
	}
}

func TestRetryFullJitter(t *testing.T) {
	ctx := testContext(t)
	clock := asltest.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	calls := make(chan int, 10)
	tasks := taskFunc(func(_ context.Context, req asl.TaskRequest) (any, error) {
		calls <- req.Attempt
		if req.Attempt == 0 {
			return nil, errors.New("transient")
		}
		return "done", nil
	})
	r := asl.NewRunner(asl.NewMemoryStore(), tasks, asl.WithClock(clock))
	defer r.Close()
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"t","Retry":[{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":100,"JitterStrategy":"FULL"}],"End":true}}}`
	_, err := r.Start(ctx, asl.StartInput{Name: "e1", Definition: []byte(def)})
	require.NoError(t, err)
	<-calls

	// With full jitter the wait is at most the interval: either the retry
	// ran at once (a zero draw) or one timer is due within 100 s.
	select {
	case <-calls:
	case <-time.After(50 * time.Millisecond):
		require.True(t, clock.WaitForTimers(1, 5*time.Second))
		clock.Advance(100 * time.Second)
		assert.Equal(t, 1, <-calls)
	}
	e, err := r.Wait(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusSucceeded, e.Status)
}

func newFakeClock() *asltest.FakeClock {
	return asltest.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
}

func TestReplaySkipsElapsedWaits(t *testing.T) {
	ctx := testContext(t)
	store := asl.NewMemoryStore()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	def := `{"StartAt":"Hold","States":{
	  "Hold":{"Type":"Wait","Seconds":60,"Next":"Flaky"},
	  "Flaky":{"Type":"Task","Resource":"flaky","Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":30}],"Next":"Review"},
	  "Review":{"Type":"Task","Resource":"review.waitForTaskToken","End":true}}}`

	clock1 := asltest.NewFakeClock(base)
	first := newCallLog()
	flakyCalls := 0
	tasks1 := taskFunc(func(ctx context.Context, req asl.TaskRequest) (any, error) {
		if req.State == "Flaky" {
			flakyCalls++
			if req.Attempt == 0 {
				return nil, errors.New("transient")
			}
		}
		return first.tasks().RunTask(ctx, req)
	})
	r1 := asl.NewRunner(store, tasks1, asl.WithClock(clock1))
	_, err := r1.Start(ctx, asl.StartInput{Name: "e1", Definition: []byte(def)})
	require.NoError(t, err)
	require.True(t, clock1.WaitForTimers(1, 5*time.Second), "the Wait state")
	clock1.Advance(time.Minute)
	require.True(t, clock1.WaitForTimers(1, 5*time.Second), "the retry interval")
	clock1.Advance(30 * time.Second)
	req := first.nextToken(t)
	_, err = r1.WaitSettled(ctx, "e1")
	require.NoError(t, err)
	require.NoError(t, r1.Close())
	require.Equal(t, 2, flakyCalls)

	// The second process starts later than every recorded deadline, so the
	// replay sets no timer at all.
	clock2 := asltest.NewFakeClock(base.Add(time.Hour))
	second := newCallLog()
	r2 := asl.NewRunner(store, second.tasks(), asl.WithClock(clock2))
	defer r2.Close()
	require.NoError(t, r2.Resume(ctx, "e1"))
	paused, err := r2.WaitSettled(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusRunning, paused.Status)
	assert.Equal(t, 0, clock2.Timers(), "no Wait or retry timer on replay")
	assert.Equal(t, 0, second.count("Flaky"))

	require.NoError(t, r2.SendTaskSuccess(ctx, req.TaskToken, json.RawMessage(`{"done":true}`)))
	e, err := r2.Wait(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusSucceeded, e.Status)
	assert.JSONEq(t, `{"done":true}`, string(e.Output))
}

func TestResumeRespectsLease(t *testing.T) {
	ctx := testContext(t)
	store := asl.NewMemoryStore()
	log := newCallLog()
	owner := asl.NewRunner(store, log.tasks())
	defer owner.Close()
	startTokenMachine(t, owner, "e1")
	log.nextToken(t)

	other := asl.NewRunner(store, newCallLog().tasks())
	defer other.Close()
	err := other.Resume(ctx, "e1")
	assert.Error(t, err, "a live lease blocks a second runner")
	assert.NoError(t, other.ResumeAll(ctx), "ResumeAll skips executions with a live lease")
}

func TestStopFromAnotherRunner(t *testing.T) {
	ctx := testContext(t)
	store := asl.NewMemoryStore()
	log := newCallLog()
	owner := asl.NewRunner(store, log.tasks(), asl.WithPollInterval(10*time.Millisecond))
	defer owner.Close()
	startTokenMachine(t, owner, "e1")
	req := log.nextToken(t)

	other := asl.NewRunner(store, newCallLog().tasks())
	defer other.Close()
	require.NoError(t, other.StopExecution(ctx, "e1", "Cancelled", "stopped by an operator"))

	e, err := owner.Wait(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusAborted, e.Status)
	assert.Equal(t, "stopped by an operator", e.Cause)
	assert.ErrorIs(t, other.SendTaskSuccess(ctx, req.TaskToken, json.RawMessage(`{}`)), asl.ErrTaskTimedOut)
	assert.ErrorIs(t, other.StopExecution(ctx, "e1", "Again", ""), asl.ErrNotRunning)
	assert.Equal(t, 0, log.count("Record"), "the stopped execution runs no further task")
}
