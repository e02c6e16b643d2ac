package media

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// maxControlPercent is the share of control characters, in percent of all
// characters, above which content counts as binary. Tabs, line breaks and
// form feeds are not counted.
const maxControlPercent = 1

// sniffText accepts UTF-8 with or without a byte order mark, and UTF-16 with
// one. When headIsPrefix is true the head may end inside a character.
func sniffText(head []byte, headIsPrefix bool) (Sniffed, bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return textIf(utf8Runes(head[3:], headIsPrefix), "utf-8")
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return textIf(utf16Runes(head[2:], binary.LittleEndian, headIsPrefix), "utf-16le")
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return textIf(utf16Runes(head[2:], binary.BigEndian, headIsPrefix), "utf-16be")
	default:
		return textIf(utf8Runes(head, headIsPrefix), "utf-8")
	}
}

func textIf(runes []rune, charset string) (Sniffed, bool) {
	if runes == nil || !looksLikeText(runes) {
		return Sniffed{}, false
	}
	return recognised(Text, "text/plain; charset="+charset, "text"), true
}

// utf8Runes decodes b, or returns nil when b is not valid UTF-8. A rune cut
// by the end of b is dropped when b is a prefix of the content.
func utf8Runes(b []byte, isPrefix bool) []rune {
	if isPrefix {
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	if !utf8.Valid(b) {
		return nil
	}
	runes := []rune(string(b))
	if runes == nil {
		runes = []rune{}
	}
	return runes
}

// utf16Runes decodes b as UTF-16 in the given byte order, or returns nil when
// it holds an odd byte or an unpaired surrogate that the end of a prefix
// does not explain.
func utf16Runes(b []byte, order binary.ByteOrder, isPrefix bool) []rune {
	if len(b)%2 == 1 {
		if !isPrefix {
			return nil
		}
		b = b[:len(b)-1]
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = order.Uint16(b[2*i:])
	}
	if isPrefix && len(units) > 0 && utf16.IsSurrogate(rune(units[len(units)-1])) &&
		units[len(units)-1] < 0xDC00 {
		units = units[:len(units)-1]
	}

	runes := make([]rune, 0, len(units))
	for i := 0; i < len(units); i++ {
		u := rune(units[i])
		if !utf16.IsSurrogate(u) {
			runes = append(runes, u)
			continue
		}
		if i+1 >= len(units) {
			return nil
		}
		r := utf16.DecodeRune(u, rune(units[i+1]))
		if r == utf8.RuneError {
			return nil
		}
		runes = append(runes, r)
		i++
	}
	return runes
}

// looksLikeText rejects content with a NUL character or with more than
// maxControlPercent control characters.
func looksLikeText(runes []rune) bool {
	controls := 0
	for _, r := range runes {
		switch {
		case r == 0:
			return false
		case r == '\t', r == '\n', r == '\r', r == '\f':
		case r < 0x20, r == 0x7F, r >= 0x80 && r <= 0x9F:
			controls++
		}
	}
	return controls*100 <= len(runes)*maxControlPercent
}
