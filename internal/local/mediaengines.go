package local

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"sync"

	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/ocr"
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
// speech recognition for audio and for the audio track of videos.
type mediaExtractor struct {
	objects       objects.Store
	speech        *speech.Engine
	speechMissing *missingProgram
}

func newMediaExtractor(store objects.Store, logger *slog.Logger) *mediaExtractor {
	return &mediaExtractor{objects: store, speech: speech.New(), speechMissing: &missingProgram{logger: logger}}
}

func (*mediaExtractor) Name() string { return "local-media" }

func (x *mediaExtractor) ExtractText(ctx context.Context, item pipeline.Item) (string, error) {
	switch item.MediaType {
	case "audio", "video":
		return x.transcribe(ctx, item)
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
	if err != nil {
		return nil, fmt.Errorf("sampling frames of %s: %w", item.Location(), err)
	}
	return frames, nil
}
