package pii

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// patternCases pairs each hand-written matcher with the regular expression
// it replaces and the bytes that its test inputs are drawn from.
var patternCases = []struct {
	name    string
	match   matcher
	re      *regexp.Regexp
	symbols string
}{
	{"phone", matchPhone, regexp.MustCompile(`\+?\(?\d[\d().\- ]{5,20}\d`), "0123456789 ()+./-"},
	{"card", matchCard, regexp.MustCompile(`\d{4}(?: \d{4}){2,3}(?: \d{1,3})?|\d{4}(?:-\d{4}){2,3}(?:-\d{1,3})?|\d{4}(?:\.\d{4}){2,3}(?:\.\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{4,5}|\d{12,19}`), "0123456789012345678901234567890123456789 -."},
	{"ssn", matchSSN, regexp.MustCompile(`\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}|\d{9}`), "01234567890123456789 -"},
	{"sin", matchSIN, regexp.MustCompile(`\d{3}-\d{3}-\d{3}|\d{3} \d{3} \d{3}|\d{9}`), "01234567890123456789 -"},
	{"nhs", matchNHS, regexp.MustCompile(`\d{3}[ -]?\d{3}[ -]?\d{4}`), "01234567890123456789 -"},
	{"nine digits", matchNineDigits, regexp.MustCompile(`\d{9}`), "0123456789012345678901234567890123456789 -"},
	{"cvv", matchCVV, regexp.MustCompile(`\d{3,4}`), "0123456789 -/"},
	{"loose", matchLoose, regexp.MustCompile(`\d(?:[ -]?\d){8,22}`), "0123456789 -"},
	{"ipv4", matchIPv4, regexp.MustCompile(`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`), "0123456789..."},
	{"expiry", matchExpiry, regexp.MustCompile(`(?:0[1-9]|1[0-2]) ?[/-] ?(?:20)?\d{2}`), "00112201234567890 /-"},
	{"mac", matchMAC, regexp.MustCompile(`[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}`), "0123456789abcdefABCDEFgG::--.."},
	{"nino", matchNINO, regexp.MustCompile(`(?i)[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]`), "ABCDEabcdeZz0123456789012345678901234567890123456789  "},
	{"vin", matchVIN, regexp.MustCompile(`[A-HJ-NPR-Z0-9]{17}`), "ABCHJNPRZIOQ0123456789 a"},
	{"secret key", matchSecretKey, regexp.MustCompile(`[A-Za-z0-9/+]{40}`), "aZ09/+/+ -_="},
	{"access key", matchAccessKey, regexp.MustCompile(`(?:AKIA|ASIA)[A-Z0-9]{16}`), "AKIASAKIASZ09 a"},
	{"url", matchURL, regexp.MustCompile(`(?i)\b(?:(?:https?|ftps?|sftp|wss?)://|www\.)[^\s<>"'\x60]+`), "httpsHTTPSftpwwW:/.//:. <>\"'`\t\na_é"},
}

// TestPatternsMatchRegexp checks that each matcher, tried at every offset
// and resumed after each match, finds exactly the matches of its regular expression on random
// inputs drawn from the bytes that the pattern cares about.
func TestPatternsMatchRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range patternCases {
		t.Run(tt.name, func(t *testing.T) {
			for range 20_000 {
				buf := make([]byte, 1+rng.IntN(48))
				for i := range buf {
					buf[i] = tt.symbols[rng.IntN(len(tt.symbols))]
				}
				text := string(buf)
				require.Equal(t, regexpMatches(tt.re, text), matcherMatches(tt.match, text), "input %q", text)
			}
		})
	}
}

// matcherMatches returns the matches of match tried at every offset of
// text and resumed after each match.
func matcherMatches(match matcher, text string) [][2]int {
	var matches [][2]int
	for p := 0; p < len(text); {
		if e := match(text, p); e > p {
			matches = append(matches, [2]int{p, e})
			p = e
		} else {
			p++
		}
	}
	return matches
}

// regexpMatches returns the matches of FindAllStringIndex as pairs.
func regexpMatches(re *regexp.Regexp, text string) [][2]int {
	var matches [][2]int
	for _, m := range re.FindAllStringIndex(text, -1) {
		matches = append(matches, [2]int{m[0], m[1]})
	}
	return matches
}

// contextCases pairs each word context with the regular expression that
// it replaces.
var contextCases = []struct {
	name string
	rule *context
	re   *regexp.Regexp
}{
	{"phone", phoneContext, regexp.MustCompile(`(?i)\b(?:phone|tel|telephone|call|text|mobile|cell|fax|reach|contact|whatsapp|sms|dial|m[oó]vil|llam[ae]r?|contacto|ll[aá]mame|ll[aá]manos|tel[eé]fono|tfno|tlf)\b`)},
	{"iban", ibanContext, regexp.MustCompile(`(?i)\b(?:iban|account|acct|bank|transfer|wire|swift|bic|cuenta|banco|transferencia)\b`)},
	{"card", cardContext, regexp.MustCompile(`(?i)\b(?:card|visa|mastercard|amex|american express|discover|credit|debit|charge|pay|payment|cc|tarjeta|cr[eé]dito|d[eé]bito|pago|cargo)\b`)},
	{"ssn", ssnContext, regexp.MustCompile(`(?i)\b(?:ssn|ssns|social security|ss#|ss no|taxpayer id|tin)\b`)},
	{"version", versionContext, regexp.MustCompile(`(?i)\b(?:section|sections|version|versions|release|ver|rev|chapter|v)\.?\s*$`)},
	{"ip", ipContext, regexp.MustCompile(`(?i)\b(?:ip|ipv4|ipv6|host|server|address|addr|peer|client|from|source)\b`)},
	{"mac", macContext, regexp.MustCompile(`(?i)\b(?:mac|hardware address|hwaddr|ether|bssid)\b`)},
	{"nhs", nhsContext, regexp.MustCompile(`(?i)\b(?:nhs|health service|health and care|patient)\b`)},
	{"nino", ninoContext, regexp.MustCompile(`(?i)\b(?:national insurance|nino|ni number|ni no)\b`)},
	{"sin", sinContext, regexp.MustCompile(`(?i)\b(?:sin|social insurance|nas|assurance sociale)\b`)},
	{"routing", routingContext, regexp.MustCompile(`(?i)\b(?:routing|aba|rtn|transit|bank)\b`)},
	{"vin", vinContext, regexp.MustCompile(`(?i)\b(?:vin|vehicle|chassis|car)\b`)},
	{"negative", negativeContext, regexp.MustCompile(`(?i)\b(?:example|sample|test|dummy|fake|placeholder|template|specimen)\b`)},
}

// TestWordContextsMatchRegexp checks that each word context matches, and
// finds the last match, where its regular expression does, on random
// windows built from its words, their prefixes and extensions, and
// separators.
func TestWordContextsMatchRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pieces := []string{" ", " ", ".", ",", "#", "_", "x", "s", "o", "2", "é", "É", "ó", "Ó", "\t", "\n", "-", ":"}
	for _, tt := range contextCases {
		t.Run(tt.name, func(t *testing.T) {
			var words []string
			for _, group := range tt.rule.words {
				words = append(words, group...)
			}
			for range 20_000 {
				var window []byte
				for n := rng.IntN(8); n >= 0; n-- {
					if rng.IntN(2) == 0 {
						w := []byte(words[rng.IntN(len(words))])
						if rng.IntN(4) == 0 {
							w = w[:rng.IntN(len(w)+1)]
						}
						if rng.IntN(3) == 0 {
							w = []byte(strings.ToUpper(string(w)))
						}
						window = append(window, w...)
					} else {
						window = append(window, pieces[rng.IntN(len(pieces))]...)
					}
				}
				text := string(window)

				require.Equal(t, tt.re.MatchString(text), tt.rule.matches(text), "window %q", text)
				want := -1
				if m := tt.re.FindAllStringIndex(text, -1); m != nil {
					want = m[len(m)-1][1]
				}
				if !tt.rule.trailing {
					require.Equal(t, want, tt.rule.lastEnd(text), "last match in window %q", text)
				}
			}
		})
	}
}

// TestEndAnchoredContextsMatchRegexp checks that expiryContext and
// cvvContext, which run their regular expression on the end of a window
// only, match where the expression run on the whole window does.
func TestEndAnchoredContextsMatchRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pieces := []string{"exp", "exp.", "expiry", "expires", "valid thru", "valid until", "good thru", "caducidad", "vence",
		"válida hasta", "VÁLIDA HASTA", "cvv", "cvv2", "cvc", "csc", "cid", "security code", "card verification value",
		"verification code", "código de seguridad", "código de verificación", " date", "date", "is", "on", "el", "es",
		"code", "number", " ", " ", ":", "-", "x", "2", "_", "\n"}
	for _, rule := range []*context{expiryContext, cvvContext} {
		for range 40_000 {
			var window strings.Builder
			for n := rng.IntN(10); n >= 0; n-- {
				window.WriteString(pieces[rng.IntN(len(pieces))])
			}
			text := window.String()
			require.Equal(t, rule.re.MatchString(text), rule.matches(text), "window %q for %s", text, rule.re)
		}
	}
}

// TestNumberPatternsSkipOnlyMisses checks that the group bounds of each
// number pattern skip only numbers at which its matcher finds nothing, so
// that findNumbers returns what it returns when it tries every number.
func TestNumberPatternsSkipOnlyMisses(t *testing.T) {
	patterns := map[string]*numberPattern{
		"card": cardNumbers, "ssn": ssnNumbers, "sin": sinNumbers, "nhs": nhsNumbers,
		"nine": nineDigits, "cvv": cvvNumbers, "expiry": expiryDates, "ipv4": ipv4Addresses, "loose": looseGroups,
	}
	rng := rand.New(rand.NewPCG(7, 8))
	const symbols = "0123456789012345678901 -./+()a"
	for name, p := range patterns {
		t.Run(name, func(t *testing.T) {
			for range 20_000 {
				buf := make([]byte, 1+rng.IntN(40))
				for i := range buf {
					buf[i] = symbols[rng.IntN(len(symbols))]
				}
				s := newScan(string(buf))
				var want [][2]int
				end := 0
				for _, i := range s.numberStarts() {
					if e := p.match(s.text, i); i >= end && e > i {
						want = append(want, [2]int{i, e})
						end = e
					}
				}
				got := append([][2]int(nil), s.findNumbers(p)...)
				require.Equal(t, want, got, "input %q", s.text)
				s.release()
			}
		})
	}
}

// TestScanContextMatchesWindow checks that scan.hasContext, which tries
// only token starts, agrees with hasContext, which reads every byte of the
// window, at every offset of random texts made of each rule's words.
func TestScanContextMatchesWindow(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	pieces := []string{" ", " ", ".", ",", "#", "_", "x", "s", "2", "é", "Ó", "\n", "-", ":", "4111 1111"}
	for _, tt := range contextCases {
		if tt.rule.trailing {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			require.True(t, tt.rule.alnumStarts, "words that start with other bytes take the slow path")
			var words []string
			for _, group := range tt.rule.words {
				words = append(words, group...)
			}
			for range 2_000 {
				var b strings.Builder
				for range 1 + rng.IntN(30) {
					if rng.IntN(3) == 0 {
						b.WriteString(words[rng.IntN(len(words))])
					} else {
						b.WriteString(pieces[rng.IntN(len(pieces))])
					}
				}
				s := newScan(b.String())
				for at := 0; at <= len(s.text); at++ {
					require.Equal(t, hasContext(s.text, at, tt.rule), s.hasContext(at, tt.rule), "text %q at %d", s.text, at)
				}
				s.release()
			}
		})
	}
}

// TestContainsLowerASCII compares containsLowerASCII with strings.Contains
// on the text with its ASCII capitals made lower case.
func TestContainsLowerASCII(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	symbols := []string{"s", "S", "e", "E", "c", "C", "r", "R", "t", "T", " ", "é", "_"}
	lower := func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	for range 50_000 {
		var b strings.Builder
		for range rng.IntN(16) {
			b.WriteString(symbols[rng.IntN(len(symbols))])
		}
		text := b.String()
		for _, hint := range []string{"secret", "s", "et", "_s", "", "é"} {
			require.Equal(t, strings.Contains(strings.Map(lower, text), hint), containsLowerASCII(text, hint), "text %q hint %q", text, hint)
		}
	}
}

// TestTokenPatternsSkipOnlyMisses checks that the byte filters of each
// token pattern skip only offsets at which its matcher finds nothing.
func TestTokenPatternsSkipOnlyMisses(t *testing.T) {
	patterns := map[string]struct {
		pattern *tokenPattern
		symbols string
	}{
		"iban": {ibanTokens, "GBDEgbde0123456789OolLiI "},
		"mac":  {macTokens, "0123456789abcdefABCDEF::--..x "},
		"nino": {ninoTokens, "ABCDabcdQq0123456789012345  "},
		"vin":  {vinTokens, "1HGCM8263A00435IOQa "},
	}
	rng := rand.New(rand.NewPCG(17, 18))
	for name, tt := range patterns {
		t.Run(name, func(t *testing.T) {
			found := 0
			for range 50_000 {
				buf := make([]byte, 1+rng.IntN(30))
				for i := range buf {
					buf[i] = tt.symbols[rng.IntN(len(tt.symbols))]
				}
				text := string(buf)
				for p := range len(text) {
					e := tt.pattern.match(text, p)
					if e > p {
						found++
					}
					if p+2 >= len(text) || !tt.pattern.first[text[p]] || !tt.pattern.third[text[p+2]] {
						require.LessOrEqual(t, e, p, "%s skips a match at %d in %q", name, p, text)
					}
				}

				// findTokens must return what trying every token start
				// returns.
				s := newScan(text)
				var want [][2]int
				end := 0
				for _, p := range s.tokenStarts() {
					if e := tt.pattern.match(s.text, p); p >= end && e > p {
						want = append(want, [2]int{p, e})
						end = e
					}
				}
				got := append([][2]int(nil), s.findTokens(tt.pattern)...)
				require.Equal(t, want, got, "%s in %q", name, s.text)
				s.release()
			}
			require.Positive(t, found, "no input matched")
		})
	}
}

// TestTokenMatchersMatchRegexp checks matchURL, matchAccessKey and
// matchSecretKey against their regular expressions on inputs built from
// whole pieces of their matches, which random bytes would almost never
// form, and checks that the inputs contain matches.
func TestTokenMatchersMatchRegexp(t *testing.T) {
	pieces := []string{"http://", "HTTPS://", "hTtP://", "www.", "WWW.", "ftp://", "ftps://", "sftp://", "ws://", "wss://",
		"example.com", "/path?q=1", " ", "<", "\"", "'", "`", "\t", "a", "é", "x://", "_", "-", "AKIA", "ASIA",
		"ABCDEFGHIJKLMNOP", "0123456789ABCDEF", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "+/", "="}
	rng := rand.New(rand.NewPCG(19, 20))
	for _, tt := range patternCases {
		if tt.name != "url" && tt.name != "access key" && tt.name != "secret key" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			found := 0
			for range 20_000 {
				var b strings.Builder
				for range 1 + rng.IntN(8) {
					b.WriteString(pieces[rng.IntN(len(pieces))])
				}
				text := b.String()
				want := regexpMatches(tt.re, text)
				require.Equal(t, want, matcherMatches(tt.match, text), "input %q", text)
				found += len(want)
			}
			require.Greater(t, found, 100, "matches in the inputs")
		})
	}
}

// TestRunFilters compares hasURLStart and hasAccessKeyPrefix with plain
// searches on random inputs.
func TestRunFilters(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	pieces := []string{":", "/", ".", "w", "W", "ww", "A", "K", "I", "S", "AKI", "ASI", "a", " ", "é"}
	for range 50_000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		run := b.String()
		lower := strings.ToLower(run)
		require.Equal(t, strings.Contains(run, "://") || strings.Contains(lower, "www."), hasURLStart(run), "run %q", run)
		require.Equal(t, strings.Contains(run, "AKIA") || strings.Contains(run, "ASIA"), hasAccessKeyPrefix(run), "run %q", run)
	}
}
