package pdftext

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/testmedia"
)

var twoPages = []testmedia.PDFPage{
	{Lines: []string{"Invoice for Jordan Reyes", "Email jordan.reyes@example.com for questions"}},
	{Lines: []string{"Second page", "Call (415) 555-0134 after noon"}},
}

const twoPagesText = "Invoice for Jordan Reyes\nEmail jordan.reyes@example.com for questions\n\nSecond page\nCall (415) 555-0134 after noon"

func TestExtractProducerStyles(t *testing.T) {
	tests := []struct {
		name string
		opts testmedia.PDFOptions
	}{
		{"plain", testmedia.PDFOptions{}},
		{"compressed", testmedia.PDFOptions{Compress: true}},
		{"kerned without spaces", testmedia.PDFOptions{Kerned: true, Compress: true}},
		{"lines drawn bottom up", testmedia.PDFOptions{Reversed: true}},
		{"PDF 2.0 header", testmedia.PDFOptions{}},
		{"font without widths", testmedia.PDFOptions{NoWidths: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := testmedia.PDF(twoPages, tt.opts)
			require.NoError(t, err)
			if strings.HasPrefix(tt.name, "PDF 2.0") {
				data = append([]byte("%PDF-2.0"), data[len("%PDF-1.4"):]...)
			}

			doc, err := Extract(data)
			require.NoError(t, err)

			require.Len(t, doc.Pages, 2)
			text, spans := doc.Text()
			assert.Equal(t, twoPagesText, text)
			assert.Len(t, spans, len(strings.Fields(twoPagesText)))
			assert.InDelta(t, 612, doc.Pages[0].Width, 0.01)
			assert.InDelta(t, 792, doc.Pages[0].Height, 0.01)
		})
	}
}

func TestExtractWordBoxes(t *testing.T) {
	for _, opts := range []testmedia.PDFOptions{{}, {NoWidths: true}} {
		data, err := testmedia.PDF(twoPages, opts)
		require.NoError(t, err)

		doc, err := Extract(data)
		require.NoError(t, err)

		checkWordBoxes(t, doc)
	}
}

func checkWordBoxes(t *testing.T, doc Document) {
	t.Helper()
	words := doc.Pages[0].Words
	require.NotEmpty(t, words)
	assert.Equal(t, "Invoice", words[0].Text)
	assert.InDelta(t, 72, words[0].Box.Min.X, 0.5, "the line starts at the left margin")
	assert.InDelta(t, 12, words[0].FontSize, 0.01)
	for i := 1; i < len(words); i++ {
		if words[i].Line == words[i-1].Line {
			assert.Greater(t, words[i].Box.Min.X, words[i-1].Box.Max.X, "%q follows %q", words[i].Text, words[i-1].Text)
		} else {
			assert.Less(t, words[i].Box.Max.Y, words[i-1].Box.Min.Y+1, "line of %q is below", words[i].Text)
		}
	}
}

func TestExtractErrors(t *testing.T) {
	valid, err := testmedia.PDF(twoPages, testmedia.PDFOptions{Compress: true})
	require.NoError(t, err)
	locked, err := testmedia.PDF(twoPages, testmedia.PDFOptions{UserPassword: "s3cret"})
	require.NoError(t, err)

	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"password protected", locked, ErrEncrypted},
		{"AES-256 encryption", bytes.Replace(locked, []byte("/V 1 /R 2"), []byte("/V 5 /R 6"), 1), ErrUnsupportedEncryption},
		{"truncated", valid[:len(valid)/2], ErrDamaged},
		{"not a PDF", []byte("%PDF-1.4\nnot really\n%%EOF\n"), ErrDamaged},
		{"empty", nil, ErrDamaged},
		{"no pages", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"), ErrDamaged},
		{"garbled content stream", bytes.Replace(valid, []byte("stream\nx"), []byte("stream\nX"), 1), ErrDamaged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Extract(tt.data)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

// sameLength pads replacement with spaces to the length of original, so
// that every object stays at the offset the xref table gives.
func sameLength(original, replacement []byte) []byte {
	return append(replacement, bytes.Repeat([]byte(" "), len(original)-len(replacement))...)
}

func TestExtractCyclicParents(t *testing.T) {
	data, err := testmedia.PDF([]testmedia.PDFPage{{Lines: []string{"loop"}}}, testmedia.PDFOptions{})
	require.NoError(t, err)
	// The page becomes its own parent and loses its resources, so a lookup
	// of inherited resources walks the cycle.
	page := regexp.MustCompile(`(\d+) 0 obj\n<< /Type /Page /Parent \d+ 0 R (/MediaBox \[[^\]]*\]) /Resources << /Font << [^>]*>> >>`)
	require.True(t, page.Match(data))
	cyclic := page.ReplaceAllFunc(data, func(obj []byte) []byte {
		m := page.FindSubmatch(obj)
		return sameLength(obj, []byte(fmt.Sprintf("%s 0 obj\n<< /Type /Page /Parent %s 0 R %s", m[1], m[1], m[2])))
	})

	_, err = Extract(cyclic)

	assert.ErrorIs(t, err, ErrDamaged)
	assert.ErrorContains(t, err, "form a cycle")
}

func TestExtractWithinCyclicKids(t *testing.T) {
	data, err := testmedia.PDF([]testmedia.PDFPage{{Lines: []string{"loop"}}}, testmedia.PDFOptions{})
	require.NoError(t, err)
	// The root of the page tree lists itself as its only kid, and the
	// library's page lookup descends into it forever.
	pages := regexp.MustCompile(`(\d+) 0 obj\n<< /Type /Pages /Kids \[[^\]]*\] /Count 1 >>`)
	require.True(t, pages.Match(data))
	cyclic := pages.ReplaceAllFunc(data, func(obj []byte) []byte {
		m := pages.FindSubmatch(obj)
		return sameLength(obj, []byte(fmt.Sprintf("%s 0 obj\n<< /Type /Pages /Kids [%s 0 R] /Count 1 >>", m[1], m[1])))
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()

	_, err = ExtractWithin(ctx, cyclic)

	assert.ErrorIs(t, err, ErrDamaged)
	assert.ErrorContains(t, err, "did not finish")
}

func TestEncryptedFixtureOpensWithPassword(t *testing.T) {
	locked, err := testmedia.PDF(twoPages, testmedia.PDFOptions{UserPassword: "s3cret"})
	require.NoError(t, err)

	r, err := pdf.NewReaderEncrypted(bytes.NewReader(locked), int64(len(locked)), func() string { return "s3cret" })
	require.NoError(t, err, "the fixture is a valid encrypted PDF, not random bytes")

	assert.Equal(t, 2, r.NumPage())
}

func TestExtractImageOnlyPage(t *testing.T) {
	img, _, err := testmedia.TextImage([]string{"Scanned page"}, 32)
	require.NoError(t, err)
	tests := []struct {
		name string
		opts testmedia.PDFOptions
	}{
		{"JPEG scan", testmedia.PDFOptions{}},
		{"Flate RGB scan", testmedia.PDFOptions{FlateImages: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := testmedia.PDF([]testmedia.PDFPage{{Image: img}}, tt.opts)
			require.NoError(t, err)

			doc, err := Extract(data)

			require.NoError(t, err)
			require.Len(t, doc.Pages, 1)
			assert.Empty(t, doc.Pages[0].Words)
			assert.True(t, doc.Pages[0].HasImages)
			require.Len(t, doc.Pages[0].Scans, 1)
			scan := doc.Pages[0].Scans[0]
			assert.Equal(t, img.Bounds().Size(), scan.Bounds().Size())
			r, g, b, _ := scan.At(1, 1).RGBA()
			assert.Greater(t, r+g+b, uint32(3*0xE000), "the white margin stays white")
		})
	}
}

func TestAddScanWords(t *testing.T) {
	page := Page{Width: 612, Height: 792, Words: []Word{{Text: "Title", Line: 0}}}

	page.AddScanWords([]ScanWord{{Text: "Call", Box: image.Rect(0, 0, 100, 50), Line: 0}}, image.Pt(1224, 1584))

	require.Len(t, page.Words, 2)
	w := page.Words[1]
	assert.Equal(t, 1, w.Line, "scan lines follow the page's lines")
	assert.InDelta(t, 0, w.Box.Min.X, 0.01)
	assert.InDelta(t, 50, w.Box.Max.X, 0.01)
	assert.InDelta(t, 792, w.Box.Max.Y, 0.01, "the top of the image is the top of the page")
	assert.InDelta(t, 767, w.Box.Min.Y, 0.01)
}

func TestExtractTesseractPDF(t *testing.T) {
	if _, err := exec.LookPath("tesseract"); err != nil {
		t.Skip("skipping: tesseract is not installed: install the Debian package tesseract-ocr")
	}
	img, _, err := testmedia.TextImage([]string{"Call me at 212-555-0187 today"}, 32)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, writePNG(filepath.Join(dir, "page.png"), img))
	out, err := exec.Command("tesseract", filepath.Join(dir, "page.png"), filepath.Join(dir, "page"), "pdf").CombinedOutput()
	require.NoError(t, err, "%s", out)
	data, err := os.ReadFile(filepath.Join(dir, "page.pdf"))
	require.NoError(t, err)

	doc, err := Extract(data)

	require.NoError(t, err, "a PDF from another producer, with a Type0 font and a ToUnicode map")
	text, _ := doc.Text()
	assert.Contains(t, text, "212-555-0187")
}

func TestRedactRemovesWords(t *testing.T) {
	data, err := testmedia.PDF(twoPages, testmedia.PDFOptions{Compress: true})
	require.NoError(t, err)
	doc, err := Extract(data)
	require.NoError(t, err)
	text, spans := doc.Text()
	redacted := map[int]bool{}
	for i, s := range spans {
		word := text[s[0]:s[1]]
		if strings.Contains(word, "@") || strings.Contains(word, "555") || word == "(415)" {
			redacted[i] = true
		}
	}
	require.Len(t, redacted, 3)

	out := Redact(doc, redacted)

	for _, secret := range []string{"jordan.reyes", "example.com", "555", "0134", "415"} {
		assert.NotContains(t, string(out), secret)
		assert.NotContains(t, inflateAll(t, out), secret)
	}
	again, err := Extract(out)
	require.NoError(t, err, "the redacted copy is a readable PDF")
	againText, _ := again.Text()
	assert.Equal(t, "Invoice for Jordan Reyes\nEmail for questions\n\nSecond page\nCall after noon", againText)
	assert.Len(t, again.Pages, 2)
	assert.Equal(t, 3, strings.Count(string(out), " re f"), "one black box per redacted word")
}

// inflateAll returns every FlateDecode stream of a PDF, decompressed.
func inflateAll(t *testing.T, data []byte) string {
	t.Helper()
	var all strings.Builder
	for _, m := range regexp.MustCompile(`(?s)stream\r?\n(.*?)endstream`).FindAllSubmatch(data, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(zr)
		all.Write(b)
	}
	return all.String()
}

func FuzzExtract(f *testing.F) {
	for _, opts := range []testmedia.PDFOptions{{}, {Compress: true, Kerned: true}, {Reversed: true}} {
		data, err := testmedia.PDF(twoPages, opts)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Extract(data)
		if err != nil {
			return
		}
		text, spans := doc.Text()
		for _, s := range spans {
			require.LessOrEqual(t, s[1], len(text))
		}
		Redact(doc, map[int]bool{0: true})
	})
}
