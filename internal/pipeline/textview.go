package pipeline

import (
	"html"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/moderato/moderato/internal/pii"
)

// maxReferenceLen bounds the length of an HTML character reference, from
// "&" to ";". The longest named reference in HTML5,
// "&CounterClockwiseContourIntegral;", is 33 bytes.
const maxReferenceLen = 40

// TextView is the text the engines analyse: the item's text with HTML
// character references decoded ("&#64;" becomes "@") and invisible format
// characters removed (zero-width space and joiners, word joiner, soft
// hyphen, byte order mark). Both hide PII and profanity from pattern
// matching while a reader or a browser still sees the plain word.
//
// Offsets found in the view map back to the original text through the
// edits, so the redacted copy and the stored detections refer to the
// original.
type TextView struct {
	Text  string
	edits []viewEdit // in text order, empty when text is the original
}

// viewEdit is one decoded reference or removed character: the bytes
// [originalStart, originalEnd) of the original became [viewStart, viewEnd)
// of the view, an empty range for a removal. Byte offsets.
type viewEdit struct {
	viewStart, viewEnd         int
	originalStart, originalEnd int
}

// NewTextView builds the view of original. Text without a reference or a
// format character is its own view, and costs one scan.
func NewTextView(original string) TextView {
	if !needsView(original) {
		return TextView{Text: original}
	}

	var sb strings.Builder
	sb.Grow(len(original))
	var edits []viewEdit
	for i := 0; i < len(original); {
		c := original[i]
		if c == '&' {
			if decoded, n := decodeReference(original[i:]); n > 0 {
				start := sb.Len()
				sb.WriteString(decoded)
				edits = append(edits, viewEdit{start, sb.Len(), i, i + n})
				i += n
				continue
			}
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(original[i:])
			if isInvisibleFormat(r) {
				edits = append(edits, viewEdit{sb.Len(), sb.Len(), i, i + size})
				i += size
				continue
			}
			sb.WriteString(original[i : i+size])
			i += size
			continue
		}
		sb.WriteByte(c)
		i++
	}
	return TextView{Text: sb.String(), edits: edits}
}

// needsView reports whether s has an ampersand or the lead byte of a format
// character that NewTextView removes.
func needsView(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			return true
		case 0xC2, 0xE2, 0xEF: // lead bytes of U+00AD, U+200B to U+2064, and U+FEFF
			r, _ := utf8.DecodeRuneInString(s[i:])
			if isInvisibleFormat(r) {
				return true
			}
		}
	}
	return false
}

func isInvisibleFormat(r rune) bool {
	switch {
	case r == 0x00AD, r == 0xFEFF:
		return true
	case r >= 0x200B && r <= 0x200D:
		return true
	case r >= 0x2060 && r <= 0x2064:
		return true
	}
	return false
}

// decodeReference decodes the HTML character reference at the start of s
// and returns its text and length in s, or a length of 0 when s does not
// start with one. Numeric references may omit the semicolon, because
// browsers accept them without one. Named ones need it.
func decodeReference(s string) (string, int) {
	if len(s) < 3 {
		return "", 0
	}
	end := 1
	if s[1] == '#' {
		end = 2
		hex := end < len(s) && (s[end] == 'x' || s[end] == 'X')
		if hex {
			end++
		}
		digits := end
		for end < len(s) && end-digits < 8 && isReferenceDigit(s[end], hex) {
			end++
		}
		if end == digits || end < len(s) && isReferenceDigit(s[end], hex) {
			return "", 0
		}
	} else {
		for end < len(s) && end < maxReferenceLen && isASCIIAlphanumeric(s[end]) {
			end++
		}
		if end == 1 || end >= len(s) || s[end] != ';' {
			return "", 0
		}
	}
	if end < len(s) && s[end] == ';' {
		end++
	}

	decoded := html.UnescapeString(s[:end])
	if decoded == s[:end] {
		return "", 0
	}
	return decoded, end
}

func isReferenceDigit(c byte, hex bool) bool {
	if c >= '0' && c <= '9' {
		return true
	}
	return hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')
}

func isASCIIAlphanumeric(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// original maps a byte offset of the view to the original text. An offset
// inside the text of a decoded reference maps to the start of the reference
// when it begins an entity and to its end when it ends one, so that the
// entity covers the whole reference.
func (v TextView) original(offset int, isEnd bool) int {
	i := sort.Search(len(v.edits), func(i int) bool { return v.edits[i].viewEnd > offset })
	if i < len(v.edits) && v.edits[i].viewStart < offset {
		if isEnd {
			return v.edits[i].originalEnd
		}
		return v.edits[i].originalStart
	}
	if i == 0 {
		return offset
	}
	e := v.edits[i-1]
	return e.originalEnd + offset - e.viewEnd
}

// OriginalEntities maps entities found in the view to the original text.
func (v TextView) OriginalEntities(entities []pii.Entity) []pii.Entity {
	if len(v.edits) == 0 {
		return entities
	}
	mapped := make([]pii.Entity, len(entities))
	for i, e := range entities {
		e.Begin = v.original(e.Begin, false)
		e.End = max(v.original(e.End, true), e.Begin)
		mapped[i] = e
	}
	return mapped
}
