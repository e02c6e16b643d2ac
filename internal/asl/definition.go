package asl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/moderato/moderato/internal/asl/expr"
)

// Definition is a parsed and validated state machine definition.
type Definition struct {
	root           *machine
	timeoutSeconds int // 0 means no execution timeout
}

// machine is a top-level state machine or a nested one (Parallel branch,
// Map item processor).
type machine struct {
	startAt string
	states  map[string]*state
}

// optionalPath is an InputPath, OutputPath, ResultPath or ItemsPath field,
// which distinguishes absent (the default "$") from the JSON null.
type optionalPath struct {
	value *string
	null  bool
}

type retrier struct {
	errorEquals     []string
	intervalSeconds float64
	maxAttempts     int
	backoffRate     float64
	maxDelaySeconds float64 // 0 means no cap
	fullJitter      bool
}

type catcher struct {
	errorEquals []string
	next        string
	resultPath  optionalPath
	assign      map[string]any // nil when absent
	output      any            // JSONata Output
	hasOutput   bool
}

// jsonataRule is a Choice rule of a JSONata state.
type jsonataRule struct {
	condition any // "{% %}" expression or a boolean
	next      string
	assign    map[string]any
	output    any
	hasOutput bool
}

type state struct {
	name string
	kind string
	next string
	end  bool

	// jsonata is set when the state evaluates JSONata: its QueryLanguage,
	// or the state machine's, is "JSONata".
	jsonata bool
	// assign is the Assign field, nil when absent.
	assign map[string]any
	// jx holds the JSONata-only fields (Output, Arguments, Items) and the
	// fields given as "{% %}" expressions instead of numbers or timestamps.
	jx map[string]any

	inputPath, outputPath, resultPath optionalPath

	parameters     any
	hasParameters  bool
	resultSelector any
	hasSelector    bool
	result         any
	hasResult      bool

	// Task
	resource             string
	timeoutSeconds       int
	timeoutSecondsPath   string
	heartbeatSeconds     int
	heartbeatSecondsPath string
	retry                []retrier
	catch                []catcher

	// Choice
	choices      []*expr.Rule
	choiceAssign []map[string]any // per rule, nil when absent
	jsonataRules []jsonataRule
	defaultNext  string

	// Wait
	seconds       *float64
	secondsPath   string
	timestamp     string
	timestampPath string

	// Fail
	errorName, cause     string
	errorPath, causePath string

	// Parallel
	branches []*machine

	// Map
	processor            *machine
	itemsPath            optionalPath
	itemSelector         any
	hasItemSelector      bool
	maxConcurrency       int
	maxConcurrencyPath   string
	toleratedPercentage  float64
	hasToleratedPercent  bool
	toleratedPercentPath string
	toleratedCount       int
	hasToleratedCount    bool
	toleratedCountPath   string
}

// fields is a JSON object whose values are decoded on demand.
type fields struct {
	where string // "state \"X\"" or "state machine", for error messages
	raw   map[string]json.RawMessage
}

// Parse parses and validates a state machine definition. Errors name the
// state and the field.
func Parse(definition []byte) (*Definition, error) {
	top, err := decodeFields(definition, "state machine")
	if err != nil {
		return nil, err
	}

	ql, err := top.queryLanguage(queryJSONPath)
	if err != nil {
		return nil, err
	}

	m, err := parseMachine(top, "", ql)
	if err != nil {
		return nil, err
	}

	d := &Definition{root: m}
	if n, ok, err := top.integer("TimeoutSeconds"); err != nil {
		return nil, err
	} else if ok {
		if n <= 0 {
			return nil, errors.New("parsing state machine: TimeoutSeconds must be a positive integer")
		}
		d.timeoutSeconds = n
	}
	return d, nil
}

func decodeFields(data []byte, where string) (fields, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return fields{}, fmt.Errorf("parsing %s: invalid JSON object: %w", where, err)
	}
	if raw == nil {
		return fields{}, fmt.Errorf("parsing %s: expected a JSON object", where)
	}
	return fields{where: where, raw: raw}, nil
}

func (f fields) has(name string) bool {
	_, ok := f.raw[name]
	return ok
}

func (f fields) errorf(field, format string, args ...any) error {
	return fmt.Errorf("parsing %s: field %s: %s", f.where, field, fmt.Sprintf(format, args...))
}

func (f fields) str(name string) (string, bool, error) {
	raw, ok := f.raw[name]
	if !ok {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, f.errorf(name, "expected a string")
	}
	return s, true, nil
}

func (f fields) requiredStr(name string) (string, error) {
	s, ok, err := f.str(name)
	if err != nil {
		return "", err
	}
	if !ok || s == "" {
		return "", f.errorf(name, "missing")
	}
	return s, nil
}

func (f fields) number(name string) (float64, bool, error) {
	raw, ok := f.raw[name]
	if !ok {
		return 0, false, nil
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, false, f.errorf(name, "expected a number")
	}
	return n, true, nil
}

func (f fields) integer(name string) (int, bool, error) {
	n, ok, err := f.number(name)
	if err != nil || !ok {
		return 0, ok, err
	}
	if n != math.Trunc(n) || n < 0 || n > math.MaxInt32 {
		return 0, false, f.errorf(name, "expected a non-negative integer")
	}
	return int(n), true, nil
}

func (f fields) boolean(name string) (bool, error) {
	raw, ok := f.raw[name]
	if !ok {
		return false, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, f.errorf(name, "expected a boolean")
	}
	return b, nil
}

func (f fields) value(name string) (any, bool, error) {
	raw, ok := f.raw[name]
	if !ok {
		return nil, false, nil
	}
	v, err := decodeValue(raw)
	if err != nil {
		return nil, false, f.errorf(name, "invalid JSON: %v", err)
	}
	return v, true, nil
}

func (f fields) path(name string) (optionalPath, error) {
	raw, ok := f.raw[name]
	if !ok {
		return optionalPath{}, nil
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return optionalPath{null: true}, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || !strings.HasPrefix(s, "$") {
		return optionalPath{}, f.errorf(name, "expected a path that starts with $ or null")
	}
	if name == "ResultPath" {
		p, err := expr.ParseReferencePath(s)
		if err != nil {
			return optionalPath{}, f.errorf(name, "%v", err)
		}
		if p.IsContext() || p.Variable() != "" {
			return optionalPath{}, f.errorf(name, "a ResultPath must start at the state input ($), not at the context object or a variable")
		}
	} else if _, err := expr.ParsePath(s); err != nil {
		return optionalPath{}, f.errorf(name, "%v", err)
	}
	return optionalPath{value: &s}, nil
}

func (f fields) object(name string) (fields, bool, error) {
	raw, ok := f.raw[name]
	if !ok {
		return fields{}, false, nil
	}
	sub, err := decodeFields(raw, f.where+" field "+name)
	return sub, err == nil, err
}

func (f fields) array(name string) ([]json.RawMessage, bool, error) {
	raw, ok := f.raw[name]
	if !ok {
		return nil, false, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, false, f.errorf(name, "expected an array")
	}
	return items, true, nil
}

// decodeValue decodes JSON keeping numbers as json.Number, as package expr
// expects.
func decodeValue(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// Query languages, as the QueryLanguage field names them.
const (
	queryJSONPath = "JSONPath"
	queryJSONata  = "JSONata"
)

// queryLanguage reads the QueryLanguage field, or returns def when absent.
func (f fields) queryLanguage(def string) (string, error) {
	ql, ok, err := f.str("QueryLanguage")
	if err != nil || !ok {
		return def, err
	}
	if ql != queryJSONPath && ql != queryJSONata {
		return "", f.errorf("QueryLanguage", "must be JSONPath or JSONata, not %q", ql)
	}
	return ql, nil
}

// parseMachine parses StartAt and States. ql is the query language of
// states that have no QueryLanguage field: the state machine's.
func parseMachine(f fields, prefix, ql string) (*machine, error) {
	startAt, err := f.requiredStr("StartAt")
	if err != nil {
		return nil, err
	}
	statesObj, ok, err := f.object("States")
	if err != nil {
		return nil, err
	}
	if !ok || len(statesObj.raw) == 0 {
		return nil, f.errorf("States", "missing or empty")
	}

	m := &machine{startAt: startAt, states: map[string]*state{}}
	names := make([]string, 0, len(statesObj.raw))
	for name := range statesObj.raw {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "" || len(name) > 80 {
			return nil, fmt.Errorf("parsing %s: state name %q must be 1 to 80 characters", f.where, name)
		}
		sf, err := decodeFields(statesObj.raw[name], fmt.Sprintf("state %q", prefix+name))
		if err != nil {
			return nil, err
		}
		st, err := parseState(name, sf, prefix, ql)
		if err != nil {
			return nil, err
		}
		m.states[name] = st
	}

	if _, ok := m.states[startAt]; !ok {
		return nil, f.errorf("StartAt", "names state %q, which does not exist", startAt)
	}
	for _, name := range names {
		if err := m.checkTransitions(m.states[name], prefix); err != nil {
			return nil, err
		}
	}
	if err := m.checkReachable(names, prefix); err != nil {
		return nil, err
	}
	return m, nil
}

// checkReachable rejects states that no transition from StartAt reaches,
// as AWS does.
func (m *machine) checkReachable(names []string, prefix string) error {
	seen := map[string]bool{m.startAt: true}
	queue := []string{m.startAt}
	for len(queue) > 0 {
		st := m.states[queue[0]]
		queue = queue[1:]
		targets := []string{st.next, st.defaultNext}
		for _, r := range st.choices {
			targets = append(targets, r.Next)
		}
		for _, r := range st.jsonataRules {
			targets = append(targets, r.next)
		}
		for _, c := range st.catch {
			targets = append(targets, c.next)
		}
		for _, t := range targets {
			if t != "" && !seen[t] {
				seen[t] = true
				queue = append(queue, t)
			}
		}
	}
	for _, name := range names {
		if !seen[name] {
			return fmt.Errorf("parsing state %q: no transition from StartAt reaches it", prefix+name)
		}
	}
	return nil
}

func (m *machine) checkTransitions(st *state, prefix string) error {
	check := func(field, target string) error {
		if target == "" {
			return nil
		}
		if _, ok := m.states[target]; !ok {
			return fmt.Errorf("parsing state %q: field %s: names state %q, which does not exist", prefix+st.name, field, target)
		}
		return nil
	}
	if err := check("Next", st.next); err != nil {
		return err
	}
	if err := check("Default", st.defaultNext); err != nil {
		return err
	}
	for _, r := range st.choices {
		if err := check("Choices.Next", r.Next); err != nil {
			return err
		}
	}
	for _, r := range st.jsonataRules {
		if err := check("Choices.Next", r.next); err != nil {
			return err
		}
	}
	for _, c := range st.catch {
		if err := check("Catch.Next", c.next); err != nil {
			return err
		}
	}
	return nil
}

func parseState(name string, f fields, prefix, machineQL string) (*state, error) {
	kind, err := f.requiredStr("Type")
	if err != nil {
		return nil, err
	}
	st := &state{name: name, kind: kind}

	ql, err := f.queryLanguage(machineQL)
	if err != nil {
		return nil, err
	}
	st.jsonata = ql == queryJSONata

	switch kind {
	case "Pass", "Task", "Choice", "Wait", "Parallel", "Map":
		if st.inputPath, err = f.path("InputPath"); err != nil {
			return nil, err
		}
		if st.outputPath, err = f.path("OutputPath"); err != nil {
			return nil, err
		}
	case "Succeed", "Fail":
		if kind == "Succeed" {
			if st.inputPath, err = f.path("InputPath"); err != nil {
				return nil, err
			}
			if st.outputPath, err = f.path("OutputPath"); err != nil {
				return nil, err
			}
		}
	default:
		return nil, f.errorf("Type", "unknown state type %q", kind)
	}

	if err := st.parseLanguageFields(f); err != nil {
		return nil, err
	}

	if err := st.parseTransition(f); err != nil {
		return nil, err
	}

	switch kind {
	case "Pass":
		err = st.parseDataFields(f, true)
		if err == nil {
			st.result, st.hasResult, err = f.value("Result")
		}
	case "Task":
		err = st.parseTask(f)
	case "Choice":
		err = st.parseChoice(f)
	case "Wait":
		err = st.parseWait(f)
	case "Fail":
		err = st.parseFail(f)
	case "Parallel":
		err = st.parseParallel(f, prefix, machineQL)
	case "Map":
		err = st.parseMap(f, prefix, machineQL)
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (st *state) parseTransition(f fields) error {
	next, hasNext, err := f.str("Next")
	if err != nil {
		return err
	}
	end, err := f.boolean("End")
	if err != nil {
		return err
	}
	st.next, st.end = next, end

	switch st.kind {
	case "Choice", "Succeed", "Fail":
		if hasNext || f.has("End") {
			return f.errorf("Next", "a %s state must not have Next or End", st.kind)
		}
		return nil
	}
	if hasNext && end {
		return f.errorf("Next", "Next and End are mutually exclusive")
	}
	if !hasNext && !end {
		return f.errorf("Next", "missing: a %s state needs Next or \"End\": true", st.kind)
	}
	if hasNext && next == "" {
		return f.errorf("Next", "must not be empty")
	}
	return nil
}

// parseDataFields reads Parameters and ResultPath, and ResultSelector when
// the state type has it.
func (st *state) parseDataFields(f fields, isPass bool) error {
	var err error
	if st.parameters, st.hasParameters, err = f.value("Parameters"); err != nil {
		return err
	}
	if st.resultPath, err = f.path("ResultPath"); err != nil {
		return err
	}
	if !isPass {
		if st.resultSelector, st.hasSelector, err = f.value("ResultSelector"); err != nil {
			return err
		}
	}
	return nil
}

func (st *state) parseTask(f fields) error {
	if err := st.parseDataFields(f, false); err != nil {
		return err
	}
	var err error
	if st.resource, err = f.requiredStr("Resource"); err != nil {
		return err
	}

	if f.has("TimeoutSeconds") && f.has("TimeoutSecondsPath") {
		return f.errorf("TimeoutSeconds", "TimeoutSeconds and TimeoutSecondsPath are mutually exclusive")
	}
	if f.has("HeartbeatSeconds") && f.has("HeartbeatSecondsPath") {
		return f.errorf("HeartbeatSeconds", "HeartbeatSeconds and HeartbeatSecondsPath are mutually exclusive")
	}
	if n, ok, err := f.integer("TimeoutSeconds"); err != nil {
		return err
	} else if ok {
		if n == 0 {
			return f.errorf("TimeoutSeconds", "must be a positive integer")
		}
		st.timeoutSeconds = n
	}
	if n, ok, err := f.integer("HeartbeatSeconds"); err != nil {
		return err
	} else if ok {
		if n == 0 {
			return f.errorf("HeartbeatSeconds", "must be a positive integer")
		}
		if st.timeoutSeconds > 0 && n >= st.timeoutSeconds {
			return f.errorf("HeartbeatSeconds", "must be smaller than TimeoutSeconds")
		}
		st.heartbeatSeconds = n
	}
	if st.timeoutSecondsPath, _, err = f.str("TimeoutSecondsPath"); err != nil {
		return err
	}
	if st.heartbeatSecondsPath, _, err = f.str("HeartbeatSecondsPath"); err != nil {
		return err
	}
	return st.parseErrorHandling(f)
}

func (st *state) parseErrorHandling(f fields) error {
	retries, _, err := f.array("Retry")
	if err != nil {
		return err
	}
	for i, raw := range retries {
		r, err := parseRetrier(raw, fmt.Sprintf("%s Retry[%d]", f.where, i), i == len(retries)-1)
		if err != nil {
			return err
		}
		st.retry = append(st.retry, r)
	}

	catches, _, err := f.array("Catch")
	if err != nil {
		return err
	}
	for i, raw := range catches {
		cf, err := decodeFields(raw, fmt.Sprintf("%s Catch[%d]", f.where, i))
		if err != nil {
			return err
		}
		var c catcher
		if c.errorEquals, err = parseErrorEquals(cf, i == len(catches)-1); err != nil {
			return err
		}
		if c.next, err = cf.requiredStr("Next"); err != nil {
			return err
		}
		if st.jsonata && cf.has("ResultPath") {
			return cf.errorf("ResultPath", "is a JSONPath field, but the state's QueryLanguage is JSONata")
		}
		if !st.jsonata && cf.has("Output") {
			return cf.errorf("Output", "is a JSONata field, but the state's QueryLanguage is JSONPath")
		}
		if c.resultPath, err = cf.path("ResultPath"); err != nil {
			return err
		}
		if c.assign, err = parseAssign(cf, st.jsonata); err != nil {
			return err
		}
		if c.output, c.hasOutput, err = cf.value("Output"); err != nil {
			return err
		}
		if err := expr.CheckJSONata(c.output, "Output"); err != nil {
			return cf.errorf("Output", "%v", err)
		}
		st.catch = append(st.catch, c)
	}
	return nil
}

func parseErrorEquals(f fields, last bool) ([]string, error) {
	items, ok, err := f.array("ErrorEquals")
	if err != nil {
		return nil, err
	}
	if !ok || len(items) == 0 {
		return nil, f.errorf("ErrorEquals", "missing or empty")
	}
	names := make([]string, 0, len(items))
	for _, raw := range items {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || s == "" {
			return nil, f.errorf("ErrorEquals", "expected non-empty strings")
		}
		names = append(names, s)
	}
	for _, n := range names {
		if n == ErrorALL && (len(names) != 1 || !last) {
			return nil, f.errorf("ErrorEquals", "States.ALL must appear alone and in the last element")
		}
	}
	return names, nil
}

func parseRetrier(raw json.RawMessage, where string, last bool) (retrier, error) {
	f, err := decodeFields(raw, where)
	if err != nil {
		return retrier{}, err
	}
	r := retrier{intervalSeconds: 1, maxAttempts: 3, backoffRate: 2}
	if r.errorEquals, err = parseErrorEquals(f, last); err != nil {
		return r, err
	}
	if n, ok, err := f.integer("IntervalSeconds"); err != nil {
		return r, err
	} else if ok {
		if n < 1 {
			return r, f.errorf("IntervalSeconds", "must be a positive integer")
		}
		r.intervalSeconds = float64(n)
	}
	if n, ok, err := f.integer("MaxAttempts"); err != nil {
		return r, err
	} else if ok {
		r.maxAttempts = n
	}
	if n, ok, err := f.number("BackoffRate"); err != nil {
		return r, err
	} else if ok {
		if n < 1 {
			return r, f.errorf("BackoffRate", "must be at least 1.0")
		}
		r.backoffRate = n
	}
	if n, ok, err := f.integer("MaxDelaySeconds"); err != nil {
		return r, err
	} else if ok {
		if n < 1 {
			return r, f.errorf("MaxDelaySeconds", "must be a positive integer")
		}
		r.maxDelaySeconds = float64(n)
	}
	if s, ok, err := f.str("JitterStrategy"); err != nil {
		return r, err
	} else if ok {
		switch s {
		case "FULL":
			r.fullJitter = true
		case "NONE":
		default:
			return r, f.errorf("JitterStrategy", "must be FULL or NONE, not %q", s)
		}
	}
	return r, nil
}

func (st *state) parseChoice(f fields) error {
	items, ok, err := f.array("Choices")
	if err != nil {
		return err
	}
	if !ok || len(items) == 0 {
		return f.errorf("Choices", "missing or empty")
	}
	if st.jsonata {
		if err := st.parseJSONataChoices(f, items); err != nil {
			return err
		}
		st.defaultNext, _, err = f.str("Default")
		return err
	}
	for i, raw := range items {
		rule, err := expr.ParseRule(raw, true)
		if err != nil {
			return f.errorf(fmt.Sprintf("Choices[%d]", i), "%v", err)
		}
		if rule.Next == "" {
			return f.errorf(fmt.Sprintf("Choices[%d].Next", i), "missing")
		}
		var assign map[string]any
		if rule.Assign != nil {
			v, err := decodeValue(rule.Assign)
			if m, ok := v.(map[string]any); err != nil || !ok {
				return f.errorf(fmt.Sprintf("Choices[%d].Assign", i), "expected an object of variable names and values")
			} else {
				assign = m
			}
		}
		st.choices = append(st.choices, rule)
		st.choiceAssign = append(st.choiceAssign, assign)
	}
	st.defaultNext, _, err = f.str("Default")
	return err
}

func (st *state) parseWait(f fields) error {
	count := 0
	for _, name := range []string{"Seconds", "SecondsPath", "Timestamp", "TimestampPath"} {
		if _, isExpr := st.jx[name]; f.has(name) || isExpr {
			count++
		}
	}
	if count != 1 {
		return f.errorf("Seconds", "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp and TimestampPath")
	}
	if n, ok, err := f.integer("Seconds"); err != nil {
		return err
	} else if ok {
		s := float64(n)
		st.seconds = &s
	}
	var err error
	if st.secondsPath, _, err = f.str("SecondsPath"); err != nil {
		return err
	}
	if st.timestampPath, _, err = f.str("TimestampPath"); err != nil {
		return err
	}
	if st.timestamp, _, err = f.str("Timestamp"); err != nil {
		return err
	}
	if f.has("Timestamp") {
		if _, err := parseTimestamp(st.timestamp); err != nil {
			return f.errorf("Timestamp", "%q is not an RFC 3339 timestamp", st.timestamp)
		}
	}
	return nil
}

func (st *state) parseFail(f fields) error {
	var err error
	if f.has("Error") && f.has("ErrorPath") {
		return f.errorf("Error", "Error and ErrorPath are mutually exclusive")
	}
	if f.has("Cause") && f.has("CausePath") {
		return f.errorf("Cause", "Cause and CausePath are mutually exclusive")
	}
	if st.errorName, _, err = f.str("Error"); err != nil {
		return err
	}
	if st.cause, _, err = f.str("Cause"); err != nil {
		return err
	}
	if st.errorPath, _, err = f.str("ErrorPath"); err != nil {
		return err
	}
	st.causePath, _, err = f.str("CausePath")
	return err
}

func (st *state) parseParallel(f fields, prefix, machineQL string) error {
	if err := st.parseDataFields(f, false); err != nil {
		return err
	}
	items, ok, err := f.array("Branches")
	if err != nil {
		return err
	}
	if !ok || len(items) == 0 {
		return f.errorf("Branches", "missing or empty")
	}
	for i, raw := range items {
		bf, err := decodeFields(raw, fmt.Sprintf("%s Branches[%d]", f.where, i))
		if err != nil {
			return err
		}
		m, err := parseMachine(bf, prefix+st.name+"/", machineQL)
		if err != nil {
			return err
		}
		st.branches = append(st.branches, m)
	}
	return st.parseErrorHandling(f)
}

func (st *state) parseMap(f fields, prefix, machineQL string) error {
	if err := st.parseDataFields(f, false); err != nil {
		return err
	}

	name := "ItemProcessor"
	if !f.has(name) {
		name = "Iterator"
	}
	pf, ok, err := f.object(name)
	if err != nil {
		return err
	}
	if !ok {
		return f.errorf("ItemProcessor", "missing (or the legacy Iterator)")
	}
	if cfg, ok, err := pf.object("ProcessorConfig"); err != nil {
		return err
	} else if ok {
		if mode, ok, err := cfg.str("Mode"); err != nil {
			return err
		} else if ok && mode != "INLINE" {
			return cfg.errorf("Mode", "%q is not supported yet, only INLINE", mode)
		}
	}
	if st.processor, err = parseMachine(pf, prefix+st.name+"/", machineQL); err != nil {
		return err
	}

	if st.itemsPath, err = f.path("ItemsPath"); err != nil {
		return err
	}
	if f.has("ItemSelector") && st.hasParameters {
		return f.errorf("ItemSelector", "ItemSelector and Parameters are mutually exclusive")
	}
	if st.hasParameters {
		st.itemSelector, st.hasItemSelector = st.parameters, true
		st.parameters, st.hasParameters = nil, false
	} else if st.itemSelector, st.hasItemSelector, err = f.value("ItemSelector"); err != nil {
		return err
	}
	if st.jsonata {
		if err := expr.CheckJSONata(st.itemSelector, "ItemSelector"); err != nil {
			return f.errorf("ItemSelector", "%v", err)
		}
	}
	for _, unsupported := range []string{"ItemReader", "ItemBatcher", "ResultWriter"} {
		if f.has(unsupported) {
			return f.errorf(unsupported, "not supported yet (distributed Map)")
		}
	}

	if n, ok, err := f.integer("MaxConcurrency"); err != nil {
		return err
	} else if ok {
		st.maxConcurrency = n
	}
	if st.maxConcurrencyPath, _, err = f.str("MaxConcurrencyPath"); err != nil {
		return err
	}
	if n, ok, err := f.number("ToleratedFailurePercentage"); err != nil {
		return err
	} else if ok {
		if n < 0 || n > 100 {
			return f.errorf("ToleratedFailurePercentage", "must be between 0 and 100")
		}
		st.toleratedPercentage, st.hasToleratedPercent = n, true
	}
	if st.toleratedPercentPath, _, err = f.str("ToleratedFailurePercentagePath"); err != nil {
		return err
	}
	if n, ok, err := f.integer("ToleratedFailureCount"); err != nil {
		return err
	} else if ok {
		st.toleratedCount, st.hasToleratedCount = n, true
	}
	if st.toleratedCountPath, _, err = f.str("ToleratedFailureCountPath"); err != nil {
		return err
	}
	return st.parseErrorHandling(f)
}

// parseTimestamp parses an ISO-8601 extended offset date-time, as Wait
// states require: a "T" separator and a "Z" or numeric offset.
func parseTimestamp(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}
