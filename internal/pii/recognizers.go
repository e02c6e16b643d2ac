package pii

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// recognizer finds the candidates of one entity type.
type recognizer struct {
	entityType string
	// needs lists the types whose candidates find consults, which must be
	// found first even when a Detector does not report them.
	needs []string
	find  func(s *scan)
}

// recognizers run in this order, which is also the priority between two
// overlapping candidates with equal score and length.
var recognizers = []recognizer{
	{entityType: TypeEmail, find: findEmails},
	{entityType: TypePhone, find: findPhones},
	{entityType: TypeCreditCardNumber, find: findCards},
	{entityType: TypeSSN, find: findSSNs},
	{entityType: TypeIBAN, find: findIBANs},
	{entityType: TypeIPAddress, find: findIPAddresses},
	{entityType: TypeAWSAccessKey, find: findAWSAccessKeys},
	{entityType: TypeAWSSecretKey, needs: []string{TypeAWSAccessKey}, find: findAWSSecretKeys},
	{entityType: TypeURL, find: findURLs},
	{entityType: TypeMACAddress, find: findMACAddresses},
	{entityType: TypeCreditCardExpiry, needs: []string{TypeCreditCardNumber}, find: findCardExpiries},
	{entityType: TypeCreditCardCVV, needs: []string{TypeCreditCardNumber, TypeCreditCardExpiry}, find: findCardCVVs},
	{entityType: TypeUKNHSNumber, find: findNHSNumbers},
	{entityType: TypeUKNINumber, find: findNINumbers},
	{entityType: TypeCASIN, find: findSINs},
	{entityType: TypeBankRouting, find: findRoutingNumbers},
	{entityType: TypeVIN, find: findVINs},
	{entityType: TypeName, find: findNames},
	{entityType: TypeAddress, find: findAddresses},
}

// neededBy reports whether a requested type's recognizer consults r's
// candidates.
func (r recognizer) neededBy(types map[string]bool) bool {
	for _, q := range recognizers {
		if types[q.entityType] && slices.Contains(q.needs, r.entityType) {
			return true
		}
	}
	return false
}

// priorityOf returns the position of type t in recognizers.
func priorityOf(t string) int {
	for i, r := range recognizers {
		if r.entityType == t {
			return i
		}
	}
	return len(recognizers)
}

// inURL reports whether "://" occurs before b in the same token, within
// 256 bytes, which makes user@host at b the user information of a URL
// rather than an email address.
func inURL(text string, b int) bool {
	token := text[max(0, b-256):b]
	if i := strings.LastIndexAny(token, " \t\n\r\f\v"); i >= 0 {
		token = token[i+1:]
	}
	return strings.Contains(token, "://")
}

// findEmails finds each '@' and grows the local part and the domain from
// it. A regular expression with bounded repeats would do the same but run
// many times slower on long runs of letters.
func findEmails(s *scan) {
	text := s.text
	for at := strings.IndexByte(text, '@'); at >= 0; {
		if b, e, ok := emailAround(text, at); ok {
			if !inURL(text, b) {
				s.add(TypeEmail, b, e, 0.99)
			}
		}
		next := strings.IndexByte(text[at+1:], '@')
		if next < 0 {
			break
		}
		at += 1 + next
	}
}

// emailAround returns the email address around the '@' at byte at: a local
// part of at most 64 bytes and a domain of at most 255 bytes whose last
// label is 2 to 24 letters.
func emailAround(text string, at int) (b, e int, ok bool) {
	b = at
	for b > 0 && at-b <= 64 && isLocalPartByte(text[b-1]) {
		b--
	}
	if at-b > 64 || b == at || wordBefore(text, b) {
		return 0, 0, false
	}
	for b < at && !isAlnum(text[b]) {
		b++
	}
	if b == at || text[at-1] == '.' || strings.Contains(text[b:at], "..") {
		return 0, 0, false
	}

	e = at + 1
	for e < len(text) && e-at <= 256 && (isAlnum(text[e]) || text[e] == '.' || text[e] == '-') {
		e++
	}
	if e-at > 256 || wordAfter(text, e) || (e < len(text) && text[e] == '@') {
		return 0, 0, false
	}
	for e > at+1 && (text[e-1] == '.' || text[e-1] == '-') {
		e--
	}
	if !domainValid(text[at+1 : e]) {
		return 0, 0, false
	}
	return b, e, true
}

// domainValid reports whether domain has two or more labels of 1 to 63
// letters, digits and inner hyphens, and a top-level label of 2 to 24
// letters.
func domainValid(domain string) bool {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, label := range labels {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
	}
	tld := labels[len(labels)-1]
	if len(tld) < 2 || len(tld) > 24 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if !isLetter(tld[i]) {
			return false
		}
	}
	return true
}

func isLocalPartByte(c byte) bool {
	return isAlnum(c) || strings.IndexByte("._%+'-", c) >= 0
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func isAlnum(c byte) bool { return isLetter(c) || isDigit(c) }

var (
	// phoneContext has English and Spanish words. Go's \b is ASCII only,
	// so "tel" also matches the start of "teléfono".
	phoneContext = newWordContext("phone", "tel", "telephone", "call", "text", "mobile", "cell", "fax", "reach", "contact",
		"whatsapp", "sms", "dial", "movil", "móvil", "mÓvil", "llama", "llame", "llamar", "llamer", "contacto",
		"llámame", "llÁmame", "llamame", "llámanos", "llÁmanos", "llamanos", "teléfono", "telÉfono", "telefono", "tfno", "tlf")
)

// findPhones validates each number with libphonenumber metadata: an
// international number, written with '+', 00 or 011, against its country,
// and a national number as a number of the US or of the regions of
// trunkRegions and nineDigitRegions.
func findPhones(s *scan) {
	text := s.text
	end := 0
	for _, i := range s.numberStarts() {
		if i < end {
			continue
		}
		// A '+' or '(' may lead the digits, as in "+(212) 555-0134".
		b := i
		for b > end && i-b < 2 && (text[b-1] == '+' || text[b-1] == '(') {
			b--
		}
		e := -1
		for ; b <= i; b++ {
			if e = matchPhone(text, b); e > b {
				break
			}
		}
		// A number that goes on from the digits before it, as the
		// later groups in "22261 6601 0991 9051" do, is not a phone
		// number of its own, unless those digits end a phone number
		// found before it.
		if e <= b {
			continue
		}
		continued := isDigit(text[b]) && continuesNumber(text, b) && b-2 >= end
		if continued || !numberBoundedBefore(text, b) || (b > 0 && text[b-1] == '(') {
			continue
		}
		accepted, ok := addPhone(s, b, e)
		if !ok && text[b] == '(' {
			// The parenthesis may enclose the whole number, as in
			// "(212-555-0105)".
			accepted, ok = addPhone(s, b+1, e)
		}
		if ok {
			end = accepted
		}
	}
}

// addPhone records the longest valid phone number that starts at b and
// ends at e or up to five groups of digits earlier, and returns its end.
// The match may run into what follows the number, such as a time in
// "(415) 555-0134 - 24/7" or an IP address, or a trailing group may
// belong to the next number, as in "212-555-0105 2 times".
func addPhone(s *scan, b, e int) (int, bool) {
	for tries := 0; tries < 6 && e > b; tries, e = tries+1, dropLastGroup(s.text, b, e) {
		if !numberBoundedAfter(s.text, e) {
			continue
		}
		if score, ok := phoneScore(s, b, e); ok {
			s.add(TypePhone, b, e, score)
			return e, true
		}
	}
	return 0, false
}

// longestDigitGroup returns the length of the longest run of digits in s.
func longestDigitGroup(s string) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// dropLastGroup returns the end of [b, e) without its last group of
// digits and the separators before it, or b when nothing remains.
func dropLastGroup(text string, b, e int) int {
	i := e
	for i > b && isDigit(text[i-1]) {
		i--
	}
	for i > b && !isDigit(text[i-1]) {
		i--
	}
	return i
}

// trunkRegions are the regions besides the US whose national phone
// numbers phoneScore accepts when they start with the trunk prefix 0, and
// nineDigitRegions those whose national numbers have nine digits and no
// trunk prefix. Their loose numbering plans would accept many quantities,
// such as order numbers, without these rules.
// ssnShape matches the grouping of a US Social Security number, which
// takes precedence over a national phone number of the same digits.
func ssnShape(number string) bool {
	return len(number) == 11 && exactDigits(number, 0, 3) == 3 && (number[3] == '-' || number[3] == ' ') &&
		exactDigits(number, 4, 2) == 6 && (number[6] == '-' || number[6] == ' ') && exactDigits(number, 7, 4) == 11
}

var (
	trunkRegions     = []string{"GB", "IE", "FR", "DE", "AT", "CH", "NL", "BE", "IT", "AU", "NZ"}
	nineDigitRegions = []string{"ES", "PT"}
)

func phoneScore(s *scan, b, e int) (float64, bool) {
	candidate := s.text[b:e]
	idd := internationalPrefix(candidate)
	if n := countDigits(candidate); n < 7 || n > 15+len(idd) {
		return 0, false
	}
	digits := digitsOf(candidate)
	if strings.Count(candidate, ".") >= 3 ||
		strings.Count(candidate, "(") != strings.Count(candidate, ")") {
		return 0, false
	}

	var score float64
	// A national number parsed as a US number has 10 digits, or 11 with
	// the leading 1, so other lengths skip the costly parse.
	usLength := len(digits) == 10 || (len(digits) == 11 && digits[0] == '1')
	switch {
	case candidate[0] == '+':
		// A number such as +44 7700 900983 is in a range that
		// libphonenumber does not list as assigned, but a country code
		// and a possible length still mark a phone number.
		if score = internationalPhoneScore(candidate, len(digits)); score == 0 {
			return 0, false
		}
	case idd != "" && phoneValidIn("+"+digits[len(idd):], ""):
		// The prefix for dialling abroad in place of '+', as in
		// 0044 20 7946 0958. Only a valid number counts, because many
		// quantities start with 00.
		score = 0.85
	case usLength && nanpShape(digits) && phoneValidIn(candidate, "US"):
		// A national number without separators may be any ten-digit
		// quantity, such as 2147483647, so it needs a word such as
		// "call".
		score = 0.45
		switch {
		case strings.ContainsAny(candidate, "(-."):
			score = 0.85
		case strings.Contains(candidate, " "):
			score = 0.6
		}
	case len(digits) >= 9 && len(digits) <= 12 && strings.ContainsAny(candidate, " ()-.") && nationalValid(candidate):
		// Without a country code, only the metadata of the regions
		// tried vouches for the number.
		score = 0.6
	case len(digits) == 9 && candidate == digits && s.hasContext(b, phoneContext) && nineDigitValid(digits):
		// Spain and Portugal also write 612345678. Nine bare digits
		// may be any quantity, so they need a word such as "móvil".
		score = 0.5
	default:
		return 0, false
	}

	phoneWord := s.hasContext(b, phoneContext)
	switch {
	case phoneWord:
		score += 0.15
	case candidate[0] != '+' && idd == "" && otherNumberCue(s, b):
		// A word that names another number type, as in "NHS number
		// 943-476-5918" or "SIN 046 454 287", makes a national number
		// that is not valid as that type unlikely to be a phone number.
		score = 0.4
	}
	return score, true
}

// internationalPrefix returns the prefix for dialling abroad that number
// starts with, 00 as in most of the world or 011 as in North America, or
// "". 000 is no such prefix, because no country code starts with 0.
func internationalPrefix(number string) string {
	switch {
	case strings.HasPrefix(number, "011"):
		return "011"
	case strings.HasPrefix(number, "00") && len(number) > 2 && number[2] != '0':
		return "00"
	}
	return ""
}

// nanpShape reports whether ten digits, or eleven with a leading 1, have
// the North American form NXX-NXX-XXXX, in which N is 2 to 9. It is a
// cheap test that spares the parse for most other numbers.
func nanpShape(digits string) bool {
	if len(digits) == 11 {
		digits = digits[1:]
	}
	return len(digits) == 10 && digits[0] >= '2' && digits[3] >= '2'
}

// phoneValidIn reports whether number is a valid phone number of region,
// or of the country its + prefix names when region is empty.
func phoneValidIn(number, region string) bool {
	parsed, err := parsePhone(number, region)
	if err != nil {
		return false
	}
	if region == "" {
		return phoneValid(parsed)
	}
	return phoneValidForRegion(parsed, region)
}

// internationalPhoneScore returns 0.9 for a valid number with a + prefix,
// 0.7 for one whose country code and length are possible although its
// range is not listed as assigned, as for +44 7700 900983, and 0 else.
func internationalPhoneScore(number string, digits int) float64 {
	parsed, err := parsePhone(number, "")
	switch {
	case err != nil:
		return 0
	case phoneValid(parsed):
		return 0.9
	case digits >= 9 && phonenumbers.IsPossibleNumber(parsed):
		return 0.7
	}
	return 0
}

// otherNumberCue reports whether a word that names another type of number,
// such as "SIN" or "routing", precedes b within the context window.
func otherNumberCue(s *scan, b int) bool {
	for _, rule := range []*context{ssnContext, sinContext, routingContext, nhsContext} {
		if s.hasContext(b, rule) {
			return true
		}
	}
	return false
}

// nineDigitValid reports whether nine digits are a valid national number
// of one of nineDigitRegions.
func nineDigitValid(digits string) bool {
	for _, region := range nineDigitRegions {
		if nationalSuffixValid(digits, region) && phoneValidIn(digits, region) {
			return true
		}
	}
	return false
}

// nationalValid reports whether number, written without a country code,
// is valid in one of trunkRegions or nineDigitRegions.
func nationalValid(number string) bool {
	if ssnShape(number) {
		return false
	}
	regions := nineDigitRegions
	switch {
	case strings.HasPrefix(strings.TrimLeft(number, "("), "0"):
		regions = trunkRegions
	case len(digitsOf(number)) != 9 || longestDigitGroup(number) > 3:
		// Spain and Portugal write 912 345 678 or 612 34 56 78, while
		// 123-45-6789 is a US Social Security number.
		return false
	}
	digits := digitsOf(number)
	for _, region := range regions {
		if nationalSuffixValid(digits, region) && phoneValidIn(number, region) {
			return true
		}
	}
	return false
}

var (
	cardContext = newWordContext("card", "visa", "mastercard", "amex", "american express", "discover", "credit", "debit",
		"charge", "pay", "payment", "cc", "tarjeta", "credito", "crédito", "crÉdito", "debito", "débito", "dÉbito", "pago", "cargo")
)

// findCards reports numbers that pass the Luhn check and belong to a known
// issuer with a length it issues. Spaces or dashes may separate groups.
func findCards(s *scan) {
	for _, m := range s.findNumbers(cardNumbers) {
		b, e := m[0], m[1]
		if !numberBoundedBefore(s.text, b) || followsIBANStart(s.text, b) {
			continue
		}
		// The match may run into what follows the number, such as its
		// expiry date or CVV in "4111 1111 1111 1111 09/28 737", so the
		// ends of earlier groups are tried too.
		for ; e > b; e = dropLastGroup(s.text, b, e) {
			if !numberBoundedAfter(s.text, e) {
				continue
			}
			digits := digitsOf(s.text[b:e])
			if len(digits) < 12 {
				break
			}
			// The tail of a longer number, as in "22261 6601 0991 9051",
			// passes the Luhn check one time in ten, so it counts only
			// with a common card length, as after a ZIP code.
			if continuesNumber(s.text, b) && len(digits) < 15 {
				continue
			}
			if luhnValid(digits) && cardIssuerValid(digits) {
				score := 0.9
				if s.hasContext(b, cardContext) {
					score += 0.07
				}
				score = lowerForNegativeContext(s.text, b, e, score, 0.2)
				s.add(TypeCreditCardNumber, b, e, score)
				break
			}
		}
	}
	findLoose(s, TypeCreditCardNumber, cardContext, looseCardValid)
}

var (
	ssnContext = newWordContext("ssn", "ssns", "social security", "ss#", "ss no", "taxpayer id", "tin")
)

// findSSNs reports US Social Security numbers written 123-45-6789 or
// 123 45 6789, or nine bare digits after a context word such as "SSN".
func findSSNs(s *scan) {
	for _, m := range s.findNumbers(ssnNumbers) {
		b, e := m[0], m[1]
		if !numberBounded(s.text, b, e) || !ssnValid(digitsOf(s.text[b:e])) {
			continue
		}
		context := s.hasContext(b, ssnContext)
		var score float64
		switch {
		case s.text[b+3] == '-':
			score = 0.85
		case s.text[b+3] == ' ':
			score = 0.6
		case context:
			score = 0.8
		default:
			continue
		}
		if context {
			score += 0.14
		}
		score = lowerForNegativeContext(s.text, b, e, score, 0.3)
		s.add(TypeSSN, b, e, score)
	}
	findLoose(s, TypeSSN, ssnContext, ssnValid)
}

// ibanPattern matches IBANs in either case, because people type them in
// lower case in chats.
var ibanPattern = regexp.MustCompile(`^(?i)[A-Z]{2}[0-9OIL]{2}(?: ?[A-Z0-9]{1,4}){3,9}`)

// matchIBAN matches ibanPattern at p when p starts a token with two
// letters of the same case that name a country with IBANs, and two
// digits or letters that OCR reads for digits. findIBANs rejects every
// other match, so trying the pattern only at such starts spares it on
// prose.
func matchIBAN(text string, p int) int {
	if !ibanStartAt(text, p) {
		return -1
	}
	m := ibanPattern.FindStringIndex(text[p:min(len(text), p+maxIBANMatch)])
	if m == nil {
		return -1
	}
	return p + m[1]
}

// ibanStartAt reports whether p starts a token of text with two letters
// of the same case that name a country with IBANs, and two digits or
// letters that OCR reads for digits.
func ibanStartAt(text string, p int) bool {
	return p+4 <= len(text) && (p == 0 || !asciiAlnum[text[p-1]]) && isLetter(text[p]) && isLetter(text[p+1]) &&
		digitLike(text[p+2]) && digitLike(text[p+3]) && isUpper(text[p]) == isUpper(text[p+1]) &&
		ibanLengths[string([]byte{text[p] &^ 0x20, text[p+1] &^ 0x20})] != 0
}

// maxIBANMatch is the longest match of ibanPattern: four bytes, then nine
// groups of a space and four characters.
const maxIBANMatch = 4 + 9*5

var (
	ibanContext = newWordContext("iban", "account", "acct", "bank", "transfer", "wire", "swift", "bic", "cuenta", "banco",
		"transferencia")
)

// findIBANs reports IBANs, compact or in groups of four, that have their
// country's length and pass the mod 97 check.
func findIBANs(s *scan) {
	for _, m := range s.findTokens(ibanTokens) {
		b, e := m[0], m[1]
		if wordBefore(s.text, b) || !sameCase(s.text[b:b+2]) {
			continue
		}
		want := ibanLengths[strings.ToUpper(s.text[b:b+2])]
		if want == 0 {
			continue
		}
		// The pattern may run into a following word, so cut the match
		// after the country's number of characters.
		var compact strings.Builder
		end := b
		for end < e && compact.Len() < want {
			if c := s.text[end]; c != ' ' {
				compact.WriteByte(c)
			}
			end++
		}
		if compact.Len() != want || wordAfter(s.text, end) {
			continue
		}
		repaired, ok := ibanRepair(strings.ToUpper(compact.String()))
		if !ok {
			continue
		}
		// The electronic form of an IBAN is upper case, so a lower-case
		// token is more often a random identifier, and it needs a word
		// such as "IBAN" to score as high.
		score := 0.95
		if !isUpper(s.text[b]) {
			score = 0.6
			if s.hasContext(b, ibanContext) {
				score = 0.9
			}
		}
		if repaired {
			score -= 0.1
		}
		score = lowerForNegativeContext(s.text, b, end, score, 0.2)
		s.add(TypeIBAN, b, end, score)
	}
}

// ibanRepair reports whether iban is valid as written or after reading the
// letters O, I and L as the digits OCR confuses them with: first in the
// check digits only, which are always digits, then in the whole account
// number. repaired reports whether a reading was needed.
func ibanRepair(iban string) (repaired, ok bool) {
	if ibanValid(iban) {
		return false, true
	}
	if !strings.ContainsAny(iban[2:], "OIL") {
		return false, false
	}
	fix := strings.NewReplacer("O", "0", "I", "1", "L", "1")
	if ibanValid(iban[:2] + fix.Replace(iban[2:4]) + iban[4:]) {
		return true, true
	}
	return true, ibanValid(iban[:2] + fix.Replace(iban[2:]))
}

var (
	ipv6Pattern = regexp.MustCompile(`[0-9A-Fa-f]{0,4}(?::{1,2}[0-9A-Fa-f]{1,4}){1,7}(?:::)?(?:\.\d{1,3}){0,3}`)
	// versionContext matches a word right before a dotted number that
	// makes it a version or section number, as in "Section 5.1.1.5".
	versionContext = newTrailingWordContext("section", "sections", "version", "versions", "release", "ver", "rev", "chapter", "v")
	ipContext      = newWordContext("ip", "ipv4", "ipv6", "host", "server", "address", "addr", "peer", "client", "from", "source")
)

func findIPAddresses(s *scan) {
	for _, m := range s.findNumbers(ipv4Addresses) {
		b, e := m[0], m[1]
		if !numberBounded(s.text, b, e) {
			continue
		}
		if _, err := netip.ParseAddr(s.text[b:e]); err != nil || s.hasContext(b, versionContext) {
			continue
		}
		score := 0.85
		if s.hasContext(b, ipContext) {
			score += 0.1
		}
		s.add(TypeIPAddress, b, e, score)
	}

	for _, m := range s.findAll(ipv6Pattern, hexAlphabet, colonNeed, hasTwoColons) {
		b, e := m[0], m[1]
		if wordBefore(s.text, b) || wordAfter(s.text, e) || (b > 0 && s.text[b-1] == ':') || (e < len(s.text) && s.text[e] == ':') {
			continue
		}
		candidate := s.text[b:e]
		if addr, err := netip.ParseAddr(candidate); err == nil && addr.Is6() {
			// A form of two groups may be a scope in code, as in
			// a::b, so only the loopback and link-local ones count
			// without a word such as "host".
			if strings.Count(candidate, ":") <= 2 && !addr.IsLoopback() && !addr.IsLinkLocalUnicast() && !s.hasContext(b, ipContext) {
				continue
			}
			e = zoneEnd(s.text, e)
			score := 0.9
			if s.hasContext(b, ipContext) {
				score += 0.05
			}
			s.add(TypeIPAddress, b, e, score)
			continue
		}
		if partialIPv6(candidate) && s.hasContext(b, ipContext) {
			s.add(TypeIPAddress, b, e, 0.6)
		}
	}
}

// zoneEnd returns the end of the zone ID, such as "%eth0", that follows an
// IPv6 address ending at e, or e.
func zoneEnd(text string, e int) int {
	if e >= len(text) || text[e] != '%' {
		return e
	}
	end := e + 1
	for end < len(text) && (isAlnum(text[end]) || text[end] == '_' || text[end] == '-') {
		end++
	}
	if end == e+1 || wordAfter(text, end) {
		return e
	}
	return end
}

// partialIPv6 reports whether s looks like the first 4 to 7 groups of an
// IPv6 address, such as a /64 prefix written without "::". Such a string
// is not a valid address, so it counts only after a word such as "IPv6"
// or "host".
// A MAC address (six groups of two) does not qualify.
func partialIPv6(s string) bool {
	if strings.Contains(s, "::") || strings.Contains(s, ".") {
		return false
	}
	groups := strings.Split(s, ":")
	if len(groups) < 4 || len(groups) > 7 {
		return false
	}
	allTwo := true
	for _, g := range groups {
		if len(g) == 0 || len(g) > 4 {
			return false
		}
		allTwo = allTwo && len(g) == 2
	}
	return !allTwo
}

var (
	awsSecretContext = newContext(`(?i)(?:secret|aws_secret_access_key|secretaccesskey|secret_key)`, "secret")
)

// hasAccessKeyPrefix reports whether run contains AKIA or ASIA.
func hasAccessKeyPrefix(run string) bool {
	for i := strings.IndexByte(run, 'A'); i >= 0 && i+4 <= len(run); {
		if run[i+1:i+4] == "KIA" || run[i+1:i+4] == "SIA" {
			return true
		}
		j := strings.IndexByte(run[i+1:], 'A')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func findAWSAccessKeys(s *scan) {
	if !hasAccessKeyPrefix(s.text) {
		return
	}
	for _, m := range s.findInRuns(matchAccessKey, codeAlphabet, accessKeyNeed, hasAccessKeyPrefix) {
		b, e := m[0], m[1]
		if wordBefore(s.text, b) || wordAfter(s.text, e) {
			continue
		}
		s.add(TypeAWSAccessKey, b, e, 0.95)
	}
}

// findAWSSecretKeys reports 40-character base64 strings only after a word
// such as "secret" or next to an access key ID, because a bare one may be
// any token or hash.
func findAWSSecretKeys(s *scan) {
	// Every word of awsSecretContext contains "secret".
	if len(s.spans[accessKeySlot]) == 0 && !containsLowerASCII(s.text, "secret") {
		return
	}
	for _, m := range s.findInRuns(matchSecretKey, base64Alphabet, secretNeed, atLeast40) {
		b, e := m[0], m[1]
		if b > 0 && strings.IndexByte("/+", s.text[b-1]) >= 0 || wordBefore(s.text, b) {
			continue
		}
		if e < len(s.text) && strings.IndexByte("/+=", s.text[e]) >= 0 || wordAfter(s.text, e) {
			continue
		}
		key := s.text[b:e]
		if !strings.ContainsAny(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") || !strings.ContainsAny(key, "abcdefghijklmnopqrstuvwxyz") ||
			!strings.ContainsAny(key, "0123456789/+") {
			continue
		}
		switch {
		case s.hasContext(b, awsSecretContext):
			s.add(TypeAWSSecretKey, b, e, 0.9)
		case near(s.spans[accessKeySlot], b, e, 120):
			s.add(TypeAWSSecretKey, b, e, 0.75)
		}
	}
}

// maxURLBytes bounds the length of a URL candidate, so that ChunkOverlap
// can exceed every entity.
const maxURLBytes = 2048

// tokenAlphabet contains the bytes a URL may contain: all but ASCII
// whitespace, control characters and the delimiters <>"'`.
var tokenAlphabet = func() *alphabet {
	var a alphabet
	for c := 0x21; c < 256; c++ {
		a[c] = !strings.ContainsRune("<>\"'`\x7f", rune(c))
	}
	return &a
}()

// hasURLStart reports whether run contains "://" or "www." in any case,
// as every match of matchURL does. It searches for the colon and the dot,
// which are far rarer than the letter w.
func hasURLStart(run string) bool {
	for i := strings.IndexByte(run, ':'); i >= 0; {
		if strings.HasPrefix(run[i:], "://") {
			return true
		}
		j := strings.IndexByte(run[i+1:], ':')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	for i := strings.IndexByte(run, '.'); i >= 0; {
		if i >= 3 && equalLowerASCII(run[i-3:i], "www") {
			return true
		}
		j := strings.IndexByte(run[i+1:], '.')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// findURLs reports URLs with a scheme or starting with "www.", including
// any credentials in them, minus trailing punctuation. A URL longer than
// maxURLBytes is cut there.
func findURLs(s *scan) {
	if !hasURLStart(s.text) {
		return
	}
	for _, m := range s.findInRuns(matchURL, tokenAlphabet, urlNeed, hasURLStart) {
		b, e := m[0], m[1]
		if e-b > maxURLBytes {
			e = b + maxURLBytes
			for e > b && !utf8.RuneStart(s.text[e]) {
				e--
			}
		}
		for e > b {
			c := s.text[e-1]
			if strings.IndexByte(".,;:!?'\"", c) >= 0 ||
				(c == ')' && strings.Count(s.text[b:e], "(") < strings.Count(s.text[b:e], ")")) ||
				(c == ']' && strings.Count(s.text[b:e], "[") < strings.Count(s.text[b:e], "]")) {
				e--
				continue
			}
			break
		}
		host := s.text[b:e]
		if i := strings.Index(host, "://"); i >= 0 {
			host = host[i+3:]
		}
		if len(host) < 4 || !strings.Contains(host, ".") && !strings.HasPrefix(strings.ToLower(host), "localhost") {
			continue
		}
		score := 0.95
		if !strings.Contains(s.text[b:e], "://") {
			score = 0.8
		}
		s.add(TypeURL, b, e, score)
	}
}

var (
	macContext = newWordContext("mac", "hardware address", "hwaddr", "ether", "bssid")
)

func findMACAddresses(s *scan) {
	for _, m := range s.findTokens(macTokens) {
		b, e := m[0], m[1]
		if wordBefore(s.text, b) || wordAfter(s.text, e) {
			continue
		}
		// A longer run of groups, such as the dotted card number
		// 4111.1111.1111.1111, is not a MAC address.
		if b > 0 && strings.IndexByte(":-.", s.text[b-1]) >= 0 || e < len(s.text) && strings.IndexByte(":-.", s.text[e]) >= 0 && e+1 < len(s.text) && isHex(s.text[e+1]) {
			continue
		}
		score := 0.85
		if s.hasContext(b, macContext) {
			score += 0.1
		}
		s.add(TypeMACAddress, b, e, score)
	}
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

var (
	expiryContext = newEndContext(`(?i)(?:\bexp\.?|\bexpiry|\bexpires|\bexpiration|\bvalid (?:thru|through|until)|\bgood thru|\bcaducidad|\bcaduca|\bvence|\bvencimiento|\bv[aá]lida hasta)(?:\s*date)?\W{0,3}(?:is\W{1,2}|on\W{1,2}|el\W{1,2})?$`,
		&endForm{
			keywords: accentVariants(true, "exp", "exp.", "expiry", "expires", "expiration", "valid thru", "valid through",
				"valid until", "good thru", "caducidad", "caduca", "vence", "vencimiento", "válida hasta"),
			date:    true,
			linkers: []string{"is", "on", "el"},
		})
	cvvContext = newEndContext(`(?i)\b(?:cvv2?|cvc2?|csc|cid|security code|card verification(?: value| code)?|verification code|c[oó]digo de seguridad|c[oó]digo de verificaci[oó]n)\W{0,3}(?:is\W{1,2}|code\W{1,2}|number\W{1,2}|es\W{1,2})?$`,
		&endForm{
			keywords: accentVariants(true, "cvv", "cvv2", "cvc", "cvc2", "csc", "cid", "security code", "card verification",
				"card verification value", "card verification code", "verification code", "código de seguridad",
				"código de verificación"),
			linkers: []string{"is", "code", "number", "es"},
		})
)

// findCardExpiries reports MM/YY and MM/YYYY dates after a word such as
// "expiry" or right after a card number.
func findCardExpiries(s *scan) {
	cards := s.spans[cardSlot]
	for _, m := range s.findNumbers(expiryDates) {
		b, e := m[0], m[1]
		if !numberBounded(s.text, b, e) {
			continue
		}
		switch {
		case s.hasContext(b, expiryContext):
			s.add(TypeCreditCardExpiry, b, e, 0.9)
		case s.follows(b, cards):
			s.add(TypeCreditCardExpiry, b, e, 0.75)
		}
	}
}

// findCardCVVs reports three or four digits after a word such as "CVV" or
// right after a card number or its expiry date.
func findCardCVVs(s *scan) {
	cards, expiries := s.spans[cardSlot], s.spans[expirySlot]
	for _, m := range s.findNumbers(cvvNumbers) {
		b, e := m[0], m[1]
		// A group of a card number is never its CVV, and skipping the
		// groups spares a context check per group.
		if !numberBounded(s.text, b, e) || near(cards, b+1, e-1, 1) {
			continue
		}
		switch {
		case s.hasContext(b, cvvContext):
			s.add(TypeCreditCardCVV, b, e, 0.9)
		case s.follows(b, cards, expiries):
			s.add(TypeCreditCardCVV, b, e, 0.7)
		}
	}
}

var (
	nhsContext = newWordContext("nhs", "health service", "health and care", "patient")
)

// findNHSNumbers reports ten digits that pass the NHS mod 11 check, written
// 3-3-4. Without a word such as "NHS" only the spaced form counts, at a low
// score, because a tenth of all ten-digit numbers pass the check.
func findNHSNumbers(s *scan) {
	for _, m := range s.findNumbers(nhsNumbers) {
		b, e := m[0], m[1]
		if !numberBounded(s.text, b, e) || !nhsValid(digitsOf(s.text[b:e])) {
			continue
		}
		switch {
		case s.hasContext(b, nhsContext):
			s.add(TypeUKNHSNumber, b, e, 0.95)
		case e-b == 12 && s.text[b+3] == ' ' && s.text[b+7] == ' ':
			s.add(TypeUKNHSNumber, b, e, 0.5)
		}
	}
	findLoose(s, TypeUKNHSNumber, nhsContext, nhsValid)
}

var (
	ninoContext = newWordContext("national insurance", "nino", "ni number", "ni no")
)

// findNINumbers reports UK National Insurance numbers with an allocated
// prefix, as AB 12 34 56 C or AB123456C, in upper or lower case.
func findNINumbers(s *scan) {
	for _, m := range s.findTokens(ninoTokens) {
		b, e := m[0], m[1]
		value := s.text[b:e]
		if wordBefore(s.text, b) || wordAfter(s.text, e) || !sameCase(value[:2]) || !sameCase(value[:2]+value[len(value)-1:]) ||
			!ninoPrefixValid(strings.ToUpper(value[:2])) {
			continue
		}
		score := 0.4
		if e-b == 13 {
			score = 0.75
		}
		if s.hasContext(b, ninoContext) {
			score = 0.95
		}
		s.add(TypeUKNINumber, b, e, score)
	}
}

var (
	sinContext = newWordContext("sin", "social insurance", "nas", "assurance sociale")
)

// findSINs reports Canadian Social Insurance Numbers that pass the Luhn
// check. A tenth of all nine-digit numbers pass it, so a SIN without a
// context word scores low, and a bare one needs the word.
func findSINs(s *scan) {
	for _, m := range s.findNumbers(sinNumbers) {
		b, e := m[0], m[1]
		if !numberBounded(s.text, b, e) || !sinValid(digitsOf(s.text[b:e])) {
			continue
		}
		score := 0.3
		if e-b == 11 {
			score = 0.5
		}
		if s.hasContext(b, sinContext) {
			score = 0.95
			// "SIN 046 454 286, routing number 021000021": the nearer
			// word decides which of the two a bare nine-digit number is.
			if contextNearer(s.text, b, routingContext, sinContext) {
				score = 0.6
			}
		}
		score = lowerForNegativeContext(s.text, b, e, score, 0.2)
		s.add(TypeCASIN, b, e, score)
	}
	findLoose(s, TypeCASIN, sinContext, sinValid)
}

var (
	routingContext = newWordContext("routing", "aba", "rtn", "transit", "bank")
)

// findRoutingNumbers reports ABA routing transit numbers after a word such
// as "routing", because a tenth of all nine-digit numbers pass the
// checksum. A number with an unused Federal Reserve prefix still counts
// after the word, at a lower score.
func findRoutingNumbers(s *scan) {
	for _, m := range s.findNumbers(nineDigits) {
		b, e := m[0], m[1]
		digits := s.text[b:e]
		if !numberBounded(s.text, b, e) || !abaChecksumValid(digits) || !s.hasContext(b, routingContext) {
			continue
		}
		score := 0.9
		if !abaPrefixValid(digits) {
			score = 0.7
		}
		s.add(TypeBankRouting, b, e, score)
	}
}

var (
	vinContext = newWordContext("vin", "vehicle", "chassis", "car")
)

// findVINs reports 17-character vehicle identification numbers with a
// correct check digit.
//
// NOTE: VINs from outside North America need not carry a check digit, so
// they are missed.
func findVINs(s *scan) {
	for _, m := range s.findTokens(vinTokens) {
		b, e := m[0], m[1]
		vin := s.text[b:e]
		if wordBefore(s.text, b) || wordAfter(s.text, e) || !vinValid(vin) {
			continue
		}
		if !strings.ContainsAny(vin, "0123456789") || strings.Trim(vin, "0123456789") == "" {
			continue
		}
		score := 0.85
		if s.hasContext(b, vinContext) {
			score = 0.97
		}
		s.add(TypeVIN, b, e, score)
	}
}
