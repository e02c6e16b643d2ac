// Package textenc finds the character encoding of plain text and decodes it
// to UTF-8.
//
// Uploads come from many systems, so text arrives as UTF-8, as UTF-16 with or
// without a byte order mark (exports from Windows tools), or in a legacy
// single-byte encoding (Latin-1 and Windows-1252 from older mail and office
// software). Detection tries them in that order:
//
//  1. A byte order mark names UTF-8, UTF-16LE or UTF-16BE.
//  2. Content with a zero byte, in which at least one in four code units
//     is an ASCII character in one byte order and hardly any in the other,
//     is UTF-16 without a byte order mark in that order.
//  3. Valid UTF-8 is UTF-8.
//  4. Invalid UTF-8 with at least as many valid multi-byte sequences as
//     invalid bytes is damaged UTF-8, whose invalid bytes become U+FFFD.
//     Single-byte text rarely forms a valid sequence by chance, because a
//     letter such as é (0xE9) would have to be followed by a byte from
//     0x80 to 0xBF, most of which are rare symbols in Windows-1252.
//  5. Anything else is Windows-1252, a superset of the printable part of
//     Latin-1, unless it holds one of the five bytes Windows-1252 leaves
//     undefined.
//
// Detection does not decide whether the result is text rather than binary
// data: callers check the decoded characters.
package textenc

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Charset names, as in the charset parameter of a MIME type.
const (
	UTF8        = "utf-8"
	UTF16LE     = "utf-16le"
	UTF16BE     = "utf-16be"
	Windows1252 = "windows-1252"
)

// Decode returns data as UTF-8 and the charset it was read in. When isPrefix
// is true, data is the start of a longer content, so a character cut by its
// end is dropped rather than counted as invalid. It returns ok false when
// data fits no supported encoding.
func Decode(data []byte, isPrefix bool) (text, charset string, ok bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		body := trimCutRune(data[3:], isPrefix)
		if !utf8.Valid(body) {
			return strings.ToValidUTF8(string(body), "\uFFFD"), UTF8, true
		}
		return string(body), UTF8, true
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return decodeUTF16(data[2:], binary.LittleEndian, UTF16LE, isPrefix)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeUTF16(data[2:], binary.BigEndian, UTF16BE, isPrefix)
	}

	// UTF-16 comes first because its zero bytes are valid UTF-8.
	if bytes.IndexByte(data, 0) >= 0 {
		if order, charset, found := utf16Order(data); found {
			return decodeUTF16(data, order, charset, isPrefix)
		}
	}
	body := trimCutRune(data, isPrefix)
	if utf8.Valid(body) {
		return string(body), UTF8, true
	}
	if isDamagedUTF8(body) {
		return strings.ToValidUTF8(string(body), "\uFFFD"), UTF8, true
	}
	return decodeWindows1252(data)
}

// trimCutRune drops a multi-byte sequence cut by the end of a prefix.
func trimCutRune(b []byte, isPrefix bool) []byte {
	if !isPrefix {
		return b
	}
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// decodeUTF16 decodes b in the given byte order. It fails on an odd byte or
// an unpaired surrogate that the end of a prefix does not explain.
func decodeUTF16(b []byte, order binary.ByteOrder, charset string, isPrefix bool) (string, string, bool) {
	if len(b)%2 == 1 {
		if !isPrefix {
			return "", "", false
		}
		b = b[:len(b)-1]
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = order.Uint16(b[2*i:])
	}
	if isPrefix && len(units) > 0 {
		if last := rune(units[len(units)-1]); utf16.IsSurrogate(last) && last < 0xDC00 {
			units = units[:len(units)-1]
		}
	}

	var sb strings.Builder
	sb.Grow(len(units))
	for i := 0; i < len(units); i++ {
		u := rune(units[i])
		if !utf16.IsSurrogate(u) {
			sb.WriteRune(u)
			continue
		}
		if i+1 >= len(units) {
			return "", "", false
		}
		r := utf16.DecodeRune(u, rune(units[i+1]))
		if r == utf8.RuneError {
			return "", "", false
		}
		sb.WriteRune(r)
		i++
	}
	return sb.String(), charset, true
}

// utf16Order recognises UTF-16 without a byte order mark by its ASCII
// characters, which have a zero high byte and a printable low byte: at least
// one in four code units must be one in the chosen byte order, and hardly any
// in the other.
func utf16Order(b []byte) (binary.ByteOrder, string, bool) {
	units := len(b) / 2
	if units < 2 {
		return nil, "", false
	}
	asciiLE, asciiBE := 0, 0
	for i := 0; i+1 < len(b); i += 2 {
		if b[i+1] == 0 && isASCIIText(b[i]) {
			asciiLE++
		}
		if b[i] == 0 && isASCIIText(b[i+1]) {
			asciiBE++
		}
	}
	switch {
	case asciiLE*4 >= units && asciiBE*20 < units:
		return binary.LittleEndian, UTF16LE, true
	case asciiBE*4 >= units && asciiLE*20 < units:
		return binary.BigEndian, UTF16BE, true
	}
	return nil, "", false
}

// isASCIIText reports whether c is a printable ASCII character, a tab or a
// line break.
func isASCIIText(c byte) bool {
	return c >= 0x20 && c <= 0x7E || c == '\t' || c == '\n' || c == '\r'
}

// isDamagedUTF8 reports whether b has valid multi-byte sequences and no
// more invalid bytes than those.
func isDamagedUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			invalid++
		} else {
			valid++
		}
		i += size
	}
	return valid > 0 && invalid <= valid
}

// decodeWindows1252 fails on the bytes that Windows-1252 leaves undefined
// (0x81, 0x8D, 0x8F, 0x90 and 0x9D), which do not occur in text in it.
func decodeWindows1252(b []byte) (string, string, bool) {
	for _, c := range b {
		switch c {
		case 0x81, 0x8D, 0x8F, 0x90, 0x9D:
			return "", "", false
		}
	}
	decoded, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return "", "", false
	}
	return string(decoded), Windows1252, true
}
