// Package rekognition moderates images with Amazon Rekognition
// DetectModerationLabels. Moderator implements pipeline.ImageModerator.
//
// The pipeline hands over an image that is already decoded, upright and
// stripped of metadata, whatever its original format (WebP, GIF, BMP,
// TIFF...). Moderator encodes it as JPEG within Rekognition's limits: each
// side at least 80 px, at most MaxSide px, and at most MaxBytes of inline
// bytes. It downscales when the image is too large.
package rekognition

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
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
	// MaxBytes is the largest inline image, 5 MB.
	MaxBytes = 5 << 20
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
}

var _ pipeline.ImageModerator = (*Moderator)(nil)

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

// Encode returns img as a JPEG within Rekognition's limits, downscaled when
// a side exceeds MaxSide or the bytes exceed MaxBytes. It returns an
// UnsupportedContentError for an image with a side under MinSide.
func Encode(img image.Image) ([]byte, error) {
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
		if buf.Len() <= MaxBytes {
			return buf.Bytes(), nil
		}

		// JPEG size grows about with the pixel count, so shrinking each
		// side by the square root of the excess, with a margin, fits in
		// one or two more rounds.
		b := img.Bounds()
		scale := math.Sqrt(float64(MaxBytes)/float64(buf.Len())) * 0.9
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
