package toxicity

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultLexiconParses(t *testing.T) {
	lex, err := defaultLexicon()
	require.NoError(t, err)

	counts := map[string]int{}
	for _, e := range lex.entries {
		counts[labelNames[e.label]]++
	}
	for _, name := range labelNames {
		assert.Positive(t, counts[name], "label %s has no entries", name)
	}
	assert.NotEmpty(t, lex.groups)
	assert.NotEmpty(t, lex.allow)

	var killYourself float64
	for _, e := range lex.entries {
		if e.term == "kill yourself" {
			killYourself = max(killYourself, e.weight)
		}
	}
	for _, e := range lex.entries {
		assert.LessOrEqual(t, e.weight, killYourself, "%q outweighs \"kill yourself\"", e.term)
	}
}

// entryText returns a text in which entry e occurs: prefix and infix words
// are written as their stem and <group> as a group word.
func entryText(lex *Lexicon, e entry) string {
	groups := make([]string, 0, len(lex.groups))
	for word := range lex.groups {
		groups = append(groups, word)
	}
	sort.Strings(groups)

	words := make([]string, len(e.words))
	for i, p := range e.words {
		words[i] = p.text
		if p.kind == matchGroup {
			words[i] = groups[0]
		}
	}
	return strings.Join(words, " ")
}

// TestDefaultLexiconEntriesMatch catches entries that can never match, such
// as a term that tokenization rewrites or an allowlisted word.
func TestDefaultLexiconEntriesMatch(t *testing.T) {
	lex, err := defaultLexicon()
	require.NoError(t, err)
	c := New()

	for _, e := range lex.entries {
		name := labelNames[e.label] + " " + e.term
		t.Run(name, func(t *testing.T) {
			text := entryText(lex, e)
			assert.GreaterOrEqual(t, c.Classify(text).Score(labelNames[e.label]), e.weight-1e-9, "text %q", text)
		})
	}
}

func TestDefaultLexiconAllowlistIsNeeded(t *testing.T) {
	lex, err := defaultLexicon()
	require.NoError(t, err)
	withoutAllowlist := *lex
	withoutAllowlist.allow = map[string]bool{}

	for word := range lex.allow {
		t.Run(word, func(t *testing.T) {
			tokens := withoutAllowlist.tokenize(word)
			assert.NotEmpty(t, withoutAllowlist.findMatches(tokens), "allowlisted word matches nothing even without the allowlist")
			assert.Zero(t, New().Classify(word).Toxicity)
		})
	}
}

func TestParseLexicon(t *testing.T) {
	lex, err := ParseLexicon([]byte(strings.Join([]string{
		"# comment",
		"",
		"group cats dogs",
		"allow snooper",
		"INSULT 0.6 snoop*",
		"PROFANITY 0.7 *darn*",
		"HATE_SPEECH 0.9 <group> are vermin",
		"VIOLENCE_OR_THREAT 0.8 i will bite you",
	}, "\n")))
	require.NoError(t, err)

	require.Len(t, lex.entries, 4)
	assert.Equal(t, []int{0}, lex.prefix["snoop"])
	assert.Equal(t, []int{1}, lex.infix)
	assert.Equal(t, []int{2}, lex.phraseByGroup)
	assert.Equal(t, []int{3}, lex.phraseByFirst["i"])
	assert.True(t, lex.groups["dogs"])
	assert.True(t, lex.allow["snooper"])

	c := New(WithLexicon(lex))
	assert.InDelta(t, 0.6, c.Classify("a snooping neighbour").Score(LabelInsult), 1e-9)
	assert.Zero(t, c.Classify("a snooper").Score(LabelInsult))
	assert.InDelta(t, 0.7, c.Classify("undarnable").Score(LabelProfanity), 1e-9)
	assert.InDelta(t, 0.9, c.Classify("Dogs are vermin").Score(LabelHateSpeech), 1e-9)
	assert.Zero(t, c.Classify("rats are vermin").Score(LabelHateSpeech))
	assert.InDelta(t, 0.8, c.Classify("I will bite you").Score(LabelViolenceOrThreat), 1e-9)
}

func TestParseLexiconErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"empty", "# nothing\n", "no entries"},
		{"unknown label", "RUDE 0.5 word", `line 1: unknown label "RUDE"`},
		{"missing term", "INSULT 0.5", "expected LABEL WEIGHT TERM"},
		{"weight not a number", "INSULT high word", `invalid weight "high"`},
		{"weight one", "INSULT 1 word", `invalid weight "1"`},
		{"weight zero", "INSULT 0 word", `invalid weight "0"`},
		{"weight NaN", "INSULT NaN word", `invalid weight "NaN"`},
		{"uppercase word", "INSULT 0.5 Word", `invalid word "Word"`},
		{"punctuation", "INSULT 0.5 wo-rd", `invalid word "wo-rd"`},
		{"short prefix", "INSULT 0.5 ab*", "shorter than 3 letters"},
		{"infix in phrase", "INSULT 0.5 you *darn*", "only in a single-word term"},
		{"empty allow", "allow", `"allow" line lists no words`},
		{"invalid group word", "group Cats", `invalid word "Cats"`},
		{"invalid UTF-8", "INSULT 0.5 \xff", "invalid UTF-8"},
		{"line number", "INSULT 0.5 ok\n\nINSULT 2 bad", "line 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lex, err := ParseLexicon([]byte(tt.data))
			require.Error(t, err)
			assert.Nil(t, lex)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
