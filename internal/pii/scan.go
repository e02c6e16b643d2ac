package pii

import (
	"cmp"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
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
	text string
	// repaired is the prefix count of bytes that normalize changed from a
	// letter into a digit, or nil when it changed none.
	repaired   []int
	candidates []candidate
	// priority is the position in recognizers of the running recognizer,
	// and priorityType its entity type.
	priority     int
	priorityType string
	// loose caches looseNumbers, once looseDone is set.
	loose     [][2]int
	looseDone bool
	// runs and positions are the buffers of runsWith, each call
	// overwriting the last.
	runs      [][2]int
	positions []int
	// starts and numbers cache tokenStarts and numberStarts, which
	// indexText finds in one pass once indexed is set.
	starts  []int
	numbers []int
	// groups contains the number of digits from each of numbers.
	groups []int
	// numberHits contains, per element of numberPatterns, the number starts
	// whose first group the pattern allows.
	numberHits [len(numberPatterns)][]int
	// tokenHits contains, per element of tokenPatterns, the token starts
	// whose first and third bytes the pattern accepts.
	tokenHits [len(tokenPatterns)][]int
	// capitals contains the token starts with an ASCII capital or a byte of
	// a multibyte rune, and cueHits those whose first two bytes start a
	// name cue.
	capitals []int
	cueHits  []int
	indexed  bool
	// spans contains, per type, the [begin, end) of each candidate. Detect
	// sorts them by position after each recognizer, so follows and near,
	// which later recognizers call, can search them.
	spans [][][2]int
	// found is the buffer of the matches that findNumbers, findTokens,
	// findInRuns and findAll return, each call overwriting the last.
	found [][2]int
	// looseDigits contains the digits of each of loose.
	looseDigits []string
	// taken is resolve's buffer, all false between calls.
	taken []bool
}

// typeIndex maps each entity type to its position in recognizers, which
// indexes scan.spans, and the slots hold the positions of the types whose
// spans other recognizers consult. An init function fills them, because
// recognizers refers to the functions that read them.
var (
	typeIndex                           = map[string]int{}
	cardSlot, expirySlot, accessKeySlot int
)

func init() {
	for i, r := range recognizers {
		typeIndex[r.entityType] = i
	}
	cardSlot, expirySlot, accessKeySlot = typeIndex[TypeCreditCardNumber], typeIndex[TypeCreditCardExpiry], typeIndex[TypeAWSAccessKey]
}

// spansOf returns the spans of the candidates of type t found so far. The
// running recognizer's own type needs no lookup.
func (s *scan) spansOf(t string) [][2]int {
	if t == s.priorityType {
		return s.spans[s.priority]
	}
	return s.spans[typeIndex[t]]
}

// scanPool keeps scans between Detect calls, so that a scan's slices are
// reused rather than allocated anew for every text.
var scanPool = sync.Pool{New: func() any { return &scan{spans: make([][][2]int, len(recognizers))} }}

// newScan starts a scan of the normalized form of text, which has the same
// length, so offsets found in it are offsets in text. The caller calls
// release when it no longer needs the scan.
func newScan(text string) *scan {
	s := scanPool.Get().(*scan)
	s.text, s.repaired = normalize(text)
	return s
}

// release empties s and returns it to scanPool. The scan of a text longer
// than MaxChunkBytes is left to the garbage collector, so that the pool
// does not keep its large arrays.
func (s *scan) release() {
	if len(s.text) > MaxChunkBytes {
		return
	}
	s.text, s.repaired, s.priority, s.priorityType = "", nil, 0, ""
	s.candidates = s.candidates[:0]
	s.loose, s.looseDigits, s.looseDone = s.loose[:0], s.looseDigits[:0], false
	s.runs, s.positions = s.runs[:0], s.positions[:0]
	s.starts, s.numbers, s.groups, s.indexed = s.starts[:0], s.numbers[:0], s.groups[:0], false
	for k := range s.tokenHits {
		s.tokenHits[k] = s.tokenHits[k][:0]
	}
	for k := range s.numberHits {
		s.numberHits[k] = s.numberHits[k][:0]
	}
	s.capitals, s.cueHits = s.capitals[:0], s.cueHits[:0]
	for i := range s.spans {
		s.spans[i] = s.spans[i][:0]
	}
	scanPool.Put(s)
}

// normalize undoes two kinds of damage that OCR and text wrapping do to
// numbers, byte for byte so that offsets stay valid:
//   - inside a token of digits, the letters O and o read for 0 and l, I and
//     | read for 1 become digits, when the token has at least as many digits
//     as such letters and no other letter next to it;
//   - a line break between two digits becomes a space, so that a number
//     wrapped onto the next line is one number again.
//
// It returns text itself when nothing changed, and the prefix counts of
// repaired bytes otherwise: repaired[i] is the number of bytes before i that
// a letter repair changed.
func normalize(text string) (string, []int) {
	var out []byte
	ensure := func() {
		if out == nil {
			out = []byte(text)
		}
	}

	// A token that needs a repair contains a digit, so the loop jumps
	// from digit to digit and grows each token from there. done is the
	// end of the last token, which keeps the scan linear.
	letterFixed := false
	for i, done := 0, 0; i < len(text); i++ {
		if !isDigit(text[i]) || i < done {
			continue
		}
		b, e := i, i
		for b > done && ocrDigit(text[b-1]) != 0 {
			b--
		}
		digits, letters := 0, i-b
		for e < len(text) && (isDigit(text[e]) || ocrDigit(text[e]) != 0) {
			if isDigit(text[e]) {
				digits++
			} else {
				letters++
			}
			e++
		}
		done = e
		if letters > 0 && digits >= letters && !letterAt(text, b-1) && !letterAt(text, e) {
			ensure()
			for k := b; k < e; k++ {
				if d := ocrDigit(text[k]); d != 0 {
					out[k] = d
					letterFixed = true
				}
			}
		}
	}

	for i := strings.IndexByte(text, '\n'); i >= 0; {
		b, e := i, i+1
		if b > 0 && text[b-1] == '\r' {
			b--
		}
		if b > 0 && e < len(text) && isDigit(digitAt(text, out, b-1)) && isDigit(digitAt(text, out, e)) {
			ensure()
			for k := b; k < e; k++ {
				out[k] = ' '
			}
		}
		next := strings.IndexByte(text[e:], '\n')
		if next < 0 {
			break
		}
		i = e + next
	}

	if out == nil {
		return text, nil
	}
	var repaired []int
	if letterFixed {
		repaired = make([]int, len(text)+1)
		for k := 0; k < len(text); k++ {
			repaired[k+1] = repaired[k]
			if out[k] != text[k] && out[k] != ' ' {
				repaired[k+1]++
			}
		}
	}
	return string(out), repaired
}

// ocrDigit returns the digit that OCR commonly misreads as c, or 0.
func ocrDigit(c byte) byte {
	switch c {
	case 'O', 'o':
		return '0'
	case 'l', 'I', '|':
		return '1'
	}
	return 0
}

func letterAt(text string, i int) bool {
	return i >= 0 && i < len(text) && (isLetter(text[i]) || text[i] >= utf8.RuneSelf)
}

func digitAt(text string, out []byte, i int) byte {
	if out != nil {
		return out[i]
	}
	return text[i]
}

// wasRepaired reports whether normalize changed a letter into a digit in
// [b, e).
func (s *scan) wasRepaired(b, e int) bool {
	return s.repaired != nil && s.repaired[e] > s.repaired[b]
}

// add records a candidate of type t at [b, e) with score clamped to 0..0.99.
// A value that contains a digit read back from a letter scores 0.1 less,
// because the repair is a guess even when a checksum passes.
func (s *scan) add(t string, b, e int, score float64) {
	if s.wasRepaired(b, e) {
		score -= 0.1
	}
	score = min(max(score, 0), 0.99)
	s.candidates = append(s.candidates, candidate{
		Entity:   Entity{Type: t, Begin: b, End: e, Score: score},
		priority: s.priority,
	})
	// Every recognizer adds candidates of its own type, whose index is
	// its priority, which spares a map lookup.
	i := s.priority
	if t != s.priorityType {
		i = typeIndex[t]
	}
	s.spans[i] = append(s.spans[i], [2]int{b, e})
}

// follows reports whether a candidate in one of spans, each the spans of
// a type (see spansOf), ends shortly before b, with only separators such
// as ", " between them.
func (s *scan) follows(b int, spans ...[][2]int) bool {
	for _, spans := range spans {
		i := sort.Search(len(spans), func(i int) bool { return spans[i][1] > b }) - 1
		if i < 0 {
			continue
		}
		end := spans[i][1]
		if b-end <= 16 && separatorsOnly(s.text[end:b]) {
			return true
		}
	}
	return false
}

// sortSpans sorts the spans of the type of recognizers[i] by position,
// because a recognizer may find a second form of its values after the
// first, as findLoose does.
func (s *scan) sortSpans(i int) {
	spans := s.spans[i]
	if len(spans) < 2 {
		return
	}
	slices.SortFunc(spans, func(x, y [2]int) int {
		return cmp.Or(cmp.Compare(x[0], y[0]), cmp.Compare(x[1], y[1]))
	})
}

// near reports whether one of spans, the spans of a type (see spansOf),
// lies within distance bytes of [b, e), before or after it.
func near(spans [][2]int, b, e, distance int) bool {
	i := sort.Search(len(spans), func(i int) bool { return spans[i][1] > b-distance })
	return i < len(spans) && spans[i][0] < e+distance
}

// separatorsOnly reports whether s consists of white space, as Go's \s
// reads it, and the separators ,;:/|()- only.
func separatorsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte("\t\n\f\r ,;:/|()-", s[i]) < 0 {
			return false
		}
	}
	return true
}

// context is a rule for the words near a candidate. hints are lower-case
// strings, one of which occurs in every match of re, so a window without
// any hint skips the costlier regexp run.
type context struct {
	re    *regexp.Regexp
	hints []string
	// words, when set, are the alternatives of re in lower case, grouped
	// by first byte, and re is `(?i)\b(?:word|...)\b`, or
	// `(?i)\b(?:word|...)\.?\s*$` when trailing is set. matches then reads
	// the window byte by byte in place of re.
	words    *[256][]string
	trailing bool
	// alnumStarts is set when every word starts with an ASCII letter or
	// digit, so that a match can only start at a token start.
	alnumStarts bool
	// end, when set, matches what re matches, reading the window from
	// its end.
	end *endForm
}

func newContext(pattern string, hints ...string) *context {
	return &context{re: regexp.MustCompile(pattern), hints: hints}
}

// newEndContext returns a context that matches form, whose regular
// expression is pattern.
func newEndContext(pattern string, form *endForm) *context {
	for _, keyword := range form.keywords {
		last := keyword[len(keyword)-1]
		form.byLast[last] = append(form.byLast[last], keyword)
	}
	return &context{re: regexp.MustCompile(pattern), end: form}
}

// newWordContext returns a context that matches any of words, which are
// lower-case ASCII or UTF-8, as a whole word in any ASCII case. The word
// boundaries are those of Go's ASCII \b, so "tel" matches the start of
// "teléfono".
func newWordContext(words ...string) *context {
	return newWordRule(`(?i)\b(?:`+strings.Join(quoteAll(words), "|")+`)\b`, false, words)
}

// newTrailingWordContext returns a context that matches when the window
// ends with one of words, an optional '.' and optional white space.
func newTrailingWordContext(words ...string) *context {
	return newWordRule(`(?i)\b(?:`+strings.Join(quoteAll(words), "|")+`)\.?\s*$`, true, words)
}

func newWordRule(pattern string, trailing bool, words []string) *context {
	var groups [256][]string
	alnumStarts := true
	for _, w := range words {
		groups[w[0]] = append(groups[w[0]], w)
		alnumStarts = alnumStarts && asciiAlnum[w[0]]
	}
	return &context{re: regexp.MustCompile(pattern), words: &groups, trailing: trailing, alnumStarts: alnumStarts}
}

func quoteAll(words []string) []string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = regexp.QuoteMeta(w)
	}
	return quoted
}

// hasContext reports whether rule matches the contextWindow bytes before b.
func hasContext(text string, b int, rule *context) bool {
	return rule.matches(text[max(0, b-contextWindow):b])
}

// hasContext is the package function hasContext for s.text. For a rule
// of words that start with a letter or digit it tries only the window's
// first byte and the token starts in the window, where such a word can
// begin after a word boundary, rather than every byte.
func (s *scan) hasContext(b int, rule *context) bool {
	if !rule.alnumStarts || rule.trailing {
		return hasContext(s.text, b, rule)
	}
	from := max(0, b-contextWindow)
	window := s.text[from:b]
	if len(window) > 0 && rule.wordAt(window, 0) > 0 {
		return true
	}
	starts := s.tokenStarts()
	for k := sort.SearchInts(starts, from+1); k < len(starts) && starts[k] < b; k++ {
		if rule.wordAt(window, starts[k]-from) > 0 {
			return true
		}
	}
	return false
}

// contextNearer reports whether the last match of rule a in the
// contextWindow bytes before b ends after the last match of rule b.
func contextNearer(text string, at int, a, b *context) bool {
	window := text[max(0, at-contextWindow):at]
	return a.lastEnd(window) > b.lastEnd(window)
}

// lastEnd returns the end of the last of the non-overlapping matches of
// rule in window, or -1.
func (rule *context) lastEnd(window string) int {
	if rule.words != nil && !rule.trailing {
		last := -1
		for i := 0; i < len(window); {
			if e := rule.wordAt(window, i); e > 0 {
				last, i = e, e
			} else {
				i++
			}
		}
		return last
	}
	if !rule.matches(window) {
		return -1
	}
	m := rule.re.FindAllStringIndex(window, -1)
	return m[len(m)-1][1]
}

func (rule *context) matches(window string) bool {
	if rule.words != nil {
		if rule.trailing {
			return rule.endsWithWord(window)
		}
		for i := 0; i < len(window); i++ {
			if rule.wordAt(window, i) > 0 {
				return true
			}
		}
		return false
	}
	if rule.end != nil {
		return rule.end.matches(window)
	}
	for _, hint := range rule.hints {
		if containsLowerASCII(window, hint) {
			return rule.re.MatchString(window)
		}
	}
	return false
}

// wordAt returns the end of the word of rule that starts at i in window
// with a word boundary on both sides, or -1.
func (rule *context) wordAt(window string, i int) int {
	for _, w := range rule.words[lowerASCII(window[i])] {
		e := i + len(w)
		if e <= len(window) && isWordByte(w[0]) != (i > 0 && isWordByte(window[i-1])) &&
			isWordByte(w[len(w)-1]) != (e < len(window) && isWordByte(window[e])) && equalLowerASCII(window[i:e], w) {
			return e
		}
	}
	return -1
}

// endsWithWord reports whether window ends with a word of rule that has a
// word boundary before it, then an optional '.' and optional white space
// as Go's \s reads it.
func (rule *context) endsWithWord(window string) bool {
	e := len(window)
	for e > 0 && strings.IndexByte("\t\n\f\r ", window[e-1]) >= 0 {
		e--
	}
	ends := []int{e}
	if e > 0 && window[e-1] == '.' {
		ends = append(ends, e-1)
	}
	for _, e := range ends {
		b := e
		for b > 0 && isWordByte(window[b-1]) {
			b--
		}
		if b == e {
			continue
		}
		for _, w := range rule.words[lowerASCII(window[b])] {
			if len(w) == e-b && equalLowerASCII(window[b:e], w) {
				return true
			}
		}
	}
	return false
}

// isWordByte reports whether c is an ASCII word character, as Go's \b
// reads it.
func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }

// equalLowerASCII reports whether s equals lower when the ASCII letters
// of s are read in lower case.
func equalLowerASCII(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		if lowerASCII(s[i]) != lower[i] {
			return false
		}
	}
	return true
}

// containsLowerASCII reports whether s contains hint when the ASCII
// letters of s are read in lower case. It allocates nothing, which matters
// because Detect checks context words around most numbers.
func containsLowerASCII(s, hint string) bool {
	if len(hint) == 0 {
		return true
	}
	// IndexByte finds each occurrence of the hint's rarest letter, in
	// either case, far faster than a loop that compares every byte.
	at := rarestByte(hint)
	c := hint[at]
	for _, c := range [2]byte{c, upperASCII(c)} {
		for i := at; i+len(hint)-at <= len(s); i++ {
			j := strings.IndexByte(s[i:len(s)-len(hint)+at+1], c)
			if j < 0 {
				break
			}
			i += j
			if equalLowerASCII(s[i-at:i-at+len(hint)], hint) {
				return true
			}
		}
		if upperASCII(c) == c {
			break
		}
	}
	return false
}

// letterFrequency lists the lower-case letters from the most to the least
// frequent in English text.
const letterFrequency = "etaoinshrdlcumwfgypbvkjxqz"

// rarestByte returns the index of the byte of hint that occurs least
// often in English text: its rarest letter, or a byte other than a letter,
// which is rarer still.
func rarestByte(hint string) int {
	best, bestRank := 0, -1
	for i := 0; i < len(hint); i++ {
		rank := strings.IndexByte(letterFrequency, hint[i])
		if rank < 0 {
			rank = len(letterFrequency)
		}
		if rank > bestRank {
			best, bestRank = i, rank
		}
	}
	return best
}

// upperASCII returns c in upper case when it is an ASCII letter.
func upperASCII(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// negativeContext matches words that mark a nearby number as an example
// rather than someone's data.
var negativeContext = newWordContext("example", "sample", "test", "dummy", "fake", "placeholder", "template", "specimen")

// hasNegativeContext reports whether a word such as "sample" occurs within
// contextWindow bytes before b or 32 bytes after e. A word inside a domain
// name or a path, as in bob@example.com, does not count.
func hasNegativeContext(text string, b, e int) bool {
	return hasNegativeWord(text[max(0, b-contextWindow):b]) || hasNegativeWord(text[e:min(len(text), e+32)])
}

func hasNegativeWord(window string) bool {
	for i := 0; i < len(window); i++ {
		if end := negativeContext.wordAt(window, i); end > 0 && !inHostOrPath(window, i, end) {
			return true
		}
	}
	return false
}

// inHostOrPath reports whether the word at [b, e) of window is a label of
// a domain name or a part of a URL path. Such a word has '@', '.' or '/'
// right before it, or right after it '@', or '.' or '/' and a letter or
// digit.
func inHostOrPath(window string, b, e int) bool {
	if b > 0 && strings.IndexByte("@./", window[b-1]) >= 0 {
		return true
	}
	if e < len(window) && window[e] == '@' {
		return true
	}
	return e+1 < len(window) && strings.IndexByte("./", window[e]) >= 0 && isAlnum(window[e+1])
}

// minNegativeScore is the floor that a negative context word lowers the
// score of a validated number to. It is above DefaultMinScore, because
// such a word near a number that passes its checksum or validity rules is
// weak evidence: "Lab test results, SSN 536 22 1234" names a real SSN.
const minNegativeScore = 0.55

// lowerForNegativeContext returns score lowered by penalty when a word
// such as "sample" is near [b, e), but not below minNegativeScore, and
// score unchanged otherwise.
func lowerForNegativeContext(text string, b, e int, score, penalty float64) float64 {
	if !hasNegativeContext(text, b, e) {
		return score
	}
	return max(score-penalty, min(score, minNegativeScore))
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
	return numberBoundedBefore(text, b) && numberBoundedAfter(text, e)
}

// numberBoundedBefore reports whether a number token may start at b: no
// word rune, '+' or digit and separator right before it.
func numberBoundedBefore(text string, b int) bool {
	if wordBefore(text, b) || (b >= 1 && text[b-1] == '+') {
		return false
	}
	return !(b >= 2 && isNumberSeparator(text[b-1]) && isDigit(text[b-2]))
}

// numberBoundedAfter reports whether a number token may end at e: no word
// rune, or separator and digit, right after it.
func numberBoundedAfter(text string, e int) bool {
	if wordAfter(text, e) {
		return false
	}
	return !(e+1 < len(text) && isNumberSeparator(text[e]) && isDigit(text[e+1]))
}

// continuesNumber reports whether the number at b follows a group of
// digits after one space or dash, as the later groups of a longer number
// do in "22261 6601 0991 9051".
func continuesNumber(text string, b int) bool {
	return b >= 2 && (text[b-1] == ' ' || text[b-1] == '-') && isDigit(text[b-2])
}

// followsIBANStart reports whether one of the up to ten groups of letters
// and digits that precede b, each followed by one space, starts as an IBAN
// does, as in "FR48 5856 22037 6811 2378", whose digits are not a card.
func followsIBANStart(text string, b int) bool {
	j := b
	for groups := 0; groups < 10 && j >= 2 && text[j-1] == ' ' && isAlnum(text[j-2]); groups++ {
		start := j - 1
		for start > 0 && isAlnum(text[start-1]) {
			start--
		}
		if ibanStartAt(text, start) {
			return true
		}
		j = start
	}
	return false
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
	codeAlphabet   = newAlphabet(digitBytes, upperBytes, " ")
	hexAlphabet    = newAlphabet(hexBytes, ":.-")
	base64Alphabet = newAlphabet(digitBytes, upperBytes, lowerBytes, "/+")
)

// need names the bytes of which a run must contain one for a recognizer
// to consider it: the bytes of bytes, and the ASCII digits when digits is
// set.
type need struct {
	bytes  string
	digits bool
}

var (
	colonNeed = &need{bytes: ":"}
	// accessKeyNeed is the first letter of AKIA and ASIA.
	accessKeyNeed = &need{bytes: "A"}
	secretNeed    = &need{bytes: "/+", digits: true}
	urlNeed       = &need{bytes: ":."}
	digitNeed     = newAlphabet(digitBytes)
)

// tokenStarts returns the offsets of the bytes that are ASCII letters or
// digits or not ASCII, and that follow no ASCII letter or digit. Every
// word or number starts at one of them, so the name and address scans
// visit these offsets rather than every byte. Some are inside a multibyte
// rune or follow a non-ASCII letter, and the callers check for that.
func (s *scan) tokenStarts() []int {
	s.indexText()
	return s.starts
}

// numberStarts returns the offsets of the digits that follow no digit.
func (s *scan) numberStarts() []int {
	s.indexText()
	return s.numbers
}

// numberGroups returns the number of digits from each of numberStarts.
func (s *scan) numberGroups() []int {
	s.indexText()
	return s.groups
}

// Classes of bytes that indexText reads from byteClass.
const (
	classDigit = 1 << iota // an ASCII digit
	classToken             // in tokenByte
	classAlnum             // in asciiAlnum
)

// byteClass contains the classes of each byte.
var byteClass = func() (classes [256]uint8) {
	for c := range classes {
		for _, set := range []struct {
			a     *alphabet
			class uint8
		}{{digitNeed, classDigit}, {tokenByte, classToken}, {asciiAlnum, classAlnum}} {
			if set.a[c] {
				classes[c] |= set.class
			}
		}
	}
	return classes
}()

// indexText finds the offsets of tokenStarts and numberStarts, the
// lengths of numberGroups and the token starts that the token patterns
// and the name scans try, in one pass over the text, once per scan.
func (s *scan) indexText() {
	if s.indexed {
		return
	}
	s.indexed = true
	text := s.text
	var prev uint8
	for i := 0; i < len(text); i++ {
		c := byteClass[text[i]]
		if c&classDigit != prev&classDigit {
			if c&classDigit != 0 {
				s.numbers = append(s.numbers, i)
			} else {
				start := s.numbers[len(s.numbers)-1]
				s.indexNumber(start, i-start)
			}
		}
		if c&classToken != 0 && prev&classAlnum == 0 {
			s.indexToken(i)
		}
		prev = c
	}
	if prev&classDigit != 0 {
		start := s.numbers[len(s.numbers)-1]
		s.indexNumber(start, len(text)-start)
	}
}

var (
	asciiAlnum = newAlphabet(digitBytes, upperBytes, lowerBytes)
	// tokenByte contains the ASCII letters and digits and every byte of a
	// multibyte rune.
	tokenByte = func() *alphabet {
		a := newAlphabet(digitBytes, upperBytes, lowerBytes)
		for c := utf8.RuneSelf; c < 256; c++ {
			a[c] = true
		}
		return a
	}()
)

// numberPattern is a matcher that findNumbers runs at number starts.
type numberPattern struct {
	match matcher
	// minGroup and maxGroup bound the length of the first group of
	// digits of a match, where maxGroup 0 sets no bound. A number whose
	// first group is outside them is skipped without a call to match.
	minGroup, maxGroup int
	// index is the pattern's position in numberPatterns.
	index int
}

// maxGroupClass is the longest first group that numberGroupBits has an
// entry of its own for. Longer groups share that entry.
const maxGroupClass = 31

// numberGroupBits contains, for each length of a first group of digits, a
// bit per element of numberPatterns whose bounds allow it.
var numberGroupBits [maxGroupClass + 1]uint16

func init() {
	for k, p := range numberPatterns {
		p.index = k
		for g := range numberGroupBits {
			if g >= p.minGroup && (p.maxGroup == 0 || g <= p.maxGroup) {
				numberGroupBits[g] |= 1 << k
			}
		}
	}
}

// indexNumber records the group of digits at start with length n and the
// lists of the number patterns that allow it.
func (s *scan) indexNumber(start, n int) {
	s.groups = append(s.groups, n)
	hits := numberGroupBits[min(n, maxGroupClass)]
	for k := 0; hits != 0; k, hits = k+1, hits>>1 {
		if hits&1 != 0 {
			s.numberHits[k] = append(s.numberHits[k], start)
		}
	}
}

// findNumbers returns the matches of p.match that start at a number
// start. Like regexp's FindAllStringIndex it takes the leftmost match and continues after its
// end, but it tries only those offsets. A match that starts inside a
// number is part of a longer number, which every number recognizer
// rejects, and trying each digit of a long number costs a pattern run per
// digit.
func (s *scan) findNumbers(p *numberPattern) [][2]int {
	s.indexText()
	matches := s.found[:0]
	text := s.text
	end := 0
	for _, i := range s.numberHits[p.index] {
		if i < end {
			continue
		}
		if e := p.match(text, i); e > i {
			matches = append(matches, [2]int{i, e})
			end = e
		}
	}
	s.found = matches
	return matches
}

// tokenPattern is a matcher that findTokens runs at token starts.
type tokenPattern struct {
	match matcher
	// first and third contain the bytes that a match can have first and
	// third. A token start that fails them is skipped without a call to
	// match.
	first, third *alphabet
	// index is the pattern's position in tokenPatterns.
	index int
}

// tokenFirst and tokenThird hold, for each byte, a bit per element of
// tokenPatterns whose first or third bytes contain it.
var tokenFirst, tokenThird [256]uint8

func init() {
	for k, p := range tokenPatterns {
		p.index = k
		for c := range 256 {
			if p.first[c] {
				tokenFirst[c] |= 1 << k
			}
			if p.third[c] {
				tokenThird[c] |= 1 << k
			}
		}
	}
}

// indexToken records the token start i and the lists of indexText that it
// belongs to.
func (s *scan) indexToken(i int) {
	text := s.text
	s.starts = append(s.starts, i)
	if upperOrMultibyte[text[i]] {
		s.capitals = append(s.capitals, i)
	}
	if i+1 < len(text) {
		pair := uint16(lowerASCII(text[i]))<<8 | uint16(lowerASCII(text[i+1]))
		if cuePrefixes[pair>>3]&(1<<(pair&7)) != 0 {
			s.cueHits = append(s.cueHits, i)
		}
	}
	if i+2 < len(text) {
		hits := tokenFirst[text[i]] & tokenThird[text[i+2]]
		for k := 0; hits != 0; k, hits = k+1, hits>>1 {
			if hits&1 != 0 {
				s.tokenHits[k] = append(s.tokenHits[k], i)
			}
		}
	}
}

// findTokens returns the matches of p.match that start at a token start
// (see tokenStarts). Like findNumbers it takes the leftmost match and
// continues after its end. It serves the recognizers that reject a match
// with a word rune before it, so the offsets inside a token never yield a
// candidate.
func (s *scan) findTokens(p *tokenPattern) [][2]int {
	s.indexText()
	matches := s.found[:0]
	end := 0
	for _, i := range s.tokenHits[p.index] {
		if i < end {
			continue
		}
		if e := p.match(s.text, i); e > i {
			matches = append(matches, [2]int{i, e})
			end = e
		}
	}
	s.found = matches
	return matches
}

// runsWith returns the maximal runs of text's bytes that belong to a and
// contain a byte of n. It starts from the offsets of n's bytes, which
// IndexByte finds, and from numberStarts for the digits, so prose costs
// little more than a fast search for each byte.
func (s *scan) runsWith(a *alphabet, n *need) [][2]int {
	text := s.text
	positions := s.positions[:0]
	for k := 0; k < len(n.bytes); k++ {
		for i := 0; i < len(text); i++ {
			j := strings.IndexByte(text[i:], n.bytes[k])
			if j < 0 {
				break
			}
			i += j
			positions = append(positions, i)
		}
	}
	if n.digits {
		positions = append(positions, s.numberStarts()...)
	}
	slices.Sort(positions)
	s.positions = positions

	runs := s.runs[:0]
	end := 0
	for _, i := range positions {
		if i < end || !a[text[i]] {
			continue
		}
		b := i
		for b > end && a[text[b-1]] {
			b--
		}
		e := i + 1
		for e < len(text) && a[text[e]] {
			e++
		}
		runs = append(runs, [2]int{b, e})
		end = e
	}
	s.runs = runs
	return runs
}

// findInRuns returns the matches of match in the runs of text's bytes
// that belong to a, contain a byte of n and satisfy keep, trying every
// offset of those runs and continuing after each match. A run that cannot
// hold a match costs only its search, which keeps Detect fast on prose.
func (s *scan) findInRuns(match matcher, a *alphabet, n *need, keep func(run string) bool) [][2]int {
	matches := s.found[:0]
	for _, r := range s.runsWith(a, n) {
		run := s.text[r[0]:r[1]]
		if !keep(run) {
			continue
		}
		for p := 0; p < len(run); {
			if e := match(run, p); e > p {
				matches = append(matches, [2]int{r[0] + p, r[0] + e})
				p = e
			} else {
				p++
			}
		}
	}
	s.found = matches
	return matches
}

// findAll is findInRuns with a regular expression in place of a matcher.
func (s *scan) findAll(re *regexp.Regexp, a *alphabet, n *need, keep func(run string) bool) [][2]int {
	matches := s.found[:0]
	for _, r := range s.runsWith(a, n) {
		if run := s.text[r[0]:r[1]]; keep(run) {
			for _, m := range re.FindAllStringIndex(run, -1) {
				matches = append(matches, [2]int{r[0] + m[0], r[0] + m[1]})
			}
		}
	}
	s.found = matches
	return matches
}

func digitLike(c byte) bool { return isDigit(c) || ocrDigit(c) != 0 || c == 'i' || c == 'L' }

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// sameCase reports whether the ASCII letters of s are all upper case or
// all lower case.
func sameCase(s string) bool {
	return strings.ToUpper(s) == s || strings.ToLower(s) == s
}

// hasTwoColons reports whether run has two colons, as every IPv6 address
// and every partial one that findIPAddresses accepts has.
func hasTwoColons(run string) bool { return strings.Count(run, ":") >= 2 }

func atLeast40(run string) bool { return len(run) >= 40 }
