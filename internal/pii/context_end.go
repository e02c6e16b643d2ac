package pii

import (
	"strings"
	"unicode/utf8"
)

// endForm is a hand-written matcher for a context that must end the
// window: a keyword with a word boundary before it, an optional " date",
// up to three non-word runes, and an optional linking word followed by
// one or two non-word runes, as in "Expiry date is: " or "CVV code - ".
// It reads the window from its end, so its cost does not grow with the
// text before the keyword. TestEndAnchoredContextsMatchRegexp compares it
// with the regular expression of its context.
type endForm struct {
	// keywords are the lower-case spellings of the keywords, with each
	// accented letter also in upper case, because (?i) folds it.
	keywords []string
	// date allows white space and "date" after the keyword.
	date bool
	// linkers are the lower-case words that may follow, such as "is".
	linkers []string
	// byLast groups keywords by their last byte, which newEndContext
	// fills.
	byLast [256][]string
}

// matches reports whether window ends with the form.
func (f *endForm) matches(window string) bool {
	// At most two ends per linker follow the window's end, and
	// endsBuffer keeps them off the heap for the forms in use.
	var endsBuffer [9]int
	ends := append(endsBuffer[:0], len(window))
	for _, linker := range f.linkers {
		e := len(window)
		for k := 0; k < 2; k++ {
			if e = nonWordRuneBefore(window, e); e < 0 {
				break
			}
			if b := e - len(linker); b >= 0 && equalLowerASCII(window[b:e], linker) {
				ends = append(ends, b)
			}
		}
	}
	for _, e := range ends {
		for k := 0; k <= 3 && e >= 0; k++ {
			if f.keywordEndsAt(window, e) {
				return true
			}
			if f.date && f.keywordBeforeDate(window, e) {
				return true
			}
			e = nonWordRuneBefore(window, e)
		}
	}
	return false
}

// keywordBeforeDate reports whether window[:e] ends with "date" after a
// keyword and optional white space.
func (f *endForm) keywordBeforeDate(window string, e int) bool {
	if e < 4 || !equalLowerASCII(window[e-4:e], "date") {
		return false
	}
	for e -= 4; ; e-- {
		if f.keywordEndsAt(window, e) {
			return true
		}
		if e == 0 || strings.IndexByte("\t\n\f\r ", window[e-1]) < 0 {
			return false
		}
	}
}

// keywordEndsAt reports whether a keyword ends at e with a word boundary
// before it.
func (f *endForm) keywordEndsAt(window string, e int) bool {
	if e == 0 {
		return false
	}
	for _, keyword := range f.byLast[lowerASCII(window[e-1])] {
		b := e - len(keyword)
		if b >= 0 && !(b > 0 && isWordByte(window[b-1])) && equalLowerASCII(window[b:e], keyword) {
			return true
		}
	}
	return false
}

// nonWordRuneBefore returns the start of the rune that ends at e when it
// is not an ASCII word character, as Go's \W reads it, or -1.
func nonWordRuneBefore(window string, e int) int {
	if e <= 0 {
		return -1
	}
	r, size := utf8.DecodeLastRuneInString(window[:e])
	if r < utf8.RuneSelf && isWordByte(byte(r)) {
		return -1
	}
	return e - size
}

// accentVariants returns words with each of their accented letters also
// written in upper case, and in plain ASCII where ascii is set.
func accentVariants(ascii bool, words ...string) []string {
	accents := []struct{ lower, upper, plain string }{{"á", "Á", "a"}, {"é", "É", "e"}, {"ó", "Ó", "o"}}
	var out []string
	var expand func(done, rest string)
	expand = func(done, rest string) {
		for i := 0; i < len(rest); i++ {
			for _, a := range accents {
				if strings.HasPrefix(rest[i:], a.lower) {
					after := rest[i+len(a.lower):]
					expand(done+rest[:i]+a.lower, after)
					expand(done+rest[:i]+a.upper, after)
					if ascii {
						expand(done+rest[:i]+a.plain, after)
					}
					return
				}
			}
		}
		out = append(out, done+rest)
	}
	for _, w := range words {
		expand("", w)
	}
	return out
}
