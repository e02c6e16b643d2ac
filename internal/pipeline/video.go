package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"slices"
	"strings"
)

// moderateFrames scores every frame and merges the scores into out, keeping
// each category's highest score. A missing engine adds one unscored reason
// for the whole video, not one per frame.
func (t *Tasks) moderateFrames(ctx context.Context, item Item, frames []image.Image, out Analysis) (Analysis, error) {
	best := map[string]float64{}
	var unscored, piiTypes []string
	note := func(reason string) {
		if !slices.Contains(unscored, reason) {
			unscored = append(unscored, reason)
		}
	}

	for i, frame := range frames {
		if t.ImageModerator == nil {
			note("video frames were not moderated: no image moderation engine is configured")
		} else {
			scores, err := t.ImageModerator.ModerateImage(ctx, frame)
			switch {
			case errors.Is(err, ErrEngineUnavailable):
				note("video frames were not moderated: " + err.Error())
			case err != nil:
				return Analysis{}, fmt.Errorf("moderating frame %d of %s: %w", i, item.Location(), err)
			}
			keepBest(best, scores)
		}

		var text Analysis
		if err := t.moderateFrameText(ctx, item, frame, &text); err != nil {
			return Analysis{}, fmt.Errorf("reading text in frame %d of %s: %w", i, item.Location(), err)
		}
		keepBest(best, text.Categories)
		for _, reason := range text.Unscored {
			note(reason)
		}
		for _, c := range text.PII {
			if !slices.Contains(piiTypes, c.Type) {
				piiTypes = append(piiTypes, c.Type)
			}
		}
	}
	if len(piiTypes) > 0 {
		slices.Sort(piiTypes)
		note("video frames show PII that cannot be redacted in a video: " + strings.Join(piiTypes, ", "))
	}

	for name, score := range best {
		out.Categories = append(out.Categories, Score{Name: name, Score: score})
	}
	slices.SortFunc(out.Categories, func(a, b Score) int { return cmp.Compare(a.Name, b.Name) })
	out.Unscored = unscored
	return out, nil
}

// moderateFrameText moderates the words of one frame, as for an image, and
// counts the PII in them in out.PII. The pipeline publishes no redacted
// video, so PII shown in frames sends the video to review instead.
func (t *Tasks) moderateFrameText(ctx context.Context, item Item, frame image.Image, out *Analysis) error {
	if t.TextRecognizer == nil {
		out.Unscored = append(out.Unscored, "text in video frames was not read: no OCR engine is configured")
		return nil
	}
	words, err := t.TextRecognizer.RecognizeText(ctx, frame)
	if errors.Is(err, ErrEngineUnavailable) {
		out.Unscored = append(out.Unscored, "text in video frames was not read: "+err.Error())
		return nil
	}
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return nil
	}
	text, _ := joinWords(words)
	if err := t.moderateImageText(ctx, item, text, out); err != nil {
		return err
	}

	if t.PIIDetector == nil {
		return nil
	}
	entities, err := t.PIIDetector.DetectPII(ctx, text)
	if errors.Is(err, ErrEngineUnavailable) {
		out.Unscored = append(out.Unscored, "text in video frames was not scanned for PII: "+err.Error())
		return nil
	}
	if err != nil {
		return err
	}
	out.PII = countTypes(entities)
	return nil
}

func keepBest(best map[string]float64, scores []Score) {
	for _, s := range scores {
		if old, ok := best[s.Name]; !ok || s.Score > old {
			best[s.Name] = s.Score
		}
	}
}
