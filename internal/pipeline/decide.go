package pipeline

import (
	"context"
	"time"

	"github.com/moderato/moderato/internal/policy"
)

// Decide applies the moderation policy to the analysis results.
func (t *Tasks) Decide(ctx context.Context, in DecideInput) (Decision, error) {
	pin := policy.Input{MediaType: in.Item.MediaType}
	best := map[string]Score{} // highest score per category, with its frame
	for _, a := range in.Analysis {
		for _, c := range a.Categories {
			pin.Categories = append(pin.Categories, policy.Score{Name: c.Name, Score: c.Score})
			if old, ok := best[c.Name]; !ok || c.Score > old.Score {
				best[c.Name] = c
			}
		}
		for _, c := range a.PII {
			pin.PII = append(pin.PII, policy.PIICount{Type: c.Type, Count: c.Count})
		}
		pin.Unscored = append(pin.Unscored, a.Unscored...)
	}

	d := t.Policy.Decide(pin)
	categories := make([]Score, 0, len(d.Categories))
	for _, c := range d.Categories {
		score := Score{Name: c.Name, Score: c.Score}
		if b := best[c.Name]; b.Score == c.Score {
			score.Frame = b.Frame
		}
		categories = append(categories, score)
	}
	decision := Decision{
		Verdict:              d.Verdict,
		Reasons:              d.Reasons,
		Categories:           categories,
		PolicyVersion:        d.PolicyVersion,
		OnTimeout:            t.Policy.OnTimeout(),
		ReviewTimeoutSeconds: int64(t.Policy.ReviewTimeout().Seconds()),
		ReviewQuorum:         t.Policy.ReviewQuorum(),
	}
	if e, ok := t.Policy.Escalation(); ok {
		decision.Escalation = &Escalation{Queue: e.Queue, TimeoutSeconds: int64(e.Timeout / time.Second)}
	}
	return decision, nil
}
