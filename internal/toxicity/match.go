package toxicity

import "strings"

// match is one occurrence of a lexicon entry over tokens[start:end].
type match struct {
	entry      int
	start, end int
}

// findMatches returns every lexicon entry that occurs in tokens. Each token
// costs a bounded number of map lookups, so the cost is linear in the number
// of tokens. A word with a '*' is matched as a wildcard only when none of
// its plain forms matched.
func (lex *Lexicon) findMatches(tokens []token) []match {
	var matches []match
	for i := range tokens {
		tok := &tokens[i]
		before := len(matches)

		for _, form := range tok.forms {
			matches = lex.appendWordMatches(matches, form, i)
			for _, e := range lex.phraseByFirst[form] {
				if end, ok := lex.matchPhrase(e, tokens, i); ok {
					matches = append(matches, match{entry: e, start: i, end: end})
				}
			}
		}
		for _, e := range lex.phraseByStem {
			if end, ok := lex.matchPhrase(e, tokens, i); ok {
				matches = append(matches, match{entry: e, start: i, end: end})
			}
		}
		if tok.inGroup {
			for _, e := range lex.phraseByGroup {
				if end, ok := lex.matchPhrase(e, tokens, i); ok {
					matches = append(matches, match{entry: e, start: i, end: end})
				}
			}
		}

		if tok.wildcard != "" && len(matches) == before {
			matches = lex.appendWildcardMatches(matches, tok.wildcard, i)
		}
	}
	return matches
}

// isCovered reports whether a longer match of the same label contains
// matches[k], as "i will kill you" contains "kill you". Such a match is the
// same statement and must not count twice. It relies on findMatches
// returning matches ordered by start, and looks only at matches that start
// at most maxTermWords tokens earlier, so its cost is bounded.
func (lex *Lexicon) isCovered(matches []match, k int) bool {
	m := matches[k]
	label := lex.entries[m.entry].label
	for j := k - 1; j >= 0 && matches[j].start >= m.start-lex.maxTermWords; j-- {
		if coversMatch(matches[j], m) && lex.entries[matches[j].entry].label == label {
			return true
		}
	}
	for j := k + 1; j < len(matches) && matches[j].start == m.start; j++ {
		if coversMatch(matches[j], m) && lex.entries[matches[j].entry].label == label {
			return true
		}
	}
	return false
}

// coversMatch reports whether outer contains inner and is longer.
func coversMatch(outer, inner match) bool {
	return outer.start <= inner.start && outer.end >= inner.end && outer.end-outer.start > inner.end-inner.start
}

// appendWordMatches appends the single-word terms that match form, the
// form of tokens[i].
func (lex *Lexicon) appendWordMatches(matches []match, form string, i int) []match {
	matches = appendMatches(matches, lex.exact[form], i, i+1)
	for _, length := range lex.prefixLengths {
		if len(form) >= length {
			matches = appendMatches(matches, lex.prefix[form[:length]], i, i+1)
		}
	}
	for _, e := range lex.infix {
		if strings.Contains(form, lex.entries[e].words[0].text) {
			matches = append(matches, match{entry: e, start: i, end: i + 1})
		}
	}
	return matches
}

// matchesAnyForm reports whether a single-word term matches one of forms.
func (lex *Lexicon) matchesAnyForm(forms []string) bool {
	for _, form := range forms {
		if len(lex.appendWordMatches(nil, form, 0)) > 0 {
			return true
		}
	}
	return false
}

func appendMatches(matches []match, entries []int, start, end int) []match {
	for _, e := range entries {
		matches = append(matches, match{entry: e, start: start, end: end})
	}
	return matches
}

// matchPhrase reports whether entry e occurs at tokens[start:] within one
// sentence, and where the occurrence ends.
func (lex *Lexicon) matchPhrase(e int, tokens []token, start int) (int, bool) {
	words := lex.entries[e].words
	end := start + len(words)
	if end > len(tokens) {
		return 0, false
	}
	for k, word := range words {
		tok := &tokens[start+k]
		if tok.sentence != tokens[start].sentence || !lex.matchesToken(word, tok) {
			return 0, false
		}
	}
	return end, true
}

func (lex *Lexicon) matchesToken(p pattern, tok *token) bool {
	if p.kind == matchGroup {
		return tok.inGroup
	}
	for _, form := range tok.forms {
		if lex.matchesWord(p, form) {
			return true
		}
	}
	return false
}

// appendWildcardMatches matches a word such as "f*ck" or "a**", where each
// '*' replaces one letter, against the single-word terms. It adds a match
// only when exactly one term text fits, because "s**t" could be several
// words and guessing would turn harmless text toxic.
func (lex *Lexicon) appendWildcardMatches(matches []match, wildcard string, i int) []match {
	word := []rune(wildcard)
	var text string
	var hits []int
	for e, candidate := range lex.entries {
		if len(candidate.words) != 1 || candidate.words[0].kind == matchGroup {
			continue
		}
		p := candidate.words[0]
		if !wildcardFits(word, p) {
			continue
		}
		if text != "" && p.text != text {
			return matches
		}
		text = p.text
		hits = append(hits, e)
	}
	return appendMatches(matches, hits, i, i+1)
}

// wildcardFits reports whether a word with '*' for unknown letters can be
// p. An infix term fits as a prefix ("f*cking" fits "*fuck*"). At least one
// letter of the word must be known.
func wildcardFits(word []rune, p pattern) bool {
	text := p.runes
	if p.kind == matchExact && len(word) != len(text) || len(word) < len(text) {
		return false
	}
	known := 0
	for j, r := range text {
		switch word[j] {
		case '*':
		case r:
			known++
		default:
			return false
		}
	}
	return known > 0
}
