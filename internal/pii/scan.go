package pii

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// contextWindow is how many bytes before a candidate are searched for
// context words. A short window keeps a word from vouching for values
// further on.
const contextWindow = 48

// scan is the state of one Detect call: the text and the candidates found
// so far, which recognizers later in the list may consult.
type scan struct {
	text       string
	candidates []candidate
	priority   int
	// spans contains, per type, the [begin, end) of each candidate in the
	// order found. The order is ascending for the types that follows and
	// near consult, because their recognizers scan left to right and their
	// matches do not overlap.
	spans map[string][][2]int
}

func newScan(text string) *scan {
	return &scan{text: text, spans: map[string][][2]int{}}
}

// add records a candidate of type t at [b, e) with score clamped to 0..0.99.
func (s *scan) add(t string, b, e int, score float64) {
	score = min(max(score, 0), 0.99)
	s.candidates = append(s.candidates, candidate{
		Entity:   Entity{Type: t, Begin: b, End: e, Score: score},
		priority: s.priority,
	})
	s.spans[t] = append(s.spans[t], [2]int{b, e})
}

// follows reports whether a candidate of one of the types ends shortly
// before b, with only separators such as ", " between them.
func (s *scan) follows(b int, types ...string) bool {
	for _, t := range types {
		spans := s.spans[t]
		i := sort.Search(len(spans), func(i int) bool { return spans[i][1] > b }) - 1
		if i < 0 {
			continue
		}
		end := spans[i][1]
		if b-end <= 16 && separatorsOnly.MatchString(s.text[end:b]) {
			return true
		}
	}
	return false
}

// near reports whether a candidate of type t lies within distance bytes
// of [b, e), before or after it.
func (s *scan) near(t string, b, e, distance int) bool {
	spans := s.spans[t]
	i := sort.Search(len(spans), func(i int) bool { return spans[i][1] > b-distance })
	return i < len(spans) && spans[i][0] < e+distance
}

var separatorsOnly = regexp.MustCompile(`^[\s,;:/|()-]*$`)

// context is a rule for the words near a candidate. hints are lower-case
// strings, one of which occurs in every match of re, so a window without
// any hint skips the costlier regexp run.
type context struct {
	re    *regexp.Regexp
	hints []string
}

func newContext(pattern string, hints ...string) *context {
	return &context{re: regexp.MustCompile(pattern), hints: hints}
}

// hasContext reports whether rule matches the contextWindow bytes before b.
func hasContext(text string, b int, rule *context) bool {
	return rule.matches(text[max(0, b-contextWindow):b])
}

func (rule *context) matches(window string) bool {
	lower := asciiLower(window)
	for _, hint := range rule.hints {
		if strings.Contains(lower, hint) {
			return rule.re.MatchString(window)
		}
	}
	return false
}

// negativeContext matches words that mark a nearby number as an example
// rather than someone's data.
var negativeContext = newContext(`(?i)\b(?:example|sample|test|dummy|fake|placeholder|template|specimen)\b`,
	"example", "sample", "test", "dummy", "fake", "placeholder", "template", "specimen")

// hasNegativeContext reports whether a word such as "sample" occurs within
// contextWindow bytes before b or 32 bytes after e.
func hasNegativeContext(text string, b, e int) bool {
	return hasContext(text, b, negativeContext) || negativeContext.matches(text[e:min(len(text), e+32)])
}

// isWordRune reports whether r continues a word or number, so that a value
// next to it is part of a longer token.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// wordBefore reports whether the rune ending at b continues a word.
func wordBefore(text string, b int) bool {
	if b <= 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(text[:b])
	return isWordRune(r)
}

// wordAfter reports whether the rune starting at e continues a word.
func wordAfter(text string, e int) bool {
	if e >= len(text) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[e:])
	return isWordRune(r)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// numberBounded reports whether [b, e) is a whole number token: no word
// rune next to it, and not part of a longer number such as 12-345 or 1.5
// or +1 on either side.
func numberBounded(text string, b, e int) bool {
	if wordBefore(text, b) || wordAfter(text, e) {
		return false
	}
	if b >= 1 && text[b-1] == '+' {
		return false
	}
	if b >= 2 && isNumberSeparator(text[b-1]) && isDigit(text[b-2]) {
		return false
	}
	if e+1 < len(text) && isNumberSeparator(text[e]) && isDigit(text[e+1]) {
		return false
	}
	return true
}

func isNumberSeparator(c byte) bool {
	return c == '-' || c == '.' || c == '/' || c == ','
}

// alphabet is a set of bytes.
type alphabet [256]bool

func newAlphabet(sets ...string) *alphabet {
	var a alphabet
	for _, set := range sets {
		for i := 0; i < len(set); i++ {
			a[set[i]] = true
		}
	}
	return &a
}

const (
	digitBytes = "0123456789"
	upperBytes = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerBytes = "abcdefghijklmnopqrstuvwxyz"
	hexBytes   = "0123456789abcdefABCDEF"
)

// Alphabets of the recognizers' patterns. A pattern's match consists only
// of bytes of its alphabet, so the matches in a text are the matches in
// its maximal runs of those bytes.
var (
	numberAlphabet = newAlphabet(digitBytes, " ()+./-")
	codeAlphabet   = newAlphabet(digitBytes, upperBytes, " ")
	hexAlphabet    = newAlphabet(hexBytes, ":.-")
	base64Alphabet = newAlphabet(digitBytes, upperBytes, lowerBytes, "/+")
)

// findAll returns the matches of re in the runs of text's bytes that belong
// to a and satisfy keep. Go's regexp costs far more per byte than this
// byte loop, so running it only on the few runs that can match keeps
// Detect fast on prose.
func findAll(text string, re *regexp.Regexp, a *alphabet, keep func(run string) bool) [][2]int {
	var matches [][2]int
	for i := 0; i < len(text); {
		if !a[text[i]] {
			i++
			continue
		}
		j := i
		for j < len(text) && a[text[j]] {
			j++
		}
		if run := text[i:j]; keep(run) {
			for _, m := range re.FindAllStringIndex(run, -1) {
				matches = append(matches, [2]int{i + m[0], i + m[1]})
			}
		}
		i = j
	}
	return matches
}

func hasDigit(run string) bool {
	for i := 0; i < len(run); i++ {
		if isDigit(run[i]) {
			return true
		}
	}
	return false
}

func hasDigitAndUpper(run string) bool {
	digit, upper := false, false
	for i := 0; i < len(run) && !(digit && upper); i++ {
		digit = digit || isDigit(run[i])
		upper = upper || (run[i] >= 'A' && run[i] <= 'Z')
	}
	return digit && upper
}

func hasSeparator(run string) bool {
	return strings.ContainsAny(run, ":-.")
}

func hasColon(run string) bool { return strings.IndexByte(run, ':') >= 0 }

func atLeast40(run string) bool { return len(run) >= 40 }
