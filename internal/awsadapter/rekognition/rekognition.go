// Package rekognition moderates images with Amazon Rekognition
// DetectModerationLabels. Moderator implements pipeline.ImageModerator and
// pipeline.StoredImageModerator.
//
// An original that Rekognition can read as stored (see ModerateStoredImage)
// is passed as an S3Object. Otherwise the pipeline hands over an image that
// is already decoded, upright and stripped of metadata, whatever its
// original format (WebP, GIF, BMP, TIFF...). Moderator encodes it as JPEG
// within Rekognition's limits: each side at least 80 px, at most MaxSide
// px, and at most MaxBytes of inline bytes. It downscales when the image is
// too large.
package rekognition

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"golang.org/x/image/draw"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/pipeline"
)

// Limits of DetectModerationLabels for an image passed as bytes (Amazon
// Rekognition developer guide, "Guidelines and quotas").
const (
	// MinSide is the shortest side Rekognition analyses, in pixels.
	MinSide = 80
	// MaxSide bounds the longer side sent, in pixels. Rekognition accepts
	// up to 10,000 px, but moderation labels do not need more detail, and a
	// smaller image keeps the JPEG under MaxBytes.
	MaxSide = 4096
	// MaxBytes is the largest inline image, 5 MB: the API reference
	// bounds Image.Bytes at 5,242,880 bytes.
	MaxBytes = 5 << 20
	// MaxStoredBytes is the largest image Rekognition reads from S3. The
	// guide states 15 MB without saying whether a MB is 10^6 or 2^20
	// bytes, so the smaller reading is used.
	MaxStoredBytes = 15_000_000
	// MaxStoredSide is the longest side of an image DetectModerationLabels
	// analyses, in pixels.
	MaxStoredSide = 10_000
	// minConfidence is the lowest label confidence requested, in percent,
	// so that the policy's review thresholds (scores from 0.2) see the
	// label.
	minConfidence = 20
)

// jpegQuality keeps detail for moderation at about a third of the size of
// quality 100.
const jpegQuality = 85

// API is the part of the Rekognition client Moderator calls.
type API interface {
	DetectModerationLabels(ctx context.Context, in *rekognition.DetectModerationLabelsInput, opts ...func(*rekognition.Options)) (*rekognition.DetectModerationLabelsOutput, error)
}

// Moderator scores images with DetectModerationLabels.
type Moderator struct {
	API API
	// ReadBuckets are the buckets whose originals Rekognition may read
	// directly: in the client's region, with objects the caller may read
	// and decrypt. Empty means every image is sent as bytes.
	ReadBuckets []string
	// Logger records fallbacks from S3Object to bytes. Nil discards them.
	Logger *slog.Logger
}

var _ pipeline.StoredImageModerator = (*Moderator)(nil)

// Name identifies the engine in outcomes.
func (m *Moderator) Name() string { return "amazon-rekognition" }

// ModerateImage returns a score per policy category: the highest
// confidence, from 0 to 1, of the category's labels at any level of
// Rekognition's taxonomy. An image with a side under MinSide is
// unsupported.
//
// NOTE: the image is always sent as bytes. Sending the original as an
// S3Object (up to 15 MB) would save the encoding when it is a JPEG or PNG
// within limits, but the pipeline passes only the decoded image.
func (m *Moderator) ModerateImage(ctx context.Context, img image.Image) ([]pipeline.Score, error) {
	data, err := Encode(img)
	if err != nil {
		return nil, err
	}

	out, err := m.API.DetectModerationLabels(ctx, &rekognition.DetectModerationLabelsInput{
		Image:         &types.Image{Bytes: data},
		MinConfidence: aws.Float32(minConfidence),
	})
	if err != nil {
		return nil, awserr.Classify("calling Rekognition DetectModerationLabels", err)
	}
	return Scores(out.ModerationLabels), nil
}

// storedFallbackCodes are the errors with which Rekognition rejects an
// S3Object it cannot read or decode, although the pipeline decoded the
// original: the bytes path re-encodes it, so it still gets a score.
var storedFallbackCodes = []string{"InvalidS3ObjectException", "InvalidImageFormatException", "ImageTooLargeException"}

// ModerateStoredImage scores the original object as an S3Object when it
// qualifies: its bucket is one of ReadBuckets, and it is a still JPEG or PNG
// of at most MaxStoredBytes with each side from MinSide to MaxStoredSide
// pixels. It must also be stored upright (EXIF orientation 1) and carry no
// GPS position, so that Rekognition scores the pixels the pipeline decoded
// and no position leaves the bucket. It returns handled false for any
// other image, and when Rekognition rejects the object with one of
// storedFallbackCodes.
//
// Objects encrypted with a customer-provided key (SSE-C) never get here:
// S3 serves them only to requests that carry the key, so Inspect cannot
// read them, and Rekognition would reject them with
// InvalidS3ObjectException.
func (m *Moderator) ModerateStoredImage(ctx context.Context, item pipeline.Item, img pipeline.Image) ([]pipeline.Score, bool, error) {
	if reason := m.storedReason(item, img); reason != "" {
		m.logger().DebugContext(ctx, "sending the image as bytes", "item", item.Location().String(), "reason", reason)
		return nil, false, nil
	}
	out, err := m.API.DetectModerationLabels(ctx, &rekognition.DetectModerationLabelsInput{
		Image: &types.Image{S3Object: &types.S3Object{
			Bucket:  aws.String(item.Bucket),
			Name:    aws.String(item.Key),
			Version: optional(item.VersionID),
		}},
		MinConfidence: aws.Float32(minConfidence),
	})
	if awserr.Is(err, storedFallbackCodes...) {
		m.logger().WarnContext(ctx, "sending the image as bytes: Amazon Rekognition could not read the original from S3",
			"item", item.Location().String(), "error", err)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, awserr.Classify("calling Rekognition DetectModerationLabels on "+item.Location().String(), err)
	}
	return Scores(out.ModerationLabels), true, nil
}

// storedReason returns why the original cannot be sent as an S3Object, or
// "" when it can.
func (m *Moderator) storedReason(item pipeline.Item, img pipeline.Image) string {
	switch {
	case !slices.Contains(m.ReadBuckets, item.Bucket):
		return "the bucket is not configured for direct reads"
	case item.Format != "jpeg" && item.Format != "png":
		return "Rekognition reads only JPEG and PNG"
	case item.Size <= 0 || item.Size > MaxStoredBytes:
		return "the object is larger than Rekognition reads from S3"
	case img.Width < MinSide || img.Height < MinSide || img.Width > MaxStoredSide || img.Height > MaxStoredSide:
		return "the image's sides are outside Rekognition's limits"
	case img.Frames > 1:
		return "the image is animated"
	case img.Orientation > 1:
		return "the image is stored rotated"
	case img.HadGPS:
		return "the image carries a GPS position"
	}
	return ""
}

func (m *Moderator) logger() *slog.Logger {
	if m.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return m.Logger
}

// Encode returns img as a JPEG within Rekognition's limits, downscaled when
// a side exceeds MaxSide or the bytes exceed MaxBytes. It returns an
// UnsupportedContentError for an image with a side under MinSide.
func Encode(img image.Image) ([]byte, error) {
	return encodeWithin(img, MaxBytes)
}

// encodeWithin is Encode with a byte limit of maxBytes, so that tests can
// reach the limit with small images.
func encodeWithin(img image.Image, maxBytes int) ([]byte, error) {
	b := img.Bounds()
	if b.Dx() < MinSide || b.Dy() < MinSide {
		return nil, &pipeline.UnsupportedContentError{Reason: fmt.Sprintf(
			"the image is %dx%d px, and Amazon Rekognition needs at least %d px on each side", b.Dx(), b.Dy(), MinSide)}
	}

	img = flatten(fit(img, MaxSide))
	for {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
			return nil, fmt.Errorf("encoding the image as JPEG: %w", err)
		}
		if buf.Len() <= maxBytes {
			return buf.Bytes(), nil
		}

		// JPEG size grows about with the pixel count, so shrinking each
		// side by the square root of the excess, with a margin, fits in
		// one or two more rounds.
		b := img.Bounds()
		scale := math.Sqrt(float64(maxBytes)/float64(buf.Len())) * 0.9
		side := int(float64(max(b.Dx(), b.Dy())) * scale)
		if int(float64(min(b.Dx(), b.Dy()))*scale) < MinSide {
			return nil, &pipeline.UnsupportedContentError{Reason: "the image cannot be encoded within Amazon Rekognition's 5 MB limit"}
		}
		img = fit(img, side)
	}
}

// fit downscales img so that its longer side is at most side pixels.
func fit(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		return img
	}
	if w >= h {
		h = max(1, h*side/w)
		w = side
	} else {
		w = max(1, w*side/h)
		h = side
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// flatten draws img over white, because JPEG has no transparency and the
// encoder would turn transparent pixels black.
func flatten(img image.Image) image.Image {
	dst := image.NewRGBA(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, img.Bounds().Min, draw.Over)
	return dst
}

// categories maps the top-level labels of Rekognition's moderation
// taxonomy (model version 7) to policy categories. Labels of older
// taxonomies that share a name map the same way.
var categories = map[string]string{
	"Explicit":        "EXPLICIT",
	"Explicit Nudity": "EXPLICIT",
	"Non-Explicit Nudity of Intimate parts and Kissing": "NON_EXPLICIT_NUDITY",
	"Suggestive":            "SUGGESTIVE",
	"Swimwear or Underwear": "SWIMWEAR_OR_UNDERWEAR",
	"Violence":              "VIOLENCE",
	"Visually Disturbing":   "VISUALLY_DISTURBING",
	"Rude Gestures":         "RUDE_GESTURES",
	"Drugs & Tobacco":       "DRUGS_AND_TOBACCO",
	"Drugs":                 "DRUGS_AND_TOBACCO",
	"Tobacco":               "DRUGS_AND_TOBACCO",
	"Alcohol":               "ALCOHOL",
	"Gambling":              "GAMBLING",
	"Hate Symbols":          "HATE_SYMBOLS",
}

// Scores maps moderation labels to policy categories. A second- or
// third-level label counts for its top-level category, found through
// ParentName. A top-level name outside the taxonomy becomes its upper-case
// name with underscores, so a new label is still scored.
func Scores(labels []types.ModerationLabel) []pipeline.Score {
	parent := map[string]string{}
	for _, l := range labels {
		parent[aws.ToString(l.Name)] = aws.ToString(l.ParentName)
	}
	best := map[string]float64{}
	for _, l := range labels {
		top := topLevel(aws.ToString(l.Name), parent)
		category, ok := categories[top]
		if !ok {
			category = strings.ToUpper(strings.NewReplacer(" ", "_", "&", "AND", "-", "_").Replace(top))
		}
		score := float64(aws.ToFloat32(l.Confidence)) / 100
		if score > best[category] {
			best[category] = score
		}
	}
	scores := make([]pipeline.Score, 0, len(best))
	for name, score := range best {
		scores = append(scores, pipeline.Score{Name: name, Score: score})
	}
	sort.Slice(scores, func(i, j int) bool { return scores[i].Name < scores[j].Name })
	return scores
}

// topLevel follows ParentName up to the top-level label. A parent absent
// from the response is taken as the top level; the taxonomy has at most
// three levels, so the loop is bounded.
func topLevel(name string, parent map[string]string) string {
	for range 3 {
		p, ok := parent[name]
		if !ok || p == "" {
			return name
		}
		if _, known := categories[p]; known {
			return p
		}
		name = p
	}
	return name
}
