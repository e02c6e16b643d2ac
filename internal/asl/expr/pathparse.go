package expr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// pathParser is a recursive-descent parser over the bytes of one path or
// filter expression. Every method leaves pos after the text it consumed.
type pathParser struct {
	src string
	pos int
}

func (p *pathParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *pathParser) eof() bool { return p.pos >= len(p.src) }

func (p *pathParser) skipSpaces() {
	for !p.eof() && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *pathParser) expect(c byte) error {
	if p.peek() != c {
		if p.eof() {
			return fmt.Errorf("expected %q at offset %d, found the end", c, p.pos)
		}
		return fmt.Errorf("expected %q at offset %d, found %q", c, p.pos, p.src[p.pos])
	}
	p.pos++

	return nil
}

// parseRooted parses "$", "$$" or, inside a filter, "@", followed by steps.
func (p *pathParser) parseRooted(depth int) (*Path, error) {
	start := p.pos
	path := &Path{}
	switch {
	case strings.HasPrefix(p.src[p.pos:], "$$"):
		path.context = true
		p.pos += 2
	case p.peek() == '$':
		p.pos++
		// "$name" reads a workflow variable. Variable names start with a
		// letter or an underscore, so "$.a", "$[0]" and "$" stay input paths.
		if !p.eof() && isVariableStart(p.src[p.pos]) {
			nameStart := p.pos
			for !p.eof() && isIdentByte(p.src[p.pos]) {
				p.pos++
			}
			path.variable = p.src[nameStart:p.pos]
		}
	case p.peek() == '@':
		p.pos++
	default:
		return nil, errors.New("a path must start with '$' or '$$'")
	}

	steps, err := p.parseSteps(depth)
	if err != nil {
		return nil, err
	}
	path.steps = steps
	path.text = p.src[start:p.pos]

	return path, nil
}

func (p *pathParser) parseSteps(depth int) ([]step, error) {
	var steps []step
	for !p.eof() {
		var s step
		var err error
		switch p.peek() {
		case '.':
			p.pos++
			if p.peek() == '.' {
				p.pos++
				s.recursive = true
				if p.peek() == '[' {
					s, err = p.parseBracket(depth)
					s.recursive = true
					break
				}
			}
			s, err = p.parseDotChild(s.recursive)
		case '[':
			s, err = p.parseBracket(depth)
		default:
			return steps, nil
		}
		if err != nil {
			return nil, err
		}
		steps = append(steps, s)
	}

	return steps, nil
}

// nameTerminators are the bytes that end a child name in dot notation.
const nameTerminators = ".[]()'\",=!<>&| \t\r\n"

func (p *pathParser) parseDotChild(recursive bool) (step, error) {
	if p.peek() == '*' {
		p.pos++
		return step{kind: stepWildcard, recursive: recursive}, nil
	}

	start := p.pos
	for !p.eof() && strings.IndexByte(nameTerminators, p.src[p.pos]) < 0 {
		p.pos++
	}
	if p.pos == start {
		if p.eof() {
			return step{}, fmt.Errorf("missing name after '.' at offset %d", start)
		}
		return step{}, fmt.Errorf("unexpected character %q after '.' at offset %d", p.src[start], start)
	}

	return step{kind: stepName, name: p.src[start:p.pos], recursive: recursive}, nil
}

func (p *pathParser) parseBracket(depth int) (step, error) {
	open := p.pos
	if err := p.expect('['); err != nil {
		return step{}, err
	}
	p.skipSpaces()

	var s step
	var err error
	switch c := p.peek(); {
	case c == '*':
		p.pos++
		s = step{kind: stepWildcard}
	case c == '\'' || c == '"':
		s, err = p.parseNames()
	case c == '?':
		s, err = p.parseFilterStep(depth)
	case c == '(':
		s, err = p.parseLengthIndex()
	case c == '-' || c == ':' || isDigit(c):
		s, err = p.parseIndexes()
	case p.eof():
		return step{}, fmt.Errorf("unclosed '[' at offset %d", open)
	default:
		return step{}, fmt.Errorf("unexpected character %q in brackets at offset %d", c, p.pos)
	}
	if err != nil {
		return step{}, err
	}

	p.skipSpaces()
	if err := p.expect(']'); err != nil {
		return step{}, err
	}

	return s, nil
}

// parseLengthIndex parses "(@.length)", "(@.length-n)" or "(@.length+n)",
// the one script expression that Step Functions evaluates in brackets.
func (p *pathParser) parseLengthIndex() (step, error) {
	start := p.pos
	p.pos++
	p.skipSpaces()
	if !strings.HasPrefix(p.src[p.pos:], "@.length") {
		return step{}, fmt.Errorf("unsupported script expression at offset %d: only (@.length-n) is allowed", start)
	}
	p.pos += len("@.length")
	p.skipSpaces()

	offset := 0
	if c := p.peek(); c == '-' || c == '+' {
		p.pos++
		p.skipSpaces()
		if !isDigit(p.peek()) {
			return step{}, fmt.Errorf("missing number after %q at offset %d", c, p.pos)
		}
		n, err := p.parseInt()
		if err != nil {
			return step{}, err
		}
		offset = n
		if c == '-' {
			offset = -n
		}
		p.skipSpaces()
	}
	if err := p.expect(')'); err != nil {
		return step{}, err
	}

	return step{kind: stepIndex, index: offset, fromEnd: true}, nil
}

func (p *pathParser) parseNames() (step, error) {
	var names []string
	for {
		name, err := p.parseQuoted()
		if err != nil {
			return step{}, err
		}
		names = append(names, name)
		p.skipSpaces()
		if p.peek() != ',' {
			break
		}
		p.pos++
		p.skipSpaces()
	}

	if len(names) == 1 {
		return step{kind: stepName, name: names[0]}, nil
	}

	return step{kind: stepNameUnion, names: names}, nil
}

// parseQuoted parses a string in single or double quotes, where a backslash
// makes the next character literal.
func (p *pathParser) parseQuoted() (string, error) {
	quote := p.peek()
	if quote != '\'' && quote != '"' {
		return "", fmt.Errorf("expected a quoted name at offset %d", p.pos)
	}
	start := p.pos
	p.pos++

	var b strings.Builder
	for !p.eof() {
		c := p.src[p.pos]
		switch {
		case c == quote:
			p.pos++
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.src):
			b.WriteByte(p.src[p.pos+1])
			p.pos += 2
		default:
			b.WriteByte(c)
			p.pos++
		}
	}

	return "", fmt.Errorf("unclosed quote at offset %d", start)
}

func (p *pathParser) parseIndexes() (step, error) {
	var parts []*int
	colons := 0
	commas := 0
	for {
		p.skipSpaces()
		if c := p.peek(); c == '-' || isDigit(c) {
			n, err := p.parseInt()
			if err != nil {
				return step{}, err
			}
			parts = append(parts, &n)
		} else {
			parts = append(parts, nil)
		}
		p.skipSpaces()

		switch p.peek() {
		case ':':
			colons++
		case ',':
			commas++
		default:
			return buildIndexStep(parts, colons, commas)
		}
		p.pos++
	}
}

func buildIndexStep(parts []*int, colons, commas int) (step, error) {
	switch {
	case colons > 0 && commas > 0:
		return step{}, errors.New("an array selector cannot mix ':' and ','")
	case colons > 2:
		return step{}, errors.New("a slice takes at most start, end and step")
	case colons > 0:
		sl := sliceSpec{start: parts[0], end: parts[1], step: 1}
		if colons == 2 && parts[2] != nil {
			sl.step = *parts[2]
		}
		if sl.step == 0 {
			return step{}, errors.New("a slice step cannot be 0")
		}
		return step{kind: stepSlice, slice: sl}, nil
	}

	for _, part := range parts {
		if part == nil {
			return step{}, errors.New("missing array index")
		}
	}
	if commas == 0 {
		return step{kind: stepIndex, index: *parts[0]}, nil
	}

	indexes := make([]int, len(parts))
	for i, part := range parts {
		indexes[i] = *part
	}

	return step{kind: stepIndexUnion, indexes: indexes}, nil
}

func (p *pathParser) parseInt() (int, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	for !p.eof() && isDigit(p.src[p.pos]) {
		p.pos++
	}

	n, err := strconv.ParseInt(p.src[start:p.pos], 10, 32)
	if err != nil {
		return 0, fmt.Errorf("invalid array index %q at offset %d", p.src[start:p.pos], start)
	}

	return int(n), nil
}

func isVariableStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}
