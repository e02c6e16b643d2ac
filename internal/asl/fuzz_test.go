package asl_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/moderato/moderato/internal/asl"
	"github.com/stretchr/testify/assert"
)

// fuzzSeeds returns the definitions under testdata/ and a few small ones.
func fuzzSeeds(f *testing.F) [][]byte {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	var seeds [][]byte
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, raw)
	}
	return append(seeds,
		[]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x.$":"$.a"},"Next":"B"},"B":{"Type":"Pass","Parameters":{"v.$":"$x"},"End":true}}}`),
		[]byte(`{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.a > 1 %}","Next":"B"}],"Default":"B"},"B":{"Type":"Pass","Output":"{% $states.input %}","End":true}}}`),
		[]byte(`{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`),
		[]byte(`{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Fail","Error":"E"}}}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"D"}],"End":true},"D":{"Type":"Succeed"}}}`),
	)
}

// FuzzValidate checks that Validate never panics and agrees with Parse: a
// definition without problems parses.
func FuzzValidate(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		problems := asl.Validate(data)
		if len(problems) == 0 {
			_, err := asl.Parse(data)
			assert.NoError(t, err, "Validate found no problem")
		}
	})
}

// FuzzExecute runs the seed definitions with fuzzed inputs, and fuzzed
// definitions with a fixed input: every execution must end, succeeded or
// failed, without a panic. Wait states are skipped by an instant clock.
func FuzzExecute(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, []byte(`{"a": 2, "items": [1, 2], "detail": {}}`))
	}
	f.Fuzz(func(t *testing.T, definition, input []byte) {
		if _, err := asl.Parse(definition); err != nil || !json.Valid(input) {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		r := asl.NewRunner(asl.NewMemoryStore(), asl.Functions{}, asl.WithClock(&instantClock{now: time.Unix(0, 0)}))
		defer r.Close()

		e, err := r.Start(ctx, asl.StartInput{StateMachine: "Fuzz", Name: "fuzz", Definition: definition, Input: input})
		if err != nil {
			return
		}
		e, err = r.Wait(ctx, e.Name)
		if err != nil {
			// A definition may loop for ever, for example a Choice that
			// goes back to itself; only a crash is a failure here.
			return
		}
		assert.True(t, e.Status.Terminal())
	})
}
