package asl_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/moderato/moderato/internal/asl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stateTasks are the tasks of the state tests: "echo" returns its input,
// "fail" fails with the error name in its input, "boom" returns a plain
// error and "big" returns more than 256 KiB.
var stateTasks = taskFunc(func(_ context.Context, req asl.TaskRequest) (any, error) {
	switch req.Resource {
	case "echo":
		return req.Input, nil
	case "fail":
		name, _ := req.Input.(map[string]any)["error"].(string)
		return nil, &asl.Failure{Name: name, Cause: "failed on purpose"}
	case "boom":
		return nil, errors.New("disk full")
	case "big":
		return strings.Repeat("x", 300*1024), nil
	}
	return nil, errors.New("unknown resource " + req.Resource)
})

func TestStates(t *testing.T) {
	tests := []struct {
		name       string
		definition string
		input      string
		wantStatus asl.Status
		wantOutput string
		wantError  string
		wantCause  string
		wantEvents []string
	}{
		{
			name:       "pass result",
			definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"a":1},"ResultPath":"$.r","End":true}}}`,
			input:      `{"x":true}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `{"x":true,"r":{"a":1}}`,
			wantEvents: []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"},
		},
		{
			name:       "pass parameters with context",
			definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"v.$":"$.x","state.$":"$$.State.Name","exec.$":"$$.Execution.Id"},"End":true}}}`,
			input:      `{"x":5}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `{"v":5,"state":"P","exec":"arn:aws:states:local:000000000000:execution:StateMachine:run"}`,
		},
		{
			name: "processing order",
			definition: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"echo",
				"InputPath":"$.in","Parameters":{"wrapped.$":"$.v"},"ResultSelector":{"got.$":"$.wrapped"},
				"ResultPath":"$.res","OutputPath":"$.res","End":true}}}`,
			input:      `{"in":{"v":7},"other":1}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `{"got":7}`,
			wantEvents: []string{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"},
		},
		{
			name: "choice default",
			definition: `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":10,"Next":"Big"}],"Default":"Small"},
				"Big":{"Type":"Pass","Result":"big","End":true},"Small":{"Type":"Pass","Result":"small","End":true}}}`,
			input:      `{"n":3}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `"small"`,
		},
		{
			name: "choice match",
			definition: `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":10,"Next":"Big"}],"Default":"Small"},
				"Big":{"Type":"Pass","Result":"big","End":true},"Small":{"Type":"Pass","Result":"small","End":true}}}`,
			input:      `{"n":30}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `"big"`,
		},
		{
			name: "choice no match",
			definition: `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":10,"Next":"Big"}]},
				"Big":{"Type":"Pass","End":true}}}`,
			input:      `{"n":3}`,
			wantStatus: asl.StatusFailed,
			wantError:  asl.ErrorNoChoiceMatched,
		},
		{
			name:       "wait zero seconds",
			definition: `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":0,"Next":"S"},"S":{"Type":"Succeed"}}}`,
			input:      `{"a":1}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `{"a":1}`,
			wantEvents: []string{"ExecutionStarted", "WaitStateEntered", "WaitStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"},
		},
		{
			name:       "wait timestamp in the past",
			definition: `{"StartAt":"W","States":{"W":{"Type":"Wait","TimestampPath":"$.at","End":true}}}`,
			input:      `{"at":"2001-02-03T04:05:06Z"}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `{"at":"2001-02-03T04:05:06Z"}`,
		},
		{
			name:       "wait invalid timestamp",
			definition: `{"StartAt":"W","States":{"W":{"Type":"Wait","TimestampPath":"$.at","End":true}}}`,
			input:      `{"at":"2001-02-03 04:05:06Z"}`,
			wantStatus: asl.StatusFailed,
			wantError:  asl.ErrorRuntime,
			wantCause:  "An error occurred while executing the state 'W' (entered at the event id #2). The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.at == 2001-02-03 04:05:06Z",
		},
		{
			name:       "fail with paths",
			definition: `{"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e","CausePath":"$.c"}}}`,
			input:      `{"e":"Bad","c":"very bad"}`,
			wantStatus: asl.StatusFailed,
			wantError:  "Bad",
			wantCause:  "very bad",
			wantEvents: []string{"ExecutionStarted", "FailStateEntered", "ExecutionFailed"},
		},
		{
			name:       "task failure name",
			definition: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"fail","End":true}}}`,
			input:      `{"error":"UnsupportedContentError"}`,
			wantStatus: asl.StatusFailed,
			wantError:  "UnsupportedContentError",
			wantCause:  "failed on purpose",
		},
		{
			name:       "task plain error",
			definition: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"boom","End":true}}}`,
			input:      `{}`,
			wantStatus: asl.StatusFailed,
			wantError:  asl.ErrorTaskFailed,
			wantCause:  "disk full",
		},
		{
			name: "catch with result path",
			definition: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"fail",
				"Catch":[{"ErrorEquals":["Other"],"Next":"Wrong"},{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Done"}],"Next":"Wrong"},
				"Wrong":{"Type":"Fail","Error":"Wrong"},"Done":{"Type":"Succeed"}}}`,
			input:      `{"error":"Custom"}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `{"error":"Custom","err":{"Error":"Custom","Cause":"failed on purpose"}}`,
			wantEvents: []string{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "TaskStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"},
		},
		{
			name: "catch all skips runtime errors",
			definition: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"echo","OutputPath":"$.missing",
				"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Done"}],"End":true},"Done":{"Type":"Succeed"}}}`,
			input:      `{}`,
			wantStatus: asl.StatusFailed,
			wantError:  asl.ErrorRuntime,
		},
		{
			name:       "retry max attempts zero",
			definition: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"fail","Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":0}],"End":true}}}`,
			input:      `{"error":"Once"}`,
			wantStatus: asl.StatusFailed,
			wantError:  "Once",
			wantEvents: []string{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "ExecutionFailed"},
		},
		{
			name: "parallel",
			definition: `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
				{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"a","End":true}}},
				{"StartAt":"B","States":{"B":{"Type":"Task","Resource":"echo","End":true}}}],"ResultPath":"$.out","End":true}}}`,
			input:      `{"in":1}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `{"in":1,"out":["a",{"in":1}]}`,
		},
		{
			name: "parallel branch failure",
			definition: `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
				{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":3600,"End":true}}},
				{"StartAt":"B","States":{"B":{"Type":"Fail","Error":"BranchBroke","Cause":"b"}}}],"End":true}}}`,
			input:      `{}`,
			wantStatus: asl.StatusFailed,
			wantError:  "BranchBroke",
			wantCause:  "b",
		},
		{
			name: "map with item selector",
			definition: `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,
				"ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value","k.$":"$.k"},
				"ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"E","States":{"E":{"Type":"Task","Resource":"echo","End":true}}},"End":true}}}`,
			input:      `{"items":["a","b","c"],"k":"key"}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `[{"i":0,"v":"a","k":"key"},{"i":1,"v":"b","k":"key"},{"i":2,"v":"c","k":"key"}]`,
		},
		{
			name: "map legacy iterator and parameters",
			definition: `{"StartAt":"M","States":{"M":{"Type":"Map","Parameters":{"v.$":"$$.Map.Item.Value"},
				"Iterator":{"StartAt":"E","States":{"E":{"Type":"Pass","End":true}}},"End":true}}}`,
			input:      `[1,2]`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `[{"v":1},{"v":2}]`,
		},
		{
			name: "map item failure",
			definition: `{"StartAt":"M","States":{"M":{"Type":"Map",
				"ItemProcessor":{"StartAt":"E","States":{"E":{"Type":"Task","Resource":"fail","End":true}}},"End":true}}}`,
			input:      `[{"error":"ItemBroke"}]`,
			wantStatus: asl.StatusFailed,
			wantError:  "ItemBroke",
			wantEvents: []string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapIterationStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "MapIterationFailed", "MapStateFailed", "ExecutionFailed"},
		},
		{
			name: "map tolerated failures",
			definition: `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"ToleratedFailureCount":1,
				"ItemProcessor":{"StartAt":"E","States":{"E":{"Type":"Task","Resource":"fail","End":true}}},"End":true}}}`,
			input:      `[{"error":"One"}]`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `[{"Error":"One","Cause":"failed on purpose"}]`,
		},
		{
			name: "map tolerance exceeded",
			definition: `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"ToleratedFailurePercentage":50,
				"ItemProcessor":{"StartAt":"E","States":{"E":{"Type":"Task","Resource":"fail","End":true}}},"End":true}}}`,
			input:      `[{"error":"One"},{"error":"Two"}]`,
			wantStatus: asl.StatusFailed,
			wantError:  asl.ErrorExceedToleratedFailure,
		},
		{
			name:       "map iteration variables stay local",
			definition: `{"StartAt":"S","States":{"S":{"Type":"Pass","Assign":{"x":1},"Next":"M"},"M":{"Type":"Map","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","Assign":{"inner.$":"$x"},"End":true}}},"Next":"R"},"R":{"Type":"Pass","Parameters":{"v.$":"$inner"},"End":true}}}`,
			input:      `[1]`,
			wantStatus: asl.StatusFailed,
			wantError:  asl.ErrorRuntime,
		},
		{
			name:       "catch assigns error output",
			definition: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"fail","Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"err.$":"$.Error"},"ResultPath":null,"Next":"R"}],"End":true},"R":{"Type":"Pass","Parameters":{"e.$":"$err"},"End":true}}}`,
			input:      `{"error":"Oops"}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `{"e":"Oops"}`,
		},
		{
			name:       "task assign reads result after selector",
			definition: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"echo","ResultSelector":{"got.$":"$.v"},"Assign":{"seen.$":"$.got"},"Next":"R"},"R":{"Type":"Pass","Parameters":{"s.$":"$seen"},"End":true}}}`,
			input:      `{"v":7}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `{"s":7}`,
		},
		{
			name:       "jsonata task arguments and output",
			definition: `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"echo","Arguments":{"v":"{% $states.input.n * 2 %}"},"Output":{"r":"{% $states.result.v %}"},"Assign":{"last":"{% $states.result.v %}"},"Next":"R"},"R":{"Type":"Pass","Output":"{% $last + 1 %}","End":true}}}`,
			input:      `{"n":4}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `9`,
		},
		{
			name:       "jsonata catch output",
			definition: `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"fail","Catch":[{"ErrorEquals":["States.ALL"],"Output":{"caught":"{% $states.errorOutput.Error %}"},"Next":"Done"}],"End":true},"Done":{"Type":"Succeed"}}}`,
			input:      `{"error":"Oops"}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `{"caught":"Oops"}`,
		},
		{
			name:       "jsonata parallel arguments",
			definition: `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Parallel","Arguments":{"v":"{% $states.input.a %}"},"Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],"Output":"{% $states.result[0].v %}","End":true}}}`,
			input:      `{"a":"x"}`,
			wantStatus: asl.StatusSucceeded,
			wantOutput: `"x"`,
		},
		{
			name:       "task result over 256 KiB",
			definition: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"big","Catch":[{"ErrorEquals":["States.ALL"],"Next":"Done"}],"End":true},"Done":{"Type":"Succeed"}}}`,
			input:      `{}`,
			wantStatus: asl.StatusFailed,
			wantError:  asl.ErrorDataLimitExceeded,
			wantCause:  "The state/task 'T' returned a result with a size exceeding the maximum number of bytes service limit.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			e, history, err := asl.Run(ctx, []byte(tt.definition), json.RawMessage(tt.input), stateTasks)
			require.NoError(t, err)

			assert.Equal(t, tt.wantStatus, e.Status, "error %s: %s", e.Error, e.Cause)
			assert.Equal(t, tt.wantError, e.Error)
			if tt.wantCause != "" {
				assert.Equal(t, tt.wantCause, e.Cause)
			}
			if tt.wantOutput != "" {
				assert.JSONEq(t, tt.wantOutput, string(e.Output))
			}
			if tt.wantEvents != nil {
				var types []string
				for _, ev := range history {
					types = append(types, ev.Type)
				}
				assert.Equal(t, tt.wantEvents, types)
			}
		})
	}
}

func TestExecutionTimeout(t *testing.T) {
	ctx := testContext(t)
	clock := newFakeClock()
	r := asl.NewRunner(asl.NewMemoryStore(), stateTasks, asl.WithClock(clock))
	defer r.Close()
	def := `{"TimeoutSeconds":60,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`
	_, err := r.Start(ctx, asl.StartInput{Name: "e1", Definition: []byte(def)})
	require.NoError(t, err)

	require.True(t, clock.WaitForTimers(2, 5*time.Second), "the Wait state and the execution timeout")
	clock.Advance(time.Minute)
	e, err := r.Wait(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusTimedOut, e.Status)
	assert.Equal(t, asl.ErrorTimeout, e.Error)
	history := r.History("e1")
	require.NotEmpty(t, history)
	assert.Equal(t, "ExecutionTimedOut", history[len(history)-1].Type)
}

func TestTaskTimeout(t *testing.T) {
	ctx := testContext(t)
	clock := newFakeClock()
	tasks := taskFunc(func(ctx context.Context, _ asl.TaskRequest) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	r := asl.NewRunner(asl.NewMemoryStore(), tasks, asl.WithClock(clock))
	defer r.Close()
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"slow","TimeoutSecondsPath":"$.timeout","End":true}}}`
	_, err := r.Start(ctx, asl.StartInput{Name: "e1", Definition: []byte(def), Input: json.RawMessage(`{"timeout":30}`)})
	require.NoError(t, err)

	require.True(t, clock.WaitForTimers(1, 5*time.Second))
	clock.Advance(30 * time.Second)
	e, err := r.Wait(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusFailed, e.Status)
	assert.Equal(t, asl.ErrorTimeout, e.Error)
	var types []string
	for _, ev := range r.History("e1") {
		types = append(types, ev.Type)
	}
	assert.Contains(t, types, "TaskTimedOut")
}

func TestTaskPanicIsFailure(t *testing.T) {
	ctx := testContext(t)
	tasks := taskFunc(func(context.Context, asl.TaskRequest) (any, error) { panic("nil map") })
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"p","End":true}}}`
	e, _, err := asl.Run(ctx, []byte(def), nil, tasks)
	require.NoError(t, err)
	assert.Equal(t, asl.StatusFailed, e.Status)
	assert.Equal(t, asl.ErrorTaskFailed, e.Error)
	assert.Contains(t, e.Cause, "panicked")
}
