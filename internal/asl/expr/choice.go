package expr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf16"
)

// maxRuleDepth bounds how deeply And, Or and Not may nest.
const maxRuleDepth = 64

type ruleKind int

const (
	ruleComparison ruleKind = iota
	ruleAnd
	ruleOr
	ruleNot
)

type operandType int

const (
	operandString operandType = iota
	operandNumber
	operandBoolean
	operandTimestamp
	operandPattern
)

// comparators maps every comparison operator without its "Path" suffix to
// the type of its operand. The Is* type tests take a boolean. Neither they
// nor StringMatches have a Path form.
var comparators = map[string]operandType{
	"StringEquals":               operandString,
	"StringLessThan":             operandString,
	"StringGreaterThan":          operandString,
	"StringLessThanEquals":       operandString,
	"StringGreaterThanEquals":    operandString,
	"StringMatches":              operandPattern,
	"NumericEquals":              operandNumber,
	"NumericLessThan":            operandNumber,
	"NumericGreaterThan":         operandNumber,
	"NumericLessThanEquals":      operandNumber,
	"NumericGreaterThanEquals":   operandNumber,
	"BooleanEquals":              operandBoolean,
	"TimestampEquals":            operandTimestamp,
	"TimestampLessThan":          operandTimestamp,
	"TimestampGreaterThan":       operandTimestamp,
	"TimestampLessThanEquals":    operandTimestamp,
	"TimestampGreaterThanEquals": operandTimestamp,
	"IsNull":                     operandBoolean,
	"IsPresent":                  operandBoolean,
	"IsNumeric":                  operandBoolean,
	"IsString":                   operandBoolean,
	"IsBoolean":                  operandBoolean,
	"IsTimestamp":                operandBoolean,
}

// Rule is a parsed Choice rule.
type Rule struct {
	// Next is the state to go to when a top-level rule matches. It is empty
	// for rules nested in And, Or and Not.
	Next string
	// Assign is the rule's raw Assign object, or nil when it has none.
	Assign json.RawMessage
	// Comment is the rule's Comment field.
	Comment string

	kind     ruleKind
	children []*Rule

	// The fields below are set for comparison rules only. The operator is
	// the field name as written, for example "NumericEqualsPath", and base
	// is the same name without the "Path" suffix.
	operator    string
	base        string
	variable    *Path
	operand     any
	operandPath *Path
	pattern     []patternToken
}

// ParseRule parses one element of a Choice state's Choices array. A
// top-level rule must have Next, and a rule nested in And, Or or Not must
// not have it.
func ParseRule(raw json.RawMessage, topLevel bool) (*Rule, error) {
	return parseRule(raw, topLevel, 0)
}

func parseRule(raw json.RawMessage, topLevel bool, depth int) (*Rule, error) {
	if depth > maxRuleDepth {
		return nil, fmt.Errorf("choice rule nested deeper than %d levels", maxRuleDepth)
	}

	fields, err := decodeRuleFields(raw)
	if err != nil {
		return nil, err
	}

	r := &Rule{}
	if err := r.parseCommonFields(fields, topLevel); err != nil {
		return nil, err
	}

	var operators []string
	for key := range fields {
		switch key {
		case "Next", "Assign", "Comment", "Variable":
		case "And", "Or", "Not":
			operators = append(operators, key)
		case "Condition", "Output":
			return nil, fmt.Errorf("choice rule field %q belongs to the JSONata query language, which this executor does not evaluate yet", key)
		default:
			if _, ok := comparators[strings.TrimSuffix(key, "Path")]; !ok {
				return nil, fmt.Errorf("choice rule has unknown field %q", key)
			}
			operators = append(operators, key)
		}
	}
	sort.Strings(operators)
	switch len(operators) {
	case 0:
		return nil, errors.New("choice rule has no operator: expected And, Or, Not or a comparison such as StringEquals")
	case 1:
	default:
		return nil, fmt.Errorf("choice rule has more than one operator: %s", strings.Join(operators, ", "))
	}

	op := operators[0]
	if _, ok := fields["Variable"]; ok && (op == "And" || op == "Or" || op == "Not") {
		return nil, fmt.Errorf("choice rule with %q cannot have field \"Variable\"", op)
	}
	switch op {
	case "And", "Or":
		err = r.parseList(op, fields[op], depth)
	case "Not":
		err = r.parseNot(fields["Not"], depth)
	default:
		err = r.parseComparison(op, fields)
	}
	if err != nil {
		return nil, err
	}

	return r, nil
}

func decodeRuleFields(raw json.RawMessage) (map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil {
		return nil, fmt.Errorf("decoding choice rule: %w", err)
	}
	if fields == nil {
		return nil, errors.New("choice rule must be a JSON object")
	}

	return fields, nil
}

func (r *Rule) parseCommonFields(fields map[string]json.RawMessage, topLevel bool) error {
	next, hasNext := fields["Next"]
	switch {
	case topLevel && !hasNext:
		return errors.New("choice rule is missing field \"Next\"")
	case !topLevel && hasNext:
		return errors.New("choice rule nested in And, Or or Not cannot have field \"Next\"")
	case hasNext:
		if err := json.Unmarshal(next, &r.Next); err != nil || r.Next == "" {
			return errors.New("choice rule field \"Next\" must be a non-empty string")
		}
	}

	if assign, ok := fields["Assign"]; ok {
		if !topLevel {
			return errors.New("choice rule nested in And, Or or Not cannot have field \"Assign\"")
		}
		r.Assign = assign
	}
	if comment, ok := fields["Comment"]; ok {
		if err := json.Unmarshal(comment, &r.Comment); err != nil {
			return errors.New("choice rule field \"Comment\" must be a string")
		}
	}

	return nil
}

func (r *Rule) parseList(op string, raw json.RawMessage, depth int) error {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || len(items) == 0 {
		return fmt.Errorf("choice rule field %q must be a non-empty array of rules", op)
	}

	r.kind = ruleAnd
	if op == "Or" {
		r.kind = ruleOr
	}
	for i, item := range items {
		child, err := parseRule(item, false, depth+1)
		if err != nil {
			return fmt.Errorf("%s[%d]: %w", op, i, err)
		}
		r.children = append(r.children, child)
	}

	return nil
}

func (r *Rule) parseNot(raw json.RawMessage, depth int) error {
	child, err := parseRule(raw, false, depth+1)
	if err != nil {
		return fmt.Errorf("in Not: %w", err)
	}
	r.kind = ruleNot
	r.children = []*Rule{child}

	return nil
}

func (r *Rule) parseComparison(op string, fields map[string]json.RawMessage) error {
	r.kind = ruleComparison
	r.operator = op
	r.base = strings.TrimSuffix(op, "Path")
	isPath := r.base != op
	if isPath && (r.base == "StringMatches" || strings.HasPrefix(r.base, "Is")) {
		return fmt.Errorf("choice rule has unknown field %q", op)
	}

	rawVariable, ok := fields["Variable"]
	if !ok {
		return fmt.Errorf("choice rule with %q is missing field \"Variable\"", op)
	}
	var variable string
	if err := json.Unmarshal(rawVariable, &variable); err != nil {
		return errors.New("choice rule field \"Variable\" must be a string")
	}
	path, err := ParseReferencePath(variable)
	if err != nil {
		return fmt.Errorf("choice rule field \"Variable\": %w", err)
	}
	r.variable = path

	if isPath {
		var text string
		if err := json.Unmarshal(fields[op], &text); err != nil {
			return fmt.Errorf("choice rule field %q must be a string that contains a path", op)
		}
		operandPath, err := ParseReferencePath(text)
		if err != nil {
			return fmt.Errorf("choice rule field %q: %w", op, err)
		}
		r.operandPath = operandPath
		return nil
	}

	return r.parseOperand(op, fields[op])
}

func (r *Rule) parseOperand(op string, raw json.RawMessage) error {
	value, err := decodeJSON(string(raw))
	if err != nil {
		return fmt.Errorf("decoding choice rule field %q: %w", op, err)
	}

	switch comparators[op] {
	case operandString:
		if _, ok := value.(string); !ok {
			return fmt.Errorf("choice rule field %q must be a string, got %s", op, jsonTypeName(value))
		}
	case operandPattern:
		s, ok := value.(string)
		if !ok {
			return fmt.Errorf("choice rule field %q must be a string, got %s", op, jsonTypeName(value))
		}
		pattern, err := parsePattern(s)
		if err != nil {
			return fmt.Errorf("choice rule field %q: %w", op, err)
		}
		r.pattern = pattern
	case operandNumber:
		if _, ok := asNumber(value); !ok {
			return fmt.Errorf("choice rule field %q must be a number, got %s", op, jsonTypeName(value))
		}
	case operandBoolean:
		if _, ok := value.(bool); !ok {
			return fmt.Errorf("choice rule field %q must be a boolean, got %s", op, jsonTypeName(value))
		}
	case operandTimestamp:
		s, ok := value.(string)
		if !ok {
			return fmt.Errorf("choice rule field %q must be a timestamp string, got %s", op, jsonTypeName(value))
		}
		if _, ok := parseTimestamp(s); !ok {
			return fmt.Errorf("choice rule field %q must be an RFC 3339 timestamp with a time zone offset, such as 2016-03-14T01:59:00Z", op)
		}
	}
	r.operand = value

	return nil
}

// Eval reports whether the rule matches the input. A Variable or an
// operand path that selects nothing fails with States.Runtime, except for
// IsPresent, which reports the absence.
func (r *Rule) Eval(input, context any) (bool, error) {
	switch r.kind {
	case ruleAnd:
		for _, child := range r.children {
			ok, err := child.Eval(input, context)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case ruleOr:
		for _, child := range r.children {
			ok, err := child.Eval(input, context)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case ruleNot:
		ok, err := r.children[0].Eval(input, context)
		return !ok && err == nil, err
	}

	value, present := r.variable.Lookup(input, context)
	if r.base == "IsPresent" {
		return present == r.operand.(bool), nil
	}
	if !present {
		return false, invalidChoicePath(r.variable)
	}

	operand := r.operand
	if r.operandPath != nil {
		var ok bool
		operand, ok = r.operandPath.Lookup(input, context)
		if !ok {
			return false, invalidChoicePath(r.operandPath)
		}
	}

	return r.compare(value, operand), nil
}

func invalidChoicePath(p *Path) *Error {
	return runtimeError(fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", p.String()))
}

// compare applies the operator. A value of the wrong type never matches,
// as on AWS: NumericEquals on a string is false, not an error.
func (r *Rule) compare(value, operand any) bool {
	switch r.base {
	case "IsNull":
		return (value == nil) == operand.(bool)
	case "IsNumeric":
		_, ok := asNumber(value)
		return ok == operand.(bool)
	case "IsString":
		_, ok := value.(string)
		return ok == operand.(bool)
	case "IsBoolean":
		_, ok := value.(bool)
		return ok == operand.(bool)
	case "IsTimestamp":
		s, ok := value.(string)
		if ok {
			_, ok = parseTimestamp(s)
		}
		return ok == operand.(bool)
	case "StringMatches":
		s, ok := value.(string)
		return ok && matchPattern(r.pattern, s)
	case "BooleanEquals":
		b, ok := value.(bool)
		o, okOperand := operand.(bool)
		return ok && okOperand && b == o
	}

	order, ok := r.order(value, operand)
	if !ok {
		return false
	}

	switch {
	case strings.HasSuffix(r.base, "LessThanEquals"):
		return order <= 0
	case strings.HasSuffix(r.base, "GreaterThanEquals"):
		return order >= 0
	case strings.HasSuffix(r.base, "LessThan"):
		return order < 0
	case strings.HasSuffix(r.base, "GreaterThan"):
		return order > 0
	}

	return order == 0
}

// order compares value with operand by the operator's family, reporting
// false when either one is not of the family's type.
func (r *Rule) order(value, operand any) (int, bool) {
	switch {
	case strings.HasPrefix(r.base, "String"):
		s, ok := value.(string)
		o, okOperand := operand.(string)
		if !ok || !okOperand {
			return 0, false
		}
		return compareUTF16(s, o), true
	case strings.HasPrefix(r.base, "Numeric"):
		n, ok := asNumber(value)
		o, okOperand := asNumber(operand)
		if !ok || !okOperand {
			return 0, false
		}
		return compareNumbers(n, o), true
	case strings.HasPrefix(r.base, "Timestamp"):
		s, ok := value.(string)
		o, okOperand := operand.(string)
		if !ok || !okOperand {
			return 0, false
		}
		t, ok := parseTimestamp(s)
		u, okOperand := parseTimestamp(o)
		if !ok || !okOperand {
			return 0, false
		}
		return t.Compare(u), true
	}

	return 0, false
}

// parseTimestamp parses an RFC 3339 timestamp, which must carry a time zone
// offset or Z, as AWS requires.
func parseTimestamp(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// compareUTF16 compares strings by UTF-16 code units, as Java's
// String.compareTo does, which differs from byte order for characters
// outside the Basic Multilingual Plane.
func compareUTF16(a, b string) int {
	ua := utf16.Encode([]rune(a))
	ub := utf16.Encode([]rune(b))
	for i := range min(len(ua), len(ub)) {
		if ua[i] != ub[i] {
			if ua[i] < ub[i] {
				return -1
			}
			return 1
		}
	}

	switch {
	case len(ua) < len(ub):
		return -1
	case len(ua) > len(ub):
		return 1
	}

	return 0
}
