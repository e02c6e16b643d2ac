package asl

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/moderato/moderato/internal/asl/expr"
)

// Problem is one finding of Validate.
type Problem struct {
	// State is the state's name, with the names of the enclosing Parallel
	// or Map states before it ("Outer/Inner"). It is empty for problems of
	// the state machine itself.
	State string
	// Path is the JSON path of the field in the definition, for example
	// $.States['Inspect object'].Next.
	Path    string
	Message string
}

// String formats the problem for a terminal.
func (p Problem) String() string {
	if p.State == "" {
		return fmt.Sprintf("%s: %s", p.Path, p.Message)
	}
	return fmt.Sprintf("state %q: %s: %s", p.State, p.Path, p.Message)
}

// stateTypes lists the fields each state type may have besides the ones
// of every state (Type, Comment, QueryLanguage) and besides Assign.
var stateTypes = map[string][]string{
	"Pass":     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Output"},
	"Task":     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch", "Arguments", "Output", "Credentials"},
	"Choice":   {"InputPath", "OutputPath", "Choices", "Default", "Output"},
	"Wait":     {"Next", "End", "InputPath", "OutputPath", "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Output"},
	"Succeed":  {"InputPath", "OutputPath", "Output"},
	"Fail":     {"Error", "ErrorPath", "Cause", "CausePath"},
	"Parallel": {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Branches", "Retry", "Catch", "Arguments", "Output"},
	"Map": {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemSelector",
		"MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath",
		"ItemReader", "ItemBatcher", "ResultWriter", "Label", "Retry", "Catch", "Output"},
}

// pathFields are the fields whose value is a JSONPath path.
var pathFields = []string{
	"InputPath", "OutputPath", "ResultPath", "ItemsPath", "SecondsPath", "TimestampPath",
	"ErrorPath", "CausePath", "MaxConcurrencyPath", "ToleratedFailureCountPath",
	"ToleratedFailurePercentagePath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
}

// Validate checks a definition and returns every problem it finds, where
// Parse stops at the first. It checks transitions (unknown Next, Default
// and Catch targets, unreachable states), required and unknown fields,
// paths, payload templates and intrinsic functions, Choice rules, JSONata
// expressions, and fields of one query language in a state of the other.
// A definition without problems also parses.
func Validate(definition []byte) []Problem {
	v := &validator{}
	top, err := decodeValue(definition)
	if err != nil {
		return []Problem{{Path: "$", Message: "invalid JSON: " + err.Error()}}
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return []Problem{{Path: "$", Message: "expected a JSON object"}}
	}

	ql := queryJSONPath
	if s, ok := obj["QueryLanguage"]; ok {
		if s != queryJSONPath && s != queryJSONata {
			v.add("", "$.QueryLanguage", "must be JSONPath or JSONata, not %s", compactJSON(s))
		} else {
			ql = s.(string)
		}
	}
	if t, ok := obj["TimeoutSeconds"]; ok {
		if n, isInt := integerValue(t); !isInt || n <= 0 {
			v.add("", "$.TimeoutSeconds", "must be a positive integer")
		}
	}
	v.machine(obj, "$", "", ql)

	// Parse may reject what the checks above do not cover.
	if len(v.problems) == 0 {
		if _, err := Parse(definition); err != nil {
			v.add("", "$", "%v", err)
		}
	}
	return v.problems
}

type validator struct {
	problems []Problem
}

func (v *validator) add(state, path, format string, args ...any) {
	v.problems = append(v.problems, Problem{State: state, Path: path, Message: fmt.Sprintf(format, args...)})
}

func fieldPath(base, name string) string {
	if isPlainName(name) {
		return base + "." + name
	}
	return base + "['" + strings.ReplaceAll(name, "'", `\'`) + "']"
}

func isPlainName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && !(i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// machine checks StartAt, States and the transitions of a top-level or
// nested state machine at path.
func (v *validator) machine(obj map[string]any, path, prefix, ql string) {
	startAt, _ := obj["StartAt"].(string)
	if startAt == "" {
		v.add("", fieldPath(path, "StartAt"), "missing: name the first state")
	}
	states, ok := obj["States"].(map[string]any)
	if !ok || len(states) == 0 {
		v.add("", fieldPath(path, "States"), "missing or empty: expected an object of states")
		return
	}
	if startAt != "" && states[startAt] == nil {
		v.add("", fieldPath(path, "StartAt"), "names state %q, which does not exist", startAt)
	}

	names := make([]string, 0, len(states))
	for name := range states {
		names = append(names, name)
	}
	sort.Strings(names)
	edges := map[string][]string{}
	for _, name := range names {
		statePath := fieldPath(fieldPath(path, "States"), name)
		if len(name) == 0 || len(name) > 80 {
			v.add(prefix+name, statePath, "a state name must be 1 to 80 characters")
		}
		st, ok := states[name].(map[string]any)
		if !ok {
			v.add(prefix+name, statePath, "expected a state object")
			continue
		}
		edges[name] = v.state(st, statePath, prefix, name, ql, states)
	}

	if startAt == "" || states[startAt] == nil {
		return
	}
	seen := map[string]bool{startAt: true}
	queue := []string{startAt}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, t := range edges[name] {
			if states[t] != nil && !seen[t] {
				seen[t] = true
				queue = append(queue, t)
			}
		}
	}
	for _, name := range names {
		if !seen[name] {
			v.add(prefix+name, fieldPath(fieldPath(path, "States"), name), "unreachable: no transition from StartAt %q leads here", startAt)
		}
	}
}

// state checks one state and returns the names it can go to.
func (v *validator) state(st map[string]any, path, prefix, name, machineQL string, states map[string]any) []string {
	full := prefix + name
	kind, _ := st["Type"].(string)
	allowed, known := stateTypes[kind]
	if !known {
		v.add(full, fieldPath(path, "Type"), "missing or unknown state type %s: use Pass, Task, Choice, Wait, Succeed, Fail, Parallel or Map", compactJSON(st["Type"]))
		return nil
	}

	ql := machineQL
	if s, ok := st["QueryLanguage"]; ok {
		if s != queryJSONPath && s != queryJSONata {
			v.add(full, fieldPath(path, "QueryLanguage"), "must be JSONPath or JSONata, not %s", compactJSON(s))
		} else {
			ql = s.(string)
		}
	}
	jsonata := ql == queryJSONata

	for _, field := range sortedFieldNames(st) {
		fp := fieldPath(path, field)
		switch {
		case field == "Assign" && (kind == "Succeed" || kind == "Fail"):
			// NOTE: the AWS pages of these two states list no Assign field,
			// so Validate reports it. Parse accepts it and ignores it in
			// case Step Functions does too.
			v.add(full, fp, "a %s state cannot assign variables", kind)
		case field == "Type" || field == "Comment" || field == "QueryLanguage" || field == "Assign":
		case jsonata && slices.Contains(jsonPathOnlyFields, field):
			v.add(full, fp, "is a JSONPath field, but the state's QueryLanguage is JSONata")
		case !jsonata && slices.Contains(jsonataOnlyFields, field):
			v.add(full, fp, "is a JSONata field, but the state's QueryLanguage is JSONPath")
		case !slices.Contains(allowed, field):
			v.add(full, fp, "unknown field of a %s state", kind)
		}
	}

	var targets []string
	checkTarget := func(fp string, target any) {
		s, ok := target.(string)
		if !ok || s == "" {
			v.add(full, fp, "expected the name of a state")
			return
		}
		if states[s] == nil {
			v.add(full, fp, "names state %q, which does not exist", s)
			return
		}
		targets = append(targets, s)
	}

	next, hasNext := st["Next"]
	end, _ := st["End"].(bool)
	switch kind {
	case "Choice", "Succeed", "Fail":
	default:
		switch {
		case hasNext && end:
			v.add(full, fieldPath(path, "End"), "Next and End are mutually exclusive")
		case hasNext:
			checkTarget(fieldPath(path, "Next"), next)
		case !end:
			v.add(full, fieldPath(path, "Next"), "missing: a %s state needs Next or \"End\": true", kind)
		}
	}

	if !jsonata {
		v.jsonPathFields(st, path, full)
	} else {
		for _, field := range append(append([]string{}, jsonataOnlyFields...), jsonataValueFields...) {
			if val, ok := st[field]; ok {
				if err := expr.CheckJSONata(val, field); err != nil {
					v.add(full, fieldPath(path, field), "%v", err)
				}
			}
		}
		if sel, ok := st["ItemSelector"]; ok {
			if err := expr.CheckJSONata(sel, "ItemSelector"); err != nil {
				v.add(full, fieldPath(path, "ItemSelector"), "%v", err)
			}
		}
	}
	v.assign(st, path, full, jsonata)

	switch kind {
	case "Task":
		if s, _ := st["Resource"].(string); s == "" {
			v.add(full, fieldPath(path, "Resource"), "missing: a Task state needs a Resource")
		}
	case "Choice":
		v.choices(st, path, full, jsonata, checkTarget)
	case "Wait":
		count := 0
		for _, f := range []string{"Seconds", "SecondsPath", "Timestamp", "TimestampPath"} {
			if _, ok := st[f]; ok {
				count++
			}
		}
		if count != 1 {
			v.add(full, path, "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp and TimestampPath")
		}
	case "Parallel":
		branches, ok := st["Branches"].([]any)
		if !ok || len(branches) == 0 {
			v.add(full, fieldPath(path, "Branches"), "missing or empty: expected an array of state machines")
		}
		for i, b := range branches {
			bp := fmt.Sprintf("%s[%d]", fieldPath(path, "Branches"), i)
			if bo, ok := b.(map[string]any); ok {
				v.machine(bo, bp, full+"/", machineQL)
			} else {
				v.add(full, bp, "expected a state machine object")
			}
		}
	case "Map":
		field := "ItemProcessor"
		if _, ok := st[field]; !ok {
			field = "Iterator"
		}
		if proc, ok := st[field].(map[string]any); ok {
			v.machine(proc, fieldPath(path, field), full+"/", machineQL)
		} else {
			v.add(full, fieldPath(path, "ItemProcessor"), "missing: a Map state needs an ItemProcessor")
		}
	}

	for _, field := range []string{"Retry", "Catch"} {
		list, ok := st[field]
		if !ok {
			continue
		}
		items, isArray := list.([]any)
		if !isArray {
			v.add(full, fieldPath(path, field), "expected an array")
			continue
		}
		for i, item := range items {
			ip := fmt.Sprintf("%s[%d]", fieldPath(path, field), i)
			obj, isObj := item.(map[string]any)
			if !isObj {
				v.add(full, ip, "expected an object")
				continue
			}
			if names, ok := obj["ErrorEquals"].([]any); !ok || len(names) == 0 {
				v.add(full, fieldPath(ip, "ErrorEquals"), "missing or empty: list the error names to match, or States.ALL")
			}
			if field == "Catch" {
				checkTarget(fieldPath(ip, "Next"), obj["Next"])
				v.assign(obj, ip, full, jsonata)
				if rp, ok := obj["ResultPath"]; ok && !jsonata {
					v.path(full, fieldPath(ip, "ResultPath"), "ResultPath", rp)
				}
				if jsonata {
					if _, ok := obj["ResultPath"]; ok {
						v.add(full, fieldPath(ip, "ResultPath"), "is a JSONPath field, but the state's QueryLanguage is JSONata")
					}
					if err := expr.CheckJSONata(obj["Output"], "Output"); err != nil {
						v.add(full, fieldPath(ip, "Output"), "%v", err)
					}
				} else if _, ok := obj["Output"]; ok {
					v.add(full, fieldPath(ip, "Output"), "is a JSONata field, but the state's QueryLanguage is JSONPath")
				}
			}
		}
	}
	if d, ok := st["Default"]; ok && kind == "Choice" {
		checkTarget(fieldPath(path, "Default"), d)
	}
	return targets
}

func sortedFieldNames(obj map[string]any) []string {
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// jsonPathFields checks the paths and payload templates of a JSONPath
// state.
func (v *validator) jsonPathFields(st map[string]any, path, full string) {
	for _, field := range pathFields {
		if val, ok := st[field]; ok && val != nil {
			v.path(full, fieldPath(path, field), field, val)
		}
	}
	for _, field := range []string{"Parameters", "ResultSelector", "ItemSelector"} {
		if val, ok := st[field]; ok {
			v.template(full, fieldPath(path, field), val)
		}
	}
}

func (v *validator) path(full, fp, field string, val any) {
	s, ok := val.(string)
	if !ok {
		v.add(full, fp, "expected a path that starts with $, or null")
		return
	}
	if field == "ResultPath" {
		p, err := expr.ParseReferencePath(s)
		if err != nil {
			v.add(full, fp, "%v", err)
		} else if p.IsContext() || p.Variable() != "" {
			v.add(full, fp, "a ResultPath must start at the state input ($), not at the context object or a variable")
		}
		return
	}
	if _, err := expr.ParsePath(s); err != nil {
		v.add(full, fp, "%v", err)
	}
}

// template checks the ".$" fields of a payload template: each must be a
// path or an intrinsic function that parses.
func (v *validator) template(full, fp string, val any) {
	switch t := val.(type) {
	case map[string]any:
		for _, k := range sortedFieldNames(t) {
			kp := fieldPath(fp, k)
			if !strings.HasSuffix(k, ".$") {
				v.template(full, kp, t[k])
				continue
			}
			s, ok := t[k].(string)
			switch {
			case !ok:
				v.add(full, kp, "a field ending in .$ needs a string: a path or an intrinsic function")
			case expr.IsIntrinsic(s):
				if _, err := expr.ParseIntrinsic(s); err != nil {
					v.add(full, kp, "%v", err)
				}
			default:
				if _, err := expr.ParsePath(s); err != nil {
					v.add(full, kp, "%v", err)
				}
			}
		}
	case []any:
		for i, e := range t {
			v.template(full, fmt.Sprintf("%s[%d]", fp, i), e)
		}
	}
}

func (v *validator) assign(obj map[string]any, path, full string, jsonata bool) {
	val, ok := obj["Assign"]
	if !ok {
		return
	}
	fp := fieldPath(path, "Assign")
	m, isObj := val.(map[string]any)
	if !isObj {
		v.add(full, fp, "expected an object of variable names and values")
		return
	}
	for _, k := range sortedFieldNames(m) {
		name := k
		if !jsonata {
			name = trimDynamicSuffix(k)
		}
		if !validVariableName(name) {
			v.add(full, fieldPath(fp, k), "invalid variable name %q: use letters, digits and underscores, starting with a letter or underscore", k)
		}
	}
	if jsonata {
		if err := expr.CheckJSONata(m, "Assign"); err != nil {
			v.add(full, fp, "%v", err)
		}
		return
	}
	v.template(full, fp, m)
}

// choices checks the rules of a Choice state. checkTarget records each
// rule's Next.
func (v *validator) choices(st map[string]any, path, full string, jsonata bool, checkTarget func(string, any)) {
	fp := fieldPath(path, "Choices")
	rules, ok := st["Choices"].([]any)
	if !ok || len(rules) == 0 {
		v.add(full, fp, "missing or empty: expected an array of choice rules")
		return
	}
	for i, r := range rules {
		rp := fmt.Sprintf("%s[%d]", fp, i)
		obj, isObj := r.(map[string]any)
		if !isObj {
			v.add(full, rp, "expected a choice rule object")
			continue
		}
		checkTarget(fieldPath(rp, "Next"), obj["Next"])
		v.assign(obj, rp, full, jsonata)
		if jsonata {
			cond, ok := obj["Condition"]
			if !ok {
				v.add(full, fieldPath(rp, "Condition"), "missing: a JSONata choice rule needs a Condition")
			} else if err := expr.CheckJSONata(cond, "Condition"); err != nil {
				v.add(full, fieldPath(rp, "Condition"), "%v", err)
			}
			for _, k := range sortedFieldNames(obj) {
				if k != "Condition" && k != "Next" && k != "Assign" && k != "Output" && k != "Comment" {
					v.add(full, fieldPath(rp, k), "is not a field of a JSONata choice rule: use Condition, Next, Assign and Output")
				}
			}
			continue
		}
		raw, _ := json.Marshal(obj)
		if _, err := expr.ParseRule(raw, true); err != nil {
			v.add(full, rp, "%v", err)
		}
	}
}
