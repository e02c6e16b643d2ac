package expr

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// maxPathLength bounds the text of one path, so a hostile definition cannot
// make the parser or the canonical rendering allocate without limit.
const maxPathLength = 64 * 1024

// maxFilterDepth bounds how deeply filter expressions and their parentheses
// may nest.
const maxFilterDepth = 64

// Path is a parsed JSONPath expression, rooted at the state input ($) or at
// the context object ($$). The syntax is the subset of Jayway JsonPath that
// Step Functions evaluates: dot and bracket child names, array indexes,
// [(@.length-n)] indexes, wildcards, unions, slices, filters and recursive
// descent. A negative index such as [-1] selects nothing, because that is
// what AWS does, although Jayway counts it from the end. Error causes quote paths the way Jayway does, because AWS reports
// Jayway's messages.
type Path struct {
	text    string
	context bool
	// variable is the workflow variable the path starts at ($name), or ""
	// for a path on the input or the context object.
	variable string
	steps    []step
}

type stepKind int

const (
	stepName stepKind = iota
	stepIndex
	stepWildcard
	stepNameUnion
	stepIndexUnion
	stepSlice
	stepFilter
)

type step struct {
	kind      stepKind
	recursive bool
	name      string
	index     int
	// fromEnd marks the index of [(@.length-n)], which counts from the end
	// of the array.
	fromEnd bool
	names   []string
	indexes []int
	slice   sliceSpec
	filter  filterNode
}

// sliceSpec is the [start:end:step] selector. A nil bound takes its default.
type sliceSpec struct {
	start, end *int
	step       int
}

// pathCache keeps parsed paths by their text: states evaluate the same few
// paths at every visit, and a parsed Path is never modified.
var pathCache = struct {
	sync.RWMutex
	paths map[string]*Path
}{paths: map[string]*Path{}}

// maxCachedPaths bounds pathCache, which is emptied when full.
const maxCachedPaths = 4096

// ParsePath parses a JSONPath expression that starts with $ or $$.
func ParsePath(text string) (*Path, error) {
	pathCache.RLock()
	p, ok := pathCache.paths[text]
	pathCache.RUnlock()
	if ok {
		return p, nil
	}

	p, err := parsePath(text)
	if err != nil {
		return nil, err
	}
	pathCache.Lock()
	if len(pathCache.paths) >= maxCachedPaths {
		clear(pathCache.paths)
	}
	pathCache.paths[text] = p
	pathCache.Unlock()
	return p, nil
}

func parsePath(text string) (*Path, error) {
	if len(text) > maxPathLength {
		return nil, fmt.Errorf("invalid path: longer than %d bytes", maxPathLength)
	}

	if strings.HasPrefix(text, "@") {
		return nil, fmt.Errorf("invalid path '%s': '@' is only valid inside a filter", text)
	}

	p := &pathParser{src: text}
	path, err := p.parseRooted(0)
	if err != nil {
		return nil, fmt.Errorf("invalid path '%s': %w", text, err)
	}
	if p.pos != len(p.src) {
		return nil, fmt.Errorf("invalid path '%s': unexpected character %q at offset %d", text, p.src[p.pos], p.pos)
	}

	return path, nil
}

// ParseReferencePath parses a reference path, which names at most one node:
// only child names and array indexes, no wildcards, unions, slices, filters,
// @ or recursive descent. ResultPath and the Variable of a Choice rule are
// reference paths.
func ParseReferencePath(text string) (*Path, error) {
	p, err := ParsePath(text)
	if err != nil {
		return nil, err
	}
	if !p.Definite() {
		return nil, fmt.Errorf("invalid reference path '%s': a reference path must name a single node, without wildcards, unions, slices, filters or '..'", text)
	}
	for _, s := range p.steps {
		if s.fromEnd {
			return nil, fmt.Errorf("invalid reference path '%s': a reference path cannot use '@'", text)
		}
	}

	return p, nil
}

// String returns the path as it was written.
func (p *Path) String() string { return p.text }

// IsContext reports whether the path starts at the context object ($$).
func (p *Path) IsContext() bool { return p.context }

// Variable returns the name of the workflow variable the path starts at,
// or "" when it starts at the input or the context object.
func (p *Path) Variable() string { return p.variable }

// root returns the value the path starts at, and false when it names a
// variable that is not defined.
func (p *Path) root(input, context any) (any, bool) {
	ctxObj, vars := splitContext(context)
	switch {
	case p.context:
		return ctxObj, true
	case p.variable != "":
		if vars == nil {
			return nil, false
		}
		return vars.Variable(p.variable)
	}
	return input, true
}

// Definite reports whether the path names at most one node.
func (p *Path) Definite() bool {
	for _, s := range p.steps {
		if s.recursive || (s.kind != stepName && s.kind != stepIndex) {
			return false
		}
	}

	return true
}

// Canonical renders the path in the bracket notation that Jayway JsonPath
// uses in its messages, for example $['a']['b'][0].
func (p *Path) Canonical() string {
	var b strings.Builder
	switch {
	case p.context:
		b.WriteString("$$")
	case p.variable != "":
		b.WriteString("$" + p.variable)
	default:
		b.WriteString("$")
	}
	writeSteps(&b, p.steps)

	return b.String()
}

func writeSteps(b *strings.Builder, steps []step) {
	for _, s := range steps {
		if s.recursive {
			b.WriteString("..")
		}
		switch s.kind {
		case stepName:
			b.WriteString("['" + s.name + "']")
		case stepIndex:
			if s.fromEnd {
				b.WriteString("[(@.length" + fmt.Sprintf("%+d", s.index) + ")]")
				break
			}
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case stepWildcard:
			b.WriteString("[*]")
		case stepNameUnion:
			quoted := make([]string, len(s.names))
			for i, n := range s.names {
				quoted[i] = "'" + n + "'"
			}
			b.WriteString("[" + strings.Join(quoted, ",") + "]")
		case stepIndexUnion:
			parts := make([]string, len(s.indexes))
			for i, n := range s.indexes {
				parts[i] = strconv.Itoa(n)
			}
			b.WriteString("[" + strings.Join(parts, ",") + "]")
		case stepSlice:
			b.WriteString("[")
			if s.slice.start != nil {
				b.WriteString(strconv.Itoa(*s.slice.start))
			}
			b.WriteString(":")
			if s.slice.end != nil {
				b.WriteString(strconv.Itoa(*s.slice.end))
			}
			if s.slice.step != 1 {
				b.WriteString(":" + strconv.Itoa(s.slice.step))
			}
			b.WriteString("]")
		case stepFilter:
			b.WriteString("[?]")
		}
	}
}

// Query evaluates the path. A definite path returns the value of its node
// and fails with States.Runtime when the node does not exist. Any other
// path returns an []any of all matches, which may be empty.
func (p *Path) Query(input, context any) (any, error) {
	if p.Definite() {
		v, ok := p.Lookup(input, context)
		if !ok {
			return nil, runtimeError(fmt.Sprintf("Invalid path '%s' : No results for path: %s", p.text, p.Canonical()))
		}
		return v, nil
	}

	root, ok := p.root(input, context)
	if !ok {
		return nil, runtimeError(fmt.Sprintf("Invalid path '%s' : the variable '%s' is not defined", p.text, p.variable))
	}

	return selectSteps(p.steps, root, root), nil
}

// Lookup returns the value of a definite path's node and whether it exists.
// For a path that is not definite it returns the []any of all matches and
// reports whether there was at least one.
func (p *Path) Lookup(input, context any) (any, bool) {
	root, ok := p.root(input, context)
	if !ok {
		return nil, false
	}
	if !p.Definite() {
		matches := selectSteps(p.steps, root, root)
		return matches, len(matches) > 0
	}

	return lookupSteps(p.steps, root)
}

func lookupSteps(steps []step, v any) (any, bool) {
	for _, s := range steps {
		switch s.kind {
		case stepName:
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			v, ok = obj[s.name]
			if !ok {
				return nil, false
			}
		case stepIndex:
			arr, ok := v.([]any)
			if !ok {
				return nil, false
			}
			i, ok := s.arrayIndex(len(arr))
			if !ok {
				return nil, false
			}
			v = arr[i]
		default:
			return nil, false
		}
	}

	return v, true
}

// arrayIndex resolves an index step against an array of length n.
func (s step) arrayIndex(n int) (int, bool) {
	i := s.index
	if s.fromEnd {
		i += n
	}
	if i < 0 || i >= n {
		return 0, false
	}

	return i, true
}

// selectSteps returns every node that the steps select from v. The root
// argument is the document that $ inside a filter refers to.
func selectSteps(steps []step, v, root any) []any {
	nodes := []any{v}
	for _, s := range steps {
		var next []any
		for _, n := range nodes {
			if s.recursive {
				for _, d := range descendants(n) {
					next = applyStep(s, d, root, next)
				}
				continue
			}
			next = applyStep(s, n, root, next)
		}
		nodes = next
	}
	if nodes == nil {
		nodes = []any{}
	}

	return nodes
}

// descendants returns v and every value nested in it, parents first, object
// members in key order.
func descendants(v any) []any {
	out := []any{v}
	switch t := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			out = append(out, descendants(t[k])...)
		}
	case []any:
		for _, e := range t {
			out = append(out, descendants(e)...)
		}
	}

	return out
}

// sortedKeys returns the keys of obj in byte order. Go maps keep no member
// order, so wildcards, recursive descent, States.Format and
// States.JsonToString visit members in this order.
// NOTE: AWS uses document order, so for objects with more than one member
// these results can list members in a different order than AWS.
func sortedKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	return keys
}

func applyStep(s step, v, root any, out []any) []any {
	switch s.kind {
	case stepName:
		if obj, ok := v.(map[string]any); ok {
			if child, ok := obj[s.name]; ok {
				out = append(out, child)
			}
		}
	case stepNameUnion:
		if obj, ok := v.(map[string]any); ok {
			for _, name := range s.names {
				if child, ok := obj[name]; ok {
					out = append(out, child)
				}
			}
		}
	case stepIndex:
		if child, ok := lookupSteps([]step{{kind: stepIndex, index: s.index, fromEnd: s.fromEnd}}, v); ok {
			out = append(out, child)
		}
	case stepIndexUnion:
		for _, i := range s.indexes {
			if child, ok := lookupSteps([]step{{kind: stepIndex, index: i}}, v); ok {
				out = append(out, child)
			}
		}
	case stepWildcard:
		switch t := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(t) {
				out = append(out, t[k])
			}
		case []any:
			out = append(out, t...)
		}
	case stepSlice:
		if arr, ok := v.([]any); ok {
			out = appendSlice(arr, s.slice, out)
		}
	case stepFilter:
		switch t := v.(type) {
		case []any:
			// On AWS, @ matches objects only, so other elements never pass.
			for _, e := range t {
				if _, ok := e.(map[string]any); ok && s.filter.test(e, root) {
					out = append(out, e)
				}
			}
		case map[string]any:
			// Jayway applies a filter on an object to the object itself.
			if s.filter.test(t, root) {
				out = append(out, t)
			}
		}
	}

	return out
}

// appendSlice selects arr[start:end:step] with Python's rules for negative
// and out-of-range bounds.
func appendSlice(arr []any, sl sliceSpec, out []any) []any {
	n := len(arr)
	clamp := func(i, low, high int) int {
		if i < 0 {
			i += n
		}
		return min(max(i, low), high)
	}

	if sl.step > 0 {
		start, end := 0, n
		if sl.start != nil {
			start = clamp(*sl.start, 0, n)
		}
		if sl.end != nil {
			end = clamp(*sl.end, 0, n)
		}
		for i := start; i < end; i += sl.step {
			out = append(out, arr[i])
		}
		return out
	}

	start, end := n-1, -1
	if sl.start != nil {
		start = clamp(*sl.start, -1, n-1)
	}
	if sl.end != nil {
		end = clamp(*sl.end, -1, n-1)
	}
	for i := start; i > end; i += sl.step {
		out = append(out, arr[i])
	}

	return out
}

// jsonEqual compares two JSON values structurally, numbers by value.
func jsonEqual(a, b any) bool {
	if na, ok := asNumber(a); ok {
		nb, ok := asNumber(b)
		return ok && compareNumbers(na, nb) == 0
	}

	switch ta := a.(type) {
	case map[string]any:
		tb, ok := b.(map[string]any)
		if !ok || len(ta) != len(tb) {
			return false
		}
		for k, va := range ta {
			vb, ok := tb[k]
			if !ok || !jsonEqual(va, vb) {
				return false
			}
		}
		return true
	case []any:
		tb, ok := b.([]any)
		if !ok || len(ta) != len(tb) {
			return false
		}
		for i := range ta {
			if !jsonEqual(ta[i], tb[i]) {
				return false
			}
		}
		return true
	case string, bool, nil:
		return a == b
	}

	return reflect.DeepEqual(a, b)
}

// marshalJSON renders v as compact JSON without HTML escaping, keeping the
// text of json.Number values.
func marshalJSON(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}

	return strings.TrimSuffix(b.String(), "\n"), nil
}
