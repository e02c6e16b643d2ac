package asl

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/moderato/moderato/internal/asl/expr"
)

// matchesError reports whether an ErrorEquals list matches an error name.
// States.ALL matches every name except the terminal ones that AWS documents
// it does not catch: States.Runtime and States.DataLimitExceeded.
func matchesError(errorEquals []string, name string) bool {
	for _, e := range errorEquals {
		if e == name {
			return true
		}
		if e == ErrorALL && name != ErrorRuntime && name != ErrorDataLimitExceeded {
			return true
		}
	}
	return false
}

// delay returns the wait before the retry that follows retryCount earlier
// retries by this retrier, before jitter.
func (r retrier) delay(retryCount int) time.Duration {
	seconds := r.intervalSeconds * math.Pow(r.backoffRate, float64(retryCount))
	if r.maxDelaySeconds > 0 && seconds > r.maxDelaySeconds {
		seconds = r.maxDelaySeconds
	}
	if seconds > math.MaxInt32 {
		seconds = math.MaxInt32
	}
	return time.Duration(seconds * float64(time.Second))
}

// runWithErrorHandling runs a Task, Parallel or Map state with its Retry and
// Catch fields. It returns the state output and the next state.
func (x *run) runWithErrorHandling(ctx context.Context, v *visit) (any, string, error) {
	st := v.st
	retryCounts := make([]int, len(st.retry))
	for attempt := 0; ; attempt++ {
		akey := attemptKey(v.key, attempt)
		var output any
		var err error
		// started is false when a Parallel or Map state failed before
		// starting its branches; AWS then records no StateFailed event.
		started := true
		switch st.kind {
		case "Task":
			output, err = x.runTask(ctx, v, akey, attempt)
		case "Parallel":
			output, started, err = x.runParallel(ctx, v, akey, attempt)
		case "Map":
			output, started, err = x.runMap(ctx, v, akey, attempt)
		}
		if err == nil {
			return output, st.next, nil
		}
		var f *Failure
		if !errors.As(err, &f) {
			return nil, "", err
		}

		if i := matchRetrier(st.retry, f.Name); i >= 0 && retryCounts[i] < st.retry[i].maxAttempts {
			if err := x.sleepBeforeRetry(ctx, v, akey, attempt, st.retry[i], retryCounts[i]); err != nil {
				return nil, "", err
			}
			retryCounts[i]++
			continue
		}

		if st.kind != "Task" && started {
			x.event(st.kind+"StateFailed", st.name, f)
		}
		for _, c := range st.catch {
			if !matchesError(c.errorEquals, f.Name) {
				continue
			}
			errorOutput := map[string]any{"Error": f.Name, "Cause": f.Cause}
			if st.jsonata {
				output, err := x.catchJSONata(v, c, errorOutput)
				if err != nil {
					return nil, "", err
				}
				return output, c.next, nil
			}
			v.assigned = nil
			if err := x.assignJSONPath(v, c.assign, errorOutput, x.context(v, 0, "", nil)); err != nil {
				return nil, "", err
			}
			output, err := expr.ApplyResultPath(c.resultPath.value, c.resultPath.null, v.input, errorOutput)
			if err != nil {
				return nil, "", failure(v, err)
			}
			return output, c.next, nil
		}
		return nil, "", f
	}
}

func matchRetrier(retry []retrier, name string) int {
	for i, r := range retry {
		if matchesError(r.errorEquals, name) {
			return i
		}
	}
	return -1
}

// sleepBeforeRetry waits the retrier's interval. The time of the next
// attempt is recorded, so a replay does not draw a new jitter, and a replay
// whose next attempt already started does not wait at all.
func (x *run) sleepBeforeRetry(ctx context.Context, v *visit, akey string, attempt int, r retrier, retryCount int) error {
	next := attemptKey(v.key, attempt+1)
	if x.hasPrefix(next+".") || x.hasPrefix(next+"/") {
		return nil
	}
	d := r.delay(retryCount)
	if r.fullJitter {
		d = time.Duration(rand.Int64N(int64(d) + 1))
	}
	at, err := x.recordTime(akey+".retryAt", x.r.clock.Now().Add(d))
	if err != nil {
		return err
	}
	return x.sleepUntil(ctx, at)
}

func (x *run) runWait(ctx context.Context, v *visit) (any, error) {
	st := v.st
	ctxObj := x.context(v, 0, "", nil)
	in, err := expr.ApplyPath(st.inputPath.value, st.inputPath.null, v.input, ctxObj)
	if err != nil {
		return nil, failure(v, err)
	}

	entered, err := x.recordTime(v.key+".entered", time.Time{})
	if err != nil {
		return nil, err
	}
	var deadline time.Time
	switch {
	case st.seconds != nil:
		deadline = entered.Add(time.Duration(*st.seconds) * time.Second)
	case st.secondsPath != "":
		val, err := expr.Query(st.secondsPath, in, ctxObj)
		if err != nil {
			return nil, failure(v, err)
		}
		seconds, ok := integerValue(val)
		if !ok {
			return nil, runtimeFailure(v, ErrorRuntime, fmt.Sprintf("The SecondsPath parameter cannot be parsed as a long value: %s == %s", st.secondsPath, plainValue(val)))
		}
		if seconds < 0 {
			return nil, runtimeFailure(v, ErrorRuntime, fmt.Sprintf("The SecondsPath parameter references a negative value: %s == %d", st.secondsPath, seconds))
		}
		deadline = entered.Add(time.Duration(seconds) * time.Second)
	case st.timestamp != "":
		deadline, _ = parseTimestamp(st.timestamp)
	case st.timestampPath != "":
		val, err := expr.Query(st.timestampPath, in, ctxObj)
		if err != nil {
			return nil, failure(v, err)
		}
		s, _ := val.(string)
		t, perr := parseTimestamp(s)
		if perr != nil {
			return nil, runtimeFailure(v, ErrorRuntime, fmt.Sprintf("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", st.timestampPath, plainValue(val)))
		}
		deadline = t
	}

	deadline, err = x.recordTime(v.key+".deadline", deadline)
	if err != nil {
		return nil, err
	}
	if err := x.sleepUntil(ctx, deadline); err != nil {
		return nil, err
	}

	if err := x.assignJSONPath(v, st.assign, in, ctxObj); err != nil {
		return nil, err
	}
	out, err := expr.ApplyPath(st.outputPath.value, st.outputPath.null, in, ctxObj)
	if err != nil {
		return nil, failure(v, err)
	}
	return out, nil
}

// plainValue formats a value the way AWS quotes it in error causes: strings
// without quotes, anything else as JSON.
func plainValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return compactJSON(v)
}
