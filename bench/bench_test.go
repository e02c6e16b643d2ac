package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/statemachines"
)

// workload is one definition with its input and the Tasks that run it.
type workload struct {
	definition []byte
	input      json.RawMessage
	tasks      asl.Tasks
	// transitions is the number of states one execution enters.
	transitions int
}

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// moderationWorkload renders the moderation definition with one function
// ARN per placeholder, and stubs each function with the canned result in
// testdata/moderation.stubs.json. Those results take the text path:
// Inspect, the two text branches, Decide and Record outcome.
func moderationWorkload(tb testing.TB) workload {
	var stubs map[string]json.RawMessage
	if err := json.Unmarshal(readFile(tb, "moderation.stubs.json"), &stubs); err != nil {
		tb.Fatal(err)
	}
	vars := map[string]string{}
	functions := asl.Functions{}
	for _, name := range statemachines.Placeholders(statemachines.Moderation) {
		if strings.HasSuffix(name, "_seconds") {
			vars[name] = "3600"
			continue
		}
		vars[name] = "arn:aws:lambda:us-east-1:123456789012:function:" + name
		result, ok := stubs[name]
		if !ok {
			result = json.RawMessage(`{}`)
		}
		functions[name] = func(context.Context, json.RawMessage) (json.RawMessage, error) { return result, nil }
	}
	definition, err := statemachines.Render(statemachines.Moderation, vars)
	if err != nil {
		tb.Fatal(err)
	}
	return workload{
		definition:  []byte(definition),
		input:       readFile(tb, "moderation.input.json"),
		tasks:       functions,
		transitions: 7, // Inspect, Route, Analyze text and its 2 branches, Decide, Needs review?, Record
	}
}

func runWorkload(b *testing.B, w workload) {
	ctx := context.Background()
	r := asl.NewRunner(asl.NewMemoryStore(), w.tasks)
	defer r.Close()

	// One execution outside the timer checks that the workload succeeds.
	check, err := r.Start(ctx, asl.StartInput{StateMachine: "Bench", Name: "check", Definition: w.definition, Input: w.input})
	if err != nil {
		b.Fatal(err)
	}
	if check, err = r.Wait(ctx, check.Name); err != nil || check.Status != asl.StatusSucceeded {
		b.Fatalf("workload execution ended %s (%s: %s), err %v", check.Status, check.Error, check.Cause, err)
	}

	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		e, err := r.Start(ctx, asl.StartInput{StateMachine: "Bench", Name: fmt.Sprintf("e%d", i), Definition: w.definition, Input: w.input})
		if err != nil {
			b.Fatal(err)
		}
		if e, err = r.Wait(ctx, e.Name); err != nil || e.Status != asl.StatusSucceeded {
			b.Fatalf("execution %s ended %s, err %v", e.Name, e.Status, err)
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "execs/s")
	if w.transitions > 0 {
		b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N*w.transitions), "ns/transition")
	}
}

// BenchmarkModeration runs the moderation definition with stub handlers.
func BenchmarkModeration(b *testing.B) {
	runWorkload(b, moderationWorkload(b))
}

// BenchmarkPassChoiceMap runs a definition of Pass, Choice and Map states
// over 20 items.
func BenchmarkPassChoiceMap(b *testing.B) {
	runWorkload(b, workload{
		definition: readFile(b, "pass_choice_map.asl.json"),
		input:      readFile(b, "pass_choice_map.input.json"),
		// Prepare, Map, 20 x (Tag, Is large?, label), Count, Any items?, Done
		transitions: 2 + 20*3 + 3,
	})
}

// BenchmarkPassTransition runs a chain of 100 Pass states. Its
// ns/transition includes the start and the end of the execution, spread
// over the 100 transitions.
func BenchmarkPassTransition(b *testing.B) {
	runWorkload(b, workload{
		definition:  readFile(b, "pass_chain.asl.json"),
		input:       json.RawMessage(`{}`),
		transitions: 100,
	})
}
