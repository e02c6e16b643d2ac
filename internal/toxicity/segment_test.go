package toxicity

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestSplit(t *testing.T) {
	// Sentences of 100 bytes each. A segment ends after "end." and its
	// following space starts the next segment.
	many := strings.Repeat(strings.Repeat("word ", 19)+"end. ", 25)
	tests := []struct {
		name     string
		text     string
		maxBytes int
		want     []string
	}{
		{"empty", "", 1024, nil},
		{"short", "Hello there.", 1024, []string{"Hello there."}},
		{"exactly max", "abcd", 4, []string{"abcd"}},
		{"sentence boundary", "One two. Three four.", 12, []string{"One two.", " Three four."}},
		{"question and exclamation", "Why? Yes! No.", 9, []string{"Why? Yes!", " No."}},
		{"line break", "first line\nsecond", 12, []string{"first line\n", "second"}},
		{"period inside word is not an end", "v1.2 is out now", 8, []string{"v1.2 is ", "out now"}},
		{"long sentence at space", "aaaa bbbb cccc", 10, []string{"aaaa bbbb ", "cccc"}},
		{"no spaces", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"two-byte runes", "éééé", 5, []string{"éé", "éé"}},
		{"four-byte runes", "😀😀", 6, []string{"😀", "😀"}},
		{"max raised to UTFMax", "😀😀", 1, []string{"😀", "😀"}},
		{"many sentences", many, 1024, []string{many[:999], many[999:1999], many[1999:]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Split(tt.text, tt.maxBytes))
		})
	}
}

func TestSplitInvariants(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"prose", strings.Repeat("The quick brown fox jumps over the lazy dog. ", 500)},
		{"no spaces", strings.Repeat("x", 10_000)},
		{"multibyte without spaces", strings.Repeat("日本語", 2_000)},
		{"mixed scripts", strings.Repeat("Ünïcödé テキスト and text! ", 300)},
		{"invalid UTF-8", strings.Repeat("\x80\x80\x80\x80\xff", 1_000)},
		{"long word then sentences", strings.Repeat("y", 3_000) + strings.Repeat(" Short one.", 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segments := Split(tt.text, MaxSegmentBytes)

			assert.Equal(t, tt.text, strings.Join(segments, ""), "segments concatenate to the text")
			for i, segment := range segments {
				assert.LessOrEqual(t, len(segment), MaxSegmentBytes, "segment %d", i)
				assert.NotEmpty(t, segment, "segment %d", i)
				if utf8.ValidString(tt.text) {
					assert.True(t, utf8.ValidString(segment), "segment %d is valid UTF-8", i)
				}
			}
		})
	}
}
