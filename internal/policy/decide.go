package policy

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Score is the score in 0..1 that a moderation engine gave one category.
type Score struct {
	Name  string  `json:"name"`
	Score float64 `json:"score"`
}

// PIICount is the number of PII entities of one type found in an item. It
// never carries the values.
type PIICount struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// Input is the findings of the analysis stages for one item.
type Input struct {
	// MediaType is the media type that the router chose (image, video,
	// audio, text, document).
	// NOTE: the policy has no per-media-type rules, so Decide ignores it.
	MediaType string `json:"media_type,omitempty"`
	// Categories are the scores from the moderation engines, in their order.
	Categories []Score `json:"categories,omitempty"`
	// PII are the PII types found, with their counts.
	PII []PIICount `json:"pii,omitempty"`
	// Unscored are the reasons why an analysis could not run, such as a
	// missing engine or a part that was not scanned. Each one sends the item
	// to review.
	Unscored []string `json:"unscored,omitempty"`
}

// Decision is the outcome of applying a policy to one item. Decide returns
// empty, not nil, slices, so that they encode as JSON arrays.
type Decision struct {
	Verdict Verdict `json:"verdict"`
	// Reasons lists every cause of the verdict in short, stable sentences:
	// categories in input order, then PII types in name order, then
	// unscored analyses in input order. Decide writes PII types and counts,
	// never values, and copies the Unscored reasons as given.
	Reasons []string `json:"reasons"`
	// Categories are the scores that reached a review or reject threshold.
	Categories []Score `json:"categories"`
	// PolicyVersion is the version of the policy that decided.
	PolicyVersion string `json:"policy_version"`
}

// severity orders verdicts for Decide: rejected beats review beats approved.
func severity(v Verdict) int {
	switch v {
	case Rejected:
		return 2
	case Review:
		return 1
	}
	return 0
}

// Decide applies the policy to the findings of one item. A category score
// at or above its reject_at rejects the item, and one at or above its
// review_at sends it to review. A score outside 0..1 or NaN cannot be
// trusted and sends the item to review. Each PII type gets its action: redact
// approves (with a reason, because the published copy is redacted), review
// and reject set that verdict, allow does nothing. Each unscored analysis
// sends the item to review. The most severe verdict wins, and the reasons
// list every cause, those of the most severe verdict first, so that the
// first reason explains the verdict.
func (p *Policy) Decide(in Input) Decision {
	d := Decision{
		Verdict:       Approved,
		Reasons:       []string{},
		Categories:    []Score{},
		PolicyVersion: p.version,
	}
	type cause struct {
		verdict Verdict
		reason  string
	}
	var causes []cause
	because := func(v Verdict, reason string) {
		if severity(v) > severity(d.Verdict) {
			d.Verdict = v
		}
		causes = append(causes, cause{v, reason})
	}

	for _, s := range in.Categories {
		name := s.Name
		if name == "" {
			name = "unnamed category"
		}
		t := p.Thresholds(s.Name)
		switch {
		case math.IsNaN(s.Score) || s.Score < 0 || s.Score > 1:
			because(Review, fmt.Sprintf("%s: invalid score %v (expected 0..1)", name, s.Score))
		case s.Score >= t.RejectAt:
			d.Categories = append(d.Categories, s)
			because(Rejected, fmt.Sprintf("%s score %.2f reached reject_at %.2f", name, s.Score, t.RejectAt))
		case s.Score >= t.ReviewAt:
			d.Categories = append(d.Categories, s)
			because(Review, fmt.Sprintf("%s score %.2f reached review_at %.2f", name, s.Score, t.ReviewAt))
		}
	}

	for _, c := range sumPII(in.PII) {
		action := p.PIIAction(c.Type)
		if c.Type == "" {
			c.Type = "unnamed type"
		}
		switch action {
		case ActionRedact:
			because(Approved, fmt.Sprintf("PII redacted: %s (%d)", c.Type, c.Count))
		case ActionReview:
			because(Review, fmt.Sprintf("PII needs review: %s (%d)", c.Type, c.Count))
		case ActionReject:
			because(Rejected, fmt.Sprintf("PII rejected: %s (%d)", c.Type, c.Count))
		case ActionAllow:
		}
	}

	for _, reason := range in.Unscored {
		because(Review, "not scored: "+reason)
	}

	slices.SortStableFunc(causes, func(a, b cause) int { return cmp.Compare(severity(b.verdict), severity(a.verdict)) })
	for _, c := range causes {
		d.Reasons = append(d.Reasons, c.reason)
	}
	return d
}

// sumPII adds up the counts per type, drops types with no entity and sorts
// by type, so that reasons do not depend on the order of the detectors.
func sumPII(counts []PIICount) []PIICount {
	totals := map[string]int{}
	for _, c := range counts {
		if c.Count > 0 {
			totals[c.Type] += c.Count
		}
	}
	summed := make([]PIICount, 0, len(totals))
	for piiType, count := range totals {
		summed = append(summed, PIICount{Type: piiType, Count: count})
	}
	slices.SortFunc(summed, func(a, b PIICount) int {
		return cmp.Compare(a.Type, b.Type)
	})
	return summed
}
