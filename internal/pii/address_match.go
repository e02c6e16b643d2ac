package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hand-written forms of the streetAddress and cityAddress patterns. Each
// address in a text costs a run of those patterns, and Go's regexp, which
// tries every street suffix after every possible number of street words,
// takes microseconds per address. These read the words once, and
// TestAddressMatchersMatchRegexp checks that they return the match,
// and the region group, that the patterns return under Go's
// leftmost-first rules.

// addressMatch is the match of an address pattern at the start of a
// window.
type addressMatch struct {
	end int
	// region names the group of regionTail or postcodeCity that
	// matched, "us", "ca", "au", "uk" or "eu", or is empty.
	region string
	// state is the text of the "us" group.
	state string
}

// alternativesOf returns the alternatives of a pattern of the form
// (?:a|b|c) whose alternatives are literal text.
func alternativesOf(pattern string) []string {
	return strings.Split(strings.TrimSuffix(strings.TrimPrefix(pattern, "(?:"), ")"), "|")
}

var (
	streetSuffixes  = alternativesOf(streetSuffix)
	directions      = alternativesOf(strings.TrimSuffix(strings.TrimPrefix(streetDirection, "(?: "), `\b\.?)?`))
	unitWords       = []string{"Apt", "Apartment", "Suite", "Ste", "Unit", "Floor", "Fl", "#"}
	caProvinces     = strings.Fields("AB BC MB NB NL NS NT NU ON PE QC SK YT")
	auStates        = strings.Fields("NSW VIC QLD WA SA TAS ACT NT")
	maxAddressWords = 4
)

// matchStreetAddress matches streetAddress at the start of window.
func matchStreetAddress(window string) (addressMatch, bool) {
	n := digitsAt(window, 0, 6)
	if n == 0 || n < len(window) && isDigit(window[n]) {
		return addressMatch{}, false
	}
	if n < len(window) && isLetter(window[n]) {
		n++
	}
	ends := streetWordEnds(window, n)
	for k := len(ends) - 1; k >= 1; k-- {
		p := ends[k]
		if !byteAt(window, p, ' ') {
			continue
		}
		for _, suffix := range streetSuffixes {
			if !strings.HasPrefix(window[p+1:], suffix) {
				continue
			}
			q := p + 1 + len(suffix)
			if byteAt(window, q, '.') {
				q++
			}
			q = directionEnd(window, q)
			if u := unitEnds(window, q); len(u) > 0 {
				q = u[0]
			}
			if m, ok := cityTailAt(window, q); ok {
				return m, true
			}
			if m, ok := postcodeCityAt(window, q); ok {
				return m, true
			}
			return addressMatch{end: q}, true
		}
	}
	return addressMatch{}, false
}

// matchCityAddress matches cityAddress at the start of window.
func matchCityAddress(window string) (addressMatch, bool) {
	n := digitsAt(window, 0, 6)
	if n == 0 {
		return addressMatch{}, false
	}
	ends := streetWordEnds(window, n)
	for k := len(ends) - 1; k >= 1; k-- {
		p := ends[k]
		for _, u := range append(unitEnds(window, p), p) {
			if m, ok := cityTailAt(window, u); ok {
				return m, true
			}
		}
	}
	return addressMatch{}, false
}

// directionEnd returns the end of streetDirection at p: a space, the
// first direction that starts there and ends before a byte other than an
// ASCII letter, digit or '_', and an optional '.'. It returns p when none
// does.
func directionEnd(window string, p int) int {
	if !byteAt(window, p, ' ') {
		return p
	}
	for _, direction := range directions {
		e := p + 1 + len(direction)
		if strings.HasPrefix(window[p+1:], direction) && (e == len(window) || !isWordByte(window[e])) {
			if byteAt(window, e, '.') {
				e++
			}
			return e
		}
	}
	return p
}

// streetWordEnds returns p and the ends of the street words, as
// addressWords reads them, that follow p, each after one space: at most
// maxAddressWords.
func streetWordEnds(window string, p int) []int {
	ends := make([]int, 1, maxAddressWords+1)
	ends[0] = p
	for len(ends) <= maxAddressWords && byteAt(window, p, ' ') {
		e := streetWordAt(window, p+1)
		if e < 0 {
			break
		}
		ends = append(ends, e)
		p = e
	}
	return ends
}

// streetWordAt returns the end of the street word at p: a capital, one
// or more lower-case letters and an optional 's, or an ordinal such as
// 21st. It returns -1 when none starts at p.
func streetWordAt(window string, p int) int {
	if n := digitsAt(window, p, 3); n > 0 {
		q := p + n
		if q+2 <= len(window) {
			switch window[q : q+2] {
			case "st", "nd", "rd", "th":
				return q + 2
			}
		}
		return -1
	}
	q := capitalizedAt(window, p, 1)
	if q < 0 {
		return -1
	}
	for _, s := range []string{"'s", "’s"} {
		if strings.HasPrefix(window[q:], s) {
			return q + len(s)
		}
	}
	return q
}

// capitalizedAt returns the end of a capital letter followed by at least
// minLower lower-case letters, all it has of them, or -1.
func capitalizedAt(window string, p, minLower int) int {
	r, size := utf8.DecodeRuneInString(window[p:])
	if size == 0 || !unicode.IsUpper(r) {
		return -1
	}
	q := p + size
	lower := 0
	for q < len(window) {
		r, size := utf8.DecodeRuneInString(window[q:])
		if !unicode.IsLower(r) {
			break
		}
		q += size
		lower++
	}
	if lower < minLower {
		return -1
	}
	return q
}

// unitEnds returns the ends of the matches of addressUnit's unit at p, in
// the order of its alternatives.
func unitEnds(window string, p int) []int {
	i := p
	if byteAt(window, i, ',') {
		i++
	}
	if !byteAt(window, i, ' ') {
		return nil
	}
	i++
	var ends []int
	for _, word := range unitWords {
		if !strings.HasPrefix(window[i:], word) {
			continue
		}
		j := i + len(word)
		for _, optional := range []byte{'.', ' ', '#'} {
			if byteAt(window, j, optional) {
				j++
			}
		}
		n := 0
		for n < 6 && j+n < len(window) && isUnitByte(window[j+n]) {
			n++
		}
		if n > 0 {
			ends = append(ends, j+n)
		}
	}
	return ends
}

func isUnitByte(c byte) bool { return isAlnum(c) || c == '-' }

// cityTailAt matches cityTail at p: ", ", the city words and regionTail.
func cityTailAt(window string, p int) (addressMatch, bool) {
	if !strings.HasPrefix(window[p:], ", ") {
		return addressMatch{}, false
	}
	starts := cityWordStarts(window, p+2)
	for r := len(starts) - 1; r >= 0; r-- {
		if e := capitalizedAt(window, starts[r], 1); e >= 0 {
			if m, ok := regionTailAt(window, e); ok {
				return m, true
			}
		}
	}
	return addressMatch{}, false
}

// postcodeCityAt matches postcodeCity at p: ", ", five digits, a space
// and the city words.
func postcodeCityAt(window string, p int) (addressMatch, bool) {
	if !strings.HasPrefix(window[p:], ", ") || exactDigits(window, p+2, 5) < 0 || !byteAt(window, p+7, ' ') {
		return addressMatch{}, false
	}
	starts := cityWordStarts(window, p+8)
	for r := len(starts) - 1; r >= 0; r-- {
		if e := capitalizedAt(window, starts[r], 1); e >= 0 {
			return addressMatch{end: e, region: "eu"}, true
		}
	}
	return addressMatch{}, false
}

// cityWordStarts returns p and the offsets after each of up to three
// words that follow, each a capital and any lower-case letters followed by
// a space, as the repeated group of cityWords reads them.
func cityWordStarts(window string, p int) []int {
	starts := []int{p}
	for len(starts) <= 3 {
		e := capitalizedAt(window, p, 0)
		if e < 0 || !byteAt(window, e, ' ') {
			break
		}
		p = e + 1
		starts = append(starts, p)
	}
	return starts
}

// regionTailAt matches regionTail at p.
func regionTailAt(window string, p int) (addressMatch, bool) {
	i := p
	if byteAt(window, i, ',') {
		i++
	}
	if !byteAt(window, i, ' ') {
		return addressMatch{}, false
	}
	i++

	// A US state and ZIP code: [A-Z]{2} \d{5}(?:-\d{4})?
	if isUpperAt(window, i) && isUpperAt(window, i+1) && byteAt(window, i+2, ' ') {
		if e := exactDigits(window, i+3, 5); e >= 0 {
			if byteAt(window, e, '-') && exactDigits(window, e+1, 4) >= 0 {
				e += 5
			}
			return addressMatch{end: e, region: "us", state: window[i : i+2]}, true
		}
	}

	// A Canadian province and postal code: [A-Z]\d[A-Z] ?\d[A-Z]\d
	for _, code := range caProvinces {
		if !strings.HasPrefix(window[i:], code) {
			continue
		}
		j := i + len(code)
		if byteAt(window, j, ' ') && isUpperAt(window, j+1) && isDigitAt(window, j+2) && isUpperAt(window, j+3) {
			k := j + 4
			if byteAt(window, k, ' ') {
				k++
			}
			if isDigitAt(window, k) && isUpperAt(window, k+1) && isDigitAt(window, k+2) {
				return addressMatch{end: k + 3, region: "ca"}, true
			}
		}
	}

	// An Australian state and postcode: \d{4}
	for _, code := range auStates {
		if strings.HasPrefix(window[i:], code) && byteAt(window, i+len(code), ' ') {
			if e := exactDigits(window, i+len(code)+1, 4); e >= 0 {
				return addressMatch{end: e, region: "au"}, true
			}
		}
	}

	// A UK postcode: [A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}
	j := i
	for j < i+2 && isUpperAt(window, j) {
		j++
	}
	if j == i || !isDigitAt(window, j) {
		return addressMatch{}, false
	}
	j++
	if (isUpperAt(window, j) || isDigitAt(window, j)) && byteAt(window, j+1, ' ') {
		j++
	}
	if byteAt(window, j, ' ') && isDigitAt(window, j+1) && isUpperAt(window, j+2) && isUpperAt(window, j+3) {
		return addressMatch{end: j + 4, region: "uk"}, true
	}
	return addressMatch{}, false
}

// isUpperAt reports whether window[p] is an ASCII capital.
func isUpperAt(window string, p int) bool { return p >= 0 && p < len(window) && isUpper(window[p]) }

// isDigitAt reports whether window[p] is an ASCII digit.
func isDigitAt(window string, p int) bool { return p >= 0 && p < len(window) && isDigit(window[p]) }
