package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pii"
	"github.com/moderato/moderato/internal/textenc"
)

// maxTextBytes bounds the text a task loads into memory. Inspect already
// refuses text above the configured limit; this guards against an object
// replaced after inspection.
const maxTextBytes = 64 << 20

// TextRef is the text extracted from a non-text item: where it is stored, or
// why there is none.
type TextRef struct {
	Location *objects.Location `json:"location"`
	Unscored []string          `json:"unscored"`
	// Scores are moderation scores that the extraction engine computed,
	// such as Amazon Transcribe's toxicity detection, which hears tone as
	// well as words. ModerateText keeps the higher of its own score and
	// this one in each category.
	Scores []Score `json:"scores,omitempty"`
	// PII counts the PII values that the extraction engine replaced
	// before it stored the text, such as Amazon Transcribe's [PII] tags.
	// The stored text no longer contains them, so DetectPIIText adds these
	// counts to the entities it finds.
	PII []TypeCount `json:"pii,omitempty"`
}

// ModerateText scores the item's text, or the text extracted from it, with
// the text moderation engine. The engine reads the text's view, in which
// HTML character references are decoded and invisible characters removed.
// Reasons the extraction left with its text, such as pages it could not
// read, are kept in the analysis.
func (t *Tasks) ModerateText(ctx context.Context, in AnalyzeTextInput) (Analysis, error) {
	out, err := t.moderateText(ctx, in)
	if err != nil {
		return Analysis{}, err
	}
	if in.Text != nil {
		out.Categories = maxScores(out.Categories, in.Text.Scores)
	}
	return withExtractionReasons(out, in), nil
}

// maxScores returns scores with each category of extra added, keeping the
// higher score of a category in both.
func maxScores(scores, extra []Score) []Score {
	for _, e := range extra {
		i := slices.IndexFunc(scores, func(s Score) bool { return s.Name == e.Name })
		switch {
		case i < 0:
			scores = append(scores, e)
		case e.Score > scores[i].Score:
			scores[i] = e
		}
	}
	return scores
}

func (t *Tasks) moderateText(ctx context.Context, in AnalyzeTextInput) (Analysis, error) {
	out := Analysis{Kind: KindModeration, Engine: engineName(t.TextModerator)}
	text, unscored, err := t.loadText(ctx, in)
	if err != nil {
		return Analysis{}, err
	}
	if unscored != nil {
		out.Unscored = unscored
		return out, nil
	}
	if t.TextModerator == nil {
		out.Unscored = []string{"text was not moderated: no text moderation engine is configured"}
		return out, nil
	}

	scores, err := t.TextModerator.ModerateText(ctx, NewTextView(text).Text)
	if errors.Is(err, ErrEngineUnavailable) {
		out.Unscored = []string{"text was not moderated: " + err.Error()}
		return out, nil
	}
	if err != nil {
		return Analysis{}, fmt.Errorf("moderating text of %s: %w", in.Item.Location(), err)
	}
	out.Categories = scores
	return out, nil
}

// AnalyzeTextInput is the input of the text tasks.
type AnalyzeTextInput struct {
	Item Item     `json:"item"`
	Text *TextRef `json:"text,omitempty"`
}

// DetectPIIText finds PII in the item's text, writes a redacted copy in which
// every entity is replaced by its type in brackets, and stores the
// detections (types and offsets, never values) by reference. The engine
// reads the text's view, and its offsets are mapped back to the text.
// Reasons the extraction left with its text are kept, as in ModerateText.
func (t *Tasks) DetectPIIText(ctx context.Context, in AnalyzeTextInput) (Analysis, error) {
	out, err := t.detectPIIText(ctx, in)
	if err != nil {
		return Analysis{}, err
	}
	if in.Text != nil {
		out.PII = addCounts(out.PII, in.Text.PII)
	}
	return withExtractionReasons(out, in), nil
}

// addCounts returns counts with the counts of extra added by type, in type
// order.
func addCounts(counts, extra []TypeCount) []TypeCount {
	if len(extra) == 0 {
		return counts
	}
	totals := map[string]int{}
	for _, c := range slices.Concat(counts, extra) {
		totals[c.Type] += c.Count
	}
	summed := make([]TypeCount, 0, len(totals))
	for piiType, count := range totals {
		summed = append(summed, TypeCount{Type: piiType, Count: count})
	}
	slices.SortFunc(summed, func(a, b TypeCount) int { return strings.Compare(a.Type, b.Type) })
	return summed
}

func (t *Tasks) detectPIIText(ctx context.Context, in AnalyzeTextInput) (Analysis, error) {
	out := Analysis{Kind: KindPII, Engine: engineName(t.PIIDetector)}
	text, unscored, err := t.loadText(ctx, in)
	if err != nil {
		return Analysis{}, err
	}
	if unscored != nil {
		out.Unscored = unscored
		return out, nil
	}
	if t.PIIDetector == nil {
		out.Unscored = []string{"text was not scanned for PII: no PII engine is configured"}
		return out, nil
	}

	view := NewTextView(text)
	entities, err := t.PIIDetector.DetectPII(ctx, view.Text)
	if errors.Is(err, ErrEngineUnavailable) {
		out.Unscored = []string{"text was not scanned for PII: " + err.Error()}
		return out, nil
	}
	if err != nil {
		return Analysis{}, fmt.Errorf("detecting PII in %s: %w", in.Item.Location(), err)
	}
	entities = view.OriginalEntities(entities)
	out.PII = countTypes(entities)

	redacted := t.stagedRedacted(redactedTextKey(in))
	if _, err := t.Objects.Put(ctx, redacted, strings.NewReader(pii.Redact(text, entities)), "text/plain; charset=utf-8"); err != nil {
		return Analysis{}, fmt.Errorf("writing redacted copy of %s: %w", in.Item.Location(), err)
	}
	out.Redacted = &redacted
	if in.Text != nil {
		out.RedactedText = &redacted
	}
	if in.Text != nil && in.Item.MediaType == "document" {
		if err := t.redactDocument(ctx, in.Item, text, entities, &out); err != nil {
			return Analysis{}, err
		}
	}

	detections, err := t.putDetections(ctx, in.Item, text, entities)
	if err != nil {
		return Analysis{}, err
	}
	out.Detections = detections
	return out, nil
}

// redactedTextKey keeps the original key for text items. Text extracted from
// another format gets a .txt suffix, so it never replaces a redacted copy of
// the original format.
func redactedTextKey(in AnalyzeTextInput) string {
	if in.Text != nil {
		return in.Item.Key + ".txt"
	}
	return in.Item.Key
}

// detection is one entity as stored for reviewers: offsets in code points,
// as Amazon Comprehend reports them, and no value.
type detection struct {
	Type  string  `json:"type"`
	Begin int     `json:"begin"`
	End   int     `json:"end"`
	Score float64 `json:"score"`
}

func (t *Tasks) putDetections(ctx context.Context, item Item, text string, entities []pii.Entity) (*objects.Location, error) {
	list := make([]detection, 0, len(entities))
	// Entities are sorted by Begin, so one pass over the text converts every
	// offset. Converting each from the start would take quadratic time on
	// text dense with PII.
	byteOffset, runeOffset := 0, 0
	advance := func(to int) int {
		to = min(max(to, byteOffset), len(text))
		runeOffset += utf8.RuneCountInString(text[byteOffset:to])
		byteOffset = to
		return runeOffset
	}
	for _, e := range entities {
		if e.Begin < byteOffset {
			begin, end := pii.CodePoints(text, e)
			list = append(list, detection{Type: e.Type, Begin: begin, End: end, Score: e.Score})
			continue
		}
		begin := advance(e.Begin)
		end := begin + utf8.RuneCountInString(text[e.Begin:min(max(e.End, e.Begin), len(text))])
		list = append(list, detection{Type: e.Type, Begin: begin, End: end, Score: e.Score})
	}
	body, err := json.Marshal(map[string]any{"entities": list})
	if err != nil {
		return nil, fmt.Errorf("encoding detections of %s: %w", item.Location(), err)
	}
	loc := objects.Location{Bucket: t.Buckets.Work, Key: "detections/" + workID(item) + ".json"}
	if _, err := t.Objects.Put(ctx, loc, bytes.NewReader(body), "application/json"); err != nil {
		return nil, fmt.Errorf("writing detections of %s: %w", item.Location(), err)
	}
	return &loc, nil
}

// loadText reads the text to analyse. It returns unscored reasons instead of
// text when extraction produced none.
// withExtractionReasons adds to out the unscored reasons of extracted text
// that was stored, which loadText does not report. Text that could not be
// extracted at all already carries them.
func withExtractionReasons(out Analysis, in AnalyzeTextInput) Analysis {
	if in.Text == nil || in.Text.Location == nil {
		return out
	}
	for _, reason := range in.Text.Unscored {
		if !slices.Contains(out.Unscored, reason) {
			out.Unscored = append(out.Unscored, reason)
		}
	}
	return out
}

func (t *Tasks) loadText(ctx context.Context, in AnalyzeTextInput) (string, []string, error) {
	loc := in.Item.Location()
	if in.Text != nil {
		if in.Text.Location == nil {
			reasons := in.Text.Unscored
			if len(reasons) == 0 {
				reasons = []string{"no text could be extracted"}
			}
			return "", reasons, nil
		}
		loc = *in.Text.Location
	}

	data, err := objects.ReadAll(ctx, t.Objects, loc, maxTextBytes)
	if errors.Is(err, objects.ErrNotFound) {
		return "", nil, &ObjectNotFoundError{Location: loc.String()}
	}
	if err != nil {
		return "", nil, err
	}
	text, err := DecodeText(data)
	if err != nil {
		return "", nil, &InvalidContentError{Reason: err.Error()}
	}
	return text, nil, nil
}

// DecodeText returns data as valid UTF-8, read in the encoding package
// textenc detects: UTF-8 (invalid bytes become U+FFFD, so that offsets stay
// meaningful), UTF-16 with or without a byte order mark, or Windows-1252.
func DecodeText(data []byte) (string, error) {
	text, _, ok := textenc.Decode(data, false)
	if !ok {
		return "", errors.New("the text is in no supported encoding (UTF-8, UTF-16 or Windows-1252)")
	}
	return text, nil
}

func countTypes(entities []pii.Entity) []TypeCount {
	summary := pii.Summarize(entities)
	counts := make([]TypeCount, 0, len(summary))
	for _, s := range summary {
		counts = append(counts, TypeCount{Type: s.Type, Count: s.Count})
	}
	return counts
}

// workID names the intermediate objects of one item version.
func workID(item Item) string {
	if item.SHA256 != "" {
		return item.SHA256
	}
	return item.ETag
}

type named interface{ Name() string }

func engineName(engine named) string {
	if engine == nil {
		return "none"
	}
	return engine.Name()
}
