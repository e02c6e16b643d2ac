// Package comprehend moderates text and detects PII with Amazon Comprehend:
// Moderator implements pipeline.TextModerator over DetectToxicContent and
// PIIDetector implements pipeline.PIIDetector over DetectPiiEntities.
//
// Text of any length is split on UTF-8 boundaries to fit each call's
// limits. The pieces overlap, so a value on a boundary appears whole in one
// piece. Offsets are mapped back to the whole text, and duplicates from the
// overlaps are merged. Text in a language a call does not support goes
// to a fallback engine when one is configured, and is otherwise reported as
// unscored with the language as the reason, which sends it to review.
package comprehend

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/comprehend"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/textchunk"
)

// Limits of the Comprehend API reference (DetectToxicContent,
// DetectPiiEntities and DetectDominantLanguage request parameters).
const (
	// MaxSegmentBytes is the size of one DetectToxicContent text segment.
	// The reference gives "1 KB", and 1,000 bytes stays within it whether a
	// KB means 1,000 or 1,024 bytes.
	MaxSegmentBytes = 1000
	// MaxSegmentsPerCall is the number of segments of one call.
	MaxSegmentsPerCall = 10
	// MaxToxicCallBytes is the size of all segments of one call ("10 KB").
	MaxToxicCallBytes = 10_000
	// MaxPIIBytes is the size of the text of one DetectPiiEntities call
	// ("100 KB" of UTF-8).
	MaxPIIBytes = 100_000
	// minLanguageRunes is the shortest text DetectDominantLanguage accepts
	// (20 characters); shorter text is taken to be English.
	minLanguageRunes = 20
	// languageSampleBytes is the length of the opening that the language
	// is detected from. The service accepts up to 100 KB, but the opening
	// is enough and costs less.
	languageSampleBytes = 5_000
)

// Overlaps between consecutive pieces. A PII value such as an address is
// far shorter than the PII overlap; a toxic phrase rarely spans more than
// the segment overlap.
const (
	segmentOverlapBytes = 100
	piiOverlapBytes     = 2_000
)

// API is the part of the Comprehend client the engines call.
type API interface {
	DetectToxicContent(ctx context.Context, in *comprehend.DetectToxicContentInput, opts ...func(*comprehend.Options)) (*comprehend.DetectToxicContentOutput, error)
	DetectPiiEntities(ctx context.Context, in *comprehend.DetectPiiEntitiesInput, opts ...func(*comprehend.Options)) (*comprehend.DetectPiiEntitiesOutput, error)
	DetectDominantLanguage(ctx context.Context, in *comprehend.DetectDominantLanguageInput, opts ...func(*comprehend.Options)) (*comprehend.DetectDominantLanguageOutput, error)
}

// dominantLanguage returns the language code of text's opening, or "en"
// for text too short to detect.
func dominantLanguage(ctx context.Context, api API, text string) (string, error) {
	sample := prefix(text, languageSampleBytes)
	if utf8.RuneCountInString(strings.TrimSpace(sample)) < minLanguageRunes {
		return "en", nil
	}
	out, err := api.DetectDominantLanguage(ctx, &comprehend.DetectDominantLanguageInput{Text: aws.String(sample)})
	if err != nil {
		return "", awserr.Classify("calling Comprehend DetectDominantLanguage", err)
	}
	best, score := "", float32(-1)
	for _, l := range out.Languages {
		if s := aws.ToFloat32(l.Score); s > score {
			best, score = aws.ToString(l.LanguageCode), s
		}
	}
	if best == "" {
		return "und", nil
	}
	return best, nil
}

// prefix returns at most n bytes of text, cut on a UTF-8 boundary.
func prefix(text string, n int) string {
	if len(text) <= n {
		return text
	}
	for n > 0 && !textchunk.IsBoundary(text, n) {
		n--
	}
	return text[:n]
}

// baseLanguage turns a code such as "en-US" or "zh-TW" into its base
// language.
func baseLanguage(code string) string {
	base, _, _ := strings.Cut(code, "-")
	return strings.ToLower(base)
}

func logger(l *slog.Logger) *slog.Logger {
	if l != nil {
		return l
	}
	return slog.Default()
}

func unsupportedReason(call, lang string, supported []string) string {
	return fmt.Sprintf("Amazon Comprehend %s does not support language %q (supported: %s)", call, lang, strings.Join(supported, ", "))
}
