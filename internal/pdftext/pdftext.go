// Package pdftext extracts the words of a PDF with their positions, rebuilds
// its lines from those positions, and writes a redacted copy in which the
// redacted words no longer exist. It is the local counterpart of Amazon
// Textract's text detection, in pure Go on top of github.com/ledongthuc/pdf.
//
// Lines are rebuilt from the glyphs' baselines rather than from the order
// of the content stream, because many producers draw a page's lines in one
// text object without line breaks, or out of reading order.
package pdftext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/ledongthuc/pdf"
)

// Errors of Extract.
var (
	// ErrEncrypted means the PDF needs a password to be read.
	ErrEncrypted = errors.New("the PDF is password-protected")
	// ErrUnsupportedEncryption means the PDF is encrypted with a method
	// that the PDF library cannot decrypt, such as AES-256 (revision 6).
	ErrUnsupportedEncryption = errors.New("the PDF is encrypted with an unsupported method")
	// ErrDamaged means the file is not a readable PDF.
	ErrDamaged = errors.New("the PDF is damaged")
	// ErrTooManyPages means the PDF has more pages than MaxPages.
	ErrTooManyPages = errors.New("the PDF has too many pages")
)

// MaxPages is the largest page count Extract reads, the page limit of
// Amazon Textract's asynchronous text detection.
const MaxPages = 3000

// Point is a position on a page in PDF points (1/72 inch), with y growing
// upwards from the bottom of the page, as PDF coordinates do.
type Point struct{ X, Y float64 }

// Rect is an axis-aligned rectangle in PDF points.
type Rect struct{ Min, Max Point }

// Word is a word on a page.
type Word struct {
	Text string
	// Box encloses the word's glyphs, from the descender to the ascender.
	Box Rect
	// FontSize is the glyphs' size in points.
	FontSize float64
	// Line numbers the lines of the page from the top, from 0.
	Line int
}

// Page is one page of a document.
type Page struct {
	// Width and Height are the page's media box size in points.
	Width, Height float64
	Words         []Word
	// HasImages reports whether the page has image XObjects.
	HasImages bool
	// Scans are the decoded images of a page that has images but no words:
	// a scanned page, whose text needs OCR.
	Scans []image.Image
}

// Document is the text of a PDF.
type Document struct {
	Pages []Page
}

// Text returns the document's text: words joined by spaces, lines by
// newlines and pages by a blank line. It also returns the byte range of
// every word in that text, in page and word order, so that an entity found
// in the text maps back to its words.
func (d Document) Text() (string, [][2]int) {
	var b strings.Builder
	var spans [][2]int
	for p, page := range d.Pages {
		if p > 0 {
			b.WriteString("\n\n")
		}
		for i, w := range page.Words {
			if i > 0 {
				if w.Line != page.Words[i-1].Line {
					b.WriteByte('\n')
				} else {
					b.WriteByte(' ')
				}
			}
			begin := b.Len()
			b.WriteString(w.Text)
			spans = append(spans, [2]int{begin, b.Len()})
		}
	}
	return b.String(), spans
}

// ExtractWithin runs Extract but gives up when ctx is done, returning an
// error wrapping ErrDamaged. The PDF library takes no context, and a page
// tree whose parents form a cycle makes it loop forever.
//
// NOTE: on timeout the extraction goroutine keeps running until the process
// ends, so each such file costs one busy goroutine.
func ExtractWithin(ctx context.Context, data []byte) (Document, error) {
	type result struct {
		doc Document
		err error
	}
	done := make(chan result, 1)
	go func() {
		doc, err := Extract(data)
		done <- result{doc, err}
	}()
	select {
	case r := <-done:
		return r.doc, r.err
	case <-ctx.Done():
		return Document{}, fmt.Errorf("%w: reading it did not finish: %v", ErrDamaged, ctx.Err())
	}
}

// Extract reads the words of every page of the PDF in data. It returns an
// error wrapping ErrEncrypted, ErrUnsupportedEncryption, ErrDamaged or
// ErrTooManyPages for a PDF it cannot read. A page without a text layer
// has no words.
func Extract(data []byte) (doc Document, err error) {
	// The PDF library panics on malformed content streams, and a damaged
	// upload must become an error, not a crash.
	defer func() {
		if r := recover(); r != nil {
			doc, err = Document{}, fmt.Errorf("%w: %v", ErrDamaged, r)
		}
	}()

	if bytes.HasPrefix(data, []byte("%PDF-2.")) {
		// The library accepts only 1.x headers, and PDF 2.0 reads like 1.7
		// for text. The header is patched in a copy of the same length.
		data = append([]byte("%PDF-1.7"), data[len("%PDF-2.0"):]...)
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if errors.Is(err, pdf.ErrInvalidPassword) {
		return Document{}, ErrEncrypted
	}
	// The library reports these only in its message.
	if err != nil && strings.HasPrefix(err.Error(), "unsupported PDF: encryption") {
		return Document{}, fmt.Errorf("%w: %v", ErrUnsupportedEncryption, err)
	}
	if err != nil {
		return Document{}, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	n := r.NumPage()
	if n > MaxPages {
		return Document{}, fmt.Errorf("%w: %d pages, the limit is %d", ErrTooManyPages, n, MaxPages)
	}
	if n <= 0 {
		return Document{}, fmt.Errorf("%w: no pages", ErrDamaged)
	}

	for i := 1; i <= n; i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			return Document{}, fmt.Errorf("%w: page %d is missing", ErrDamaged, i)
		}
		// The library looks up fonts and resources through the parents
		// without a bound, so a cycle would make it loop forever.
		if !parentsEnd(p) {
			return Document{}, fmt.Errorf("%w: the parents of page %d form a cycle", ErrDamaged, i)
		}
		page := readPage(p)
		if page.HasImages && len(page.Words) == 0 {
			page.Scans = pageImages(data, p)
		}
		doc.Pages = append(doc.Pages, page)
	}
	return doc, nil
}

func readPage(p pdf.Page) Page {
	page := Page{Width: 612, Height: 792}
	if box := inherited(p, "MediaBox"); box.Len() == 4 {
		page.Width = box.Index(2).Float64() - box.Index(0).Float64()
		page.Height = box.Index(3).Float64() - box.Index(1).Float64()
	}
	xobjects := p.Resources().Key("XObject")
	for _, name := range xobjects.Keys() {
		if xobjects.Key(name).Key("Subtype").Name() == "Image" {
			page.HasImages = true
		}
	}
	page.Words = buildWords(p.Content().Text)
	return page
}

// maxTreeDepth bounds the walks up the page tree. Real page trees are a few
// levels deep, since each level holds many kids.
const maxTreeDepth = 32

// inherited returns a page attribute that the page or one of its parent
// page tree nodes sets, as MediaBox may be set once for all pages. The
// depth is bounded because a damaged file may loop its parents.
func inherited(p pdf.Page, key string) pdf.Value {
	v := p.V
	for depth := 0; depth < maxTreeDepth && !v.IsNull(); depth++ {
		if r := v.Key(key); !r.IsNull() {
			return r
		}
		v = v.Key("Parent")
	}
	return pdf.Value{}
}

// parentsEnd reports whether the page's chain of parents ends within the
// depth that inherited follows.
func parentsEnd(p pdf.Page) bool {
	v := p.V
	for depth := 0; depth < maxTreeDepth; depth++ {
		if v.IsNull() {
			return true
		}
		v = v.Key("Parent")
	}
	return v.IsNull()
}

// glyph is one character that the content stream draws.
type glyph struct {
	r        rune
	x, y, w  float64
	fontSize float64
	// drawnX is the x position at which the content stream drew the
	// glyph's string, and seq the glyph's index in stream order.
	drawnX float64
	seq    int
	// wordStart marks the first glyph of a string of a font without
	// widths.
	wordStart bool
}

// buildWords groups glyphs into lines by baseline, orders each line from
// left to right and splits it into words at spaces and at gaps wider than a
// fraction of the font size.
func buildWords(texts []pdf.Text) []Word {
	var glyphs []glyph
	var drawnAt Point // where the content stream put the previous glyph
	for _, t := range texts {
		for _, r := range t.S {
			size := math.Abs(t.FontSize)
			if size == 0 {
				size = 1
			}
			g := glyph{r: r, x: t.X, y: t.Y, w: t.W, fontSize: size, drawnX: t.X, seq: len(glyphs)}
			// A font without widths leaves every glyph of a string at the
			// string's start. Each one is placed after the previous one by
			// the estimated advance, and a string drawn at a new position
			// starts a new word, since no gap can be measured.
			if n := len(glyphs); n > 0 && g.w == 0 {
				if glyphs[n-1].w == 0 && drawnAt == (Point{t.X, t.Y}) {
					g.x = glyphs[n-1].x + advance(glyphs[n-1])
				} else {
					g.wordStart = true
				}
			}
			drawnAt = Point{t.X, t.Y}
			glyphs = append(glyphs, g)
		}
	}
	// Top to bottom, so that the glyphs of one line are adjacent whatever
	// order the content stream drew them in.
	slices.SortStableFunc(glyphs, func(a, b glyph) int {
		switch {
		case a.y > b.y:
			return -1
		case a.y < b.y:
			return 1
		}
		return 0
	})

	var lines [][]glyph
	for _, g := range glyphs {
		n := len(lines)
		if n > 0 && math.Abs(lines[n-1][0].y-g.y) <= 0.3*min(lines[n-1][0].fontSize, g.fontSize) {
			lines[n-1] = append(lines[n-1], g)
			continue
		}
		lines = append(lines, []glyph{g})
	}

	var words []Word
	for i, line := range lines {
		// Glyphs are ordered by where the content stream drew them, and in
		// stream order within one string, so estimated positions of a font
		// without widths cannot interleave two strings.
		slices.SortStableFunc(line, func(a, b glyph) int {
			switch {
			case a.drawnX < b.drawnX:
				return -1
			case a.drawnX > b.drawnX:
				return 1
			}
			return a.seq - b.seq
		})
		words = append(words, splitWords(line, i)...)
	}
	return words
}

func splitWords(line []glyph, lineNo int) []Word {
	var words []Word
	var cur []glyph
	flush := func() {
		if len(cur) == 0 {
			return
		}
		words = append(words, makeWord(cur, lineNo))
		cur = nil
	}
	for _, g := range line {
		if unicode.IsSpace(g.r) || g.r == 0 {
			flush()
			continue
		}
		if n := len(cur); n > 0 {
			prev := cur[n-1]
			gap := g.x - (prev.x + advance(prev))
			if gap > 0.2*g.fontSize || g.wordStart {
				flush()
			}
		}
		cur = append(cur, g)
	}
	flush()
	return words
}

// advance returns a glyph's width, estimated at half its font size when the
// font gives no widths (the standard 14 fonts may omit them).
func advance(g glyph) float64 {
	if g.w > 0 {
		return g.w
	}
	return 0.5 * g.fontSize
}

func makeWord(glyphs []glyph, lineNo int) Word {
	var b strings.Builder
	size := 0.0
	box := Rect{Min: Point{math.Inf(1), math.Inf(1)}, Max: Point{math.Inf(-1), math.Inf(-1)}}
	for _, g := range glyphs {
		b.WriteRune(g.r)
		size = max(size, g.fontSize)
		box.Min.X = min(box.Min.X, g.x)
		box.Max.X = max(box.Max.X, g.x+advance(g))
		box.Min.Y = min(box.Min.Y, g.y-0.25*g.fontSize)
		box.Max.Y = max(box.Max.Y, g.y+0.9*g.fontSize)
	}
	return Word{Text: b.String(), Box: box, FontSize: size, Line: lineNo}
}

// ScanWord is a word that OCR read from a page's scan, in the scan's pixels.
type ScanWord struct {
	Text string
	Box  image.Rectangle
	Line int
}

// AddScanWords adds words read from a scan of size scan that covers the
// whole page, mapping pixel boxes to page points (the y axis flips, since
// image rows grow downwards). Their lines follow the page's existing ones.
//
// NOTE: a scan drawn over only part of the page maps to the wrong place.
// Scanners and the usual converters draw one image over the whole page.
func (p *Page) AddScanWords(words []ScanWord, scan image.Point) {
	if scan.X <= 0 || scan.Y <= 0 {
		return
	}
	base := 0
	if n := len(p.Words); n > 0 {
		base = p.Words[n-1].Line + 1
	}
	sx, sy := p.Width/float64(scan.X), p.Height/float64(scan.Y)
	for _, w := range words {
		box := Rect{
			Min: Point{X: float64(w.Box.Min.X) * sx, Y: p.Height - float64(w.Box.Max.Y)*sy},
			Max: Point{X: float64(w.Box.Max.X) * sx, Y: p.Height - float64(w.Box.Min.Y)*sy},
		}
		p.Words = append(p.Words, Word{Text: w.Text, Box: box, FontSize: (box.Max.Y - box.Min.Y) / 1.15, Line: base + w.Line})
	}
}
