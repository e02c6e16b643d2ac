package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// matchName returns the end of the match of `^` + namePattern at the
// start of s, or -1: one to four name words, with up to two particles
// before each word after the first. It follows the regular expression's
// leftmost-first choices, which TestMatchNameMatchesRegexp checks, and
// runs several times faster on the capitalized words of prose.
func matchName(s string) int {
	end := matchNameWord(s, 0)
	if end < 0 {
		return -1
	}
	for words := 1; words < 4; words++ {
		next := nextNameWord(s, end)
		if next < 0 {
			break
		}
		end = next
	}
	return end
}

// nextNameWord returns the end of a space, up to two particles each
// followed by a space, and a name word, starting at i, or -1. More
// particles are tried first, as the greedy `(?:particle ){0,2}` does.
func nextNameWord(s string, i int) int {
	if i >= len(s) || s[i] != ' ' {
		return -1
	}
	i++
	starts := [3]int{i, -1, -1}
	for k := 1; k <= 2; k++ {
		j := starts[k-1]
		if j < 0 {
			break
		}
		w := j
		for w < len(s) && isLetter(s[w]) {
			w++
		}
		if w < len(s) && s[w] == ' ' && isParticle(s[j:w]) {
			starts[k] = w + 1
		}
	}
	for k := 2; k >= 0; k-- {
		if starts[k] < 0 {
			continue
		}
		if end := matchNameWord(s, starts[k]); end >= 0 {
			return end
		}
	}
	return -1
}

// namePrefixes are the optional prefixes of nameWordPattern, in the order
// in which the pattern tries them.
var namePrefixes = []string{"O'", "O’", "Mc", "Mac", "D'", "D’"}

// matchNameWord returns the end of nameWordPattern at i, or -1. A prefix
// such as "Mc" is tried first, and the word without it after that.
func matchNameWord(s string, i int) int {
	for _, prefix := range namePrefixes {
		if strings.HasPrefix(s[i:], prefix) {
			if end := matchCapitalizedWord(s, i+len(prefix)); end >= 0 {
				return end
			}
		}
	}
	return matchCapitalizedWord(s, i)
}

// matchCapitalizedWord returns the end of
// `\p{Lu}lowerRunPattern(?:-\p{L}lowerRunPattern)*` at i, or -1.
func matchCapitalizedWord(s string, i int) int {
	r, size := utf8.DecodeRuneInString(s[i:])
	if !unicode.IsUpper(r) {
		return -1
	}
	end := lowerRunEnd(s, i+size)
	if end < 0 {
		return -1
	}
	for end < len(s) && s[end] == '-' {
		r, size := utf8.DecodeRuneInString(s[end+1:])
		if !unicode.IsLetter(r) {
			break
		}
		next := lowerRunEnd(s, end+1+size)
		if next < 0 {
			break
		}
		end = next
	}
	return end
}

// lowerRunEnd returns the end of lowerRunPattern at i, or -1. Combining
// marks count as part of the letters, because text in decomposed form
// (NFD) writes "é" as "e" and U+0301.
func lowerRunEnd(s string, i int) int {
	j := i
	letters := 0
	for j < len(s) {
		if c := s[j]; c < utf8.RuneSelf {
			if c < 'a' || c > 'z' {
				break
			}
			j++
			letters++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		switch {
		case unicode.IsLower(r):
			letters++
		case !unicode.Is(unicode.M, r):
			return endOrNone(j, letters)
		}
		j += size
	}
	return endOrNone(j, letters)
}

func endOrNone(end, letters int) int {
	if letters == 0 {
		return -1
	}
	return end
}

// matchNameAfterCue returns the start and end of the name that
// `^[.:]?,?\s+(namePattern)` captures at the start of s, or -1, -1.
func matchNameAfterCue(s string) (int, int) {
	i := 0
	if i < len(s) && (s[i] == '.' || s[i] == ':') {
		i++
	}
	if i < len(s) && s[i] == ',' {
		i++
	}
	start := i
	for i < len(s) && strings.IndexByte("\t\n\f\r ", s[i]) >= 0 {
		i++
	}
	if i == start {
		return -1, -1
	}
	end := matchName(s[i:])
	if end < 0 {
		return -1, -1
	}
	return i, i + end
}
