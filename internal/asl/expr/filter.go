package expr

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// filterNode is one node of a parsed filter expression, [?(...)]. Its test
// method reports whether the current element (@) matches. The root argument
// is the queried document, which filters nested in operand paths receive.
type filterNode interface {
	test(current, root any) bool
}

type filterOr struct{ left, right filterNode }

func (f filterOr) test(c, r any) bool { return f.left.test(c, r) || f.right.test(c, r) }

type filterAnd struct{ left, right filterNode }

func (f filterAnd) test(c, r any) bool { return f.left.test(c, r) && f.right.test(c, r) }

type filterNot struct{ operand filterNode }

func (f filterNot) test(c, r any) bool { return !f.operand.test(c, r) }

// filterExists is a bare path such as [?(@.isbn)]: true when the path
// exists, whatever its value.
type filterExists struct{ path *Path }

func (f filterExists) test(c, r any) bool {
	_, ok := f.path.resolve(c, r)
	return ok
}

type filterCompare struct {
	op          string
	left, right filterOperand
}

// filterOperand is a literal or a path relative to @.
type filterOperand struct {
	path    *Path
	literal any
}

func (o filterOperand) value(current, root any) (any, bool) {
	if o.path == nil {
		return o.literal, true
	}

	return o.path.resolve(current, root)
}

// resolve evaluates a filter operand path, which starts at the current
// element (@).
func (p *Path) resolve(current, root any) (any, bool) {
	if p.Definite() {
		return lookupSteps(p.steps, current)
	}
	matches := selectSteps(p.steps, current, root)

	return matches, len(matches) > 0
}

// test compares the operands. A missing operand makes every comparison
// false, and so does an ordering comparison between different types.
func (f filterCompare) test(current, root any) bool {
	l, okL := f.left.value(current, root)
	r, okR := f.right.value(current, root)
	if !okL || !okR {
		return false
	}

	switch f.op {
	case "==":
		return jsonEqual(l, r)
	case "!=":
		return !jsonEqual(l, r)
	}

	order, ok := compareOrdered(l, r)
	if !ok {
		return false
	}
	switch f.op {
	case "<":
		return order < 0
	case "<=":
		return order <= 0
	case ">":
		return order > 0
	default:
		return order >= 0
	}
}

// compareOrdered orders two numbers or two strings.
func compareOrdered(l, r any) (int, bool) {
	if nl, ok := asNumber(l); ok {
		nr, ok := asNumber(r)
		if !ok {
			return 0, false
		}
		return compareNumbers(nl, nr), true
	}

	sl, ok := l.(string)
	if !ok {
		return 0, false
	}
	sr, ok := r.(string)
	if !ok {
		return 0, false
	}

	return compareUTF16(sl, sr), true
}

// parseFilterStep parses "?(expression)" after the opening bracket.
func (p *pathParser) parseFilterStep(depth int) (step, error) {
	if err := p.expect('?'); err != nil {
		return step{}, err
	}
	p.skipSpaces()
	if err := p.expect('('); err != nil {
		return step{}, err
	}

	node, err := p.parseOr(depth + 1)
	if err != nil {
		return step{}, err
	}

	p.skipSpaces()
	if err := p.expect(')'); err != nil {
		return step{}, err
	}

	return step{kind: stepFilter, filter: node}, nil
}

func (p *pathParser) parseOr(depth int) (filterNode, error) {
	if depth > maxFilterDepth {
		return nil, fmt.Errorf("filter nested deeper than %d levels", maxFilterDepth)
	}

	left, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpaces()
		if !strings.HasPrefix(p.src[p.pos:], "||") {
			return left, nil
		}
		p.pos += 2
		right, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		left = filterOr{left, right}
	}
}

func (p *pathParser) parseAnd(depth int) (filterNode, error) {
	left, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpaces()
		if !strings.HasPrefix(p.src[p.pos:], "&&") {
			return left, nil
		}
		p.pos += 2
		right, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		left = filterAnd{left, right}
	}
}

func (p *pathParser) parseUnary(depth int) (filterNode, error) {
	if depth > maxFilterDepth {
		return nil, fmt.Errorf("filter nested deeper than %d levels", maxFilterDepth)
	}

	p.skipSpaces()
	switch {
	case p.peek() == '!' && !strings.HasPrefix(p.src[p.pos:], "!="):
		p.pos++
		operand, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return filterNot{operand}, nil
	case p.peek() == '(':
		p.pos++
		node, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		p.skipSpaces()
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		return node, nil
	}

	return p.parseComparison(depth)
}

var filterOperators = []string{"==", "!=", "<=", ">=", "<", ">"}

func (p *pathParser) parseComparison(depth int) (filterNode, error) {
	left, err := p.parseOperand(depth)
	if err != nil {
		return nil, err
	}

	p.skipSpaces()
	op := ""
	for _, candidate := range filterOperators {
		if strings.HasPrefix(p.src[p.pos:], candidate) {
			op = candidate
			break
		}
	}
	if op == "" {
		if left.path == nil {
			return nil, fmt.Errorf("expected a comparison operator after the literal at offset %d", p.pos)
		}
		return filterExists{left.path}, nil
	}
	p.pos += len(op)

	right, err := p.parseOperand(depth)
	if err != nil {
		return nil, err
	}

	return filterCompare{op: op, left: left, right: right}, nil
}

func (p *pathParser) parseOperand(depth int) (filterOperand, error) {
	p.skipSpaces()
	c := p.peek()
	switch {
	case c == '$':
		return filterOperand{}, fmt.Errorf("a filter cannot refer to '$' at offset %d: Step Functions filters compare the current node (@) with literals only", p.pos)
	case c == '@':
		path, err := p.parseRooted(depth)
		if err != nil {
			return filterOperand{}, err
		}
		return filterOperand{path: path}, nil
	case c == '\'' || c == '"':
		s, err := p.parseQuoted()
		if err != nil {
			return filterOperand{}, err
		}
		return filterOperand{literal: s}, nil
	case c == '-' || isDigit(c):
		start := p.pos
		for !p.eof() && strings.IndexByte("+-.eE0123456789", p.src[p.pos]) >= 0 {
			p.pos++
		}
		text := p.src[start:p.pos]
		if !isJSONNumber(text) {
			return filterOperand{}, fmt.Errorf("invalid number %q at offset %d", text, start)
		}
		return filterOperand{literal: json.Number(text)}, nil
	}

	for word, value := range map[string]any{"true": true, "false": false, "null": nil} {
		if strings.HasPrefix(p.src[p.pos:], word) {
			p.pos += len(word)
			return filterOperand{literal: value}, nil
		}
	}
	if p.eof() {
		return filterOperand{}, errors.New("unexpected end of filter expression")
	}

	return filterOperand{}, fmt.Errorf("unexpected character %q in filter expression at offset %d", c, p.pos)
}
