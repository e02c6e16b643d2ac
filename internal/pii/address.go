package pii

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// usStates contains the two-letter USPS codes of the states, the District
// of Columbia and the territories.
var usStates = map[string]bool{}

func init() {
	for _, code := range strings.Fields(`AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO
		MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP`) {
		usStates[code] = true
	}
}

// Parts of the address patterns.
const (
	// addressWords matches the words of a street name after the house
	// number: capitalized words, possibly accented or possessive as in
	// "St Mary's", or ordinals.
	addressWords = `(?: (?:\p{Lu}\p{Ll}+(?:['’]s)?|\d{1,3}(?:st|nd|rd|th))){1,4}`
	// streetSuffix matches the street types of English-speaking
	// countries that follow the street name.
	streetSuffix = `(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Terrace|Ter|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|` +
		`Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Alley|Row|Close|Crescent|Cres|Plaza|Loop|Path|Pike|Run|` +
		`Gardens|Mews|Grove|Walk|Green|Hill|Park|Rise|Vale|View|Quay|Wharf|Hollow|Heights|Ridge|Causeway|Esplanade|` +
		`Broadway|Crossing|Commons|Bend|Glen|Gate|Yard|Parade)`
	addressUnit = `(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Floor|Fl|#)\.? ?#?[0-9A-Za-z-]{1,6})?`
	// streetDirection matches a compass direction after the street type,
	// as in "King Street West" or "Pennsylvania Avenue NW".
	streetDirection = `(?: (?:Northeast|Northwest|Southeast|Southwest|North|South|East|West|Ouest|Nord|Sud|Est|NE|NW|SE|SW|N|S|E|W)\b\.?)?`
	// cityWords matches one to four capitalized words, the first ones
	// possibly a single letter as in "A Coruña".
	cityWords = `(?:\p{Lu}\p{Ll}* ){0,3}\p{Lu}\p{Ll}+`
	// regionTail matches what follows the city: a US state and ZIP code,
	// a Canadian province and postal code, an Australian state and
	// postcode, or a UK postcode. The groups capture the codes that
	// findAddresses checks.
	regionTail = `(?:,? (?P<us>[A-Z]{2}) \d{5}(?:-\d{4})?` +
		`|,? (?P<ca>AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT) [A-Z]\d[A-Z] ?\d[A-Z]\d` +
		`|,? (?P<au>NSW|VIC|QLD|WA|SA|TAS|ACT|NT) \d{4}` +
		`|,? (?P<uk>` + ukPostcode + `))`
	// ukPostcode matches a UK postcode such as SW1A 2AA or M1 1AE.
	ukPostcode = `[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}`
	// postcodeCity matches the continental European order, a five-digit
	// postcode before the city, as in "28014 Madrid".
	postcodeCity = `, (?P<eu>\d{5}) ` + cityWords
	cityTail     = `, ` + cityWords + regionTail
)

// The address patterns, each anchored at the start of a window:
//   - streetAddress: a house number, the street name, a street suffix, an
//     optional direction, an optional unit and an optional city with its
//     region, as in
//     "1657 Maple Avenue, Portland, OR 97205" or "14 Gorse Close, Leeds
//     LS6 2QF";
//   - cityAddress: a street without a suffix, such as "1220 Kingsway",
//     which counts only with a city and region after it;
//   - typeFirstAddress: the street type first and the number after the
//     name, as Spanish, French and Italian addresses are written, as in
//     "Calle de Alcalá 48, 28014 Madrid";
//   - compoundAddress: a German street name ending in its type, as in
//     "Hauptstraße 5, 10115 Berlin".
var (
	streetAddress    = regexp.MustCompile(`^\d{1,6}[A-Za-z]?` + addressWords + ` ` + streetSuffix + `\.?` + streetDirection + addressUnit + `(?:` + cityTail + `|` + postcodeCity + `)?`)
	cityAddress      = regexp.MustCompile(`^\d{1,6}` + addressWords + addressUnit + cityTail)
	typeFirstAddress = regexp.MustCompile(`^(?:Calle|C/|Avenida|Avda\.?|Av\.|Plaza|Pza\.|Paseo|Camino|Carretera|Ronda|Travesía|Rambla|Glorieta|Vía|Rua|Rue|Avenue|Boulevard|Via|Viale|Piazza|Corso)` +
		`(?: (?:de|del|la|las|los|el|y|da|do|dos|des|du|di|della|\p{Lu}\p{Ll}+)){1,6},? (?:nº ?|n\.º ?|número )?\d{1,4}[A-Za-z]?` +
		`(?:,? \d{1,2}º(?: ?[A-Z])?)?(?:` + postcodeCity + `)?`)
	compoundAddress = regexp.MustCompile(`^\p{Lu}\p{Ll}*(?:straße|strasse|weg|platz|allee|gasse|ring|damm) \d{1,4}[a-z]?(?:` + postcodeCity + `)?`)
	// unitBefore matches a flat or unit written before the house number,
	// as in "Flat 2, 14 Gorse Close".
	unitBefore = regexp.MustCompile(`(?:Flat|Apartment|Apt\.?|Unit|Suite) [0-9A-Z]{1,4}[a-z]?,? $`)
)

// unitBeforeAddress returns the match of unitBefore in window, or nil. It
// skips the pattern when none of the unit words occurs.
func unitBeforeAddress(window string) []int {
	for _, word := range []string{"Flat", "Apartment", "Apt", "Unit", "Suite"} {
		if strings.Contains(window, word) {
			return unitBefore.FindStringIndex(window)
		}
	}
	return nil
}

// streetTypesFirst are the words that start a typeFirstAddress, and
// streetTypeFirstBytes their first bytes, which rule out most capitalized
// words without a lookup.
var (
	streetTypesFirst     = map[string]bool{}
	streetTypeFirstBytes alphabet
)

func init() {
	for _, w := range strings.Fields(`Calle C/ Avenida Avda Avda. Av. Plaza Pza. Paseo Camino Carretera Ronda Travesía Rambla
		Glorieta Vía Rua Rue Avenue Boulevard Via Viale Piazza Corso`) {
		streetTypesFirst[w] = true
		streetTypeFirstBytes[w[0]] = true
	}
}

// digitUpperOrMultibyte contains the bytes that may start an address: ASCII
// digits and capitals, and the bytes of multibyte UTF-8 sequences, among
// which are the first bytes of other capitals.
var digitUpperOrMultibyte = func() *alphabet {
	a := newAlphabet(digitBytes, upperBytes)
	for c := utf8.RuneSelf; c < 256; c++ {
		a[c] = true
	}
	return a
}()

// findAddresses tries the number-first patterns at each number that starts
// a word and the other patterns at each capitalized word that can start
// them. Each try reads a bounded window, so the scan stays linear.
func findAddresses(s *scan) {
	text := s.text
	end := 0
	for _, i := range s.tokenStarts() {
		if i < end || !digitUpperOrMultibyte[text[i]] {
			continue
		}
		r, _ := utf8.DecodeRuneInString(text[i:])
		if wordBefore(text, i) || (!isDigit(text[i]) && !unicode.IsUpper(r)) {
			continue
		}
		e, score, ok := addressAt(text, i)
		if !ok {
			continue
		}
		begin := i
		if m := unitBeforeAddress(text[max(0, i-24):i]); m != nil {
			begin = max(0, i-24) + m[0]
		}
		s.add(TypeAddress, begin, e, score)
		end = e
	}
}

// addressAt returns the end and score of an address that starts at byte
// i, which starts a word.
func addressAt(text string, i int) (end int, score float64, ok bool) {
	window := text[i:min(len(text), i+200)]
	var re *regexp.Regexp
	switch {
	case isDigit(text[i]):
		if !wordFollowsNumber(window) {
			return 0, 0, false
		}
		score = 0.7
		m, ok := matchStreetAddress(window)
		if !ok {
			score = 0.8
			if m, ok = matchCityAddress(window); !ok {
				return 0, 0, false
			}
		}
		if wordAfter(text, i+m.end) || (m.region == "us" && !usStates[m.state]) {
			return 0, 0, false
		}
		if m.region != "" {
			score = 0.9
		}
		return i + m.end, score, true
	}
	word := firstWord(window)
	switch {
	case streetTypeFirstBytes[word[0]] && streetTypesFirst[word]:
		re = typeFirstAddress
	case compoundStreetWord(word):
		re = compoundAddress
	default:
		return 0, 0, false
	}

	m := re.FindStringSubmatchIndex(window)
	if m == nil || wordAfter(text, i+m[1]) {
		return 0, 0, false
	}
	score = 0.7
	for g, name := range re.SubexpNames() {
		if name != "" && m[2*g] >= 0 {
			score = 0.9
		}
	}
	return i + m[1], score, true
}

// wordFollowsNumber reports whether the number that starts window, with an
// optional letter as in "12B", is followed by a space and a first street
// word as addressWords reads it: a capital and a lower-case letter, or an
// ordinal such as "5th". Every number-first address has one, and most
// other numbers, such as the groups of a card number, do not.
func wordFollowsNumber(window string) bool {
	j := 0
	for j < len(window) && isDigit(window[j]) {
		j++
	}
	if j < len(window) && isLetter(window[j]) {
		j++
	}
	if j+1 >= len(window) || window[j] != ' ' {
		return false
	}
	j++
	if n := digitsAt(window, j, 4); n > 0 {
		suffix := window[j+n : min(len(window), j+n+2)]
		return n <= 3 && (suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th")
	}
	r, size := utf8.DecodeRuneInString(window[j:])
	if !unicode.IsUpper(r) {
		return false
	}
	next, _ := utf8.DecodeRuneInString(window[j+size:])
	return unicode.IsLower(next)
}

// compoundStreetWord reports whether word may be a German street name
// that ends in its type, as compoundAddress reads it: it contains "stra"
// or ends in one of the other types.
func compoundStreetWord(word string) bool {
	for i := 0; i+4 <= len(word); i++ {
		if word[i] == 's' && word[i+1:i+4] == "tra" {
			return true
		}
	}
	for _, suffix := range []string{"weg", "platz", "allee", "gasse", "ring", "damm"} {
		if strings.HasSuffix(word, suffix) {
			return true
		}
	}
	return false
}

// firstWord returns the text up to the first space.
func firstWord(window string) string {
	if j := strings.IndexByte(window, ' '); j >= 0 {
		return window[:j]
	}
	return window
}
