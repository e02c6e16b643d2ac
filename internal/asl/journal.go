package asl

import (
	"encoding/json"
	"strconv"
	"time"
)

// Journal keys are built from the position in the execution tree, so that a
// replay reaches the same key at the same point:
//
//	/<state>#<visit>               a state visit in the top-level machine
//	.../b<i>/<state>#<visit>       a state in Parallel branch i
//	.../i<i>/<state>#<visit>       a state in Map iteration i
//	.../a<n>                       attempt n of a Task, Parallel or Map state
//
// followed by a suffix naming the event: .entered, .deadline, .token,
// .started, .invoked, .result, .retryAt, .hb.<n>. The key "$outcome" holds
// the final status of the execution.
const outcomeKey = "$outcome"

// taskOutcome is the recorded result of a task attempt.
type taskOutcome struct {
	OK     bool            `json:"ok"`
	Output json.RawMessage `json:"output,omitempty"`
	Error  string          `json:"error,omitempty"`
	Cause  string          `json:"cause,omitempty"`
	// Nonce makes each SendTask* result unique, so that of two identical
	// results only the one recorded first reports success.
	Nonce string `json:"nonce,omitempty"`
}

// executionOutcome is the recorded final status of an execution.
type executionOutcome struct {
	Status   Status          `json:"status"`
	Output   json.RawMessage `json:"output,omitempty"`
	Error    string          `json:"error,omitempty"`
	Cause    string          `json:"cause,omitempty"`
	StopDate time.Time       `json:"stopDate"`
}

func stateKey(scope, name string, visit int) string {
	return scope + "/" + name + "#" + strconv.Itoa(visit)
}

func attemptKey(key string, attempt int) string {
	return key + "/a" + strconv.Itoa(attempt)
}

func encodeTime(t time.Time) []byte {
	b, _ := t.UTC().MarshalText()
	return b
}

func decodeTime(b []byte) (time.Time, error) {
	var t time.Time
	err := t.UnmarshalText(b)
	return t, err
}
