package toxicity

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed lexicon.txt
var defaultLexiconData []byte

// defaultLexicon parses the embedded lexicon once. A parse error is a defect
// of the build, which TestDefaultLexiconParses catches.
var defaultLexicon = sync.OnceValues(func() (*Lexicon, error) {
	return ParseLexicon(defaultLexiconData)
})

// groupPlaceholder is the phrase word that matches any word of a "group" line.
const groupPlaceholder = "<group>"

// patternKind selects how one word of a term matches a word of the text.
type patternKind int

const (
	matchExact  patternKind = iota // the whole word
	matchPrefix                    // "word*": any word that starts with it
	matchInfix                     // "*word*": any word that contains it
	matchGroup                     // "<group>": any word of a group line
)

// pattern is one word of a lexicon term.
type pattern struct {
	kind  patternKind
	text  string // lowercase, without the '*' markers
	runes []rune // text as runes, for wildcard matching
}

// entry is one lexicon line: a term and the score one occurrence adds to a label.
type entry struct {
	label  int // index into labelNames
	weight float64
	words  []pattern
	term   string // as written in the lexicon, for error messages and tests
}

// Lexicon is a parsed lexicon: the weighted terms, the protected-group words
// and the allowlist. A Lexicon is read-only after ParseLexicon returns, so
// classifiers can share it.
type Lexicon struct {
	entries []entry
	allow   map[string]bool
	groups  map[string]bool

	// Indexes over entries. Single-word exact and prefix terms are keyed by
	// their text, and phrases by their first word when it is exact.
	exact         map[string][]int
	prefix        map[string][]int
	prefixLengths []int // distinct byte lengths of the keys of prefix
	infix         []int
	phraseByFirst map[string][]int
	phraseByGroup []int // phrases whose first word is <group>
	phraseByStem  []int // phrases whose first word is a prefix
	maxTermWords  int   // word count of the longest term
}

// ParseLexicon parses lexicon data in the format that the embedded
// lexicon.txt documents: "LABEL WEIGHT TERM" entry lines, "group WORD..."
// and "allow WORD..." lines, blank lines and "#" comments. Errors name the
// line number.
func ParseLexicon(data []byte) (*Lexicon, error) {
	lex := &Lexicon{
		allow:         map[string]bool{},
		groups:        map[string]bool{},
		exact:         map[string][]int{},
		prefix:        map[string][]int{},
		phraseByFirst: map[string][]int{},
	}

	scanner := bufio.NewScanner(bytes.NewReader(data))
	lineNumber := 0
	for scanner.Scan() {
		lineNumber++
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := lex.parseLine(line); err != nil {
			return nil, fmt.Errorf("parsing lexicon line %d: %w", lineNumber, err)
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("reading lexicon: %w", err)
	}

	if len(lex.entries) == 0 {
		return nil, fmt.Errorf("parsing lexicon: no entries")
	}
	lex.buildIndexes()
	return lex, nil
}

func (lex *Lexicon) parseLine(line string) error {
	fields := strings.Fields(line)
	if !utf8.ValidString(line) {
		return fmt.Errorf("invalid UTF-8")
	}

	switch fields[0] {
	case "allow", "group":
		if len(fields) < 2 {
			return fmt.Errorf("%q line lists no words", fields[0])
		}
		target := lex.allow
		if fields[0] == "group" {
			target = lex.groups
		}
		for _, word := range fields[1:] {
			if err := checkPlainWord(word); err != nil {
				return err
			}
			target[word] = true
		}
		return nil
	}

	if len(fields) < 3 {
		return fmt.Errorf("invalid entry %q: expected LABEL WEIGHT TERM", line)
	}
	label := labelIndex(fields[0])
	if label < 0 {
		return fmt.Errorf("unknown label %q (expected one of %s)", fields[0], strings.Join(labelNames[:], ", "))
	}
	weight, err := strconv.ParseFloat(fields[1], 64)
	if err != nil || !(weight > 0 && weight < 1) {
		return fmt.Errorf("invalid weight %q: expected a number between 0 and 1, exclusive", fields[1])
	}

	words := make([]pattern, 0, len(fields)-2)
	for _, word := range fields[2:] {
		p, err := parsePattern(word, len(fields) == 3)
		if err != nil {
			return err
		}
		words = append(words, p)
	}
	lex.entries = append(lex.entries, entry{
		label:  label,
		weight: weight,
		words:  words,
		term:   strings.Join(fields[2:], " "),
	})
	return nil
}

// parsePattern parses one word of a term. Infix patterns are allowed only in
// single-word terms, because matching inside words of a phrase would make
// phrases fire on unrelated text.
func parsePattern(word string, single bool) (pattern, error) {
	if word == groupPlaceholder {
		return pattern{kind: matchGroup}, nil
	}

	kind := matchExact
	text := word
	switch {
	case strings.HasPrefix(word, "*") && strings.HasSuffix(word, "*") && len(word) > 2:
		if !single {
			return pattern{}, fmt.Errorf("infix word %q is allowed only in a single-word term", word)
		}
		kind, text = matchInfix, word[1:len(word)-1]
	case strings.HasSuffix(word, "*"):
		kind, text = matchPrefix, word[:len(word)-1]
	}

	if err := checkPlainWord(text); err != nil {
		return pattern{}, err
	}
	if kind != matchExact && utf8.RuneCountInString(text) < 3 {
		return pattern{}, fmt.Errorf("prefix or infix word %q is shorter than 3 letters and would match too many words", word)
	}
	return pattern{kind: kind, text: text, runes: []rune(text)}, nil
}

// checkPlainWord accepts lowercase letters, digits and apostrophes, the
// alphabet that normalized text words use.
func checkPlainWord(word string) error {
	for _, r := range word {
		if unicode.IsLetter(r) && unicode.ToLower(r) == r || unicode.IsDigit(r) || r == '\'' {
			continue
		}
		return fmt.Errorf("invalid word %q: expected lowercase letters, digits and apostrophes", word)
	}
	return nil
}

func (lex *Lexicon) buildIndexes() {
	lengths := map[int]bool{}
	for i, e := range lex.entries {
		lex.maxTermWords = max(lex.maxTermWords, len(e.words))
		first := e.words[0]
		if len(e.words) > 1 {
			switch first.kind {
			case matchExact:
				lex.phraseByFirst[first.text] = append(lex.phraseByFirst[first.text], i)
			case matchGroup:
				lex.phraseByGroup = append(lex.phraseByGroup, i)
			default:
				lex.phraseByStem = append(lex.phraseByStem, i)
			}
			continue
		}

		switch first.kind {
		case matchExact:
			lex.exact[first.text] = append(lex.exact[first.text], i)
		case matchPrefix:
			lex.prefix[first.text] = append(lex.prefix[first.text], i)
			lengths[len(first.text)] = true
		case matchInfix:
			lex.infix = append(lex.infix, i)
		case matchGroup:
			lex.phraseByGroup = append(lex.phraseByGroup, i)
		}
	}
	for length := range lengths {
		lex.prefixLengths = append(lex.prefixLengths, length)
	}
}

// matchesWord reports whether pattern p matches one normalized text word.
func (lex *Lexicon) matchesWord(p pattern, word string) bool {
	switch p.kind {
	case matchExact:
		return word == p.text
	case matchPrefix:
		return strings.HasPrefix(word, p.text)
	case matchInfix:
		return strings.Contains(word, p.text)
	case matchGroup:
		return lex.groups[word]
	}
	return false
}
