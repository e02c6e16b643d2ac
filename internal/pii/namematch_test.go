package pii

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMatchNameMatchesRegexp checks matchName and matchNameAfterCue
// against the regular expressions they implement, on random texts built
// from name words, particles, prefixes and separators.
func TestMatchNameMatchesRegexp(t *testing.T) {
	nameAt := regexp.MustCompile(`^` + namePattern)
	nameAfterCue := regexp.MustCompile(`^[.:]?,?\s+(` + namePattern + `)`)
	pieces := []string{"Ana", "Cruz", "O'Neill", "O’Brien", "O'", "McAllister", "Mc", "Mcdonald", "Mac", "Macy", "MacLeod",
		"D'Arcy", "D’", "Jean-Luc", "Hyun-woo", "Abernathy-Cole", "Ñuñez", "Émile", "éa", "É", "E\u0301mile", "Jose\u0301", "\u0301", "e\u0301", "\u0300a", "A", "ab", "x", "Y",
		"van", "von", "der", "de", "del", "della", "la", "y", "bin", "Van", "De", " ", " ", " ", "-", "-a", "'", ".", ":",
		",", "\t", "\n", "3", "\xff"}
	rng := rand.New(rand.NewPCG(13, 14))
	for range 100_000 {
		var b strings.Builder
		for n := rng.IntN(9); n >= 0; n-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		text := b.String()

		want := -1
		if m := nameAt.FindStringIndex(text); m != nil {
			want = m[1]
		}
		require.Equal(t, want, matchName(text), "name in %q", text)

		wantBegin, wantEnd := -1, -1
		if m := nameAfterCue.FindStringSubmatchIndex(text); m != nil {
			wantBegin, wantEnd = m[2], m[3]
		}
		gotBegin, gotEnd := matchNameAfterCue(text)
		require.Equal(t, [2]int{wantBegin, wantEnd}, [2]int{gotBegin, gotEnd}, "name after cue in %q", text)
	}
}
