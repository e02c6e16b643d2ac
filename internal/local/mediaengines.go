package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/moderato/moderato/internal/imaging"
	"github.com/moderato/moderato/internal/media"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/ocr"
	"github.com/moderato/moderato/internal/pdftext"
	"github.com/moderato/moderato/internal/pii"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/speech"
	"github.com/moderato/moderato/internal/video"
)

// missingProgram reports an engine program that is not installed. It logs a
// warning the first time and returns the error that makes the pipeline
// record the content as not scanned.
type missingProgram struct {
	once   sync.Once
	logger *slog.Logger
}

func (m *missingProgram) report(ctx context.Context, engine string, err error) error {
	m.once.Do(func() {
		m.logger.WarnContext(ctx, "engine program not installed, so the content it reads goes to review", "engine", engine, "error", err)
	})
	return &pipeline.EngineUnavailableError{Reason: err.Error()}
}

// tesseractRecognizer adapts the OCR engine to pipeline.TextRecognizer.
type tesseractRecognizer struct {
	engine  *ocr.Engine
	missing *missingProgram
}

func newTesseractRecognizer(logger *slog.Logger) *tesseractRecognizer {
	return &tesseractRecognizer{engine: ocr.New(), missing: &missingProgram{logger: logger}}
}

func (*tesseractRecognizer) Name() string { return "local-tesseract" }

func (r *tesseractRecognizer) RecognizeText(ctx context.Context, img image.Image) ([]pipeline.Word, error) {
	words, err := r.engine.Recognize(ctx, img)
	if errors.Is(err, ocr.ErrNotInstalled) {
		return nil, r.missing.report(ctx, r.Name(), err)
	}
	if err != nil && ctx.Err() == nil {
		// A tesseract crash or timeout on a valid image is an engine
		// failure, so the image goes to review rather than to failed.
		r.missing.logger.ErrorContext(ctx, "reading text in an image", "engine", r.Name(), "error", err)
		return nil, &pipeline.EngineUnavailableError{Reason: "tesseract could not read the image: " + err.Error()}
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

// objectFile copies an item's object version into a temporary file, because
// the engine programs read files. cleanup removes it.
func objectFile(ctx context.Context, store objects.Store, item pipeline.Item) (path string, cleanup func(), err error) {
	rc, err := store.Open(ctx, item.Location())
	if errors.Is(err, objects.ErrNotFound) {
		return "", nil, &pipeline.ObjectNotFoundError{Location: item.Location().String()}
	}
	if err != nil {
		return "", nil, fmt.Errorf("reading object %s: %w", item.Location(), err)
	}
	defer rc.Close()

	f, err := os.CreateTemp("", "moderato-object-*")
	if err != nil {
		return "", nil, fmt.Errorf("creating a temporary file for %s: %w", item.Location(), err)
	}
	cleanup = func() { os.Remove(f.Name()) }
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		cleanup()
		return "", nil, fmt.Errorf("copying object %s to a temporary file: %w", item.Location(), err)
	}
	if err := f.Close(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("writing a temporary file for %s: %w", item.Location(), err)
	}
	return f.Name(), cleanup, nil
}

// mediaExtractor implements pipeline.TextExtractor with the local engines:
// PDF text (with OCR for scanned pages) for documents, and speech
// recognition for audio and for the audio track of videos.
type mediaExtractor struct {
	objects       objects.Store
	documents     *documentReader
	speech        *speech.Engine
	speechMissing *missingProgram
}

func newMediaExtractor(store objects.Store, documents *documentReader, logger *slog.Logger) *mediaExtractor {
	return &mediaExtractor{objects: store, documents: documents, speech: speech.New(), speechMissing: &missingProgram{logger: logger}}
}

func newDocumentReader(store objects.Store, logger *slog.Logger) *documentReader {
	return &documentReader{objects: store, ocr: ocr.New(), ocrMissing: &missingProgram{logger: logger}}
}

func (*mediaExtractor) Name() string { return "local-media" }

func (x *mediaExtractor) ExtractText(ctx context.Context, item pipeline.Item) (string, error) {
	switch item.MediaType {
	case "audio", "video":
		return x.transcribe(ctx, item)
	case "document":
		if item.Format == "tiff" {
			return x.documents.readTIFF(ctx, item)
		}
		doc, err := x.documents.read(ctx, item)
		if err != nil {
			return "", err
		}
		text, _ := doc.Text()
		return text, nil
	}
	return "", &pipeline.EngineUnavailableError{Reason: fmt.Sprintf("no local engine extracts text from %s content", item.MediaType)}
}

// transcribe returns the speech of an audio item or of a video's audio
// track. A video without an audio track has no speech, so its transcript is
// empty.
func (x *mediaExtractor) transcribe(ctx context.Context, item pipeline.Item) (string, error) {
	if err := x.speech.Check(); err != nil {
		return "", x.speechMissing.report(ctx, "local-pocketsphinx", err)
	}
	path, cleanup, err := objectFile(ctx, x.objects, item)
	if err != nil {
		return "", err
	}
	defer cleanup()

	tr, err := x.speech.Transcribe(ctx, path)
	switch {
	case errors.Is(err, speech.ErrNoAudio) && item.MediaType == "video":
		return "", nil
	case errors.Is(err, speech.ErrNoAudio):
		return "", &pipeline.InvalidContentError{Reason: "the audio file has no audio stream"}
	case errors.Is(err, speech.ErrUnreadable):
		return "", &pipeline.InvalidContentError{Reason: err.Error()}
	case errors.Is(err, speech.ErrTooLong):
		return "", &pipeline.EngineUnavailableError{Reason: err.Error()}
	case err != nil && ctx.Err() == nil:
		// A recognizer crash or timeout is an engine failure, not damaged
		// content, so the item goes to review rather than to failed.
		x.speechMissing.logger.ErrorContext(ctx, "transcribing speech", "item", item.Location().String(), "error", err)
		return "", &pipeline.EngineUnavailableError{Reason: "speech could not be transcribed: " + err.Error()}
	case err != nil:
		return "", fmt.Errorf("transcribing %s: %w", item.Location(), err)
	}
	return tr.Text(), nil
}

// ffmpegFrames adapts the video frame sampler to pipeline.FrameSampler.
type ffmpegFrames struct {
	objects objects.Store
	sampler *video.Sampler
	missing *missingProgram
}

func newFFmpegFrames(store objects.Store, logger *slog.Logger) *ffmpegFrames {
	return &ffmpegFrames{objects: store, sampler: video.New(), missing: &missingProgram{logger: logger}}
}

func (*ffmpegFrames) Name() string { return "local-ffmpeg" }

func (f *ffmpegFrames) SampleFrames(ctx context.Context, item pipeline.Item) ([]image.Image, error) {
	if err := f.sampler.Check(); err != nil {
		return nil, f.missing.report(ctx, f.Name(), err)
	}
	path, cleanup, err := objectFile(ctx, f.objects, item)
	if err != nil {
		return nil, err
	}
	defer cleanup()

	frames, err := f.sampler.Sample(ctx, path)
	if errors.Is(err, video.ErrUnreadable) {
		return nil, &pipeline.InvalidContentError{Reason: err.Error()}
	}
	if err != nil && ctx.Err() == nil {
		// A timeout of ffmpeg is an engine failure, not damaged content.
		f.missing.logger.ErrorContext(ctx, "sampling video frames", "item", item.Location().String(), "error", err)
		return nil, &pipeline.EngineUnavailableError{Reason: "video frames could not be sampled: " + err.Error()}
	}
	if err != nil {
		return nil, fmt.Errorf("sampling frames of %s: %w", item.Location(), err)
	}
	return frames, nil
}

// pdfReadTimeout bounds the reading of one PDF's text layer, which takes
// milliseconds for ordinary files. Only a damaged page tree takes longer.
const pdfReadTimeout = time.Minute

// maxDocumentBytes bounds the PDF loaded into memory. Inspect enforces the
// configured document limit first; this guards against a replaced object.
const maxDocumentBytes = 512 << 20

// documentReader reads the words of PDFs, with OCR for scanned pages, for
// both the text extractor and the redactor, so that both see the same text.
type documentReader struct {
	objects    objects.Store
	ocr        *ocr.Engine
	ocrMissing *missingProgram
}

func (d *documentReader) read(ctx context.Context, item pipeline.Item) (pdftext.Document, error) {
	if item.Format != "pdf" {
		return pdftext.Document{}, &pipeline.EngineUnavailableError{Reason: fmt.Sprintf("no local engine reads %s documents", item.Format)}
	}
	data, err := objects.ReadAll(ctx, d.objects, item.Location(), maxDocumentBytes)
	if errors.Is(err, objects.ErrNotFound) {
		return pdftext.Document{}, &pipeline.ObjectNotFoundError{Location: item.Location().String()}
	}
	if err != nil {
		return pdftext.Document{}, err
	}

	extractCtx, cancel := context.WithTimeout(ctx, pdfReadTimeout)
	defer cancel()
	doc, err := pdftext.ExtractWithin(extractCtx, data)
	switch {
	case errors.Is(err, pdftext.ErrEncrypted), errors.Is(err, pdftext.ErrUnsupportedEncryption), errors.Is(err, pdftext.ErrTooManyPages):
		return pdftext.Document{}, &pipeline.UnsupportedContentError{Reason: err.Error()}
	case errors.Is(err, pdftext.ErrDamaged):
		return pdftext.Document{}, &pipeline.InvalidContentError{Reason: err.Error()}
	case err != nil:
		return pdftext.Document{}, fmt.Errorf("reading PDF %s: %w", item.Location(), err)
	}

	if err := d.readScans(ctx, &doc); err != nil {
		return pdftext.Document{}, err
	}
	return doc, nil
}

// readScans adds the words of scanned pages, read with OCR. A scanned page
// that cannot be read makes the whole document unavailable, because a
// document must not be approved with unread pages.
func (d *documentReader) readScans(ctx context.Context, doc *pdftext.Document) error {
	scanned, undecodable := 0, 0
	for _, page := range doc.Pages {
		if page.HasImages && len(page.Words) == 0 {
			scanned++
			if len(page.Scans) == 0 {
				undecodable++
			}
		}
	}
	if scanned == 0 {
		return nil
	}
	if undecodable > 0 {
		return &pipeline.EngineUnavailableError{Reason: fmt.Sprintf("%d scanned pages use an image encoding that cannot be decoded for OCR", undecodable)}
	}
	if err := d.ocr.Check(); err != nil {
		d.ocrMissing.report(ctx, "local-tesseract", err)
		return &pipeline.EngineUnavailableError{Reason: fmt.Sprintf("%d scanned pages were not read: %v", scanned, err)}
	}

	for i := range doc.Pages {
		page := &doc.Pages[i]
		for _, scan := range page.Scans {
			words, err := d.ocr.Recognize(ctx, scan)
			if err != nil {
				return fmt.Errorf("reading scanned page %d: %w", i+1, err)
			}
			converted := make([]pdftext.ScanWord, len(words))
			for j, w := range words {
				converted[j] = pdftext.ScanWord{Text: w.Text, Box: w.Box, Line: w.Line}
			}
			page.AddScanWords(converted, scan.Bounds().Size())
		}
	}
	return nil
}

// readTIFF reads the words of every page of a multi-page TIFF with OCR: a
// line per text line and a form feed between pages, as the Textract job
// writes them on AWS. A page that cannot be read makes the whole document
// unavailable, and so does a document without any words, because a
// document must not be approved on pages nobody read.
//
// NOTE: the pages are read for text only. Their pictures are not moderated
// as images, as on AWS, where Textract reads them.
func (d *documentReader) readTIFF(ctx context.Context, item pipeline.Item) (string, error) {
	if err := d.ocr.Check(); err != nil {
		return "", d.ocrMissing.report(ctx, "local-tesseract", err)
	}
	data, err := objects.ReadAll(ctx, d.objects, item.Location(), maxDocumentBytes)
	if errors.Is(err, objects.ErrNotFound) {
		return "", &pipeline.ObjectNotFoundError{Location: item.Location().String()}
	}
	if err != nil {
		return "", err
	}
	offsets, err := media.TIFFPageOffsets(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", &pipeline.InvalidContentError{Reason: err.Error()}
	}

	var text strings.Builder
	words := 0
	for i, offset := range offsets {
		page, err := imaging.DecodeTIFFPage(data, offset, imaging.DefaultOptions())
		if errors.Is(err, imaging.ErrTooLarge) || errors.Is(err, imaging.ErrUnsupportedFormat) {
			return "", &pipeline.UnsupportedContentError{Reason: fmt.Sprintf("TIFF page %d: %v", i+1, err)}
		}
		if err != nil {
			return "", &pipeline.InvalidContentError{Reason: fmt.Sprintf("TIFF page %d: %v", i+1, err)}
		}
		pageWords, err := d.ocr.Recognize(ctx, page)
		if err != nil {
			return "", fmt.Errorf("reading TIFF page %d of %s: %w", i+1, item.Location(), err)
		}
		if i > 0 {
			text.WriteString("\f")
		}
		writeLines(&text, pageWords)
		words += len(pageWords)
	}
	if words == 0 {
		return "", &pipeline.EngineUnavailableError{Reason: fmt.Sprintf("OCR found no text on the %d pages of the TIFF", len(offsets))}
	}
	return text.String(), nil
}

// writeLines writes OCR words as text, the words of a line separated by
// spaces and each line ended by a newline.
func writeLines(text *strings.Builder, words []ocr.Word) {
	for i, w := range words {
		switch {
		case i == 0:
		case w.Line != words[i-1].Line:
			text.WriteString("\n")
		default:
			text.WriteString(" ")
		}
		text.WriteString(w.Text)
	}
	if len(words) > 0 {
		text.WriteString("\n")
	}
}

// pdfRedactor implements pipeline.DocumentRedactor for PDFs.
type pdfRedactor struct{ documents *documentReader }

func (*pdfRedactor) Name() string { return "local-pdf" }

func (r *pdfRedactor) RedactDocument(ctx context.Context, item pipeline.Item, text string, entities []pii.Entity) ([]byte, error) {
	doc, err := r.documents.read(ctx, item)
	if err != nil {
		return nil, err
	}
	docText, spans := doc.Text()
	if docText != text {
		return nil, fmt.Errorf("redacting %s: the document's text differs from the text that was scanned for PII", item.Location())
	}

	// Both spans and entities are sorted by offset.
	redacted := map[int]bool{}
	next := 0
	for i, span := range spans {
		for next < len(entities) && entities[next].End <= span[0] {
			next++
		}
		for j := next; j < len(entities) && entities[j].Begin < span[1]; j++ {
			if entities[j].End > span[0] {
				redacted[i] = true
				break
			}
		}
	}
	return pdftext.Redact(doc, redacted), nil
}
