package textenc

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
)

func utf16Bytes(s string, order binary.AppendByteOrder, bom ...byte) []byte {
	b := append([]byte{}, bom...)
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return b
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		isPrefix bool
		text     string
		charset  string
	}{
		{"ascii", []byte("plain text"), false, "plain text", UTF8},
		{"utf-8", []byte("Grüße"), false, "Grüße", UTF8},
		{"utf-8 with BOM", []byte("\xef\xbb\xbfhi"), false, "hi", UTF8},
		{"utf-8 cut in a prefix", []byte("Gr\xc3"), true, "Gr", UTF8},
		{"utf-8 BOM and cut in a prefix", []byte("\xef\xbb\xbfGr\xc3"), true, "Gr", UTF8},
		{"damaged utf-8", []byte("\xc3\xa9t\xc3\xa9 \xff"), false, "été \uFFFD", UTF8},
		{"utf-16le BOM", utf16Bytes("hé 😀", binary.LittleEndian, 0xFF, 0xFE), false, "hé 😀", UTF16LE},
		{"utf-16be BOM", utf16Bytes("hé 😀", binary.BigEndian, 0xFE, 0xFF), false, "hé 😀", UTF16BE},
		{"utf-16le no BOM", utf16Bytes("mail jane@example.com", binary.LittleEndian), false, "mail jane@example.com", UTF16LE},
		{"utf-16be no BOM", utf16Bytes("mail jane@example.com", binary.BigEndian), false, "mail jane@example.com", UTF16BE},
		{"utf-16le no BOM, mostly CJK", utf16Bytes("世界世界 ok", binary.LittleEndian), false, "世界世界 ok", UTF16LE},
		{"utf-16le surrogate cut in a prefix", utf16Bytes("ok 😀", binary.LittleEndian, 0xFF, 0xFE)[:10], true, "ok ", UTF16LE},
		{"utf-16le odd byte in a prefix", utf16Bytes("okay", binary.LittleEndian, 0xFF, 0xFE)[:7], true, "ok", UTF16LE},
		{"latin-1", []byte("na\xefve caf\xe9"), false, "naïve café", Windows1252},
		{"windows-1252 punctuation", []byte("\x93hi\x94 \x96 \x80"), false, "“hi” – €", Windows1252},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, charset, ok := Decode(tt.data, tt.isPrefix)

			assert.True(t, ok)
			assert.Equal(t, tt.text, text)
			assert.Equal(t, tt.charset, charset)
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"undefined windows-1252 byte", []byte("caf\xe9 \x8d")},
		{"utf-16 BOM with odd length", []byte("\xff\xfeh\x00i")},
		{"utf-16 BOM with unpaired surrogate", []byte("\xff\xfe\x00\xd8a\x00")},
		{"utf-16 BOM with surrogate at the end", []byte("\xff\xfea\x00\x00\xd8")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, ok := Decode(tt.data, false)

			assert.False(t, ok)
		})
	}
}

// TestDecodeNULIsNotUTF16 checks that zero bytes on both sides of the code
// units, as in binary data, do not pass for UTF-16.
func TestDecodeNULIsNotUTF16(t *testing.T) {
	data := []byte("a\x00\x00b\x00\x00cd")

	text, charset, ok := Decode(data, false)

	assert.True(t, ok)
	assert.Equal(t, UTF8, charset)
	assert.Equal(t, string(data), text)
}

func TestDecodeLongLatin1(t *testing.T) {
	data := []byte(strings.Repeat("Stra\xdfe \xe0 M\xfcnchen, ", 1000))

	text, charset, ok := Decode(data, false)

	assert.True(t, ok)
	assert.Equal(t, Windows1252, charset)
	assert.True(t, strings.HasPrefix(text, "Straße à München, "))
}

// TestDecodeBinaryIsNotUTF16 checks that a repeated binary pattern with zero
// bytes on one side of each code unit is not taken for UTF-16.
func TestDecodeBinaryIsNotUTF16(t *testing.T) {
	data := bytes.Repeat([]byte{0x00, 0xff, 0x13, 0x37}, 256)

	_, charset, _ := Decode(data, false)

	assert.NotEqual(t, UTF16BE, charset)
	assert.NotEqual(t, UTF16LE, charset)
}
