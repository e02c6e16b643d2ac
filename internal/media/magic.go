package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

func sniffImage(head []byte) (Sniffed, bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return recognised(Image, "image/jpeg", "jpeg"), true
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return recognised(Image, "image/png", "png"), true
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return recognised(Image, "image/gif", "gif"), true
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return recognised(Image, "image/tiff", "tiff"), true
	}
	return Sniffed{}, false
}

// sniffRIFF recognises the RIFF containers by their form type at offset 8.
func sniffRIFF(head []byte) (Sniffed, bool) {
	if len(head) < 12 || !bytes.HasPrefix(head, []byte("RIFF")) {
		return Sniffed{}, false
	}
	switch form := string(head[8:12]); form {
	case "WEBP":
		return recognised(Image, "image/webp", "webp"), true
	case "AVI ":
		return recognised(Video, "video/x-msvideo", "avi"), true
	case "WAVE":
		return recognised(Audio, "audio/wav", "wav"), true
	default:
		return unsupported(fmt.Sprintf("RIFF container of form %q is not supported", printable(form))), true
	}
}

// brand describes what an ISO base media file format brand implies.
type brand struct {
	t       Type
	mime    string
	format  string
	generic bool // a brand that many kinds of file list, so a more specific one wins
}

// brands maps ftyp brands to the content they announce.
var brands = map[string]brand{
	"heic": {Image, "image/heic", "heic", false},
	"heix": {Image, "image/heic", "heic", false},
	"heim": {Image, "image/heic", "heic", false},
	"heis": {Image, "image/heic", "heic", false},
	"hevc": {Image, "image/heic-sequence", "heic", false},
	"hevx": {Image, "image/heic-sequence", "heic", false},
	"avif": {Image, "image/avif", "avif", false},
	"avis": {Image, "image/avif", "avif", false},
	"mif1": {Image, "image/heif", "heif", true},
	"msf1": {Image, "image/heif-sequence", "heif", true},
	"qt  ": {Video, "video/quicktime", "mov", false},
	"M4V ": {Video, "video/x-m4v", "m4v", false},
	"M4VH": {Video, "video/x-m4v", "m4v", false},
	"M4VP": {Video, "video/x-m4v", "m4v", false},
	"M4A ": {Audio, "audio/mp4", "m4a", false},
	"M4B ": {Audio, "audio/mp4", "m4a", false},
	"3gp4": {Video, "video/3gpp", "3gp", false},
	"3gp5": {Video, "video/3gpp", "3gp", false},
	"3gp6": {Video, "video/3gpp", "3gp", false},
	"3g2a": {Video, "video/3gpp2", "3g2", false},
	"isom": {Video, "video/mp4", "mp4", true},
	"iso2": {Video, "video/mp4", "mp4", true},
	"iso4": {Video, "video/mp4", "mp4", true},
	"iso5": {Video, "video/mp4", "mp4", true},
	"iso6": {Video, "video/mp4", "mp4", true},
	"mp41": {Video, "video/mp4", "mp4", true},
	"mp42": {Video, "video/mp4", "mp4", true},
	"avc1": {Video, "video/mp4", "mp4", true},
	"dash": {Video, "video/mp4", "mp4", true},
	"mmp4": {Video, "video/mp4", "mp4", true},
	"MSNV": {Video, "video/mp4", "mp4", true},
}

// sniffISOBMFF recognises MP4, MOV, M4A, HEIC, AVIF and their relatives by
// the brands in the leading ftyp box.
func sniffISOBMFF(head []byte) (Sniffed, bool) {
	if len(head) < 12 {
		return Sniffed{}, false
	}

	// QuickTime files written before the ftyp box existed start with one of
	// these atoms.
	switch string(head[4:8]) {
	case "moov", "mdat", "wide", "pnot":
		return recognised(Video, "video/quicktime", "mov"), true
	case "ftyp":
	default:
		return Sniffed{}, false
	}

	boxSize := int(binary.BigEndian.Uint32(head[0:4]))
	if boxSize < 16 {
		return Sniffed{}, false
	}
	major := string(head[8:12])

	if b, ok := brands[major]; ok && !b.generic {
		return recognised(b.t, b.mime, b.format), true
	}

	// The compatible brands follow the major brand and the minor version.
	end := min(boxSize, len(head))
	var fallback *brand
	for off := 16; off+4 <= end; off += 4 {
		b, ok := brands[string(head[off:off+4])]
		if !ok {
			continue
		}
		if !b.generic {
			return recognised(b.t, b.mime, b.format), true
		}
		if fallback == nil {
			fallback = &b
		}
	}

	if b, ok := brands[major]; ok {
		return recognised(b.t, b.mime, b.format), true
	}
	if fallback != nil {
		return recognised(fallback.t, fallback.mime, fallback.format), true
	}
	return unsupported(fmt.Sprintf("ISO base media file of brand %q is not supported", printable(major))), true
}

// sniffMatroska distinguishes WebM from other Matroska files by the DocType in the
// EBML header, which muxers write within the first few dozen bytes.
func sniffMatroska(head []byte) (Sniffed, bool) {
	if !bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}) {
		return Sniffed{}, false
	}
	header := head[:min(len(head), 64)]
	if bytes.Contains(header, []byte("webm")) {
		return recognised(Video, "video/webm", "webm"), true
	}
	return recognised(Video, "video/x-matroska", "mkv"), true
}

func sniffAudio(head []byte) (Sniffed, bool) {
	switch {
	case bytes.HasPrefix(head, []byte("fLaC")):
		return recognised(Audio, "audio/flac", "flac"), true
	case bytes.HasPrefix(head, []byte("OggS\x00")):
		// The first page carries the codec's identification header.
		if bytes.Contains(head, []byte("\x80theora")) {
			return recognised(Video, "video/ogg", "ogg"), true
		}
		return recognised(Audio, "audio/ogg", "ogg"), true
	}
	return Sniffed{}, false
}

// pdfHeaderWindow is how far into a file, in bytes, Sniff looks for
// "%PDF-", because PDF readers accept junk before the header.
const pdfHeaderWindow = 1024

func sniffPDF(head []byte) (Sniffed, bool) {
	if bytes.Contains(head[:min(len(head), pdfHeaderWindow)], []byte("%PDF-")) {
		return recognised(Document, "application/pdf", "pdf"), true
	}
	return Sniffed{}, false
}

// otherFormats are recognised only to give a clearer reason than
// "unrecognised content".
var otherFormats = []struct {
	magic string
	name  string
}{
	{"\x1f\x8b\x08", "gzip archive"},
	{"7z\xbc\xaf\x27\x1c", "7-Zip archive"},
	{"Rar!\x1a\x07", "RAR archive"},
	{"\x7fELF", "ELF executable"},
	{"8BPS", "Photoshop document"},
	{"\xff\x0a", "JPEG XL image"},
	{"\x00\x00\x00\x0cJXL ", "JPEG XL image"},
}

func sniffOther(head []byte) (Sniffed, bool) {
	for _, f := range otherFormats {
		if bytes.HasPrefix(head, []byte(f.magic)) {
			return unsupported(f.name + " is not supported"), true
		}
	}
	return Sniffed{}, false
}

// sniffBMP requires, besides "BM", zero reserved fields and a known DIB
// header size, because two bytes alone occur in one of 65,536 random heads.
func sniffBMP(head []byte) (Sniffed, bool) {
	if len(head) < 18 || !bytes.HasPrefix(head, []byte("BM")) {
		return Sniffed{}, false
	}
	if binary.LittleEndian.Uint32(head[6:10]) != 0 {
		return Sniffed{}, false
	}
	switch binary.LittleEndian.Uint32(head[14:18]) {
	case 12, 40, 52, 56, 64, 108, 124:
		return recognised(Image, "image/bmp", "bmp"), true
	}
	return Sniffed{}, false
}

// printable replaces bytes outside printable ASCII so that a reason built
// from file bytes stays readable.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}
