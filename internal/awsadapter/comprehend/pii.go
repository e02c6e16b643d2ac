package comprehend

import (
	"context"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/comprehend"
	"github.com/aws/aws-sdk-go-v2/service/comprehend/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/pii"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/textchunk"
)

// piiLanguages are the languages DetectPiiEntities accepts.
var piiLanguages = []string{"en", "es"}

// PIIDetector finds PII with DetectPiiEntities.
type PIIDetector struct {
	API API
	// Fallback detects PII in languages the service does not support; nil
	// reports such text as not scanned.
	Fallback pipeline.PIIDetector
	Logger   *slog.Logger
}

var _ pipeline.PIIDetector = (*PIIDetector)(nil)

// Name identifies the engine in outcomes.
func (d *PIIDetector) Name() string { return "amazon-comprehend" }

// DetectPII returns the PII entities of text with byte offsets into text,
// sorted by offset.
func (d *PIIDetector) DetectPII(ctx context.Context, text string) ([]pii.Entity, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	lang, err := dominantLanguage(ctx, d.API, text)
	if err != nil {
		return nil, err
	}
	base := baseLanguage(lang)
	if !slices.Contains(piiLanguages, base) {
		reason := unsupportedReason("DetectPiiEntities", lang, piiLanguages)
		if d.Fallback == nil {
			return nil, &pipeline.EngineUnavailableError{Reason: reason}
		}
		logger(d.Logger).InfoContext(ctx, "detecting PII with the fallback engine", "language", lang, "engine", d.Fallback.Name(), "reason", reason)
		return d.Fallback.DetectPII(ctx, text)
	}

	chunks, err := textchunk.Split(text, MaxPIIBytes, piiOverlapBytes)
	if err != nil {
		return nil, err
	}
	var all []pii.Entity
	for _, c := range chunks {
		piece := text[c.Begin:c.End]
		out, err := d.API.DetectPiiEntities(ctx, &comprehend.DetectPiiEntitiesInput{
			LanguageCode: types.LanguageCode(base),
			Text:         aws.String(piece),
		})
		if err != nil {
			return nil, awserr.Classify("calling Comprehend DetectPiiEntities", err)
		}
		offsets := runeOffsets(piece)
		for _, e := range out.Entities {
			begin, end := int(aws.ToInt32(e.BeginOffset)), int(aws.ToInt32(e.EndOffset))
			if begin < 0 || end <= begin || end >= len(offsets) {
				logger(d.Logger).WarnContext(ctx, "dropping a PII entity with offsets outside its text", "type", string(e.Type))
				continue
			}
			all = append(all, pii.Entity{
				Type:  string(e.Type),
				Begin: c.Begin + offsets[begin],
				End:   c.Begin + offsets[end],
				Score: float64(aws.ToFloat32(e.Score)),
			})
		}
	}
	return MergeEntities(all), nil
}

// runeOffsets returns the byte offset of every code point of s, plus len(s)
// at the end: Comprehend reports offsets in characters, and the pipeline
// works in bytes.
//
// NOTE: this takes Comprehend's characters to be Unicode code points. If
// the service counted UTF-16 units instead, characters outside the Basic
// Multilingual Plane (emoji) would shift the offsets.
func runeOffsets(s string) []int {
	offsets := make([]int, 0, utf8.RuneCountInString(s)+1)
	for i := range s {
		offsets = append(offsets, i)
	}
	return append(offsets, len(s))
}

// MergeEntities removes the duplicates that overlapping pieces produce. An
// entity inside another of the same type is dropped, because a value cut at
// a piece's end is found whole in the next piece. Of two equal ranges the
// higher score stays. The result is sorted by offset.
func MergeEntities(entities []pii.Entity) []pii.Entity {
	sort.Slice(entities, func(i, j int) bool {
		a, b := entities[i], entities[j]
		if a.Begin != b.Begin {
			return a.Begin < b.Begin
		}
		if a.End != b.End {
			return a.End > b.End // the longer first, so it absorbs the shorter
		}
		return a.Score > b.Score
	})
	// cover is, per type, the kept entity that reaches furthest: an entity
	// lies inside a kept one of its type exactly when it ends within cover.
	cover := map[string]pii.Entity{}
	var merged []pii.Entity
	for _, e := range entities {
		if c, ok := cover[e.Type]; ok && e.End <= c.End {
			continue
		}
		cover[e.Type] = e
		merged = append(merged, e)
	}
	return merged
}
