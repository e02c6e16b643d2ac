package asl_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moderato/moderato/internal/asl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// conformanceDir holds executions recorded on AWS, one JSON file per case
// under cases/<area>/.
const conformanceDir = "../../../shared/asl-conformance"

// The floors are the pass rates the executor must keep: at least 99% of
// the JSONPath cases and 95% of the JSONata cases. CONFORMANCE.md lists
// every case that does not pass, with the reason.
const (
	jsonPathFloor = 0.99
	jsonataFloor  = 0.95
)

type conformanceCase struct {
	ID            string          `json:"id"`
	QueryLanguage string          `json:"query_language"`
	Definition    json.RawMessage `json:"definition"`
	Input         json.RawMessage `json:"input"`
	Expected      json.RawMessage `json:"expected"`
	Events        []string        `json:"events"`
	IgnorePaths   []string        `json:"ignore_paths"`
	Features      []string        `json:"features"`
}

type expectedResult struct {
	Status string          `json:"status"`
	Output json.RawMessage `json:"output"`
	Error  *string         `json:"error"`
	Cause  *string         `json:"cause"`
}

// instantClock skips every wait: After advances the time and fires at once,
// as the corpus has no execution timeouts that a jump could trigger.
type instantClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *instantClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *instantClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func TestConformance(t *testing.T) {
	root := filepath.Join(conformanceDir, "cases")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("conformance corpus not found at %s: put the recorded AWS executions there to run this test", root)
	}
	files, err := filepath.Glob(filepath.Join(root, "*", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)

	type tally struct{ passed, total int }
	byLanguage := map[string]*tally{}
	byArea := map[string]*tally{}
	byFeature := map[string]*tally{}
	count := func(m map[string]*tally, key string, ok bool) {
		if m[key] == nil {
			m[key] = &tally{}
		}
		m[key].total++
		if ok {
			m[key].passed++
		}
	}
	var failures []string
	for _, file := range files {
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		var c conformanceCase
		require.NoError(t, json.Unmarshal(raw, &c), file)

		msg := runConformanceCase(c)
		if msg != "" {
			failures = append(failures, fmt.Sprintf("%s (%s): %s", c.ID, c.QueryLanguage, msg))
		}
		count(byLanguage, c.QueryLanguage, msg == "")
		count(byArea, filepath.Base(filepath.Dir(file)), msg == "")
		for _, f := range c.Features {
			count(byFeature, f, msg == "")
		}
	}

	table := func(title string, m map[string]*tally) string {
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		sort.Strings(names)
		var b strings.Builder
		fmt.Fprintf(&b, "%-40s %7s %7s\n", title, "passed", "cases")
		for _, k := range names {
			fmt.Fprintf(&b, "%-40s %7d %7d\n", k, m[k].passed, m[k].total)
		}
		return b.String()
	}
	t.Log("\n" + table("query language", byLanguage) + "\n" + table("area", byArea) + "\n" + table("feature", byFeature))
	for _, f := range failures {
		t.Log("not reproduced: " + f)
	}

	for lang, floor := range map[string]float64{"JSONPath": jsonPathFloor, "JSONata": jsonataFloor} {
		tl := byLanguage[lang]
		require.NotNil(t, tl, "no %s cases in the corpus", lang)
		rate := float64(tl.passed) / float64(tl.total)
		assert.GreaterOrEqual(t, rate, floor, "%s pass rate %d/%d is under the floor", lang, tl.passed, tl.total)
	}
}

// runConformanceCase runs one case and returns what differs from the
// recording, or "" when it matches.
func runConformanceCase(c conformanceCase) string {
	var want expectedResult
	if err := json.Unmarshal(c.Expected, &want); err != nil {
		return "decoding expected: " + err.Error()
	}

	clock := &instantClock{now: time.Date(2024, 3, 22, 21, 37, 45, 0, time.UTC)}
	r := asl.NewRunner(asl.NewMemoryStore(), asl.Functions{}, asl.WithClock(clock))
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	input := c.Input
	if len(input) == 0 || string(input) == "null" {
		input = json.RawMessage("{}")
	}
	e, err := r.Start(ctx, asl.StartInput{StateMachine: "SM", Name: "conformance", Definition: c.Definition, Input: input})
	if err != nil {
		return "start: " + err.Error()
	}
	if e, err = r.Wait(ctx, e.Name); err != nil {
		return "wait: " + err.Error()
	}

	if string(e.Status) != want.Status {
		return fmt.Sprintf("status %s (%s: %s), want %s", e.Status, e.Error, e.Cause, want.Status)
	}
	ignored := map[string]bool{}
	for _, p := range c.IgnorePaths {
		ignored[p] = true
	}
	if want.Status == "SUCCEEDED" && !ignored["$.output"] {
		if msg := compareJSON(want.Output, e.Output, "$.output", ignored); msg != "" {
			return msg
		}
	}
	if want.Error != nil && *want.Error != e.Error {
		return fmt.Sprintf("error %q, want %q", e.Error, *want.Error)
	}
	if want.Cause != nil && !ignored["$.cause"] && *want.Cause != e.Cause {
		return fmt.Sprintf("cause %q, want %q", e.Cause, *want.Cause)
	}
	if c.Events != nil {
		var got []string
		for _, ev := range r.History(e.Name) {
			got = append(got, ev.Type)
		}
		if strings.Join(got, ",") != strings.Join(c.Events, ",") {
			return fmt.Sprintf("events %v, want %v", got, c.Events)
		}
	}
	return ""
}

// compareJSON compares two JSON documents structurally, numbers by value,
// skipping the paths in ignored.
func compareJSON(want, got []byte, path string, ignored map[string]bool) string {
	w, err := decodeNumbers(want)
	if err != nil {
		return "decoding expected output: " + err.Error()
	}
	g, err := decodeNumbers(got)
	if err != nil {
		return "decoding output: " + err.Error()
	}
	if msg := compareValues(w, g, path, ignored); msg != "" {
		return fmt.Sprintf("%s (output %s)", msg, got)
	}
	return ""
}

func decodeNumbers(raw []byte) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func compareValues(want, got any, path string, ignored map[string]bool) string {
	if ignored[path] {
		return ""
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %v, want an object", path, got)
		}
		for k := range g {
			if _, ok := w[k]; !ok && !ignored[path+"."+k] {
				return fmt.Sprintf("%s: unexpected key %q", path, k)
			}
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				if ignored[path+"."+k] {
					continue
				}
				return fmt.Sprintf("%s: missing key %q", path, k)
			}
			if msg := compareValues(wv, gv, path+"."+k, ignored); msg != "" {
				return msg
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: got %v, want %v", path, got, want)
		}
		for i := range w {
			if msg := compareValues(w[i], g[i], path+"["+strconv.Itoa(i)+"]", ignored); msg != "" {
				return msg
			}
		}
		return ""
	case json.Number:
		g, ok := got.(json.Number)
		if !ok {
			return fmt.Sprintf("%s: got %v, want %v", path, got, want)
		}
		wf, _ := w.Float64()
		gf, _ := g.Float64()
		if wf != gf {
			return fmt.Sprintf("%s: got %v, want %v", path, g, w)
		}
		return ""
	default:
		if want != got {
			return fmt.Sprintf("%s: got %#v, want %#v", path, got, want)
		}
		return ""
	}
}
