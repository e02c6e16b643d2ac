package documents

import (
	"context"
	"errors"
	"image"

	"golang.org/x/image/draw"

	"github.com/moderato/moderato/internal/pipeline"
)

// TextRecognizer reads the words of an image with Textract's synchronous
// DetectDocumentText, sent as bytes. It implements pipeline.TextRecognizer
// for detect_pii_image, which covers the words of PII with black boxes.
type TextRecognizer struct {
	Textract TextractAPI
}

var _ pipeline.TextRecognizer = (*TextRecognizer)(nil)

// Name identifies the engine in outcomes.
func (r *TextRecognizer) Name() string { return "amazon-textract" }

// maxRecognizeSide bounds the longer side of the image sent to Textract,
// in pixels, which keeps most JPEGs within maxScanBytes at the first
// quality tried. It is the side Rekognition images are sent at.
const maxRecognizeSide = 4096

// RecognizeText returns the words of img with boxes in img's pixels. An
// image larger than maxRecognizeSide, or whose JPEG is over maxScanBytes,
// is sent downscaled, and the boxes are scaled back, because Textract gives
// them as ratios of the image's size. Content Textract rejects is reported
// as an unavailable engine, so the image goes to review with the reason
// instead of ending unsupported for its text alone.
func (r *TextRecognizer) RecognizeText(ctx context.Context, img image.Image) ([]pipeline.Word, error) {
	if r.Textract == nil {
		return nil, &pipeline.EngineUnavailableError{Reason: "text in images needs Amazon Textract, which is not configured"}
	}
	size := img.Bounds().Size()
	sent := downscale(img, maxRecognizeSide)
	data, err := encodeScan(sent, maxScanBytes)
	for errors.Is(err, pipeline.ErrEngineUnavailable) && sent.Bounds().Dx() > 100 && sent.Bounds().Dy() > 100 {
		// A noisy image does not fit at any JPEG quality: halve its area.
		b := sent.Bounds()
		sent = downscale(sent, max(b.Dx(), b.Dy())*7/10)
		data, err = encodeScan(sent, maxScanBytes)
	}
	if err != nil {
		return nil, err
	}

	words, err := detectWords(ctx, r.Textract, data, size)
	var unsupported *pipeline.UnsupportedContentError
	if errors.As(err, &unsupported) {
		return nil, &pipeline.EngineUnavailableError{Reason: "Amazon Textract could not read the image: " + unsupported.Reason}
	}
	if err != nil {
		return nil, err
	}
	out := make([]pipeline.Word, len(words))
	for i, w := range words {
		out[i] = pipeline.Word{Text: w.Text, Box: w.Box, Line: w.Line}
	}
	return out, nil
}

// downscale returns img with its longer side at most side pixels.
func downscale(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		return img
	}
	if w >= h {
		w, h = side, max(1, h*side/w)
	} else {
		w, h = max(1, w*side/h), side
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}
