package testmedia

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// PDFPage is one US Letter page of a PDF that PDF writes.
type PDFPage struct {
	// Lines are drawn from the top of the page in 12-point text.
	Lines []string
	// Image, when set, covers the whole page as a JPEG, as a scan does.
	Image image.Image
}

// PDFOptions chooses how PDF encodes its pages, to exercise the ways real
// producers write text.
type PDFOptions struct {
	// Compress stores content streams with FlateDecode.
	Compress bool
	// Kerned draws each line with one TJ operator whose word gaps are
	// kerning offsets, so the page has no space characters.
	Kerned bool
	// Reversed draws the lines from the bottom of the page upwards.
	Reversed bool
	// NoWidths leaves out the font's Widths array, as producers may for
	// the standard 14 fonts.
	NoWidths bool
	// FlateImages stores page images as FlateDecode RGB pixels instead of
	// JPEG.
	FlateImages bool
	// UserPassword, when set, encrypts the file with the standard security
	// handler (40-bit RC4, revision 2), so it opens only with that password.
	UserPassword string
}

const (
	pdfFontSize   = 12.0
	pdfLineHeight = 18.0
	pdfLeft       = 72.0
	pdfTop        = 720.0
)

// pdfPadding is the password padding string of the PDF standard security
// handler (PDF 1.7, section 7.6.3.3).
var pdfPadding = []byte("\x28\xbf\x4e\x5e\x4e\x75\x8a\x41\x64\x00\x4e\x56\xff\xfa\x01\x08\x2e\x2e\x00\xb6\xd0\x68\x3e\x80\x2f\x0c\xa9\xfe\x64\x53\x69\x7a")

// PDF writes a PDF of pages in Helvetica with a Widths array, as producers
// that do not embed fonts write it.
func PDF(pages []PDFPage, opts PDFOptions) ([]byte, error) {
	widths, err := helveticaLikeWidths()
	if err != nil {
		return nil, err
	}
	var objects [][]byte
	add := func(body []byte) int {
		objects = append(objects, body)
		return len(objects)
	}
	var streams []pdfStream

	catalog := add(nil)
	pagesID := add(nil)
	fontDict := fmt.Sprintf("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 126 /Widths [%s] >>", widths)
	if opts.NoWidths {
		fontDict = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	}
	fontID := add([]byte(fontDict))
	var kids []string
	for _, page := range pages {
		var content bytes.Buffer
		resources := fmt.Sprintf("/Font << /F1 %d 0 R >>", fontID)
		if page.Image != nil {
			b := page.Image.Bounds()
			var encoded bytes.Buffer
			filter := "/DCTDecode"
			if opts.FlateImages {
				filter = "/FlateDecode"
				zw := zlib.NewWriter(&encoded)
				for y := b.Min.Y; y < b.Max.Y; y++ {
					for x := b.Min.X; x < b.Max.X; x++ {
						r, g, bl, _ := page.Image.At(x, y).RGBA()
						zw.Write([]byte{byte(r >> 8), byte(g >> 8), byte(bl >> 8)})
					}
				}
				zw.Close()
			} else if err := jpeg.Encode(&encoded, page.Image, &jpeg.Options{Quality: 90}); err != nil {
				return nil, fmt.Errorf("encoding a page image: %w", err)
			}
			imageID := add(nil)
			streams = append(streams, pdfStream{imageID, fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter %s", b.Dx(), b.Dy(), filter), encoded.Bytes()})
			resources += fmt.Sprintf(" /XObject << /Im1 %d 0 R >>", imageID)
			content.WriteString("q 612 0 0 792 0 0 cm /Im1 Do Q\n")
		}
		writeLines(&content, page.Lines, opts, widths)

		data := content.Bytes()
		dict := ""
		if opts.Compress {
			var z bytes.Buffer
			zw := zlib.NewWriter(&z)
			zw.Write(data)
			zw.Close()
			data, dict = z.Bytes(), "/Filter /FlateDecode"
		}
		contentID := add(nil)
		streams = append(streams, pdfStream{contentID, dict, data})
		pageID := add([]byte(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << %s >> /Contents %d 0 R >>", pagesID, resources, contentID)))
		kids = append(kids, fmt.Sprintf("%d 0 R", pageID))
	}
	objects[catalog-1] = []byte(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesID))
	objects[pagesID-1] = []byte(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids)))

	var key []byte
	fileID := []byte("moderato-fixture")
	var encrypt string
	if opts.UserPassword != "" {
		var o, u []byte
		key, o, u = standardSecurity(opts.UserPassword, fileID)
		encrypt = fmt.Sprintf(" /Encrypt << /Filter /Standard /V 1 /R 2 /O <%x> /U <%x> /P -4 >>", o, u)
	}

	var buf bytes.Buffer
	buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects)+1)
	for id := 1; id <= len(objects); id++ {
		offsets[id] = buf.Len()
		if s := findStream(streams, id); s != nil {
			data := s.data
			if key != nil {
				data = rc4Object(key, id, data)
			}
			fmt.Fprintf(&buf, "%d 0 obj\n<< %s /Length %d >>\nstream\n", id, s.dict, len(data))
			buf.Write(data)
			buf.WriteString("\nendstream\nendobj\n")
			continue
		}
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", id, objects[id-1])
	}
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for id := 1; id <= len(objects); id++ {
		fmt.Fprintf(&buf, "%010d 00000 n \n", offsets[id])
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root %d 0 R /ID [<%x> <%x>]%s >>\nstartxref\n%d\n%%%%EOF\n",
		len(objects)+1, catalog, fileID, fileID, encrypt, xref)
	return buf.Bytes(), nil
}

// pdfStream is a stream object of a PDF that PDF writes.
type pdfStream struct {
	id   int
	dict string
	data []byte
}

func findStream(streams []pdfStream, id int) *pdfStream {
	for i := range streams {
		if streams[i].id == id {
			return &streams[i]
		}
	}
	return nil
}

func writeLines(content *bytes.Buffer, lines []string, opts PDFOptions, widths string) {
	if len(lines) == 0 {
		return
	}
	order := make([]int, len(lines))
	for i := range order {
		order[i] = i
		if opts.Reversed {
			order[i] = len(lines) - 1 - i
		}
	}
	content.WriteString("BT\n")
	fmt.Fprintf(content, "/F1 %g Tf\n", pdfFontSize)
	for _, i := range order {
		fmt.Fprintf(content, "1 0 0 1 %g %g Tm\n", pdfLeft, pdfTop-float64(i)*pdfLineHeight)
		if opts.Kerned {
			parts := strings.Fields(lines[i])
			for j, p := range parts {
				parts[j] = "(" + pdfEscape(p) + ")"
			}
			// -300 thousandths of the font size is a word gap without a
			// space character.
			fmt.Fprintf(content, "[%s] TJ\n", strings.Join(parts, " -300 "))
			continue
		}
		fmt.Fprintf(content, "(%s) Tj\n", pdfEscape(lines[i]))
	}
	content.WriteString("ET\n")
}

func pdfEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)
	return r.Replace(s)
}

// helveticaLikeWidths returns the Widths array for codes 32 to 126 from the
// Go Regular font's advances, in thousandths of an em.
func helveticaLikeWidths() (string, error) {
	parsedFontOnce.Do(func() { parsedFont, parsedFontErr = parseGoRegular() })
	if parsedFontErr != nil {
		return "", fmt.Errorf("parsing the Go Regular font: %w", parsedFontErr)
	}
	var sb sfnt.Buffer
	widths := make([]string, 0, 95)
	for c := rune(32); c <= 126; c++ {
		idx, err := parsedFont.GlyphIndex(&sb, c)
		if err != nil {
			return "", fmt.Errorf("finding glyph %q: %w", c, err)
		}
		adv, err := parsedFont.GlyphAdvance(&sb, idx, fixed.I(1000), font.HintingNone)
		if err != nil {
			return "", fmt.Errorf("measuring glyph %q: %w", c, err)
		}
		widths = append(widths, fmt.Sprint(adv.Round()))
	}
	return strings.Join(widths, " "), nil
}

// standardSecurity returns the file key and the O and U entries of the
// standard security handler, revision 2, with the owner password equal to
// the user password (PDF 1.7, algorithms 2, 3 and 4).
func standardSecurity(password string, fileID []byte) (key, o, u []byte) {
	padded := append([]byte(password), pdfPadding...)[:32]

	ownerKey := md5.Sum(padded)
	c, _ := rc4.NewCipher(ownerKey[:5])
	o = make([]byte, 32)
	c.XORKeyStream(o, padded)

	h := md5.New()
	h.Write(padded)
	h.Write(o)
	var p [4]byte
	binary.LittleEndian.PutUint32(p[:], uint32(0xFFFFFFFC))
	h.Write(p[:])
	h.Write(fileID)
	key = h.Sum(nil)[:5]

	c, _ = rc4.NewCipher(key)
	u = make([]byte, 32)
	c.XORKeyStream(u, pdfPadding)
	return key, o, u
}

// rc4Object encrypts the data of object id with its object key.
func rc4Object(key []byte, id int, data []byte) []byte {
	h := md5.New()
	h.Write(key)
	h.Write([]byte{byte(id), byte(id >> 8), byte(id >> 16), 0, 0})
	objectKey := h.Sum(nil)[:len(key)+5]
	c, _ := rc4.NewCipher(objectKey)
	out := make([]byte, len(data))
	c.XORKeyStream(out, data)
	return out
}
