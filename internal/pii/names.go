package pii

import (
	"regexp"
	"strings"
)

// Types found by general rules of English text rather than by a validator.
const (
	TypeName    = "NAME"
	TypeAddress = "ADDRESS"
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

// streetAddress matches, from its start, a US street address: a house
// number, one to four capitalized words, a common street suffix, an optional unit, and an optional city,
// state code and ZIP code. cityAddress matches an address whose street
// has no suffix, such as "1220 Kingsway", when city, state and ZIP code
// follow.
var (
	streetAddress = regexp.MustCompile(`^\d{1,6}` + addressWords + ` (?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Terrace|Ter|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Alley|Row|Close|Crescent|Plaza|Loop|Path|Pike|Run)\.?` + addressUnit + `(?:` + addressCity + `)?`)
	cityAddress   = regexp.MustCompile(`^\d{1,6}` + addressWords + addressUnit + addressCity)
)

const (
	addressWords = `(?: (?:[A-Z][a-z]+|\d{1,3}(?:st|nd|rd|th))){1,4}`
	addressUnit  = `(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Floor|Fl|#)\.? ?#?[0-9A-Za-z-]{1,6})?`
	addressCity  = `, (?:[A-Z][a-z]+ ){0,3}[A-Z][a-z]+(?:,? ([A-Z]{2}) \d{5}(?:-\d{4})?|,? ` + ukPostcode + `)`
	// ukPostcode matches a UK postcode such as SW1A 2AA or M1 1AE.
	ukPostcode = `[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}`
)

// findAddresses tries the address patterns at each number that starts a
// word. Each try reads a bounded window, so the scan stays linear.
func findAddresses(s *scan) {
	text := s.text
	for i := 0; i < len(text); i++ {
		if !isDigit(text[i]) || (i > 0 && (isDigit(text[i-1]) || wordBefore(text, i))) {
			continue
		}
		window := text[i:min(len(text), i+200)]
		m := streetAddress.FindStringSubmatchIndex(window)
		if m == nil {
			m = cityAddress.FindStringSubmatchIndex(window)
		}
		if m == nil {
			continue
		}
		end := i + m[1]
		if wordAfter(text, end) {
			continue
		}
		score := 0.7
		if m[2] >= 0 {
			if !usStates[window[m[2]:m[3]]] {
				continue
			}
			score = 0.9
		}
		s.add(TypeAddress, i, end, score)
		i = end - 1
	}
}

// nameCues are words that introduce a person's name, in lower case.
var nameCues = []string{
	"my name is", "name:", "i'm", "i am", "it's", "this is", "dear", "hi", "hello", "hey",
	"thanks", "regards", "sincerely", "cheers", "patient", "new hire", "employee", "customer",
	"mr", "mrs", "ms", "miss", "dr", "prof", "contact", "attn", "cardholder", "card holder",
	"account holder", "applicant", "tenant", "signed", "from:", "to:", "cc:",
}

// titles are the cues that a period may follow, as in "Dr. Ruiz".
var titles = map[string]bool{"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true}

// nameAfterCue matches, from the end of a cue, one to three capitalized
// words.
var nameAfterCue = regexp.MustCompile(`^[.:]?,?\s+(\p{Lu}[\p{Ll}'-]+(?:\s\p{Lu}[\p{Ll}'-]+){0,2})`)

// nonNames contains capitalized words that follow a name cue but are not
// names: greetings to groups, days, months and common sentence starters.
var nonNames = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`All Everyone Team Folks Guys There Sir Madam Customer Customers Support Friend Friends
		Colleagues Staff Manager Sales Admin Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
		February March April May June July August September October November December The This That These Those
		It Its We Our You Your They Their He She His Her I Please Thanks Thank Hello Hi Hey Dear Yes No Not Just
		Sorry Good Great Welcome Happy Here What When Where Why How Who Re Fwd Ticket Order Invoice Version Us Me World I I'm I've I'd I'll`) {
		nonNames[w] = true
	}
}

// findNames reports capitalized words after a cue such as "my name is",
// "Dear" or "Patient". It finds no name without a cue.
//
// NOTE: this rule misses names without a cue, names in lower case and
// names with particles such as "van" or "de".
func findNames(s *scan) {
	lower := asciiLower(s.text)
	for _, cue := range nameCues {
		for from := 0; from < len(lower); {
			i := strings.Index(lower[from:], cue)
			if i < 0 {
				break
			}
			b := from + i
			from = b + len(cue)
			if wordBefore(s.text, b) || (isLetter(cue[len(cue)-1]) && wordAfter(s.text, from)) {
				continue
			}
			if from < len(s.text) && s.text[from] == '.' && !titles[cue] {
				continue
			}
			m := nameAfterCue.FindStringSubmatchIndex(s.text[from:min(len(s.text), from+120)])
			if m == nil || wordAfter(s.text, from+m[3]) {
				continue
			}
			addName(s, from+m[2], from+m[3])
		}
	}
}

// addName records the capitalized words in [b, e) as a name, without the
// words of nonNames at either end.
func addName(s *scan, b, e int) {
	var words [][2]int
	for i := b; i < e; {
		for i < e && isSpaceByte(s.text[i]) {
			i++
		}
		j := i
		for j < e && !isSpaceByte(s.text[j]) {
			j++
		}
		if j > i {
			words = append(words, [2]int{i, j})
		}
		i = j
	}
	for len(words) > 0 && nonNames[s.text[words[0][0]:words[0][1]]] {
		words = words[1:]
	}
	for len(words) > 0 && nonNames[s.text[words[len(words)-1][0]:words[len(words)-1][1]]] {
		words = words[:len(words)-1]
	}
	if len(words) == 0 {
		return
	}

	score := 0.7
	if len(words) > 1 {
		score = 0.8
	}
	s.add(TypeName, words[0][0], words[len(words)-1][1], score)
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// asciiLower returns text with ASCII letters in lower case and every other
// byte unchanged, so byte offsets stay the same.
func asciiLower(text string) string {
	b := []byte(text)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
