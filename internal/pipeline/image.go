package pipeline

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"path"
	"slices"

	"github.com/moderato/moderato/internal/imaging"
	"github.com/moderato/moderato/internal/objects"
)

// maxImageBytes bounds the image a task loads into memory; Inspect enforces
// the configured limit before this.
const maxImageBytes = 256 << 20

// NormalizeImageInput is the input of the Normalize image task.
type NormalizeImageInput struct {
	Item Item `json:"item"`
}

// NormalizeImage decodes the image, turns it upright by its EXIF
// orientation and stores it as PNG without metadata (GPS position included)
// for the analysis branches. Damaged images are reported as
// InvalidContentError, formats without a decoder and image bombs as
// UnsupportedContentError.
func (t *Tasks) NormalizeImage(ctx context.Context, in NormalizeImageInput) (Image, error) {
	data, err := objects.ReadAll(ctx, t.Objects, in.Item.Location(), maxImageBytes)
	if errors.Is(err, objects.ErrNotFound) {
		return Image{}, &ObjectNotFoundError{Location: in.Item.Location().String()}
	}
	if err != nil {
		return Image{}, err
	}

	res, err := imaging.Normalize(data, t.Imaging)
	switch {
	case errors.Is(err, imaging.ErrCorrupt):
		return Image{}, &InvalidContentError{Reason: err.Error()}
	case errors.Is(err, imaging.ErrUnsupportedFormat), errors.Is(err, imaging.ErrTooLarge):
		return Image{}, &UnsupportedContentError{Reason: err.Error()}
	case err != nil:
		return Image{}, fmt.Errorf("normalising image %s: %w", in.Item.Location(), err)
	}

	loc := objects.Location{Bucket: t.Buckets.Work, Key: "normalized/" + workID(in.Item) + ".png"}
	if err := t.putPNG(ctx, loc, res.Image); err != nil {
		return Image{}, fmt.Errorf("writing normalised image of %s: %w", in.Item.Location(), err)
	}
	var sampled []ImageFrame
	for _, frame := range res.Samples {
		if frame.Index == 0 {
			continue // stored above as the image itself
		}
		frameLoc := objects.Location{Bucket: t.Buckets.Work, Key: fmt.Sprintf("normalized/%s-frame-%d.png", workID(in.Item), frame.Index)}
		if err := t.putPNG(ctx, frameLoc, frame.Image); err != nil {
			return Image{}, fmt.Errorf("writing frame %d of %s: %w", frame.Index, in.Item.Location(), err)
		}
		sampled = append(sampled, ImageFrame{Index: frame.Index, Location: frameLoc})
	}
	return Image{
		Sampled:     sampled,
		Location:    loc,
		Width:       res.Width,
		Height:      res.Height,
		Format:      res.Format,
		Orientation: res.Orientation,
		HadGPS:      res.HadGPS,
		Frames:      res.Frames,
	}, nil
}

// putPNG stores img as a PNG without metadata at loc.
func (t *Tasks) putPNG(ctx context.Context, loc objects.Location, img image.Image) error {
	var buf bytes.Buffer
	if err := imaging.EncodePNG(&buf, img); err != nil {
		return err
	}
	_, err := t.Objects.Put(ctx, loc, &buf, "image/png")
	return err
}

// AnalyzeImageInput is the input of the image analysis tasks.
type AnalyzeImageInput struct {
	Item  Item  `json:"item"`
	Image Image `json:"image"`
}

// ModerateImage scores the normalised image with the image moderation
// engine. Without an engine the image is reported as unscored, never given a
// made-up score.
//
// An animated image is scored frame by frame over its sampled frames. Each
// category keeps its highest score, with the frame that had it.
func (t *Tasks) ModerateImage(ctx context.Context, in AnalyzeImageInput) (Analysis, error) {
	out := Analysis{Kind: KindModeration, Engine: engineName(t.ImageModerator)}
	if t.ImageModerator == nil {
		out.Unscored = []string{"image was not moderated: no image moderation engine is configured"}
		return out, nil
	}

	if stored, ok := t.ImageModerator.(StoredImageModerator); ok && len(in.Image.Sampled) == 0 {
		scores, handled, err := stored.ModerateStoredImage(ctx, in.Item, in.Image)
		if err != nil {
			return Analysis{}, fmt.Errorf("moderating image %s: %w", in.Item.Location(), err)
		}
		if handled {
			out.Categories = scores
			return out, nil
		}
	}

	frames := append([]ImageFrame{{Index: 0, Location: in.Image.Location}}, in.Image.Sampled...)
	best := map[string]Score{}
	for _, frame := range frames {
		img, err := t.loadNormalized(ctx, Image{Location: frame.Location})
		if err != nil {
			return Analysis{}, err
		}
		scores, err := t.ImageModerator.ModerateImage(ctx, img)
		if errors.Is(err, ErrEngineUnavailable) {
			out.Unscored = []string{"image was not moderated: " + err.Error()}
			return out, nil
		}
		if err != nil && len(frames) > 1 {
			return Analysis{}, fmt.Errorf("moderating frame %d of image %s: %w", frame.Index, in.Item.Location(), err)
		}
		if err != nil {
			return Analysis{}, fmt.Errorf("moderating image %s: %w", in.Item.Location(), err)
		}
		keepBestFrame(best, scores, frame.Index, len(frames) > 1)
	}

	for _, score := range best {
		out.Categories = append(out.Categories, score)
	}
	slices.SortFunc(out.Categories, func(a, b Score) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// keepBestFrame keeps in best each category's highest score, marked with
// its frame when the image is animated.
func keepBestFrame(best map[string]Score, scores []Score, frame int, animated bool) {
	for _, s := range scores {
		if old, ok := best[s.Name]; ok && s.Score <= old.Score {
			continue
		}
		if animated {
			s.Frame = &frame
		}
		best[s.Name] = s
	}
}

// DetectPIIImage reads the text in the image, covers the words of every PII
// entity with a black box and writes the redacted derivative: upright and
// stripped of all metadata, GPS position included. It also scores that text
// with the text moderation engine. An image whose text could not be read is
// reported as not scanned, which sends it to review.
//
// NOTE: of an animated GIF only frame 0 is scanned and redacted, so text
// that appears in later frames only is not checked for PII.
func (t *Tasks) DetectPIIImage(ctx context.Context, in AnalyzeImageInput) (Analysis, error) {
	out := Analysis{Kind: KindPII, Engine: engineName(t.TextRecognizer)}
	img, err := t.loadNormalized(ctx, in.Image)
	if err != nil {
		return Analysis{}, err
	}
	img, err = t.scanImageText(ctx, in.Item, img, &out)
	if err != nil {
		return Analysis{}, err
	}

	var buf bytes.Buffer
	key, contentType := redactedImageKey(in.Item)
	if contentType == "image/jpeg" {
		err = imaging.EncodeJPEG(&buf, img, 90)
	} else {
		err = imaging.EncodePNG(&buf, img)
	}
	if err != nil {
		return Analysis{}, fmt.Errorf("encoding redacted copy of %s: %w", in.Item.Location(), err)
	}
	redacted := t.stagedRedacted(key)
	if _, err := t.Objects.Put(ctx, redacted, &buf, contentType); err != nil {
		return Analysis{}, fmt.Errorf("writing redacted copy of %s: %w", in.Item.Location(), err)
	}
	out.Redacted = &redacted
	return out, nil
}

// redactedImageKey keeps the key and format of JPEG and PNG originals; other
// formats are published as PNG under the key plus ".png".
func redactedImageKey(item Item) (string, string) {
	switch item.Format {
	case "jpeg":
		return item.Key, "image/jpeg"
	case "png":
		return item.Key, "image/png"
	}
	if path.Ext(item.Key) == ".png" {
		return item.Key, "image/png"
	}
	return item.Key + ".png", "image/png"
}

func (t *Tasks) loadNormalized(ctx context.Context, ref Image) (image.Image, error) {
	data, err := objects.ReadAll(ctx, t.Objects, ref.Location, maxImageBytes)
	if err != nil {
		return nil, fmt.Errorf("reading normalised image: %w", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decoding normalised image %s: %w", ref.Location, err)
	}
	return img, nil
}
