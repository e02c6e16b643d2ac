package media

import "bytes"

// sniffMP3 recognises MPEG audio by an ID3v2 tag or by two consecutive
// valid frame headers at the start. One frame header alone is 11 set bits
// plus a few valid fields, which random bytes match about once in 10,000
// heads, so the second header is what rules out noise.
func sniffMP3(head []byte) (Sniffed, bool) {
	if tagLen, ok := id3v2Length(head); ok {
		// FLAC files may carry an ID3v2 tag too.
		if tagLen+4 <= len(head) && bytes.HasPrefix(head[tagLen:], []byte("fLaC")) {
			return recognised(Audio, "audio/flac", "flac"), true
		}
		return recognised(Audio, "audio/mpeg", "mp3"), true
	}

	first, ok := parseFrameHeader(head)
	if !ok || first.length <= 4 || first.length+4 > len(head) {
		return Sniffed{}, false
	}
	second, ok := parseFrameHeader(head[first.length:])
	if !ok || second.layer != first.layer || second.version != first.version {
		return Sniffed{}, false
	}
	return recognised(Audio, "audio/mpeg", layerFormats[first.layer]), true
}

// id3v2Length returns the length of the ID3v2 tag at the start of head,
// header and optional footer included.
func id3v2Length(head []byte) (int, bool) {
	if len(head) < 10 || !bytes.HasPrefix(head, []byte("ID3")) {
		return 0, false
	}
	if head[3] < 2 || head[3] > 4 || head[4] == 0xFF {
		return 0, false
	}

	// The tag size is a 28-bit "syncsafe" integer: 7 bits per byte.
	size := 0
	for _, b := range head[6:10] {
		if b >= 0x80 {
			return 0, false
		}
		size = size<<7 | int(b)
	}
	length := 10 + size
	const footerFlag = 0x10
	if head[5]&footerFlag != 0 {
		length += 10
	}
	return length, true
}

// frameHeader is the part of an MPEG audio frame header that Sniff checks.
type frameHeader struct {
	version int // 0 for MPEG 2.5, 2 for MPEG 2, 3 for MPEG 1
	layer   int // 1, 2 or 3
	length  int // frame length in bytes, header included
}

var layerFormats = map[int]string{1: "mp1", 2: "mp2", 3: "mp3"}

// bitrates in kbit/s by table and index 1 to 14; index 0 ("free") and 15
// are rejected before the lookup.
var bitrates = [5][15]int{
	{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448}, // MPEG 1 layer 1
	{0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},    // MPEG 1 layer 2
	{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},     // MPEG 1 layer 3
	{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},    // MPEG 2 and 2.5 layer 1
	{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},         // MPEG 2 and 2.5 layers 2 and 3
}

// sampleRates in Hz by version bits and index.
var sampleRates = map[int][3]int{
	3: {44100, 48000, 32000},
	2: {22050, 24000, 16000},
	0: {11025, 12000, 8000},
}

func parseFrameHeader(b []byte) (frameHeader, bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return frameHeader{}, false
	}
	version := int(b[1]>>3) & 3
	layerBits := int(b[1]>>1) & 3
	bitrateIndex := int(b[2] >> 4)
	rateIndex := int(b[2]>>2) & 3
	padding := int(b[2]>>1) & 1
	const reservedEmphasis = 2
	if version == 1 || layerBits == 0 || bitrateIndex == 0 || bitrateIndex == 15 ||
		rateIndex == 3 || int(b[3]&3) == reservedEmphasis {
		return frameHeader{}, false
	}
	layer := 4 - layerBits

	table := 4
	switch {
	case version == 3:
		table = layer - 1
	case layer == 1:
		table = 3
	}
	bitrate := bitrates[table][bitrateIndex] * 1000
	rate := sampleRates[version][rateIndex]

	var length int
	switch {
	case layer == 1:
		length = (12*bitrate/rate + padding) * 4
	case layer == 3 && version != 3:
		length = 72*bitrate/rate + padding
	default:
		length = 144*bitrate/rate + padding
	}
	return frameHeader{version: version, layer: layer, length: length}, true
}
