package expr

import "errors"

// patternToken is one element of a StringMatches pattern: either the
// wildcard, which matches any run of characters, or one literal character.
type patternToken struct {
	wildcard bool
	char     rune
}

// parsePattern parses a StringMatches pattern, where * matches zero or more
// characters and a backslash makes the next character literal, so \* is a
// star and \\ a backslash.
func parsePattern(s string) ([]patternToken, error) {
	var tokens []patternToken
	escaped := false
	for _, c := range s {
		switch {
		case escaped:
			tokens = append(tokens, patternToken{char: c})
			escaped = false
		case c == '\\':
			escaped = true
		case c == '*':
			tokens = append(tokens, patternToken{wildcard: true})
		default:
			tokens = append(tokens, patternToken{char: c})
		}
	}
	if escaped {
		return nil, errors.New("pattern ends with a lone backslash")
	}

	return tokens, nil
}

// matchPattern reports whether s matches the whole pattern. It backtracks
// only to the most recent wildcard, so it runs in O(len(pattern)*len(s)).
func matchPattern(pattern []patternToken, s string) bool {
	text := []rune(s)
	p, t := 0, 0
	star, starText := -1, 0
	for t < len(text) {
		switch {
		case p < len(pattern) && !pattern[p].wildcard && pattern[p].char == text[t]:
			p++
			t++
		case p < len(pattern) && pattern[p].wildcard:
			star, starText = p, t
			p++
		case star >= 0:
			starText++
			p, t = star+1, starText
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p].wildcard {
		p++
	}

	return p == len(pattern)
}
