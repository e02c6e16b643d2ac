package media

import (
	"github.com/moderato/moderato/internal/textenc"
)

// maxControlPercent is the share of control characters, in percent of all
// characters, above which content counts as binary. Tabs, line breaks and
// form feeds are not counted.
const maxControlPercent = 1

// sniffText accepts text in the encodings package textenc detects: UTF-8,
// UTF-16 with or without a byte order mark, and Windows-1252. When
// headIsPrefix is true the head may end inside a character.
func sniffText(head []byte, headIsPrefix bool) (Sniffed, bool) {
	text, charset, ok := textenc.Decode(head, headIsPrefix)
	if !ok || !looksLikeText(text) {
		return Sniffed{}, false
	}
	return recognised(Text, "text/plain; charset="+charset, "text"), true
}

// looksLikeText rejects content with a NUL character or with more than
// maxControlPercent control characters.
func looksLikeText(text string) bool {
	controls, count := 0, 0
	for _, r := range text {
		count++
		switch {
		case r == 0:
			return false
		case r == '\t', r == '\n', r == '\r', r == '\f':
		case r < 0x20, r == 0x7F, r >= 0x80 && r <= 0x9F:
			controls++
		}
	}
	return controls*100 <= count*maxControlPercent
}
