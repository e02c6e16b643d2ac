package pii

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/textchunk"
)

// filler returns n bytes of prose without PII, built from sep-separated
// words so that a test controls where whitespace lies.
func filler(n int, sep string) string {
	var b strings.Builder
	words := []string{"the", "parcel", "arrived", "früh", "and", "we", "reviewed", "it", "today"}
	for i := 0; b.Len() < n; i++ {
		b.WriteString(words[i%len(words)])
		b.WriteString(sep)
	}
	text := b.String()
	k := n
	for k > 0 && !utf8.RuneStart(text[k]) {
		k--
	}
	return text[:k] + strings.Repeat(".", n-k)
}

func TestDetectLongAcrossChunkBoundary(t *testing.T) {
	const cut = MaxChunkBytes
	email := "jane.doe@example.com"
	card := "4111 1111 1111 1111"
	last := "+44 20 7946 0958"

	tests := []struct {
		name string
		sep  string
		// straddling is placed so that it covers byte cut.
		straddling string
		// splitInside is whether a chunk ends inside the straddling value,
		// which happens when no whitespace lies near the cut.
		splitInside bool
	}{
		{name: "email across cut", sep: " ", straddling: email},
		{name: "card across cut at its inner space", sep: " ", straddling: card, splitInside: true},
		{name: "email across cut without whitespace", sep: ",", straddling: email, splitInside: true},
		{name: "card across cut without whitespace", sep: ",", straddling: card, splitInside: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := cut - len(tt.straddling)/2
			head := filler(start-1, tt.sep) + tt.sep
			tail := tt.sep + filler(150_000-start-len(tt.straddling)-len(last)-2, tt.sep) + " "
			text := head + tt.straddling + tail + last
			require.True(t, utf8.ValidString(text))
			require.Greater(t, len(text), MaxChunkBytes)
			require.Less(t, start, cut)
			require.Greater(t, start+len(tt.straddling), cut)
			chunks, err := textchunk.Split(text, MaxChunkBytes, ChunkOverlap)
			require.NoError(t, err)
			require.Len(t, chunks, 2)
			require.Equal(t, tt.splitInside, chunks[0].End > start && chunks[0].End < start+len(tt.straddling),
				"first chunk ends at %d, value spans %d-%d", chunks[0].End, start, start+len(tt.straddling))

			entities := NewDetector().DetectLong(text)

			require.Len(t, entities, 2)
			assert.Equal(t, start, entities[0].Begin)
			assert.Equal(t, start+len(tt.straddling), entities[0].End)
			assert.Equal(t, tt.straddling, text[entities[0].Begin:entities[0].End])
			assert.Equal(t, TypePhone, entities[1].Type)
			assert.Equal(t, len(text)-len(last), entities[1].Begin)
			assert.Equal(t, len(text), entities[1].End)
		})
	}
}

func TestDetectLongMatchesDetect(t *testing.T) {
	data, err := os.ReadFile("testdata/sample.txt")
	require.NoError(t, err)
	var b strings.Builder
	for b.Len() < 3*MaxChunkBytes {
		b.Write(data)
	}
	text := b.String()
	detector := NewDetector()

	whole := detector.Detect(text)
	long := detector.DetectLong(text)

	require.NotEmpty(t, whole)
	assert.Equal(t, len(whole), len(long))
	assert.Equal(t, whole, long)
}

func TestDetectLongShortText(t *testing.T) {
	text := "Mail jane@example.com"
	assert.Equal(t, NewDetector().Detect(text), NewDetector().DetectLong(text))
	assert.Empty(t, NewDetector().DetectLong(""))
}

func FuzzDetect(f *testing.F) {
	data, err := os.ReadFile("testdata/sample.txt")
	require.NoError(f, err)
	for _, line := range strings.Split(string(data), "\n") {
		f.Add(line)
	}
	f.Add("é😀\x80\xff 4111 1111 1111 1111 a@b.co")
	f.Add("ab:cd:ef:12:34:56:78 2001:db8::1 ::: 1.2.3.4.5")
	f.Add("Flat 2, 12 Oak St., Apt 4B, Leeds LS6 2QF or 1657 Maple Avenue, Portland, OR 97205-1234")
	f.Add("call 020 7946 0958 or 0044 20 7946 0958 or 0921 0993 8353, Www.Example.com/x")
	f.Add("AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY https://a.b/c")
	f.Fuzz(func(t *testing.T, text string) {
		entities := NewDetector(WithMinScore(0)).Detect(text)
		for i, e := range entities {
			require.True(t, e.Begin >= 0 && e.Begin < e.End && e.End <= len(text), "entity %d offsets %d-%d", i, e.Begin, e.End)
			assert.True(t, textchunk.IsBoundary(text, e.Begin), "entity %d begins inside a rune", i)
			assert.True(t, textchunk.IsBoundary(text, e.End), "entity %d ends inside a rune", i)
			assert.True(t, e.Score >= 0 && e.Score <= 1, "entity %d score %f", i, e.Score)
			if i > 0 {
				assert.LessOrEqual(t, entities[i-1].End, e.Begin, "entity %d overlaps or is out of order", i)
			}
		}
		redacted := Redact(text, entities)
		assert.LessOrEqual(t, len(Summarize(entities)), len(entities))
		if len(entities) == 0 {
			assert.Equal(t, text, redacted)
		}
	})
}

func BenchmarkDetect(b *testing.B) {
	data, err := os.ReadFile("testdata/sample.txt")
	require.NoError(b, err)
	text := string(data)
	detector := NewDetector()
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		detector.Detect(text)
	}
}

// BenchmarkDetectProse measures prose with one line of PII per 4 KB, a
// density closer to mail and documents than testdata/sample.txt.
func BenchmarkDetectProse(b *testing.B) {
	data, err := os.ReadFile("testdata/sample.txt")
	require.NoError(b, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	var text strings.Builder
	for _, line := range lines {
		text.WriteString(filler(4096, " "))
		text.WriteString(line + "\n")
	}
	detector := NewDetector()
	b.SetBytes(int64(text.Len()))
	for b.Loop() {
		detector.Detect(text.String())
	}
}

func BenchmarkDetectDigits(b *testing.B) {
	text := strings.Repeat("1234567890", 10_000)
	detector := NewDetector()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		detector.Detect(text)
	}
}

// BenchmarkDetectCorpus measures Detect over every document of the team's
// labelled corpus, one call per document, as the corpus benchmark of
// bench/pii runs it.
func BenchmarkDetectCorpus(b *testing.B) {
	path := os.Getenv("PII_CORPUS")
	if path == "" {
		path = defaultCorpusPath
	}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		b.Skipf("corpus %s not found; set PII_CORPUS to a corpus.jsonl file", path)
	}
	require.NoError(b, err)
	var texts []string
	size := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var doc corpusDocument
		require.NoError(b, json.Unmarshal([]byte(line), &doc))
		texts = append(texts, doc.Text)
		size += len(doc.Text)
	}
	detector := NewDetector()
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, text := range texts {
			detector.Detect(text)
		}
	}
}
