package pii

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
)

// digitDFA matches whole strings of ASCII digits against a regular
// expression, as the expression anchored at both ends would, with a
// deterministic automaton built in advance. The national number patterns
// of libphonenumber are run on every number-like token of a text, and Go's
// regexp, which simulates the expression's automaton at each byte, costs
// many times more per match than one table lookup per digit.
type digitDFA struct {
	// next contains, per state, the state after each digit, or -1 when no
	// match can follow. State 0 is the start.
	next [][10]int32
	// accept reports whether a state ends a match.
	accept []bool
	// fallback, when set, is used in place of the tables: for an
	// expression with empty-width assertions, or one whose automaton
	// would exceed maxDFAStates.
	fallback *regexp.Regexp
}

// maxDFAStates bounds the states of one automaton. The largest of the
// phone patterns in use has a few hundred.
const maxDFAStates = 20000

// newDigitDFA compiles pattern, a regular expression in Go's syntax.
// It panics if the pattern is invalid, as regexp.MustCompile does.
func newDigitDFA(pattern string) *digitDFA {
	anchored := regexp.MustCompile("^(?:" + pattern + ")$")
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		panic("pii: " + err.Error())
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		panic("pii: " + err.Error())
	}
	d := &digitDFA{}
	if !d.build(prog) {
		return &digitDFA{fallback: anchored}
	}
	return d
}

// build fills the tables by subset construction over the ten digits. It
// returns false when the program has an instruction other than those of
// alternation, repetition and runes, or when the automaton grows past
// maxDFAStates.
func (d *digitDFA) build(prog *syntax.Prog) bool {
	ids := map[string]int32{}
	var sets [][]uint32
	add := func(set []uint32) int32 {
		key := setKey(set)
		if id, ok := ids[key]; ok {
			return id
		}
		id := int32(len(sets))
		ids[key] = id
		sets = append(sets, set)
		return id
	}
	start, ok := closure(prog, []uint32{uint32(prog.Start)})
	if !ok {
		return false
	}
	add(start)
	for i := 0; i < len(sets); i++ {
		if len(sets) > maxDFAStates {
			return false
		}
		var row [10]int32
		accept := false
		for _, pc := range sets[i] {
			if prog.Inst[pc].Op == syntax.InstMatch {
				accept = true
			}
		}
		for digit := range row {
			var moved []uint32
			for _, pc := range sets[i] {
				inst := &prog.Inst[pc]
				switch inst.Op {
				case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
					if inst.MatchRune(rune('0' + digit)) {
						moved = append(moved, inst.Out)
					}
				}
			}
			if len(moved) == 0 {
				row[digit] = -1
				continue
			}
			next, ok := closure(prog, moved)
			if !ok {
				return false
			}
			row[digit] = add(next)
		}
		d.next = append(d.next, row)
		d.accept = append(d.accept, accept)
	}
	return true
}

// closure returns the sorted instructions that consume a rune or match,
// reachable from pcs without consuming input. It returns false for an
// empty-width assertion, which the tables cannot represent.
func closure(prog *syntax.Prog, pcs []uint32) ([]uint32, bool) {
	seen := map[uint32]bool{}
	var out []uint32
	stack := slices.Clone(pcs)
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		inst := &prog.Inst[pc]
		switch inst.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, inst.Out, inst.Arg)
		case syntax.InstCapture, syntax.InstNop:
			stack = append(stack, inst.Out)
		case syntax.InstFail:
		case syntax.InstMatch, syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			out = append(out, pc)
		default:
			return nil, false
		}
	}
	slices.Sort(out)
	return out, true
}

func setKey(set []uint32) string {
	var b strings.Builder
	for _, pc := range set {
		b.WriteString(strconv.FormatUint(uint64(pc), 36))
		b.WriteByte(',')
	}
	return b.String()
}

// matches reports whether the whole of s, a string of ASCII digits,
// matches. With the tables, a byte other than a digit never matches.
func (d *digitDFA) matches(s string) bool {
	if d.fallback != nil {
		return d.fallback.MatchString(s)
	}
	state := int32(0)
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return false
		}
		if state = d.next[state][c]; state < 0 {
			return false
		}
	}
	return d.accept[state]
}
