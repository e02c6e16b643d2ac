package local

import (
	"context"
	"errors"
	"image"
	"log/slog"
	"sync"

	"github.com/moderato/moderato/internal/ocr"
	"github.com/moderato/moderato/internal/pipeline"
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
	if err != nil {
		return nil, err
	}
	out := make([]pipeline.Word, len(words))
	for i, w := range words {
		out[i] = pipeline.Word{Text: w.Text, Box: w.Box, Line: w.Line}
	}
	return out, nil
}
