package local

import (
	"context"
	"image"

	"github.com/moderato/moderato/internal/pii"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/toxicity"
)

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

// noImageModel is the image engine until a local model exists: it says so,
// and the policy sends the image to review instead of trusting a made-up
// score.
type noImageModel struct{}

func (noImageModel) Name() string { return "local-none" }

func (noImageModel) ModerateImage(ctx context.Context, img image.Image) ([]pipeline.Score, error) {
	return nil, &pipeline.EngineUnavailableError{Reason: "no local image moderation model is installed"}
}
