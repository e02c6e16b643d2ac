package pipeline

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"strings"

	"github.com/moderato/moderato/internal/pii"
)

// scanImageText reads the text in img, records its PII counts and its text
// moderation scores in out, and returns img with every word of a PII entity
// covered by an opaque box. Without an OCR engine, img is returned as it is
// and out records that its text was not scanned.
func (t *Tasks) scanImageText(ctx context.Context, item Item, img image.Image, out *Analysis) (image.Image, error) {
	if t.TextRecognizer == nil {
		out.Unscored = append(out.Unscored, "text in the image was not scanned for PII: no OCR engine is configured")
		return img, nil
	}
	words, err := t.TextRecognizer.RecognizeText(ctx, img)
	if errors.Is(err, ErrEngineUnavailable) {
		out.Unscored = append(out.Unscored, "text in the image was not scanned for PII: "+err.Error())
		return img, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading text in image %s: %w", item.Location(), err)
	}
	if len(words) == 0 {
		return img, nil
	}
	text, spans := joinWords(words)

	if err := t.moderateImageText(ctx, item, text, out); err != nil {
		return nil, err
	}

	if t.PIIDetector == nil {
		out.Unscored = append(out.Unscored, "text in the image was not scanned for PII: no PII engine is configured")
		return img, nil
	}
	entities, err := t.PIIDetector.DetectPII(ctx, text)
	if errors.Is(err, ErrEngineUnavailable) {
		out.Unscored = append(out.Unscored, "text in the image was not scanned for PII: "+err.Error())
		return img, nil
	}
	if err != nil {
		return nil, fmt.Errorf("detecting PII in the text of image %s: %w", item.Location(), err)
	}
	out.PII = countTypes(entities)
	return coverWords(img, words, spans, entities), nil
}

// moderateImageText scores the words of an image with the text moderation
// engine, because a caption or a meme's words can be abusive while the
// picture is not.
func (t *Tasks) moderateImageText(ctx context.Context, item Item, text string, out *Analysis) error {
	if t.TextModerator == nil {
		out.Unscored = append(out.Unscored, "text in the image was not moderated: no text moderation engine is configured")
		return nil
	}
	scores, err := t.TextModerator.ModerateText(ctx, text)
	if errors.Is(err, ErrEngineUnavailable) {
		out.Unscored = append(out.Unscored, "text in the image was not moderated: "+err.Error())
		return nil
	}
	if err != nil {
		return fmt.Errorf("moderating the text of image %s: %w", item.Location(), err)
	}
	out.Categories = append(out.Categories, scores...)
	return nil
}

// joinWords joins words into text, one image line per text line, and returns
// the byte range of each word in that text.
func joinWords(words []Word) (string, [][2]int) {
	var b strings.Builder
	spans := make([][2]int, len(words))
	for i, w := range words {
		if i > 0 {
			if w.Line != words[i-1].Line {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		}
		spans[i][0] = b.Len()
		b.WriteString(w.Text)
		spans[i][1] = b.Len()
	}
	return b.String(), spans
}

// coverWords returns a copy of img in which the words that overlap an entity
// are painted over in black. The words of one entity on one line are covered
// by a single box, so the gaps between them reveal nothing either. The
// result is a new pixel buffer, so nothing of the covered pixels survives in
// the encoded copy.
func coverWords(img image.Image, words []Word, spans [][2]int, entities []pii.Entity) image.Image {
	if len(entities) == 0 {
		return img
	}
	bounds := img.Bounds()
	out := image.NewRGBA(bounds)
	draw.Draw(out, bounds, img, bounds.Min, draw.Src)
	black := image.NewUniform(color.Black)

	for _, e := range entities {
		lines := map[int]image.Rectangle{}
		for i, w := range words {
			if spans[i][1] <= e.Begin || spans[i][0] >= e.End {
				continue
			}
			lines[w.Line] = lines[w.Line].Union(w.Box)
		}
		for _, box := range lines {
			pad := max(2, box.Dy()/6)
			box = box.Add(bounds.Min).Inset(-pad).Intersect(bounds)
			draw.Draw(out, box, black, image.Point{}, draw.Src)
		}
	}
	return out
}
