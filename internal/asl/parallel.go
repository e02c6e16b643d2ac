package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/moderato/moderato/internal/asl/expr"
)

// errSiblingFailed cancels the other branches or iterations when one fails.
var errSiblingFailed = errors.New("a sibling branch failed")

func (x *run) runParallel(ctx context.Context, v *visit, akey string, attempt int) (any, bool, error) {
	st := v.st
	ctxObj := x.context(v, attempt, "", nil)
	in, err := x.effectiveInput(v, ctxObj)
	if err != nil {
		return nil, false, err
	}
	x.event("ParallelStateStarted", st.name, nil)

	branchCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	results := make([]any, len(st.branches))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error

	// Add the branches before removing this path, so that the path count
	// never passes through a value that looks settled.
	x.addActive(len(st.branches))
	x.addActive(-1)
	// AWS starts the branches together: the history holds the first
	// StateEntered event of every branch before any later event of a
	// branch. Each branch waits at this barrier after its first event.
	var started sync.WaitGroup
	started.Add(len(st.branches))
	for i, branch := range st.branches {
		wg.Add(1)
		arrive := sync.OnceFunc(started.Done)
		hookCtx := context.WithValue(branchCtx, enteredHookKey{}, func() {
			arrive()
			started.Wait()
		})
		go func() {
			defer wg.Done()
			defer x.addActive(-1)
			defer arrive()
			out, err := x.runMachine(hookCtx, branch, fmt.Sprintf("%s/b%d", akey, i), newVarScope(v.vars), in)
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
					cancel(errSiblingFailed)
				}
				mu.Unlock()
				return
			}
			results[i] = out
		}()
	}
	wg.Wait()
	x.addActive(1)

	if first != nil {
		if ctx.Err() != nil {
			return nil, true, context.Cause(ctx)
		}
		return nil, true, first
	}
	out, err := x.applyOutput(v, ctxObj, results)
	return out, true, err
}

// mapLimits are the evaluated MaxConcurrency and tolerated failure fields.
type mapLimits struct {
	maxConcurrency int
	toleratedCount int     // -1 when unset
	toleratedPct   float64 // -1 when unset
}

// mapSetup evaluates the input, the items and the limits of a Map state.
func (x *run) mapSetup(v *visit, ctxObj *expr.Scope) (any, []any, mapLimits, error) {
	st := v.st
	if st.jsonata {
		items, err := x.jsonataItems(v, ctxObj)
		if err != nil {
			return nil, nil, mapLimits{}, err
		}
		limits, err := x.jsonataMapLimits(v, ctxObj)
		return v.input, items, limits, err
	}

	in, err := expr.ApplyPath(st.inputPath.value, st.inputPath.null, v.input, ctxObj)
	if err != nil {
		return nil, nil, mapLimits{}, failure(v, err)
	}
	itemsValue := in
	if st.itemsPath.value != nil {
		if itemsValue, err = expr.Query(*st.itemsPath.value, in, ctxObj); err != nil {
			return nil, nil, mapLimits{}, failure(v, err)
		}
	}
	items, ok := itemsValue.([]any)
	if !ok {
		return nil, nil, mapLimits{}, runtimeFailure(v, ErrorRuntime, fmt.Sprintf("The Map state's items must be a JSON array, not '%s'", compactJSON(itemsValue)))
	}
	limits, err := x.mapLimits(v, in, ctxObj)
	return in, items, limits, err
}

func (x *run) jsonataMapLimits(v *visit, ctxObj *expr.Scope) (mapLimits, error) {
	st := v.st
	l := mapLimits{maxConcurrency: st.maxConcurrency, toleratedCount: -1, toleratedPct: -1}
	if st.hasToleratedCount {
		l.toleratedCount = st.toleratedCount
	}
	if st.hasToleratedPercent {
		l.toleratedPct = st.toleratedPercentage
	}
	if n, ok, err := x.jsonataNumberField(v, ctxObj, "MaxConcurrency", true, math.MaxInt32); err != nil {
		return l, err
	} else if ok {
		l.maxConcurrency = int(n)
	}
	if n, ok, err := x.jsonataNumberField(v, ctxObj, "ToleratedFailureCount", true, math.MaxInt32); err != nil {
		return l, err
	} else if ok {
		l.toleratedCount = int(n)
	}
	if n, ok, err := x.jsonataNumberField(v, ctxObj, "ToleratedFailurePercentage", false, 100); err != nil {
		return l, err
	} else if ok {
		l.toleratedPct = n
	}
	return l, nil
}

func (x *run) mapLimits(v *visit, in any, ctxObj *expr.Scope) (mapLimits, error) {
	st := v.st
	l := mapLimits{maxConcurrency: st.maxConcurrency, toleratedCount: -1, toleratedPct: -1}
	if st.hasToleratedCount {
		l.toleratedCount = st.toleratedCount
	}
	if st.hasToleratedPercent {
		l.toleratedPct = st.toleratedPercentage
	}

	integerField := func(path, field string) (int, error) {
		val, err := expr.Query(path, in, ctxObj)
		if err != nil {
			return 0, failure(v, err)
		}
		n, ok := integerValue(val)
		if s, isString := val.(string); isString && field == "MaxConcurrencyPath" {
			// AWS accepts a string that holds an integer here.
			n, ok = integerValue(json.Number(s))
		}
		if !ok || n < 0 || n > math.MaxInt32 {
			return 0, runtimeFailure(v, ErrorRuntime, fmt.Sprintf("The %s field refers to value \"%s\" which is not a valid integer: %s", field, plainValue(val), path))
		}
		return int(n), nil
	}
	var err error
	if st.maxConcurrencyPath != "" {
		if l.maxConcurrency, err = integerField(st.maxConcurrencyPath, "MaxConcurrencyPath"); err != nil {
			return l, err
		}
	}
	if st.toleratedCountPath != "" {
		if l.toleratedCount, err = integerField(st.toleratedCountPath, "ToleratedFailureCountPath"); err != nil {
			return l, err
		}
	}
	if st.toleratedPercentPath != "" {
		val, err := expr.Query(st.toleratedPercentPath, in, ctxObj)
		if err != nil {
			return l, failure(v, err)
		}
		n, ok := val.(json.Number)
		f, ferr := n.Float64()
		if !ok || ferr != nil || f < 0 || f > 100 {
			return l, runtimeFailure(v, ErrorRuntime, fmt.Sprintf("The ToleratedFailurePercentagePath field refers to value \"%s\" which is not a valid percentage: %s", plainValue(val), st.toleratedPercentPath))
		}
		l.toleratedPct = f
	}
	return l, nil
}

// exceeds reports whether failures out of total items break the tolerance.
// Without any tolerance field one failure fails the Map state.
func (l mapLimits) exceeds(failures, total int) bool {
	if l.toleratedCount < 0 && l.toleratedPct < 0 {
		return failures > 0
	}
	if l.toleratedCount >= 0 && failures > l.toleratedCount {
		return true
	}
	return l.toleratedPct >= 0 && total > 0 && float64(failures)*100/float64(total) > l.toleratedPct
}

func (l mapLimits) tolerant() bool {
	return l.toleratedCount >= 0 || l.toleratedPct >= 0
}

func (x *run) runMap(ctx context.Context, v *visit, akey string, attempt int) (any, bool, error) {
	st := v.st
	ctxObj := x.context(v, attempt, "", nil)
	in, items, limits, err := x.mapSetup(v, ctxObj)
	if err != nil {
		// AWS records MapStateFailed after a JSONata evaluation error, but
		// no event after a JSONPath one.
		return nil, st.jsonata, err
	}
	x.event("MapStateStarted", st.name, nil)

	workers := len(items)
	if limits.maxConcurrency > 0 && limits.maxConcurrency < workers {
		workers = limits.maxConcurrency
	}
	iterCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	results := make([]any, len(items))
	var mu sync.Mutex
	next, failures := 0, 0
	var first error

	// take hands out item indexes in order, so MaxConcurrency 1 runs the
	// items one after the other.
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= len(items) || iterCtx.Err() != nil {
			return 0, false
		}
		next++
		return next - 1, true
	}
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
			cancel(errSiblingFailed)
		}
	}

	var wg sync.WaitGroup
	x.addActive(workers)
	x.addActive(-1)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer x.addActive(-1)
			for {
				i, ok := take()
				if !ok {
					return
				}
				out, err := x.runIteration(iterCtx, v, akey, attempt, in, i, items[i])
				if err == nil {
					results[i] = out
					continue
				}
				var f *Failure
				if !errors.As(err, &f) {
					fail(err)
					return
				}
				mu.Lock()
				failures++
				exceeded := limits.exceeds(failures, len(items))
				mu.Unlock()
				results[i] = map[string]any{"Error": f.Name, "Cause": f.Cause}
				if !exceeded {
					continue
				}
				if limits.tolerant() {
					f = &Failure{Name: ErrorExceedToleratedFailure, Cause: "The specified tolerated failure threshold was exceeded"}
				}
				fail(f)
				return
			}
		}()
	}
	wg.Wait()
	x.addActive(1)

	if first != nil {
		if ctx.Err() != nil {
			return nil, true, context.Cause(ctx)
		}
		return nil, true, first
	}
	x.event("MapStateSucceeded", st.name, nil)
	out, err := x.applyOutput(v, ctxObj, results)
	return out, true, err
}

func (x *run) runIteration(ctx context.Context, v *visit, akey string, attempt int, in any, index int, item any) (any, error) {
	st := v.st
	input := item
	if st.hasItemSelector {
		mapItem := map[string]any{"Index": json.Number(fmt.Sprint(index)), "Value": item}
		scope := x.context(v, attempt, "", mapItem)
		var err error
		if st.jsonata {
			input, err = x.evalJSONata(v, st.itemSelector, "ItemSelector", statesValue(v, scope, nil, false, nil, false))
			if err != nil {
				return nil, err
			}
		} else {
			input, err = expr.EvalTemplate(st.itemSelector, in, scope)
			if err != nil {
				return nil, failure(v, err)
			}
		}
	}

	x.event("MapIterationStarted", st.name, nil)
	out, err := x.runMachine(ctx, st.processor, fmt.Sprintf("%s/i%d", akey, index), newVarScope(v.vars), input)
	var f *Failure
	switch {
	case err == nil:
		x.event("MapIterationSucceeded", st.name, nil)
	case errors.As(err, &f):
		x.event("MapIterationFailed", st.name, f)
	}
	return out, err
}

// enteredHookKey is the context key of a func() that runState calls after
// each StateEntered event of a Parallel branch.
type enteredHookKey struct{}
