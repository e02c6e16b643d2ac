package pii

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMask(t *testing.T) {
	text := "Dear Zoë, mail zoë@example.com"
	entities := []Entity{
		{Type: TypeEmail, Begin: 16, End: 32},
		{Type: TypeName, Begin: 5, End: 9},
		{Type: TypeName, Begin: 6, End: 8},    // overlaps the name: skipped
		{Type: TypeEmail, Begin: 30, End: 99}, // outside the text: skipped
	}
	assert.Equal(t, "Dear ***, mail ***************", Mask(text, entities))
	assert.Equal(t, text, Mask(text, nil))
}

func TestCodePointSpans(t *testing.T) {
	text := "é 😀 jane@example.com ñ 4111 1111 1111 1111"
	entities := NewDetector().Detect(text)
	assert.Len(t, entities, 2)
	// Out of order and out of range entities are converted as CodePoints
	// converts them.
	entities = append(entities, Entity{Begin: 0, End: 2}, Entity{Begin: -3, End: 999})

	spans := CodePointSpans(text, entities)
	for i, e := range entities {
		begin, end := CodePoints(text, e)
		assert.Equal(t, CodePointSpan{Begin: begin, End: end}, spans[i], "entity %d", i)
	}
}

// FuzzRedact runs DetectLong, Redact, Mask and CodePointSpans on arbitrary
// text, the calls of "pii redact" and of the offsets of "pii detect".
// Redact and Mask must change only the entities' bytes, and the code point
// offsets must lie inside the text.
func FuzzRedact(f *testing.F) {
	data, err := os.ReadFile("testdata/sample.txt")
	require.NoError(f, err)
	for _, line := range strings.Split(string(data), "\n") {
		f.Add(line)
	}
	f.Add("Dear Zoë, mail zoë@example.com or call +44 20 7946 0958")
	f.Add("\xff4111 1111 1111 1111\x80 jane@example.com\xc3")
	f.Fuzz(func(t *testing.T, text string) {
		entities := NewDetector(WithMinScore(0)).DetectLong(text)

		checkReplaced(t, text, Redact(text, entities), entities, func(e Entity) string { return "[" + e.Type + "]" })
		masked := Mask(text, entities)
		checkReplaced(t, text, masked, entities, func(e Entity) string {
			return strings.Repeat("*", utf8.RuneCountInString(text[e.Begin:e.End]))
		})
		assert.Equal(t, utf8.RuneCountInString(text), utf8.RuneCountInString(masked), "Mask changed the length in code points")

		runes := utf8.RuneCountInString(text)
		spans := CodePointSpans(text, entities)
		require.Len(t, spans, len(entities))
		for i, span := range spans {
			assert.True(t, span.Begin >= 0 && span.Begin < span.End && span.End <= runes,
				"entity %d has code point offsets %d-%d in %d code points", i, span.Begin, span.End, runes)
			if i > 0 {
				assert.LessOrEqual(t, spans[i-1].End, span.Begin, "entity %d overlaps the one before in code points", i)
			}
		}
	})
}

// checkReplaced checks that out is text with each entity, in order,
// replaced by replacement(entity) and every other byte unchanged.
func checkReplaced(t *testing.T, text, out string, entities []Entity, replacement func(Entity) string) {
	t.Helper()
	last, pos := 0, 0
	for i, e := range entities {
		require.True(t, e.Begin >= last && e.Begin < e.End && e.End <= len(text), "entity %d offsets %d-%d", i, e.Begin, e.End)
		gap := text[last:e.Begin]
		require.True(t, strings.HasPrefix(out[pos:], gap), "text before entity %d changed", i)
		pos += len(gap)
		want := replacement(e)
		require.True(t, strings.HasPrefix(out[pos:], want), "entity %d is not replaced by %q", i, want)
		pos += len(want)
		last = e.End
	}
	assert.Equal(t, text[last:], out[pos:], "text after the last entity changed")
}
