// Package localengine adapts the in-process analysis engines (the toxicity
// lexicon, the PII patterns and the nsfwjs image model) to the pipeline's
// engine interfaces. Local mode uses them, and so do the Lambda functions
// when MODERATO_ENGINES=local (see internal/lambdahandler/engines).
package localengine

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"sync"

	"github.com/moderato/moderato/internal/nsfw"
	"github.com/moderato/moderato/internal/pii"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/toxicity"
)

// NewTextModerator returns the toxicity lexicon as a pipeline.TextModerator.
func NewTextModerator() pipeline.TextModerator {
	return lexiconModerator{toxicity.New()}
}

// NewPIIDetector returns the PII patterns as a pipeline.PIIDetector.
func NewPIIDetector() pipeline.PIIDetector {
	return patternDetector{pii.NewDetector()}
}

// lexiconModerator adapts the toxicity classifier to pipeline.TextModerator.
type lexiconModerator struct{ c *toxicity.Classifier }

func (lexiconModerator) Name() string { return "local-lexicon" }

func (m lexiconModerator) ModerateText(ctx context.Context, text string) ([]pipeline.Score, error) {
	res := m.c.Classify(text)
	scores := make([]pipeline.Score, 0, len(res.Labels))
	for _, l := range res.Labels {
		scores = append(scores, pipeline.Score{Name: l.Name, Score: l.Score})
	}
	return scores, nil
}

// patternDetector adapts the PII detector to pipeline.PIIDetector.
type patternDetector struct{ d *pii.Detector }

func (patternDetector) Name() string { return "local-patterns" }

func (p patternDetector) DetectPII(ctx context.Context, text string) ([]pii.Entity, error) {
	return p.d.DetectLong(text), nil
}

// nsfwModel adapts the nsfwjs image classifier to pipeline.ImageModerator.
// Its scores use Rekognition's top-level moderation labels (see
// nsfw.Prediction.Labels), so one policy serves both engines.
type nsfwModel struct{ c *nsfw.Classifier }

func (nsfwModel) Name() string { return "local-nsfwjs-" + nsfw.PackageVersion }

func (m nsfwModel) ModerateImage(ctx context.Context, img image.Image) ([]pipeline.Score, error) {
	p, err := m.c.Classify(img)
	if err != nil {
		return nil, fmt.Errorf("classifying image with nsfwjs model: %w", err)
	}
	labels := p.Labels()
	scores := make([]pipeline.Score, 0, len(labels))
	for _, l := range labels {
		scores = append(scores, pipeline.Score{Name: l.Name, Score: l.Score})
	}
	return scores, nil
}

// imageModels caches the loaded classifier per model directory, because
// every runtime of the process can share it.
var imageModels sync.Map

// NewImageModerator returns the nsfwjs model from the model cache (see
// nsfw.DefaultDir). When it is missing or damaged it logs why and returns
// an engine that reports the reason, so images go to review.
func NewImageModerator(logger *slog.Logger) pipeline.ImageModerator {
	dir, err := nsfw.DefaultDir()
	if err != nil {
		logger.Warn("image moderation model not loaded, so images go to review", "error", err)
		return noImageModel{reason: "no local image moderation model is installed: " + err.Error()}
	}
	if c, ok := imageModels.Load(dir); ok {
		return nsfwModel{c.(*nsfw.Classifier)}
	}

	c, err := nsfw.Load(dir)
	if errors.Is(err, nsfw.ErrNotInstalled) {
		logger.Warn("image moderation model not installed, so images go to review; run `make model` (needs npm)", "dir", dir)
		return noImageModel{}
	}
	if err != nil {
		logger.Error("image moderation model not loaded, so images go to review", "dir", dir, "error", err)
		return noImageModel{reason: "the local image moderation model could not be loaded: " + err.Error()}
	}
	actual, _ := imageModels.LoadOrStore(dir, c)
	return nsfwModel{actual.(*nsfw.Classifier)}
}

// noImageModel is the image engine when the model is not installed. It
// reports that as the reason, and the policy sends the image to review
// instead of trusting a made-up score.
type noImageModel struct {
	// reason replaces the default reason when set.
	reason string
}

func (noImageModel) Name() string { return "local-none" }

func (m noImageModel) ModerateImage(ctx context.Context, img image.Image) ([]pipeline.Score, error) {
	reason := m.reason
	if reason == "" {
		reason = "no local image moderation model is installed (run `make model`, which needs npm)"
	}
	return nil, &pipeline.EngineUnavailableError{Reason: reason}
}
