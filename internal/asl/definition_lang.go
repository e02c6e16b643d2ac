package asl

import (
	"encoding/json"
	"fmt"

	"github.com/moderato/moderato/internal/asl/expr"
)

// jsonPathOnlyFields are the state fields that only JSONPath states have.
var jsonPathOnlyFields = []string{
	"InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector",
	"ItemsPath", "SecondsPath", "TimestampPath", "ErrorPath", "CausePath",
	"MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath",
	"TimeoutSecondsPath", "HeartbeatSecondsPath",
}

// jsonataOnlyFields are the state fields that only JSONata states have.
var jsonataOnlyFields = []string{"Arguments", "Output", "Items"}

// jsonataValueFields are the fields that a JSONata state may give as a
// "{% %}" expression instead of a literal number, timestamp or string.
var jsonataValueFields = []string{
	"MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage",
	"Seconds", "Timestamp", "TimeoutSeconds", "HeartbeatSeconds", "Error", "Cause",
}

// parseLanguageFields reads Assign and the fields of the state's query
// language, and rejects the fields of the other one.
func (st *state) parseLanguageFields(f fields) error {
	assign, err := parseAssign(f, st.jsonata)
	if err != nil {
		return err
	}
	st.assign = assign

	if !st.jsonata {
		for _, name := range jsonataOnlyFields {
			if f.has(name) {
				return f.errorf(name, "is a JSONata field, but the state's QueryLanguage is JSONPath")
			}
		}
		return nil
	}

	for _, name := range jsonPathOnlyFields {
		if f.has(name) {
			return f.errorf(name, "is a JSONPath field, but the state's QueryLanguage is JSONata")
		}
	}
	st.jx = map[string]any{}
	for _, name := range jsonataOnlyFields {
		v, ok, err := f.value(name)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := expr.CheckJSONata(v, name); err != nil {
			return f.errorf(name, "%v", err)
		}
		st.jx[name] = v
	}
	for _, name := range jsonataValueFields {
		var s string
		if raw, ok := f.raw[name]; !ok || json.Unmarshal(raw, &s) != nil || !expr.IsJSONata(s) {
			continue
		}
		if err := expr.CheckJSONata(s, name); err != nil {
			return f.errorf(name, "%v", err)
		}
		st.jx[name] = s
		// The expression replaces the literal that the type-specific
		// parsing reads.
		delete(f.raw, name)
	}
	return nil
}

// parseAssign reads an Assign field, of a state, a Choice rule or a Catch.
func parseAssign(f fields, jsonata bool) (map[string]any, error) {
	v, ok, err := f.value("Assign")
	if err != nil || !ok {
		return nil, err
	}
	obj, isObj := v.(map[string]any)
	if !isObj {
		return nil, f.errorf("Assign", "expected an object of variable names and values")
	}
	for name := range obj {
		plain := name
		if !jsonata {
			plain = trimDynamicSuffix(name)
		}
		if !validVariableName(plain) {
			return nil, f.errorf("Assign", "invalid variable name %q: use letters, digits and underscores, starting with a letter or underscore", name)
		}
	}
	if jsonata {
		if err := expr.CheckJSONata(obj, "Assign"); err != nil {
			return nil, f.errorf("Assign", "%v", err)
		}
	}
	return obj, nil
}

func trimDynamicSuffix(key string) string {
	if len(key) > 2 && key[len(key)-2:] == ".$" {
		return key[:len(key)-2]
	}
	return key
}

// validVariableName reports whether name can be read back as $name.
func validVariableName(name string) bool {
	if name == "" || len(name) > 80 || name == "states" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// parseJSONataChoices reads the Choices of a JSONata Choice state.
func (st *state) parseJSONataChoices(f fields, items []json.RawMessage) error {
	for i, raw := range items {
		rf, err := decodeFields(raw, fmt.Sprintf("%s Choices[%d]", f.where, i))
		if err != nil {
			return err
		}
		for name := range rf.raw {
			switch name {
			case "Condition", "Next", "Assign", "Output", "Comment":
			default:
				return rf.errorf(name, "unknown field of a JSONata choice rule: use Condition, Next, Assign and Output")
			}
		}
		var r jsonataRule
		cond, ok, err := rf.value("Condition")
		if err != nil {
			return err
		}
		if !ok {
			return rf.errorf("Condition", "missing")
		}
		switch c := cond.(type) {
		case bool:
		case string:
			if !expr.IsJSONata(c) {
				return rf.errorf("Condition", "expected a {%% %%} expression or a boolean")
			}
			if err := expr.CheckJSONata(c, "Condition"); err != nil {
				return rf.errorf("Condition", "%v", err)
			}
		default:
			return rf.errorf("Condition", "expected a {%% %%} expression or a boolean")
		}
		r.condition = cond
		if r.next, err = rf.requiredStr("Next"); err != nil {
			return err
		}
		if r.assign, err = parseAssign(rf, true); err != nil {
			return err
		}
		if r.output, r.hasOutput, err = rf.value("Output"); err != nil {
			return err
		}
		if err := expr.CheckJSONata(r.output, "Output"); err != nil {
			return rf.errorf("Output", "%v", err)
		}
		st.jsonataRules = append(st.jsonataRules, r)
	}
	return nil
}
