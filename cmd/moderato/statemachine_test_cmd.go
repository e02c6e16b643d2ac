package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/moderato/moderato/internal/asl"
)

// mockResponse is one mocked response of a Task state: a result (Return)
// or an error (Throw).
type mockResponse struct {
	Return json.RawMessage `json:"Return,omitempty"`
	Throw  *struct {
		Error string `json:"Error"`
		Cause string `json:"Cause"`
	} `json:"Throw,omitempty"`
}

// mockTasks runs Task states from a mock file: per state name, a list of
// responses used one per call, the last one repeating.
type mockTasks struct {
	responses map[string][]mockResponse
	runner    *asl.Runner

	mu    sync.Mutex
	calls map[string]int
}

// loadMocks reads a mock file: a JSON object whose keys are Task state
// names and whose values are a response or an array of responses.
func loadMocks(raw []byte) (*mockTasks, error) {
	var byState map[string]json.RawMessage
	if err := json.Unmarshal(raw, &byState); err != nil {
		return nil, fmt.Errorf("expected an object of state names: %w", err)
	}
	m := &mockTasks{responses: map[string][]mockResponse{}, calls: map[string]int{}}
	for state, value := range byState {
		var list []mockResponse
		trimmed := bytes.TrimSpace(value)
		if len(trimmed) > 0 && trimmed[0] == '[' {
			if err := json.Unmarshal(trimmed, &list); err != nil {
				return nil, fmt.Errorf("state %q: %w", state, err)
			}
		} else {
			var one mockResponse
			if err := json.Unmarshal(trimmed, &one); err != nil {
				return nil, fmt.Errorf("state %q: %w", state, err)
			}
			list = []mockResponse{one}
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("state %q: the list of responses is empty", state)
		}
		for i, r := range list {
			if (r.Return == nil) == (r.Throw == nil) {
				return nil, fmt.Errorf("state %q: response %d needs exactly one of Return and Throw", state, i)
			}
			if r.Throw != nil && r.Throw.Error == "" {
				return nil, fmt.Errorf("state %q: response %d: Throw needs an Error name", state, i)
			}
		}
		m.responses[state] = list
	}
	return m, nil
}

// next returns the response for the next call of a state.
func (m *mockTasks) next(state string) (mockResponse, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	list, ok := m.responses[state]
	if !ok {
		return mockResponse{}, false
	}
	i := min(m.calls[state], len(list)-1)
	m.calls[state]++
	return list[i], true
}

// RunTask implements asl.Tasks. For a ".waitForTaskToken" task, the
// response is sent with SendTaskSuccess or SendTaskFailure on its token.
func (m *mockTasks) RunTask(ctx context.Context, req asl.TaskRequest) (any, error) {
	r, ok := m.next(req.State)
	if !ok {
		return nil, &asl.Failure{Name: asl.ErrorTaskFailed, Cause: fmt.Sprintf("the mock file has no response for state %q", req.State)}
	}

	if req.TaskToken != "" {
		go func() {
			var err error
			if r.Throw != nil {
				err = m.runner.SendTaskFailure(context.WithoutCancel(ctx), req.TaskToken, r.Throw.Error, r.Throw.Cause)
			} else {
				err = m.runner.SendTaskSuccess(context.WithoutCancel(ctx), req.TaskToken, r.Return)
			}
			if err != nil && !errors.Is(err, asl.ErrTaskTimedOut) {
				fmt.Fprintf(os.Stderr, "moderato: answering the task token of state %q: %v\n", req.State, err)
			}
		}()
		return nil, nil
	}

	if r.Throw != nil {
		return nil, &asl.Failure{Name: r.Throw.Error, Cause: r.Throw.Cause}
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(r.Return))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decoding the mocked result of state %q: %w", req.State, err)
	}
	return v, nil
}

// fastClock runs waits, retry intervals and timeouts in at most
// maxRealWait of real time each, moving its time forward by the full
// duration, so a test of a definition with long waits ends quickly.
// A mocked task returns within microseconds, well before a timeout fires.
type fastClock struct {
	mu  sync.Mutex
	now time.Time
}

const maxRealWait = 20 * time.Millisecond

func (c *fastClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fastClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	target := c.Now().Add(max(d, 0))
	go func() {
		time.Sleep(min(max(d, 0), maxRealWait))
		c.mu.Lock()
		if target.After(c.now) {
			c.now = target
		}
		now := c.now
		c.mu.Unlock()
		ch <- now
	}()
	return ch
}

func statemachineTestCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("statemachine test", stderr, "statemachine test --definition FILE --mocks FILE [--input FILE] [--render] [--json]")
	definitionPath := fs.String("definition", "", "Amazon States Language definition `file`")
	mocksPath := fs.String("mocks", "", "mocked Task responses `file` (see README)")
	inputPath := fs.String("input", "", "execution input JSON `file` (default: {})")
	asJSON := fs.Bool("json", false, "print the history and the result as one JSON object")
	render := fs.Bool("render", false, "fill each ${placeholder} with a dummy value first, as statemachine validate --render does")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return fmt.Errorf("%w: statemachine test takes no arguments, got %q", errUsage, positional)
	}
	if *definitionPath == "" || *mocksPath == "" {
		fs.Usage()
		return fmt.Errorf("%w: --definition and --mocks are required", errUsage)
	}

	definition, err := os.ReadFile(*definitionPath)
	if err != nil {
		return fmt.Errorf("reading definition: %w", err)
	}
	if *render {
		if definition, err = renderWithDummies(definition); err != nil {
			return fmt.Errorf("rendering %s: %w", *definitionPath, err)
		}
	}
	rawMocks, err := os.ReadFile(*mocksPath)
	if err != nil {
		return fmt.Errorf("reading mocks: %w", err)
	}
	mocks, err := loadMocks(rawMocks)
	if err != nil {
		return fmt.Errorf("reading mocks %s: %w", *mocksPath, err)
	}
	input := []byte("{}")
	if *inputPath != "" {
		if input, err = os.ReadFile(*inputPath); err != nil {
			return fmt.Errorf("reading input: %w", err)
		}
		if !json.Valid(input) {
			return fmt.Errorf("reading input: %s is not valid JSON", *inputPath)
		}
	}

	clock := &fastClock{now: time.Now().UTC()}
	runner := asl.NewRunner(asl.NewMemoryStore(), mocks, asl.WithClock(clock), asl.WithPollInterval(10*time.Millisecond))
	defer runner.Close()
	mocks.runner = runner
	exec, err := runner.Start(ctx, asl.StartInput{StateMachine: "Test", Name: "test", Definition: definition, Input: input})
	if err != nil {
		return fmt.Errorf("testing %s: %w", *definitionPath, err)
	}
	if exec, err = runner.Wait(ctx, exec.Name); err != nil {
		return fmt.Errorf("testing %s: %w", *definitionPath, err)
	}
	history := runner.History(exec.Name)

	if *asJSON {
		err = printTestJSON(stdout, exec, history)
	} else {
		err = printTestText(stdout, exec, history)
	}
	if err != nil {
		return err
	}
	if exec.Status != asl.StatusSucceeded {
		return exitError{1}
	}
	return nil
}

// printTestText prints one line per history event with the execution
// time at which it happened, so retry intervals and waits show.
func printTestText(w io.Writer, exec asl.Execution, history []asl.HistoryEvent) error {
	fmt.Fprintln(w, "History (event, time since the start, type, state):")
	for _, ev := range history {
		offset := ev.Timestamp.Sub(exec.StartDate).Round(time.Millisecond)
		line := fmt.Sprintf("  %3d  %8s  %-28s %s", ev.ID, offset, ev.Type, ev.State)
		if ev.Error != "" || ev.Cause != "" {
			line += fmt.Sprintf("  [%s: %s]", ev.Error, ev.Cause)
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	fmt.Fprintf(w, "Status: %s\n", exec.Status)
	if exec.Status == asl.StatusSucceeded {
		_, err := fmt.Fprintf(w, "Output: %s\n", exec.Output)
		return err
	}
	_, err := fmt.Fprintf(w, "Error: %s\nCause: %s\n", exec.Error, exec.Cause)
	return err
}

func printTestJSON(w io.Writer, exec asl.Execution, history []asl.HistoryEvent) error {
	type event struct {
		ID    int    `json:"id"`
		Type  string `json:"type"`
		State string `json:"state,omitempty"`
		Error string `json:"error,omitempty"`
		Cause string `json:"cause,omitempty"`
	}
	out := struct {
		Status  asl.Status      `json:"status"`
		Output  json.RawMessage `json:"output,omitempty"`
		Error   string          `json:"error,omitempty"`
		Cause   string          `json:"cause,omitempty"`
		History []event         `json:"history"`
	}{Status: exec.Status, Output: exec.Output, Error: exec.Error, Cause: exec.Cause}
	for _, ev := range history {
		out.History = append(out.History, event{ID: ev.ID, Type: ev.Type, State: ev.State, Error: ev.Error, Cause: ev.Cause})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
