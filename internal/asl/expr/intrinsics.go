package expr

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// maxIntrinsicLength and maxCallDepth bound the text and the nesting of one
// intrinsic function call.
const (
	maxIntrinsicLength = 64 * 1024
	maxCallDepth       = 32
)

// Intrinsic is a parsed intrinsic function call such as
// States.Format('Hello {}', $.name).
type Intrinsic struct {
	text string
	call *callNode
}

type callNode struct {
	name string
	fn   *intrinsicFunc
	args []argNode
}

type argKind int

const (
	argString argKind = iota
	argNumber
	argBoolean
	argNull
	argPath
	argCall
)

// argNode is one argument of a call. A string literal keeps both its value
// and its raw text, because States.Format treats an escaped brace in the
// raw text as a literal brace rather than a placeholder.
type argNode struct {
	kind    argKind
	str     string
	raw     string
	number  json.Number
	boolean bool
	path    *Path
	call    *callNode
}

// IsIntrinsic reports whether text is meant as an intrinsic function call
// rather than a path, by its "States." prefix.
func IsIntrinsic(text string) bool {
	return strings.HasPrefix(strings.TrimSpace(text), "States.")
}

// ParseIntrinsic parses an intrinsic function call. It checks the function
// name and the number of arguments. Argument types are checked when the
// call is evaluated, because paths supply most arguments.
func ParseIntrinsic(text string) (*Intrinsic, error) {
	if len(text) > maxIntrinsicLength {
		return nil, fmt.Errorf("invalid intrinsic function: longer than %d bytes", maxIntrinsicLength)
	}

	p := &pathParser{src: text}
	p.skipSpaces()
	call, err := parseCall(p, 0)
	if err != nil {
		return nil, fmt.Errorf("invalid intrinsic function '%s': %w", text, err)
	}
	p.skipSpaces()
	if !p.eof() {
		return nil, fmt.Errorf("invalid intrinsic function '%s': unexpected %q after the call at offset %d", text, p.src[p.pos], p.pos)
	}

	return &Intrinsic{text: text, call: call}, nil
}

// String returns the call as it was written.
func (in *Intrinsic) String() string { return in.text }

// Eval evaluates the call. field names the payload template field that
// holds the call, for error messages, for example "greeting.$".
func (in *Intrinsic) Eval(input, context any, field string) (any, error) {
	return in.call.eval(input, context, field)
}

func parseCall(p *pathParser, depth int) (*callNode, error) {
	if depth >= maxCallDepth {
		return nil, fmt.Errorf("calls nested deeper than %d levels", maxCallDepth)
	}

	start := p.pos
	if !strings.HasPrefix(p.src[p.pos:], "States.") {
		return nil, fmt.Errorf("expected a function name starting with 'States.' at offset %d", p.pos)
	}
	p.pos += len("States.")
	for !p.eof() && isIdentByte(p.src[p.pos]) {
		p.pos++
	}
	name := p.src[start:p.pos]
	fn, ok := intrinsicFuncs[name]
	if !ok {
		return nil, fmt.Errorf("unknown function %q", name)
	}

	p.skipSpaces()
	if err := p.expect('('); err != nil {
		return nil, err
	}

	call := &callNode{name: name, fn: fn}
	p.skipSpaces()
	if p.peek() == ')' {
		p.pos++
	} else {
		for {
			p.skipSpaces()
			arg, err := parseArg(p, depth)
			if err != nil {
				return nil, err
			}
			call.args = append(call.args, arg)
			p.skipSpaces()
			if p.peek() == ')' {
				p.pos++
				break
			}
			if err := p.expect(','); err != nil {
				return nil, err
			}
		}
	}

	if len(call.args) < fn.minArgs || (fn.maxArgs >= 0 && len(call.args) > fn.maxArgs) {
		return nil, fmt.Errorf("%s takes %s, got %d", name, fn.arity(), len(call.args))
	}

	return call, nil
}

func isIdentByte(c byte) bool {
	return c == '_' || isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func parseArg(p *pathParser, depth int) (argNode, error) {
	c := p.peek()
	switch {
	case c == '\'':
		return parseStringLiteral(p)
	case c == '$':
		return parsePathArg(p)
	case c == '-' || isDigit(c):
		start := p.pos
		for !p.eof() && strings.IndexByte("+-.eE0123456789", p.src[p.pos]) >= 0 {
			p.pos++
		}
		text := p.src[start:p.pos]
		if !isJSONNumber(text) {
			return argNode{}, fmt.Errorf("invalid number %q at offset %d", text, start)
		}
		return argNode{kind: argNumber, number: json.Number(text)}, nil
	case strings.HasPrefix(p.src[p.pos:], "States."):
		call, err := parseCall(p, depth+1)
		if err != nil {
			return argNode{}, err
		}
		return argNode{kind: argCall, call: call}, nil
	case p.eof():
		return argNode{}, errors.New("unexpected end of the call")
	}

	start := p.pos
	for !p.eof() && isIdentByte(p.src[p.pos]) {
		p.pos++
	}
	switch word := p.src[start:p.pos]; word {
	case "true", "false":
		return argNode{kind: argBoolean, boolean: word == "true"}, nil
	case "null":
		return argNode{kind: argNull}, nil
	}

	return argNode{}, fmt.Errorf("unexpected %q at offset %d: an argument is a 'string', a number, true, false, null, a path or a States. call", c, start)
}

// parseStringLiteral parses '...', where a backslash escapes ', {, } or
// another backslash and nothing else.
func parseStringLiteral(p *pathParser) (argNode, error) {
	start := p.pos
	p.pos++

	var value strings.Builder
	for !p.eof() {
		c := p.src[p.pos]
		switch c {
		case '\'':
			raw := p.src[start+1 : p.pos]
			p.pos++
			return argNode{kind: argString, str: value.String(), raw: raw}, nil
		case '\\':
			if p.pos+1 >= len(p.src) || strings.IndexByte(`'{}\`, p.src[p.pos+1]) < 0 {
				return argNode{}, fmt.Errorf(`invalid escape at offset %d: only \', \{, \} and \\ are allowed in a string literal`, p.pos)
			}
			value.WriteByte(p.src[p.pos+1])
			p.pos += 2
		default:
			value.WriteByte(c)
			p.pos++
		}
	}

	return argNode{}, fmt.Errorf("unclosed string literal at offset %d", start)
}

// parsePathArg finds where a path argument ends, at a ',' or ')' outside
// brackets and quotes or at a space, and parses that text as a path.
func parsePathArg(p *pathParser) (argNode, error) {
	start := p.pos
	depth := 0
	var quote byte
	for ; !p.eof(); p.pos++ {
		c := p.src[p.pos]
		if quote != 0 {
			if c == '\\' {
				p.pos++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '\'', '"':
			if depth > 0 {
				quote = c
			}
		case '[':
			depth++
		case ']':
			depth--
		}
		if depth == 0 && (c == ',' || c == ')' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			break
		}
	}
	if p.pos > len(p.src) {
		p.pos = len(p.src)
	}

	path, err := ParsePath(p.src[start:p.pos])
	if err != nil {
		return argNode{}, err
	}

	return argNode{kind: argPath, path: path}, nil
}

func (c *callNode) eval(input, context any, field string) (any, error) {
	args := make([]any, len(c.args))
	for i, arg := range c.args {
		v, err := arg.eval(input, context, field)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}

	return c.fn.impl(c, args)
}

func (a argNode) eval(input, context any, field string) (any, error) {
	switch a.kind {
	case argString:
		return a.str, nil
	case argNumber:
		return a.number, nil
	case argBoolean:
		return a.boolean, nil
	case argNull:
		return nil, nil
	case argCall:
		return a.call.eval(input, context, field)
	}

	v, ok := a.path.Lookup(input, context)
	if !ok && a.path.Definite() {
		return nil, missingPathError(a.path.String(), field)
	}

	return v, nil
}

// missingPathError is the States.Runtime error for a template path or a
// path argument that selects nothing.
// AWS ends this cause with " in the input '<input JSON>'", which is left out
// here because state input may carry personal data.
func missingPathError(path, field string) *Error {
	return runtimeError(fmt.Sprintf("The JSONPath '%s' specified for the field '%s' could not be found in the input", path, field))
}
