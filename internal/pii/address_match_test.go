package pii

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// addressTokens are the pieces from which TestAddressMatchersMatchRegexp
// builds its inputs: house numbers, street words, street types, unit
// words, cities, and region codes, valid and not, with the look-alikes
// that the patterns must tell apart.
var addressTokens = [][]string{
	{"12", "1657", "1234567", "12B", "7a", "221", "3", "0", "123456"},
	{"Maple", "Oak", "Mary's", "Mary’s", "King", "21st", "5th", "1234th", "2nd", "Kingsway", "Élan", "Ñu", "A", "la", "O'Neil", "Stone", "St"},
	{"Street", "St", "St.", "Road", "Rd", "Avenue", "Ave.", "Close", "Park", "Row", "Runway", "Way", "Gardens", "Streets",
		"Street West", "Avenue NW", "Road N.", "Street Westfield", "St E", "Road Estate", "Way Sud", "Street Northwest"},
	{"Apt", "Apartment", "Suite", "Ste", "Unit", "Floor", "Fl", "#", "4B", "12", "Apt.", "#5", "1234567", "Flat", "-"},
	{"New", "York", "Portland", "Leeds", "Coruña", "A", "San", "José", "X", "Madrid", "El", "Ab"},
	{"OR 97205", "NY 10001-1234", "NY 10001-123", "ZZ 12345", "OR 9720", "ON K1A 0B1", "QC H2X1Y4", "ON K1A 0B", "NT 0800",
		"NT X0A 0H0", "NSW 2000", "WA 6000", "SA 5000", "VIC 300", "LS6 2QF", "SW1A 2AA", "M1 1AE", "M1 1Ae", "ABC1 2QF",
		"LS6  2QF", "EC1A1BB", "OR", "97205", "2000", "Madrid"},
}

var addressSeparators = []string{" ", " ", " ", " ", ", ", ",", ". ", "", "  ", "-"}

// randomAddress returns a number followed by tokens, half the time in
// the order of an address with the usual separators, so that many inputs
// match and many fail late, and otherwise in any order.
func randomAddress(rng *rand.Rand) string {
	pick := func(group int) string { return addressTokens[group][rng.IntN(len(addressTokens[group]))] }
	separator := func(usual string) string {
		if rng.IntN(5) == 0 {
			return addressSeparators[rng.IntN(len(addressSeparators))]
		}
		return usual
	}
	var b strings.Builder
	b.WriteString(pick(0))
	if rng.IntN(2) == 0 {
		for range rng.IntN(4) {
			b.WriteString(separator(" ") + pick(1))
		}
		b.WriteString(separator(" ") + pick(1+rng.IntN(2)))
		if rng.IntN(3) == 0 {
			b.WriteString(separator(", ") + pick(3) + separator(" ") + pick(3))
		}
		switch rng.IntN(3) {
		case 0:
			b.WriteString(separator(", ") + pick(0) + "0000"[:rng.IntN(4)] + separator(" ") + pick(4))
		case 1:
			b.WriteString(separator(", ") + pick(4))
			for range rng.IntN(4) {
				b.WriteString(separator(" ") + pick(4))
			}
			b.WriteString(separator([]string{" ", ", "}[rng.IntN(2)]) + pick(5))
		}
		return b.String()
	}
	for range 2 + rng.IntN(12) {
		b.WriteString(addressSeparators[rng.IntN(len(addressSeparators))] + pick(1+rng.IntN(len(addressTokens)-1)))
	}
	return b.String()
}

// regexpAddressMatch returns what addressMatch holds for the match of re at
// the start of w.
func regexpAddressMatch(re *regexp.Regexp, w string) (addressMatch, bool) {
	m := re.FindStringSubmatchIndex(w)
	if m == nil {
		return addressMatch{}, false
	}
	match := addressMatch{end: m[1]}
	for g, name := range re.SubexpNames() {
		if name != "" && m[2*g] >= 0 {
			match.region = name
			if name == "us" {
				match.state = w[m[2*g]:m[2*g+1]]
			}
		}
	}
	return match, true
}

// TestAddressMatchersMatchRegexp checks that matchStreetAddress and
// matchCityAddress return the match of streetAddress and cityAddress, with
// the same region group, on random address-like inputs.
func TestAddressMatchersMatchRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	matched := map[string]int{}
	for range 50_000 {
		w := randomAddress(rng)
		for _, tt := range []struct {
			name  string
			re    *regexp.Regexp
			match func(string) (addressMatch, bool)
		}{
			{"street", streetAddress, matchStreetAddress},
			{"city", cityAddress, matchCityAddress},
		} {
			want, wantOK := regexpAddressMatch(tt.re, w)
			got, gotOK := tt.match(w)
			require.Equal(t, wantOK, gotOK, "%s: input %q", tt.name, w)
			require.Equal(t, want, got, "%s: input %q", tt.name, w)
			if wantOK {
				matched[tt.name+" "+want.region]++
			}
		}
	}
	// Every region form and the forms without one must have occurred, or
	// the inputs do not test them.
	t.Logf("matches by form: %v", matched)
	for _, form := range []string{"street ", "street us", "street ca", "street au", "street uk", "street eu",
		"city us", "city ca", "city au", "city uk"} {
		require.Greater(t, matched[form], 20, "matches of form %q", form)
	}
}
