package pii

import "strings"

// Hand-written matchers for the patterns that the recognizers test most
// often. Each takes a run of text and a start offset p and returns
// the end of the match that the regular expression in its comment finds
// at p under Go's leftmost-first rules, or -1 when it finds none. Tried
// at every offset, they yield the same matches as regexp's
// FindAllStringIndex, which TestPatternsMatchRegexp checks, at a fraction
// of its cost per byte. scan.findNumbers and scan.findTokens try them at
// the starts of numbers and tokens only.

// matcher returns the end of the match that starts at p in run, or -1.
type matcher func(run string, p int) int

// digitsAt returns how many ASCII digits, at most limit, run has from p.
func digitsAt(run string, p, limit int) int {
	n := 0
	for p+n < len(run) && n < limit && isDigit(run[p+n]) {
		n++
	}
	return n
}

// exactDigits returns p+n if run has n digits from p, or -1.
func exactDigits(run string, p, n int) int {
	if digitsAt(run, p, n) == n {
		return p + n
	}
	return -1
}

// byteAt reports whether run[p] is c.
func byteAt(run string, p int, c byte) bool { return p >= 0 && p < len(run) && run[p] == c }

// matchPhone matches `\+?\(?\d[\d().\- ]{5,20}\d`.
func matchPhone(run string, p int) int {
	q := p
	if byteAt(run, q, '+') {
		q++
	}
	if byteAt(run, q, '(') {
		q++
	}
	if q >= len(run) || !isDigit(run[q]) {
		return -1
	}
	q++
	// The class takes up to 20 bytes, and the match ends at the last
	// digit that leaves at least 5 class bytes before it.
	r := q
	for r < len(run) && r-q < 20 && isPhoneClass(run[r]) {
		r++
	}
	for j := min(r, len(run)-1); j >= q+5; j-- {
		if isDigit(run[j]) {
			return j + 1
		}
	}
	return -1
}

func isPhoneClass(c byte) bool {
	return isDigit(c) || c == '(' || c == ')' || c == '.' || c == '-' || c == ' '
}

// repeatGroups returns the end after at most max repeats of sep and
// exactly n digits from q, and the number of repeats.
func repeatGroups(run string, q int, sep byte, n, max int) (int, int) {
	reps := 0
	for reps < max && byteAt(run, q, sep) && exactDigits(run, q+1, n) >= 0 {
		q += 1 + n
		reps++
	}
	return q, reps
}

// matchCard matches
// `\d{4}(?: \d{4}){2,3}(?: \d{1,3})?|\d{4}(?:-\d{4}){2,3}(?:-\d{1,3})?|\d{4}(?:\.\d{4}){2,3}(?:\.\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{4,5}|\d{12,19}`.
func matchCard(run string, p int) int {
	q := exactDigits(run, p, 4)
	if q < 0 {
		return -1
	}
	for _, sep := range [3]byte{' ', '-', '.'} {
		if e, reps := repeatGroups(run, q, sep, 4, 3); reps >= 2 {
			if byteAt(run, e, sep) {
				if n := digitsAt(run, e+1, 3); n > 0 {
					e += 1 + n
				}
			}
			return e
		}
	}
	if q < len(run) && (run[q] == ' ' || run[q] == '-') {
		if r := exactDigits(run, q+1, 6); r >= 0 && r < len(run) && (run[r] == ' ' || run[r] == '-') {
			if n := digitsAt(run, r+1, 5); n >= 4 {
				return r + 1 + n
			}
		}
	}
	if n := digitsAt(run, p, 19); n >= 12 {
		return p + n
	}
	return -1
}

// matchGrouped3 matches a first group of 3 digits, then groups of the
// given lengths, all joined by '-' or all by ' ', or else 3+sum digits
// without separators: `\d{3}-\d{a}-\d{b}|\d{3} \d{a} \d{b}|\d{3+a+b}`.
func matchGrouped3(run string, p, a, b int) int {
	q := exactDigits(run, p, 3)
	if q < 0 {
		return -1
	}
	for _, sep := range [2]byte{'-', ' '} {
		if !byteAt(run, q, sep) {
			continue
		}
		if r := exactDigits(run, q+1, a); r >= 0 && byteAt(run, r, sep) {
			if e := exactDigits(run, r+1, b); e >= 0 {
				return e
			}
		}
	}
	return exactDigits(run, p, 3+a+b)
}

// matchSSN matches `\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}|\d{9}`.
func matchSSN(run string, p int) int { return matchGrouped3(run, p, 2, 4) }

// matchSIN matches `\d{3}-\d{3}-\d{3}|\d{3} \d{3} \d{3}|\d{9}`.
func matchSIN(run string, p int) int { return matchGrouped3(run, p, 3, 3) }

// matchNHS matches `\d{3}[ -]?\d{3}[ -]?\d{4}`.
func matchNHS(run string, p int) int {
	q := exactDigits(run, p, 3)
	if q < 0 {
		return -1
	}
	if byteAt(run, q, ' ') || byteAt(run, q, '-') {
		q++
	}
	q = exactDigits(run, q, 3)
	if q < 0 {
		return -1
	}
	if byteAt(run, q, ' ') || byteAt(run, q, '-') {
		q++
	}
	return exactDigits(run, q, 4)
}

// matchNineDigits matches `\d{9}`.
func matchNineDigits(run string, p int) int { return exactDigits(run, p, 9) }

// matchCVV matches `\d{3,4}`.
func matchCVV(run string, p int) int {
	if n := digitsAt(run, p, 4); n >= 3 {
		return p + n
	}
	return -1
}

// matchLoose matches `\d(?:[ -]?\d){8,22}`.
func matchLoose(run string, p int) int {
	if p >= len(run) || !isDigit(run[p]) {
		return -1
	}
	q, reps := p+1, 0
	for reps < 22 {
		switch {
		case q < len(run) && isDigit(run[q]):
			q++
		case q+1 < len(run) && (run[q] == ' ' || run[q] == '-') && isDigit(run[q+1]):
			q += 2
		default:
			return looseEnd(q, reps)
		}
		reps++
	}
	return q
}

func looseEnd(q, reps int) int {
	if reps < 8 {
		return -1
	}
	return q
}

// matchIPv4 matches `\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`. A shorter group
// never helps, because a digit, not a dot, would then follow it.
func matchIPv4(run string, p int) int {
	q := p
	for group := 0; group < 4; group++ {
		if group > 0 {
			if !byteAt(run, q, '.') {
				return -1
			}
			q++
		}
		n := digitsAt(run, q, 3)
		if n == 0 {
			return -1
		}
		q += n
	}
	return q
}

// matchExpiry matches `(?:0[1-9]|1[0-2]) ?[/-] ?(?:20)?\d{2}`.
func matchExpiry(run string, p int) int {
	if p+1 >= len(run) {
		return -1
	}
	switch run[p] {
	case '0':
		if run[p+1] < '1' || run[p+1] > '9' {
			return -1
		}
	case '1':
		if run[p+1] < '0' || run[p+1] > '2' {
			return -1
		}
	default:
		return -1
	}
	q := p + 2
	if byteAt(run, q, ' ') {
		q++
	}
	if !byteAt(run, q, '/') && !byteAt(run, q, '-') {
		return -1
	}
	q++
	if byteAt(run, q, ' ') {
		q++
	}
	if byteAt(run, q, '2') && byteAt(run, q+1, '0') && digitsAt(run, q+2, 2) == 2 {
		return q + 4
	}
	return exactDigits(run, q, 2)
}

// matchMAC matches `[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}`.
func matchMAC(run string, p int) int {
	// Both forms are 14 bytes or longer, with a separator after the
	// first two or four digits.
	if p+14 > len(run) || run[p+2] != ':' && run[p+2] != '-' && run[p+4] != '.' {
		return -1
	}
	if hexAt(run, p, 2) {
		for _, sep := range [2]byte{':', '-'} {
			q := p + 2
			groups := 0
			for groups < 5 && byteAt(run, q, sep) && hexAt(run, q+1, 2) {
				q += 3
				groups++
			}
			if groups == 5 {
				return q
			}
		}
	}
	if hexAt(run, p, 4) && byteAt(run, p+4, '.') && hexAt(run, p+5, 4) && byteAt(run, p+9, '.') && hexAt(run, p+10, 4) {
		return p + 14
	}
	return -1
}

// hexAt reports whether run has n hexadecimal digits from p.
func hexAt(run string, p, n int) bool {
	if p+n > len(run) {
		return false
	}
	for i := p; i < p+n; i++ {
		if !isHex(run[i]) {
			return false
		}
	}
	return true
}

// matchNINO matches `(?i)[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]`.
func matchNINO(run string, p int) int {
	if p+1 >= len(run) || !isLetter(run[p]) || !isLetter(run[p+1]) {
		return -1
	}
	q := p + 2
	for group := 0; group < 3; group++ {
		if byteAt(run, q, ' ') {
			q++
		}
		if q = exactDigits(run, q, 2); q < 0 {
			return -1
		}
	}
	if byteAt(run, q, ' ') {
		q++
	}
	if q < len(run) && lowerASCII(run[q]) >= 'a' && lowerASCII(run[q]) <= 'd' {
		return q + 1
	}
	return -1
}

// matchVIN matches `[A-HJ-NPR-Z0-9]{17}`.
func matchVIN(run string, p int) int {
	if p+17 > len(run) {
		return -1
	}
	for i := p; i < p+17; i++ {
		if vinValue(run[i]) < 0 {
			return -1
		}
	}
	return p + 17
}

// The patterns of the number recognizers, with the lengths of the first
// group of digits that each matcher can accept.
var (
	cardNumbers   = &numberPattern{match: matchCard, minGroup: 4}
	ssnNumbers    = &numberPattern{match: matchSSN, minGroup: 3}
	sinNumbers    = &numberPattern{match: matchSIN, minGroup: 3}
	nhsNumbers    = &numberPattern{match: matchNHS, minGroup: 3}
	nineDigits    = &numberPattern{match: matchNineDigits, minGroup: 9}
	cvvNumbers    = &numberPattern{match: matchCVV, minGroup: 3}
	expiryDates   = &numberPattern{match: matchExpiry, minGroup: 2, maxGroup: 2}
	ipv4Addresses = &numberPattern{match: matchIPv4, minGroup: 1, maxGroup: 3}
	looseGroups   = &numberPattern{match: matchLoose}
	// numberPatterns lists them for indexText, which records the numbers
	// that each may match at. It has at most sixteen elements.
	numberPatterns = [...]*numberPattern{cardNumbers, ssnNumbers, sinNumbers, nhsNumbers, nineDigits,
		cvvNumbers, expiryDates, ipv4Addresses, looseGroups}
)

// The patterns of the recognizers that match at token starts, with the
// bytes that each matcher can accept first and third.
var (
	ibanTokens = &tokenPattern{match: matchIBAN, first: letterBytes, third: byteSet(digitLike)}
	macTokens  = &tokenPattern{match: matchMAC, first: newAlphabet(hexBytes), third: newAlphabet(hexBytes, ":-")}
	ninoTokens = &tokenPattern{match: matchNINO, first: letterBytes, third: newAlphabet(digitBytes, " ")}
	vinTokens  = &tokenPattern{match: matchVIN, first: byteSet(isVINByte), third: byteSet(isVINByte)}
	// tokenPatterns lists them for indexText, which records the token
	// starts that each may match at. It has at most eight elements.
	tokenPatterns = [...]*tokenPattern{ibanTokens, macTokens, ninoTokens, vinTokens}
)

var letterBytes = newAlphabet(upperBytes, lowerBytes)

// byteSet returns the bytes for which in returns true.
func byteSet(in func(c byte) bool) *alphabet {
	var a alphabet
	for c := range a {
		a[c] = in(byte(c))
	}
	return &a
}

func isVINByte(c byte) bool { return vinValue(c) >= 0 }

// matchSecretKey matches `[A-Za-z0-9/+]{40}`.
func matchSecretKey(run string, p int) int {
	if p+40 > len(run) {
		return -1
	}
	for i := p; i < p+40; i++ {
		if !base64Alphabet[run[i]] {
			return -1
		}
	}
	return p + 40
}

// matchAccessKey matches `(?:AKIA|ASIA)[A-Z0-9]{16}`.
func matchAccessKey(run string, p int) int {
	if p+20 > len(run) || (run[p:p+4] != "AKIA" && run[p:p+4] != "ASIA") {
		return -1
	}
	for i := p + 4; i < p+20; i++ {
		if !isUpper(run[i]) && !isDigit(run[i]) {
			return -1
		}
	}
	return p + 20
}

// urlPrefixes are the starts of a URL, in lower case.
var urlPrefixes = []string{"http://", "https://", "ftp://", "ftps://", "sftp://", "ws://", "wss://", "www."}

// matchURL matches `(?i)\b(?:(?:https?|ftps?|sftp|wss?)://|www\.)[^\s<>"'\x60]+`,
// with ASCII case folding only: the expression also reads ſ (U+017F) as
// s, which no URL scheme is written with.
func matchURL(run string, p int) int {
	if p > 0 && isWordByte(run[p-1]) {
		return -1
	}
	for _, prefix := range urlPrefixes {
		if p+len(prefix) > len(run) || !equalLowerASCII(run[p:p+len(prefix)], prefix) {
			continue
		}
		e := p + len(prefix)
		for e < len(run) && strings.IndexByte("\t\n\f\r <>\"'`", run[e]) < 0 {
			e++
		}
		if e > p+len(prefix) {
			return e
		}
		return -1
	}
	return -1
}
