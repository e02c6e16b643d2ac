package comprehend

import (
	"context"
	"log/slog"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/comprehend"
	"github.com/aws/aws-sdk-go-v2/service/comprehend/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/textchunk"
)

// toxicLanguages are the languages DetectToxicContent accepts.
var toxicLanguages = []string{"en"}

// Moderator scores text with DetectToxicContent. Each category's score is
// its highest score over all segments.
type Moderator struct {
	API API
	// Fallback scores text in languages the service does not support; nil
	// reports such text as unscored.
	Fallback pipeline.TextModerator
	Logger   *slog.Logger
}

var _ pipeline.TextModerator = (*Moderator)(nil)

// Name identifies the engine in outcomes.
func (m *Moderator) Name() string { return "amazon-comprehend" }

// ModerateText scores text in Comprehend's toxicity categories.
func (m *Moderator) ModerateText(ctx context.Context, text string) ([]pipeline.Score, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	lang, err := dominantLanguage(ctx, m.API, text)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(toxicLanguages, baseLanguage(lang)) {
		reason := unsupportedReason("DetectToxicContent", lang, toxicLanguages)
		if m.Fallback == nil {
			return nil, &pipeline.EngineUnavailableError{Reason: reason}
		}
		logger(m.Logger).InfoContext(ctx, "moderating text with the fallback engine", "language", lang, "engine", m.Fallback.Name(), "reason", reason)
		return m.Fallback.ModerateText(ctx, text)
	}

	calls, err := ToxicCalls(text)
	if err != nil {
		return nil, err
	}
	best := map[string]float64{}
	for _, segments := range calls {
		out, err := m.API.DetectToxicContent(ctx, &comprehend.DetectToxicContentInput{
			LanguageCode: types.LanguageCodeEn,
			TextSegments: segments,
		})
		if err != nil {
			return nil, awserr.Classify("calling Comprehend DetectToxicContent", err)
		}
		for _, result := range out.ResultList {
			for _, l := range result.Labels {
				name, score := string(l.Name), float64(aws.ToFloat32(l.Score))
				if score > best[name] {
					best[name] = score
				}
			}
		}
	}

	scores := make([]pipeline.Score, 0, len(best))
	for name, score := range best {
		scores = append(scores, pipeline.Score{Name: name, Score: score})
	}
	sort.Slice(scores, func(i, j int) bool { return scores[i].Name < scores[j].Name })
	return scores, nil
}

// ToxicCalls splits text into the segments of DetectToxicContent calls:
// segments of at most MaxSegmentBytes, overlapping, at most
// MaxSegmentsPerCall and MaxToxicCallBytes per call. Segments of only
// whitespace are left out.
func ToxicCalls(text string) ([][]types.TextSegment, error) {
	chunks, err := textchunk.Split(text, MaxSegmentBytes, segmentOverlapBytes)
	if err != nil {
		return nil, err
	}
	var calls [][]types.TextSegment
	var current []types.TextSegment
	size := 0
	for _, c := range chunks {
		segment := text[c.Begin:c.End]
		if strings.TrimSpace(segment) == "" {
			continue
		}
		if len(current) == MaxSegmentsPerCall || size+len(segment) > MaxToxicCallBytes {
			calls = append(calls, current)
			current, size = nil, 0
		}
		current = append(current, types.TextSegment{Text: aws.String(segment)})
		size += len(segment)
	}
	if len(current) > 0 {
		calls = append(calls, current)
	}
	return calls, nil
}
