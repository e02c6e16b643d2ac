package asl

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// Clock is the source of time for the semantics of an execution: Wait
// states, task timeouts, retry intervals and the context object. Tests use
// a fake clock so that timeouts need no real sleep. Leases and journal
// polling always use real time.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// taskTokenBytes gives a 256-character token; 190 is not a multiple of 3,
// so the token ends in "=" padding like AWS tokens, and the standard
// alphabet puts "+" and "/" in it.
const taskTokenBytes = 190

func newTaskToken() string {
	b := make([]byte, taskTokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error
	return base64.StdEncoding.EncodeToString(b)
}
