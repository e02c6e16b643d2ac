package pdftext

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Redact writes a new PDF with the pages of doc. Each word whose index is in
// redacted becomes a black box, and every other word is drawn in Helvetica
// at its position and size. Indexes follow the spans that Text returns. The
// redacted words are not in the output at all, covered or not.
//
// NOTE: the copy keeps only the words. Images, vector graphics, fonts and
// annotations of the original are dropped, and characters outside Latin-1
// are written as "?" because the copy uses Helvetica's WinAnsi encoding.
func Redact(doc Document, redacted map[int]bool) []byte {
	w := &writer{}
	pageIDs := make([]int, len(doc.Pages))
	pagesID := 2
	fontID := 3
	next := 4
	for i := range doc.Pages {
		pageIDs[i] = next
		next += 2
	}

	w.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
	kids := make([]string, len(pageIDs))
	for i, id := range pageIDs {
		kids[i] = fmt.Sprintf("%d 0 R", id)
	}
	w.object(pagesID, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pageIDs)))
	w.object(fontID, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")

	index := 0
	for i, page := range doc.Pages {
		var content bytes.Buffer
		for _, word := range page.Words {
			if redacted[index] {
				fmt.Fprintf(&content, "0 g %s %s %s %s re f\n", num(word.Box.Min.X), num(word.Box.Min.Y),
					num(word.Box.Max.X-word.Box.Min.X), num(word.Box.Max.Y-word.Box.Min.Y))
			} else {
				baseline := word.Box.Min.Y + 0.25*word.FontSize
				fmt.Fprintf(&content, "BT /F1 %s Tf %s %s Td (%s) Tj ET\n", num(word.FontSize), num(word.Box.Min.X), num(baseline), escape(word.Text))
			}
			index++
		}
		w.object(pageIDs[i], fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>",
			num(page.Width), num(page.Height), fontID, pageIDs[i]+1))
		w.stream(pageIDs[i]+1, content.Bytes())
	}
	return w.finish(1)
}

// writer writes PDF objects and the cross-reference table.
type writer struct {
	buf     bytes.Buffer
	offsets map[int]int
}

func (w *writer) object(id int, body string) {
	w.start(id)
	fmt.Fprintf(&w.buf, "%d 0 obj\n%s\nendobj\n", id, body)
}

func (w *writer) stream(id int, data []byte) {
	w.start(id)
	fmt.Fprintf(&w.buf, "%d 0 obj\n<< /Length %d >>\nstream\n", id, len(data))
	w.buf.Write(data)
	w.buf.WriteString("\nendstream\nendobj\n")
}

func (w *writer) start(id int) {
	if w.buf.Len() == 0 {
		// The comment line of high bytes marks the file as binary for
		// transfer tools.
		w.buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	}
	if w.offsets == nil {
		w.offsets = map[int]int{}
	}
	w.offsets[id] = w.buf.Len()
}

func (w *writer) finish(root int) []byte {
	size := 0
	for id := range w.offsets {
		size = max(size, id+1)
	}
	xref := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n0 %d\n0000000000 65535 f \n", size)
	for id := 1; id < size; id++ {
		if off, ok := w.offsets[id]; ok {
			fmt.Fprintf(&w.buf, "%010d 00000 n \n", off)
		} else {
			w.buf.WriteString("0000000000 65535 f \n")
		}
	}
	fmt.Fprintf(&w.buf, "trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", size, root, xref)
	return w.buf.Bytes()
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// escape encodes s as the body of a PDF literal string in WinAnsi.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r >= 0xa0 && r <= 0xff:
			fmt.Fprintf(&b, "\\%03o", r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
