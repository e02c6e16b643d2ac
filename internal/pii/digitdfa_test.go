package pii

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDigitDFAMatchesRegexp checks that the automaton of every national
// number pattern of every region agrees with Go's regexp on the region's
// example numbers, on random digit strings and on strings with a byte
// other than a digit.
func TestDigitDFAMatchesRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tables, total := 0, 0
	for key, m := range regionMetadata() {
		descs := append(numberTypeDescs(m), m.GetGeneralDesc())
		for _, desc := range descs {
			pattern := desc.GetNationalNumberPattern()
			if pattern == "" {
				continue
			}
			dfa := newDigitDFA(pattern)
			total++
			if dfa.fallback == nil {
				tables++
			}
			re := regexp.MustCompile("^(?:" + pattern + ")$")
			inputs := []string{"", desc.GetExampleNumber(), desc.GetExampleNumber() + "0", "12a4", "1 2"}
			for range 300 {
				var b strings.Builder
				for range rng.IntN(maxNationalLength + 1) {
					b.WriteByte(byte('0' + rng.IntN(10)))
				}
				inputs = append(inputs, b.String())
			}
			// Random strings rarely match, so the example number with
			// one digit changed tests the paths near a match.
			if example := desc.GetExampleNumber(); example != "" {
				for range 100 {
					b := []byte(example)
					b[rng.IntN(len(b))] = byte('0' + rng.IntN(10))
					inputs = append(inputs, string(b))
				}
			}
			for _, in := range inputs {
				require.Equal(t, re.MatchString(in), dfa.matches(in), "region %v pattern %q input %q", key, pattern, in)
			}
		}
	}
	// The phone patterns use no assertions, so none needs regexp.
	require.Equal(t, total, tables, "patterns that fell back to regexp")
}

// TestDigitDFAFallsBack checks that a pattern with an empty-width
// assertion, which the tables cannot hold, still matches as the anchored
// regular expression does.
func TestDigitDFAFallsBack(t *testing.T) {
	dfa := newDigitDFA(`12\b`)
	require.NotNil(t, dfa.fallback)
	require.True(t, dfa.matches("12"))
	require.False(t, dfa.matches("123"))

	dfa = newDigitDFA(`1[2-4]{2,3}|5`)
	require.Nil(t, dfa.fallback)
	for in, want := range map[string]bool{"123": true, "1234": true, "12345": false, "5": true, "55": false, "": false, "1x3": false} {
		require.Equal(t, want, dfa.matches(in), "input %q", in)
	}
}
