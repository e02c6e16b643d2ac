package toxicity

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one normalized word of a segment.
type token struct {
	// forms are the spellings to look up: the lowercase word, its leetspeak
	// readings and its readings with elongated letters shortened. An
	// allowlisted word has no forms.
	forms []string
	// wildcard is the spelling with each '*' standing for one unknown
	// letter ("f*ck"), or "" when the word has no inner '*'.
	wildcard string
	sentence int  // index of the sentence the word belongs to
	quoted   bool // inside a short quotation
	inGroup  bool // one of the forms is a protected-group word
}

// maxQuotedTokens bounds the quotation that lowers scores. A short quotation
// such as `he called me an "idiot"` reports a word. A long one is treated as
// the author's own text, so that an opening quote mark cannot hide abuse.
const maxQuotedTokens = 8

// maxElongatedRuns bounds the runs of repeated letters that are shortened
// both ways (to one and to two letters), which costs 2^n forms.
const maxElongatedRuns = 3

// contractions expands contractions and chat spellings into the words that
// lexicon phrases use.
var contractions = map[string][]string{
	"u":      {"you"},
	"ya":     {"you"},
	"ur":     {"your"},
	"r":      {"are"},
	"youre":  {"you", "are"},
	"im":     {"i", "am"},
	"ima":    {"i", "am", "going", "to"},
	"imma":   {"i", "am", "going", "to"},
	"i'ma":   {"i", "am", "going", "to"},
	"gonna":  {"going", "to"},
	"gunna":  {"going", "to"},
	"won't":  {"will", "not"},
	"wont":   {"will", "not"},
	"can't":  {"can", "not"},
	"cannot": {"can", "not"},
	"ain't":  {"is", "not"},
	"dont":   {"do", "not"},
}

// contractionSuffixes expands the regular contractions. "'s" is dropped
// because it is a possessive as often as "is".
var contractionSuffixes = []struct {
	suffix string
	word   string
}{
	{"n't", "not"},
	{"'re", "are"},
	{"'ll", "will"},
	{"'m", "am"},
	{"'ve", "have"},
	{"'d", "would"},
	{"'s", ""},
}

// tokenize splits a segment into normalized words. Word boundaries follow
// Unicode letter, digit and mark classes. Invalid UTF-8 bytes separate words.
// The cost is linear in the segment length, except for the bounded number of
// forms per word.
func (lex *Lexicon) tokenize(segment string) []token {
	// One token per five bytes is a typical English word length with its space.
	tokens := make([]token, 0, len(segment)/5+1)
	var quoteMarks []int // token index at each quote mark
	sentence := 0

	for i := 0; i < len(segment); {
		r, size := utf8.DecodeRuneInString(segment[i:])
		if r == utf8.RuneError && size <= 1 {
			i++
			continue
		}

		if unicode.IsLetter(r) {
			if word, end, ok := spelledWord(segment, i); ok {
				if forms := lex.wordForms(word); lex.matchesAnyForm(forms) {
					tokens = append(tokens, lex.newToken(forms, sentence))
					i = end
					continue
				}
			}
		}

		if isWordRune(r) || isJoiner(r) {
			start := i
			for i < len(segment) {
				r, size = utf8.DecodeRuneInString(segment[i:])
				if r == utf8.RuneError && size <= 1 || !isWordRune(r) && !isJoiner(r) {
					break
				}
				i += size
			}
			var endsSentence bool
			tokens, endsSentence = lex.appendWord(tokens, normalizeWord(segment[start:i]), sentence)
			if endsSentence {
				sentence++
			}
			continue
		}

		switch r {
		case '.', '?', ';', '\n':
			sentence++
		case '"', '“', '”', '„', '«', '»':
			quoteMarks = append(quoteMarks, len(tokens))
		}
		i += size
	}

	markQuoted(tokens, quoteMarks)
	return tokens
}

// maxSpelledLetters bounds the look-ahead of spelledWord. It exceeds every
// word of the embedded lexicon, and it keeps tokenize linear on long runs of
// single letters.
const maxSpelledLetters = 16

// spelledWord reads a word spelled out as single letters with one separator
// between them ("f.u.c.k", "k y s", "s-h-i-t") from segment[start:]. It
// returns the lowercase letters and the end of the last one, and ok only
// for three letters or more.
func spelledWord(segment string, start int) (word string, end int, ok bool) {
	var letters []rune
	for i := start; len(letters) < maxSpelledLetters && i < len(segment); {
		r, size := utf8.DecodeRuneInString(segment[i:])
		if !unicode.IsLetter(r) {
			break
		}
		next := i + size
		if next < len(segment) {
			if following, _ := utf8.DecodeRuneInString(segment[next:]); isWordRune(following) {
				break // a longer word, not a single letter
			}
		}
		letters = append(letters, unicode.ToLower(r))
		end = next
		if next >= len(segment) || !isSpellingSeparator(segment[next]) {
			break
		}
		i = next + 1
	}
	if len(letters) < 3 {
		return "", 0, false
	}
	return string(letters), end, true
}

func isSpellingSeparator(b byte) bool {
	return b == '.' || b == ' ' || b == '-' || b == '_'
}

// appendWord normalizes one raw word and appends its tokens, more than one
// when it is a contraction. It reports whether the word ended with '!',
// which ends a sentence.
func (lex *Lexicon) appendWord(tokens []token, raw string, sentence int) ([]token, bool) {
	trimmed := strings.TrimRight(raw, "'!")
	endsSentence := strings.HasSuffix(strings.TrimRight(raw, "'"), "!")
	trimmed = strings.TrimLeft(trimmed, "'!")

	// Stars on both ends mark emphasis ("*idiot*"), not hidden letters.
	if strings.HasPrefix(trimmed, "*") && strings.HasSuffix(trimmed, "*") {
		trimmed = strings.Trim(trimmed, "*")
	}
	if !strings.ContainsFunc(trimmed, unicode.IsLetter) {
		return tokens, endsSentence
	}

	plain := strings.Trim(trimmed, "*")
	if lex.allow[plain] {
		return append(tokens, token{sentence: sentence}), endsSentence
	}

	if words := expandContraction(plain); words != nil {
		for _, w := range words {
			tokens = append(tokens, lex.newToken(lex.wordForms(w), sentence))
		}
		return tokens, endsSentence
	}

	var forms []string
	if !strings.Contains(plain, "*") {
		forms = lex.wordForms(plain)
	}
	tok := lex.newToken(forms, sentence)
	if strings.Contains(trimmed, "*") {
		tok.wildcard = deleet(trimmed, 'i')
	}
	return append(tokens, tok), endsSentence
}

func (lex *Lexicon) newToken(forms []string, sentence int) token {
	tok := token{forms: forms, sentence: sentence}
	for _, form := range forms {
		tok.inGroup = tok.inGroup || lex.groups[form]
	}
	return tok
}

// expandContraction returns the words of a contraction, or nil.
func expandContraction(word string) []string {
	if words, ok := contractions[word]; ok {
		return words
	}
	for _, c := range contractionSuffixes {
		base, ok := strings.CutSuffix(word, c.suffix)
		if !ok || base == "" {
			continue
		}
		if c.word == "" {
			return []string{base}
		}
		return []string{base, c.word}
	}
	return nil
}

// wordForms returns the spellings of a word to look up, without duplicates
// and without allowlisted spellings.
func (lex *Lexicon) wordForms(word string) []string {
	forms := []string{word}
	if folded := foldLookalikes(word); folded != word {
		forms = append(forms, folded)
	}
	for _, form := range forms {
		if strings.IndexFunc(form, isLeet) >= 0 {
			forms = append(forms, deleet(form, 'i'), deleet(form, 'l'))
		}
	}
	for _, form := range forms {
		forms = append(forms, shortenRuns(form)...)
	}

	unique := forms[:0]
	for _, form := range forms {
		if lex.allow[form] {
			continue
		}
		if !slices.Contains(unique, form) {
			unique = append(unique, form)
		}
	}
	return unique
}

// lookalikes maps accented Latin letters to their base letter and Cyrillic,
// Greek and Armenian letters to the Latin letter they look like, because
// "idiöt" and "idiоt" (with a Cyrillic о) are written to slip past a filter.
var lookalikes = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a', 'ā': 'a',
	'ç': 'c', 'č': 'c',
	'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e', 'ē': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i', 'ı': 'i',
	'ñ': 'n',
	'ò': 'o', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o', 'ø': 'o', 'ō': 'o',
	'š': 's',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ū': 'u',
	'ý': 'y', 'ÿ': 'y',
	'ž': 'z',
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o',
	'р': 'p', 'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'і': 'i', 'ѕ': 's',
	'ј': 'j', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w',
	// Greek
	'α': 'a', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u',
	'ν': 'v',
	// Armenian
	'ա': 'w', 'գ': 'q', 'զ': 'q', 'հ': 'h', 'ո': 'n', 'ս': 'u', 'ց': 'g', 'օ': 'o',
	'Օ': 'o', 'Ս': 'u',
}

// foldLookalikes returns word with lookalikes replaced, or word itself when
// it is ASCII.
func foldLookalikes(word string) string {
	for i := 0; i < len(word); i++ {
		if word[i] >= utf8.RuneSelf {
			return strings.Map(func(r rune) rune {
				if r >= 0xFF01 && r <= 0xFF5E {
					// Fullwidth forms of ASCII ("ｆｕｃｋ") are the same
					// characters in CJK-width glyphs.
					return unicode.ToLower(r - 0xFEE0)
				}
				if base, ok := lookalikes[r]; ok {
					return base
				}
				return r
			}, word)
		}
	}
	return word
}

// isLeet reports whether deleet replaces r.
func isLeet(r rune) bool {
	switch r {
	case '0', '1', '3', '4', '5', '7', '@', '$', '!':
		return true
	}
	return false
}

// deleet replaces common leetspeak substitutions with letters. '1' and '!'
// become oneLetter, which is 'i' or 'l'. Callers apply it only to words that
// contain a letter, so numbers such as "2024" stay numbers.
func deleet(word string, oneLetter rune) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '0':
			return 'o'
		case '1', '!':
			return oneLetter
		case '3':
			return 'e'
		case '4', '@':
			return 'a'
		case '5', '$':
			return 's'
		case '7':
			return 't'
		}
		return r
	}, word)
}

// shortenRuns returns the spellings of a word with each run of three or more
// equal letters shortened to one or to two letters ("fuuuuck" to "fuck",
// "asssss" to "ass"). Runs of two stay as written, so "as" never becomes
// "ass".
func shortenRuns(word string) []string {
	if !hasLongRun(word) {
		return nil
	}
	runes := []rune(word)
	type run struct{ start, end int }
	var runs []run
	for i := 0; i < len(runes); {
		j := i + 1
		for j < len(runes) && runes[j] == runes[i] {
			j++
		}
		if j-i >= 3 {
			runs = append(runs, run{i, j})
		}
		i = j
	}
	if len(runs) == 0 {
		return nil
	}

	// Each bit of mask chooses two letters (1) or one letter (0) for a run.
	// Beyond maxElongatedRuns runs, only "all one" and "all two" are tried.
	masks := []int{0, 1<<len(runs) - 1}
	if len(runs) <= maxElongatedRuns {
		masks = masks[:0]
		for mask := range 1 << len(runs) {
			masks = append(masks, mask)
		}
	}

	variants := make([]string, 0, len(masks))
	for _, mask := range masks {
		var b strings.Builder
		previous := 0
		for k, r := range runs {
			keep := 1
			if mask&(1<<k) != 0 {
				keep = 2
			}
			b.WriteString(string(runes[previous:r.start]))
			b.WriteString(string(runes[r.start : r.start+keep]))
			previous = r.end
		}
		b.WriteString(string(runes[previous:]))
		variants = append(variants, b.String())
	}
	return variants
}

// hasLongRun reports whether word has three equal runes in a row, without
// allocating, because most words have none.
func hasLongRun(word string) bool {
	var previous rune = -1
	count := 0
	for _, r := range word {
		if r == previous {
			count++
			if count >= 3 {
				return true
			}
			continue
		}
		previous, count = r, 1
	}
	return false
}

// markQuoted pairs quote marks in order and marks the tokens between each
// pair as quoted when the quotation is short. An unpaired last mark quotes
// nothing.
func markQuoted(tokens []token, quoteMarks []int) {
	for k := 0; k+1 < len(quoteMarks); k += 2 {
		open, closing := quoteMarks[k], quoteMarks[k+1]
		if closing-open > maxQuotedTokens {
			continue
		}
		for i := open; i < closing; i++ {
			tokens[i].quoted = true
		}
	}
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// isJoiner reports whether r may sit inside a word: an apostrophe, or a
// character that replaces a letter ("sh!t", "a$$", "f*ck", "@ss").
func isJoiner(r rune) bool {
	switch r {
	case '\'', '’', '‘', '*', '@', '$', '!':
		return true
	}
	return false
}

// normalizeWord lowercases a word and maps typographic apostrophes to ASCII ones.
// A word that is already normal is returned without a copy.
func normalizeWord(word string) string {
	word = strings.ToLower(word)
	if strings.ContainsAny(word, "’‘") {
		word = strings.NewReplacer("’", "'", "‘", "'").Replace(word)
	}
	return word
}
