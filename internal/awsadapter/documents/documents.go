// Package documents reads and redacts PDFs on AWS. The text layer is read
// in process (pdftext), and scanned pages are read with Amazon Textract
// DetectDocumentText, whose word boxes place each word on the page. The
// redacted copy is a new PDF of the words alone, with a black box in place
// of each PII word, so nothing of the original remains under the boxes.
//
// Extractor implements pipeline.TextExtractor and Redactor implements
// pipeline.DocumentRedactor. Both read a document the same way, so the
// text the PII branch scanned maps back to the words to black out.
package documents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/textract"
	"github.com/aws/aws-sdk-go-v2/service/textract/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pdftext"
	"github.com/moderato/moderato/internal/pii"
	"github.com/moderato/moderato/internal/pipeline"
)

const (
	// maxDocumentBytes bounds the PDF loaded into memory; Inspect enforces
	// the configured limit before this.
	maxDocumentBytes = 512 << 20
	// readTimeout bounds the reading of one PDF's text layer.
	readTimeout = time.Minute
	// maxScanBytes is the largest image DetectDocumentText takes as bytes.
	// The API reference of Document.Bytes states 5 MB, below the 10 MB the
	// quotas page gives for synchronous operations, and does not say
	// whether a MB is 10^6 or 2^20 bytes, so the smallest reading is used.
	maxScanBytes = 5_000_000
)

// scanQualities are the JPEG qualities tried for a scan sent to Textract,
// best first: a lower one is used only when the page does not fit in
// maxScanBytes. Word boxes stay valid, because the pixel size is kept.
var scanQualities = []int{90, 75, 60}

// TextractAPI is the part of the Textract client the reader calls.
type TextractAPI interface {
	DetectDocumentText(ctx context.Context, in *textract.DetectDocumentTextInput, opts ...func(*textract.Options)) (*textract.DetectDocumentTextOutput, error)
}

// Reader reads the words of PDFs.
type Reader struct {
	Objects  objects.Store
	Textract TextractAPI
}

// Read returns the words of the item's PDF, with the words of scanned
// pages read by Textract.
func (r *Reader) Read(ctx context.Context, item pipeline.Item) (pdftext.Document, error) {
	if item.Format != "pdf" {
		return pdftext.Document{}, &pipeline.EngineUnavailableError{Reason: fmt.Sprintf("no engine reads %s documents", item.Format)}
	}
	data, err := objects.ReadAll(ctx, r.Objects, item.Location(), maxDocumentBytes)
	if errors.Is(err, objects.ErrNotFound) {
		return pdftext.Document{}, &pipeline.ObjectNotFoundError{Location: item.Location().String()}
	}
	if err != nil {
		return pdftext.Document{}, err
	}

	readCtx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	doc, err := pdftext.ExtractWithin(readCtx, data)
	switch {
	case errors.Is(err, pdftext.ErrEncrypted), errors.Is(err, pdftext.ErrTooManyPages):
		return pdftext.Document{}, &pipeline.UnsupportedContentError{Reason: err.Error()}
	case errors.Is(err, pdftext.ErrDamaged):
		return pdftext.Document{}, &pipeline.InvalidContentError{Reason: err.Error()}
	case err != nil:
		return pdftext.Document{}, fmt.Errorf("reading PDF %s: %w", item.Location(), err)
	}

	for i := range doc.Pages {
		page := &doc.Pages[i]
		if !page.HasImages || len(page.Words) > 0 {
			continue
		}
		if len(page.Scans) == 0 {
			return pdftext.Document{}, &pipeline.EngineUnavailableError{Reason: fmt.Sprintf("scanned page %d uses an image encoding that cannot be decoded", i+1)}
		}
		for _, scan := range page.Scans {
			words, err := r.readScan(ctx, scan)
			if err != nil {
				return pdftext.Document{}, fmt.Errorf("reading scanned page %d of %s: %w", i+1, item.Location(), err)
			}
			page.AddScanWords(words, scan.Bounds().Size())
		}
	}
	return doc, nil
}

// readScan sends a scanned page to DetectDocumentText and returns its words
// with pixel boxes, numbered by the LINE blocks that contain them.
func (r *Reader) readScan(ctx context.Context, scan image.Image) ([]pdftext.ScanWord, error) {
	if r.Textract == nil {
		return nil, &pipeline.EngineUnavailableError{Reason: "scanned pages need Amazon Textract, which is not configured"}
	}
	data, err := encodeScan(scan, maxScanBytes)
	if err != nil {
		return nil, err
	}
	return detectWords(ctx, r.Textract, data, scan.Bounds().Size())
}

// detectWords sends an encoded image to DetectDocumentText and returns its
// words with boxes in the pixels of an image of size.
func detectWords(ctx context.Context, api TextractAPI, data []byte, size image.Point) ([]pdftext.ScanWord, error) {
	out, err := api.DetectDocumentText(ctx, &textract.DetectDocumentTextInput{Document: &types.Document{Bytes: data}})
	if err != nil {
		return nil, awserr.Classify("calling Textract DetectDocumentText", err)
	}
	return scanWords(out.Blocks, size), nil
}

// encodeScan returns scan as a JPEG of at most limit bytes, at the first
// of scanQualities that fits. A page that fits at none of them is reported
// as an unavailable engine, which sends the item to review.
func encodeScan(scan image.Image, limit int) ([]byte, error) {
	var buf bytes.Buffer
	for _, quality := range scanQualities {
		buf.Reset()
		if err := jpeg.Encode(&buf, scan, &jpeg.Options{Quality: quality}); err != nil {
			return nil, fmt.Errorf("encoding the scan as JPEG: %w", err)
		}
		if buf.Len() <= limit {
			return buf.Bytes(), nil
		}
	}
	return nil, &pipeline.EngineUnavailableError{Reason: fmt.Sprintf(
		"a scanned page is larger than the %d bytes that Amazon Textract reads as image bytes, even at JPEG quality %d", limit, scanQualities[len(scanQualities)-1])}
}

// scanWords converts WORD blocks to pixel boxes on an image of size. A
// word's line is the index of the LINE block that lists it as a child, in
// the order Textract returns lines (top to bottom).
func scanWords(blocks []types.Block, size image.Point) []pdftext.ScanWord {
	byID := map[string]types.Block{}
	for _, b := range blocks {
		byID[aws.ToString(b.Id)] = b
	}
	var words []pdftext.ScanWord
	line := 0
	for _, b := range blocks {
		if b.BlockType != types.BlockTypeLine {
			continue
		}
		for _, rel := range b.Relationships {
			if rel.Type != types.RelationshipTypeChild {
				continue
			}
			for _, id := range rel.Ids {
				w, ok := byID[id]
				if !ok || w.BlockType != types.BlockTypeWord || w.Geometry == nil || w.Geometry.BoundingBox == nil {
					continue
				}
				words = append(words, pdftext.ScanWord{Text: aws.ToString(w.Text), Box: pixelBox(*w.Geometry.BoundingBox, size), Line: line})
			}
		}
		line++
	}
	return words
}

// pixelBox converts Textract's box, in ratios of the image's width and
// height, to pixels.
func pixelBox(box types.BoundingBox, size image.Point) image.Rectangle {
	x0 := int(float64(box.Left) * float64(size.X))
	y0 := int(float64(box.Top) * float64(size.Y))
	x1 := int(float64(box.Left+box.Width)*float64(size.X) + 0.5)
	y1 := int(float64(box.Top+box.Height)*float64(size.Y) + 0.5)
	return image.Rect(x0, y0, x1, y1).Intersect(image.Rectangle{Max: size})
}

// Extractor returns the text of PDFs and hands other documents, audio and
// video to Fallback.
type Extractor struct {
	Reader   *Reader
	Fallback pipeline.TextExtractor
}

var _ pipeline.TextExtractor = (*Extractor)(nil)

// Name identifies the engine in outcomes.
func (e *Extractor) Name() string { return "pdf-text-and-amazon-textract" }

// ExtractText returns the words of a PDF as Document.Text joins them.
func (e *Extractor) ExtractText(ctx context.Context, item pipeline.Item) (string, error) {
	if item.MediaType != "document" || item.Format != "pdf" {
		if e.Fallback == nil {
			return "", &pipeline.EngineUnavailableError{Reason: fmt.Sprintf("no engine extracts text from %s content", item.MediaType)}
		}
		return e.Fallback.ExtractText(ctx, item)
	}
	doc, err := e.Reader.Read(ctx, item)
	if err != nil {
		return "", err
	}
	text, _ := doc.Text()
	return text, nil
}

// Redactor writes redacted copies of PDFs.
type Redactor struct {
	Reader *Reader
}

var _ pipeline.DocumentRedactor = (*Redactor)(nil)

// Name identifies the engine in outcomes.
func (r *Redactor) Name() string { return "pdf-redaction" }

// RedactDocument reads the PDF again, checks that its text is the text the
// entities were found in, and writes a copy with every word that overlaps
// an entity replaced by a black box.
func (r *Redactor) RedactDocument(ctx context.Context, item pipeline.Item, text string, entities []pii.Entity) ([]byte, error) {
	doc, err := r.Reader.Read(ctx, item)
	if err != nil {
		return nil, err
	}
	docText, spans := doc.Text()
	if docText != text {
		// Textract may read a scan slightly differently the second time.
		return nil, &pipeline.EngineUnavailableError{Reason: "the document read differently than when it was scanned for PII, so no redacted copy was written"}
	}
	return pdftext.Redact(doc, Overlapping(spans, entities)), nil
}

// Overlapping returns the indexes of the spans that overlap an entity.
// Spans are byte ranges of the same text in increasing order, as
// Document.Text returns them.
func Overlapping(spans [][2]int, entities []pii.Entity) map[int]bool {
	sorted := slices.Clone(entities)
	slices.SortFunc(sorted, func(a, b pii.Entity) int { return a.Begin - b.Begin })

	redacted := map[int]bool{}
	next := 0
	for i, span := range spans {
		// An entity that ends before this span ends before every later one.
		for next < len(sorted) && sorted[next].End <= span[0] {
			next++
		}
		for j := next; j < len(sorted) && sorted[j].Begin < span[1]; j++ {
			if sorted[j].End > span[0] {
				redacted[i] = true
				break
			}
		}
	}
	return redacted
}
