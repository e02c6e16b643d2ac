package textchunk

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitRejectsInvalidSizes(t *testing.T) {
	tests := []struct {
		name     string
		maxBytes int
		overlap  int
	}{
		{name: "max bytes zero", maxBytes: 0, overlap: 0},
		{name: "max bytes three", maxBytes: 3, overlap: 0},
		{name: "negative overlap", maxBytes: 10, overlap: -1},
		{name: "overlap equal to max", maxBytes: 10, overlap: 10},
		{name: "overlap above max", maxBytes: 10, overlap: 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks, err := Split("some text", tt.maxBytes, tt.overlap)
			assert.ErrorIs(t, err, ErrInvalidSize)
			assert.Nil(t, chunks)
		})
	}
}

func TestSplitChunks(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		maxBytes int
		overlap  int
		want     []Chunk
	}{
		{name: "empty text", text: "", maxBytes: 10, overlap: 2, want: nil},
		{name: "fits in one chunk", text: "short", maxBytes: 10, overlap: 2, want: []Chunk{{0, 5}}},
		{name: "exactly max bytes", text: "0123456789", maxBytes: 10, overlap: 2, want: []Chunk{{0, 10}}},
		{
			name: "no whitespace", text: "abcdefghijklmnopqrst", maxBytes: 10, overlap: 2,
			want: []Chunk{{0, 10}, {8, 18}, {16, 20}},
		},
		{
			name: "ends after whitespace", text: "aaaaaa bbbbbbbbbbbbb", maxBytes: 10, overlap: 2,
			want: []Chunk{{0, 7}, {5, 15}, {13, 20}},
		},
		{
			name: "backs off to rune boundary", text: "aaaaaaaaé" + "bbbbbbbbbb", maxBytes: 9, overlap: 1,
			want: []Chunk{{0, 8}, {7, 16}, {15, 20}},
		},
		{
			name: "no overlap", text: "abcdefghij", maxBytes: 4, overlap: 0,
			want: []Chunk{{0, 4}, {4, 8}, {8, 10}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks, err := Split(tt.text, tt.maxBytes, tt.overlap)
			require.NoError(t, err)
			assert.Equal(t, tt.want, chunks)
		})
	}
}

func TestSplitLongMultibyteText(t *testing.T) {
	text := strings.Repeat("Grüße aus Köln 😀 — ", 5000)
	chunks, err := Split(text, 1000, 100)
	require.NoError(t, err)

	checkInvariants(t, text, 1000, 100, chunks)
	for i, c := range chunks {
		assert.True(t, utf8.ValidString(text[c.Begin:c.End]), "chunk %d is not valid UTF-8", i)
	}
}

func TestIsBoundary(t *testing.T) {
	text := "aé😀\x80b"
	tests := []struct {
		name string
		p    int
		want bool
	}{
		{name: "start", p: 0, want: true},
		{name: "before two-byte rune", p: 1, want: true},
		{name: "inside two-byte rune", p: 2, want: false},
		{name: "before four-byte rune", p: 3, want: true},
		{name: "inside four-byte rune", p: 5, want: false},
		{name: "before stray continuation byte", p: 7, want: true},
		{name: "after stray continuation byte", p: 8, want: true},
		{name: "end", p: len(text), want: true},
		{name: "negative", p: -1, want: false},
		{name: "past end", p: len(text) + 1, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, IsBoundary(text, tt.p))
		})
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("hello world, this is a test", 8, 3)
	f.Add("😀😀😀😀😀😀", 4, 3)
	f.Add("aé\x80\xff😀 b", 5, 1)
	f.Fuzz(func(t *testing.T, text string, maxBytes, overlap int) {
		maxBytes = 4 + abs(maxBytes)%64
		overlap = abs(overlap) % maxBytes
		chunks, err := Split(text, maxBytes, overlap)
		require.NoError(t, err)
		checkInvariants(t, text, maxBytes, overlap, chunks)
	})
}

// checkInvariants checks the contract of Split: chunks cover the text in
// order, fit maxBytes, sit on rune boundaries and overlap as promised.
func checkInvariants(t *testing.T, text string, maxBytes, overlap int, chunks []Chunk) {
	t.Helper()
	if text == "" {
		assert.Empty(t, chunks)
		return
	}
	require.NotEmpty(t, chunks)
	assert.Equal(t, 0, chunks[0].Begin, "first chunk starts at 0")
	assert.Equal(t, len(text), chunks[len(chunks)-1].End, "last chunk ends at the end")
	for i, c := range chunks {
		assert.Less(t, c.Begin, c.End, "chunk %d is empty", i)
		assert.LessOrEqual(t, c.End-c.Begin, maxBytes, "chunk %d is too long", i)
		assert.True(t, IsBoundary(text, c.Begin), "chunk %d starts inside a rune", i)
		assert.True(t, IsBoundary(text, c.End), "chunk %d ends inside a rune", i)
		if i == 0 {
			continue
		}
		prev := chunks[i-1]
		assert.Greater(t, c.Begin, prev.Begin, "chunk %d does not advance", i)
		assert.LessOrEqual(t, c.Begin, prev.End, "gap before chunk %d", i)
		if maxBytes-overlap >= 8 {
			assert.GreaterOrEqual(t, prev.End-c.Begin, overlap, "chunk %d overlaps too little", i)
		}
	}
}

func abs(n int) int {
	if n < 0 {
		if n == -n {
			return 0
		}
		return -n
	}
	return n
}
