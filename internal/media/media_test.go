package media

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const samplesDir = "../../samples"

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samplesDir, name))
	require.NoError(t, err, "run `go run ./test/samplegen` from the repository root to create the samples")
	return data
}

// sniffWhole sniffs data as a complete object, reading at most SniffLen
// bytes as a ranged GET would.
func sniffWhole(data []byte) Sniffed {
	return Sniff(data[:min(len(data), SniffLen)], int64(len(data)))
}

func TestSniffSamples(t *testing.T) {
	tests := []struct {
		file   string
		typ    Type
		mime   string
		format string
		reason string
	}{
		{"images/photo-exif-rotated.jpg", Image, "image/jpeg", "jpeg", ""},
		{"images/graphic.png", Image, "image/png", "png", ""},
		{"images/animated.gif", Image, "image/gif", "gif", ""},
		{"images/pattern.bmp", Image, "image/bmp", "bmp", ""},
		{"images/pattern.tiff", Image, "image/tiff", "tiff", ""},
		{"images/tiny-40x40.png", Image, "image/png", "png", ""},
		{"bad/empty.txt", Unsupported, "application/octet-stream", "", "empty object (0 bytes)"},
		{"bad/truncated.jpg", Image, "image/jpeg", "jpeg", ""},
		{"bad/random.bin", Unsupported, "application/octet-stream", "", "unrecognised content"},
		{"bad/image-bomb.png", Image, "image/png", "png", ""},
		{"bad/fake-image.jpg", Text, "text/plain; charset=utf-8", "text", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := sniffWhole(readSample(t, tt.file))

			assert.Equal(t, tt.typ, got.Type)
			assert.Equal(t, tt.mime, got.MIME)
			assert.Equal(t, tt.format, got.Format)
			assert.Equal(t, tt.reason, got.Reason)
		})
	}
}

func TestSniffSynthetic(t *testing.T) {
	tests := []struct {
		name   string
		head   []byte
		typ    Type
		format string
		mime   string
	}{
		{"tiff little endian", pad("II*\x00\x08\x00\x00\x00"), Image, "tiff", "image/tiff"},
		{"tiff big endian", pad("MM\x00*\x00\x00\x00\x08"), Image, "tiff", "image/tiff"},
		{"webp", pad("RIFF\x24\x00\x00\x00WEBPVP8 "), Image, "webp", "image/webp"},
		{"wav", pad("RIFF\x24\x00\x00\x00WAVEfmt "), Audio, "wav", "audio/wav"},
		{"avi", pad("RIFF\x24\x00\x00\x00AVI LIST"), Video, "avi", "video/x-msvideo"},
		{"heic", ftyp("heic", "mif1", "heic"), Image, "heic", "image/heic"},
		{"heic behind generic major brand", ftyp("mif1", "mif1", "heic"), Image, "heic", "image/heic"},
		{"heif generic", ftyp("mif1", "mif1"), Image, "heif", "image/heif"},
		{"avif", ftyp("avif", "avif", "mif1", "miaf"), Image, "avif", "image/avif"},
		{"avif behind generic major brand", ftyp("mif1", "mif1", "avif"), Image, "avif", "image/avif"},
		{"mp4", ftyp("isom", "isom", "iso2", "avc1", "mp41"), Video, "mp4", "video/mp4"},
		{"mp4 unknown major brand", ftyp("XAVC", "XAVC", "mp42", "iso2"), Video, "mp4", "video/mp4"},
		{"mov", ftyp("qt  ", "qt  "), Video, "mov", "video/quicktime"},
		{"mov without ftyp", pad("\x00\x00\x00\x08wide\x00\x00\x00\x10mdat"), Video, "mov", "video/quicktime"},
		{"m4v", ftyp("M4V ", "M4V ", "M4A ", "mp42", "isom"), Video, "m4v", "video/x-m4v"},
		{"m4a", ftyp("M4A ", "M4A ", "mp42", "isom"), Audio, "m4a", "audio/mp4"},
		{"3gp", ftyp("3gp5", "3gp5", "isom"), Video, "3gp", "video/3gpp"},
		{"webm", ebml("webm"), Video, "webm", "video/webm"},
		{"mkv", ebml("matroska"), Video, "mkv", "video/x-matroska"},
		{"mp3 with ID3v2", pad("ID3\x04\x00\x00\x00\x00\x02\x01TIT2"), Audio, "mp3", "audio/mpeg"},
		{"mp3 frames", mp3Frames(3), Audio, "mp3", "audio/mpeg"},
		{"flac", pad("fLaC\x00\x00\x00\x22"), Audio, "flac", "audio/flac"},
		{"flac with ID3v2", pad("ID3\x03\x00\x00\x00\x00\x00\x00fLaC"), Audio, "flac", "audio/flac"},
		{"ogg vorbis", pad("OggS\x00\x02" + strings.Repeat("\x00", 22) + "\x01vorbis"), Audio, "ogg", "audio/ogg"},
		{"ogg theora", pad("OggS\x00\x02" + strings.Repeat("\x00", 22) + "\x80theora"), Video, "ogg", "video/ogg"},
		{"pdf", pad("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), Document, "pdf", "application/pdf"},
		{"pdf after junk", pad(strings.Repeat("\x00", 600) + "%PDF-1.4\n"), Document, "pdf", "application/pdf"},
		{"docx", zipWith(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml"), Document, "docx",
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"xlsx", zipWith(t, "[Content_Types].xml", "xl/workbook.xml"), Document, "xlsx",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"pptx", zipWith(t, "[Content_Types].xml", "ppt/presentation.xml"), Document, "pptx",
			"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
		{"odt", odfZip(t, "application/vnd.oasis.opendocument.text"), Document, "odt",
			"application/vnd.oasis.opendocument.text"},
		{"utf-8", []byte("Hello, world.\nSecond line.\n"), Text, "text", "text/plain; charset=utf-8"},
		{"utf-8 with BOM", []byte("\xef\xbb\xbfCaf\xc3\xa9 cr\xc3\xa8me"), Text, "text", "text/plain; charset=utf-8"},
		{"utf-16le with BOM", utf16Bytes("Grüße, 世界\r\n", binary.LittleEndian, []byte{0xFF, 0xFE}), Text, "text",
			"text/plain; charset=utf-16le"},
		{"utf-16be with BOM", utf16Bytes("Grüße, 世界 😀\n", binary.BigEndian, []byte{0xFE, 0xFF}), Text, "text",
			"text/plain; charset=utf-16be"},
		{"latin-1", []byte("caf\xe9 cr\xe8me"), Text, "text", "text/plain; charset=windows-1252"},
		{"windows-1252 quotes", []byte("\x93quoted\x94 \x80 5"), Text, "text", "text/plain; charset=windows-1252"},
		{"utf-8 cut at the end of the whole object", []byte("caf\xc3"), Text, "text",
			"text/plain; charset=windows-1252"},
		{"utf-8 with one damaged byte", []byte("Gr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln, \xc3\xa9t\xc3\xa9 \xff \xc3\xa0 Paris"), Text, "text",
			"text/plain; charset=utf-8"},
		{"utf-16le without BOM", utf16Bytes("Call me at 555-0100, thanks.\r\n", binary.LittleEndian, nil), Text, "text",
			"text/plain; charset=utf-16le"},
		{"utf-16be without BOM", utf16Bytes("Grüße, 世界, hello there\n", binary.BigEndian, nil), Text, "text",
			"text/plain; charset=utf-16be"},
		{"svg is text", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>`), Text, "text",
			"text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sniffWhole(tt.head)

			assert.Equal(t, tt.typ, got.Type)
			assert.Equal(t, tt.format, got.Format)
			assert.Equal(t, tt.mime, got.MIME)
			assert.Empty(t, got.Reason)
			assert.True(t, got.Supported())
		})
	}
}

func TestSniffUnsupported(t *testing.T) {
	controls := strings.Repeat("abc\x1b\x07", 20)
	tests := []struct {
		name   string
		head   []byte
		size   int64
		reason string
	}{
		{"empty object", nil, 0, "empty object (0 bytes)"},
		{"no bytes of a non-empty object", nil, 100, "no content bytes were read from a non-empty object"},
		{"plain zip", zipWith(t, "notes/a.txt", "notes/b.txt"), -1, "ZIP archive is not supported"},
		{"ooxml of unknown kind", zipWith(t, "[Content_Types].xml", "visio/document.xml"), -1,
			"Office Open XML package of an unknown kind is not supported"},
		{"epub", odfZip(t, "application/epub+zip"), -1, "EPUB e-book is not supported"},
		{"gzip", pad("\x1f\x8b\x08\x00\x00\x00\x00\x00"), -1, "gzip archive is not supported"},
		{"unknown riff form", pad("RIFF\x24\x00\x00\x00CDXAfmt "), -1, `RIFF container of form "CDXA" is not supported`},
		{"unknown ftyp brand", ftyp("abcd", "efgh"), -1, `ISO base media file of brand "abcd" is not supported`},
		{"single mp3 frame header", pad("\xff\xfb\x90\x00"), -1, "unrecognised content"},
		{"nul byte in text", []byte("hello\x00world"), 11, "unrecognised content"},
		{"too many control characters", []byte(controls), int64(len(controls)), "unrecognised content"},
		{"undefined windows-1252 byte", []byte("caf\xe9 \x81cr\xe8me"), 11, "unrecognised content"},
		{"utf-16le without BOM and with NUL", []byte("h\x00\x00\x00i\x00"), 6, "unrecognised content"},
		{"utf-16 with odd length", []byte("\xff\xfeh\x00i"), 5, "unrecognised content"},
		{"utf-16 unpaired surrogate", []byte("\xff\xfe\x00\xd8a\x00"), 6, "unrecognised content"},
		{"bm without dib header", pad("BMxxxxxxxxxxxxxxxxxx"), -1, "unrecognised content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sniff(tt.head, tt.size)

			assert.Equal(t, Unsupported, got.Type)
			assert.Equal(t, "application/octet-stream", got.MIME)
			assert.Empty(t, got.Format)
			assert.Equal(t, tt.reason, got.Reason)
			assert.False(t, got.Supported())
		})
	}
}

func TestSniffTextCutByHead(t *testing.T) {
	full := []byte(strings.Repeat("Grüße aus Köln. ", 600)) // longer than SniffLen
	require.Greater(t, len(full), SniffLen)

	tests := []struct {
		name string
		head []byte
		size int64
	}{
		{"utf-8 cut inside a rune", cutInsideRune(t, full), int64(len(full))},
		{"utf-8 cut with unknown size", cutInsideRune(t, full), -1},
		{"head longer than SniffLen", append(full[:SniffLen:SniffLen], 0xff, 0x00), int64(len(full) + 2)},
		{"utf-16le cut inside a surrogate pair", utf16Bytes("ok 😀", binary.LittleEndian, []byte{0xFF, 0xFE})[:10], 100},
		{"utf-16le cut inside a code unit", utf16Bytes("okay", binary.LittleEndian, []byte{0xFF, 0xFE})[:7], 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sniff(tt.head, tt.size)

			assert.Equal(t, Text, got.Type)
			assert.Empty(t, got.Reason)
		})
	}
}

// TestSniffRandomHeads checks the weak signatures (MP3 frame sync, BMP,
// text) against random bytes, where a match would be a false positive.
func TestSniffRandomHeads(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	head := make([]byte, 1024)
	counts := map[Type]int{}
	for range 20000 {
		for i := range head {
			head[i] = byte(rng.Uint32())
		}
		// Half of the heads start with a frame sync, to exercise the MP3
		// header checks rather than the first byte.
		if rng.IntN(2) == 0 {
			head[0], head[1] = 0xFF, 0xE0|head[1]
		}
		got := Sniff(head, 1<<20)
		counts[got.Type]++
		if got.Type != Unsupported {
			t.Errorf("random head % x... sniffed as %s %s", head[:8], got.Type, got.Format)
		}
	}
	assert.Equal(t, 20000, counts[Unsupported])
}

func TestDefaultLimits(t *testing.T) {
	limits := DefaultLimits()

	assert.Equal(t, int64(50<<20), limits.Image)
	assert.Equal(t, int64(32<<20), limits.Text)
	assert.Equal(t, int64(500_000_000), limits.Document)
	assert.Equal(t, int64(2_000_000_000), limits.Audio)
	assert.Equal(t, int64(10_000_000_000), limits.Video)
}

func TestLimitsCheck(t *testing.T) {
	jpeg := Sniffed{Type: Image, MIME: "image/jpeg", Format: "jpeg"}
	text := Sniffed{Type: Text, MIME: "text/plain; charset=utf-8", Format: "text"}
	mp4 := Sniffed{Type: Video, MIME: "video/mp4", Format: "mp4"}
	mp3 := Sniffed{Type: Audio, MIME: "audio/mpeg", Format: "mp3"}
	pdf := Sniffed{Type: Document, MIME: "application/pdf", Format: "pdf"}
	tests := []struct {
		name    string
		limits  Limits
		sniffed Sniffed
		size    int64
		wantErr string
	}{
		{"image under limit", DefaultLimits(), jpeg, 1 << 20, ""},
		{"image at limit", DefaultLimits(), jpeg, 50 << 20, ""},
		{"image over limit", DefaultLimits(), jpeg, 50<<20 + 1,
			"jpeg image of 52428801 bytes exceeds the limit of 52428800 bytes for image content"},
		{"text over limit", DefaultLimits(), text, 40 << 20,
			"text of 41943040 bytes exceeds the limit of 33554432 bytes for text content"},
		{"video under limit", DefaultLimits(), mp4, 9_000_000_000, ""},
		{"video at the Rekognition Video limit", DefaultLimits(), mp4, 10_000_000_000, ""},
		{"video past the Rekognition Video limit", DefaultLimits(), mp4, 10_000_000_001,
			"mp4 video of 10000000001 bytes exceeds the limit of 10000000000 bytes for video content"},
		{"audio at the Transcribe limit", DefaultLimits(), mp3, 2_000_000_000, ""},
		{"audio past the Transcribe limit", DefaultLimits(), mp3, 2_000_000_001,
			"mp3 audio of 2000000001 bytes exceeds the limit of 2000000000 bytes for audio content"},
		{"document at the Textract limit", DefaultLimits(), pdf, 500_000_000, ""},
		{"document past the Textract limit", DefaultLimits(), pdf, 500_000_001,
			"pdf document of 500000001 bytes exceeds the limit of 500000000 bytes for document content"},
		{"unsupported has no limit", DefaultLimits(), unsupported("unrecognised content"), 1 << 40, ""},
		{"zero limit rejects", Limits{}, jpeg, 1,
			"jpeg image of 1 bytes exceeds the limit of 0 bytes for image content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.limits.Check(tt.sniffed, tt.size)

			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.EqualError(t, err, tt.wantErr)
			var tooLarge *TooLargeError
			require.True(t, errors.As(err, &tooLarge))
			assert.Equal(t, tt.size, tooLarge.Size)
			assert.Equal(t, tt.sniffed.Type, tooLarge.Type)
		})
	}
}

func FuzzSniff(f *testing.F) {
	for _, name := range []string{
		"images/photo-exif-rotated.jpg", "images/graphic.png", "images/animated.gif",
		"images/pattern.bmp", "images/pattern.tiff", "bad/fake-image.jpg", "bad/image-bomb.png",
	} {
		data := readSample(f, name)
		f.Add(data[:min(len(data), 512)], int64(len(data)))
	}
	f.Add(ftyp("mif1", "mif1", "heic"), int64(1000))
	f.Add(mp3Frames(2), int64(5000))
	f.Add([]byte("\xff\xfeh\x00i\x00"), int64(-1))
	f.Add([]byte("PK\x03\x04"), int64(100))

	valid := map[Type]bool{Image: true, Video: true, Audio: true, Text: true, Document: true, Unsupported: true}
	f.Fuzz(func(t *testing.T, head []byte, size int64) {
		got := Sniff(head, size)

		assert.True(t, valid[got.Type], "type %q", got.Type)
		assert.NotEmpty(t, got.MIME)
		assert.Equal(t, got.Type == Unsupported, got.Reason != "", "reason %q for type %s", got.Reason, got.Type)
		assert.Equal(t, got.Type == Unsupported, got.Format == "", "format %q for type %s", got.Format, got.Type)
	})
}

// pad extends a magic number with zero bytes to a realistic head length.
func pad(s string) []byte {
	return append([]byte(s), make([]byte, 64)...)
}

// ftyp returns an ftyp box with the major brand and compatible brands,
// followed by the start of an mdat box.
func ftyp(major string, compatible ...string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(16+4*len(compatible)))
	b = append(b, "ftyp"+major...)
	b = append(b, 0, 0, 0, 0)
	for _, c := range compatible {
		b = append(b, c...)
	}
	return append(b, "\x00\x00\x00\x10mdat\x00\x00\x00\x00\x00\x00\x00\x00"...)
}

// ebml returns an EBML header with the given DocType.
func ebml(docType string) []byte {
	b := []byte{0x1A, 0x45, 0xDF, 0xA3, 0x80 | byte(11+len(docType))}
	b = append(b, 0x42, 0x86, 0x81, 0x01) // EBMLVersion 1
	b = append(b, 0x42, 0xF7, 0x81, 0x01) // EBMLReadVersion 1
	b = append(b, 0x42, 0x82, 0x80|byte(len(docType)))
	b = append(b, docType...)
	return append(b, make([]byte, 32)...)
}

// mp3Frames returns n MPEG 1 layer 3 frames at 128 kbit/s and 44.1 kHz,
// each 417 bytes long.
func mp3Frames(n int) []byte {
	frame := make([]byte, 417)
	copy(frame, []byte{0xFF, 0xFB, 0x90, 0x00})
	return bytes.Repeat(frame, n)
}

func zipWith(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte("<?xml version=\"1.0\"?><x/>"))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// odfZip returns an archive whose first entry is the stored "mimetype" file,
// as OpenDocument and EPUB require.
func odfZip(t *testing.T, mime string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	require.NoError(t, err)
	_, err = w.Write([]byte(mime))
	require.NoError(t, err)
	w, err = zw.Create("content.xml")
	require.NoError(t, err)
	_, err = w.Write([]byte("<office:document-content/>"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func utf16Bytes(s string, order binary.AppendByteOrder, bom []byte) []byte {
	b := append([]byte{}, bom...)
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return b
}

// cutInsideRune returns the longest prefix of data, at most SniffLen bytes,
// that ends inside a multi-byte rune.
func cutInsideRune(t *testing.T, data []byte) []byte {
	t.Helper()
	for end := SniffLen; end > 0; end-- {
		if data[end-1] >= 0xC0 { // a lead byte whose continuation is cut off
			return data[:end]
		}
	}
	t.Fatal("no multi-byte rune in the data")
	return nil
}
