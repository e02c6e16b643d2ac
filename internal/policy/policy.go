// Package policy holds the moderation policy and applies it: per-category
// score thresholds, the action for each PII type, and what happens when a
// human review times out. A policy is a JSON file. Missing fields take
// defaults, and anything else that is not valid is rejected with an error
// that names the field.
//
// The format, with the defaults for missing fields:
//
//	{
//	  "version": "2026-12-01",
//	  "categories": {
//	    "default": {"review_at": 0.5, "reject_at": 0.9},
//	    "INSULT": {"review_at": 0.6, "reject_at": 0.95}
//	  },
//	  "pii": {"action": "redact", "types": {"AWS_SECRET_KEY": "review"}},
//	  "review": {"timeout_seconds": 86400, "on_timeout": "reject"}
//	}
//
// review also takes "quorum" (agreeing decisions that settle a review, 1 by
// default) and "escalation": {"queue": "senior", "timeout_seconds": 43200}.
// With escalation, a review still pending after timeout_seconds moves to a
// new review in that queue, which waits escalation.timeout_seconds more;
// on_timeout applies only when the escalated review times out as well.
//
// Category names are the label names that the moderation engines report,
// matched exactly. A category without its own entry, or without one of its
// thresholds, uses the "default" category. A policy without "version" gets
// one derived from its content, so every decision names the policy that
// made it.
package policy

import (
	_ "embed"
	"sync"
	"time"
)

// Verdict is the outcome of moderating one item.
type Verdict string

// Verdicts. Decide returns Approved, Rejected or Review. Failed and
// Unsupported are recorded by other pipeline stages when an item cannot be
// analyzed.
const (
	Approved    Verdict = "approved"
	Rejected    Verdict = "rejected"
	Review      Verdict = "review"
	Failed      Verdict = "failed"
	Unsupported Verdict = "unsupported"
)

// Action is the policy's response to a detected PII type.
type Action string

// PII actions.
const (
	// ActionRedact approves the item, because the redacted copy is what gets
	// published.
	ActionRedact Action = "redact"
	// ActionReview sends the item to a human moderator.
	ActionReview Action = "review"
	// ActionReject rejects the item.
	ActionReject Action = "reject"
	// ActionAllow ignores the PII type.
	ActionAllow Action = "allow"
)

// DefaultCategory is the categories key whose thresholds apply to every
// category without its own.
const DefaultCategory = "default"

// Defaults for fields that a policy file leaves out.
const (
	DefaultReviewAt      = 0.5
	DefaultRejectAt      = 0.9
	DefaultPIIAction     = ActionRedact
	DefaultReviewTimeout = 24 * time.Hour
	DefaultOnTimeout     = Rejected
)

// MaxReviewTimeout is the maximum review.timeout_seconds, 31536000 seconds,
// because a Standard Step Functions execution, which waits for the review,
// lasts at most one year.
const MaxReviewTimeout = 365 * 24 * time.Hour

// MaxQueueNameBytes bounds review.escalation.queue. Queue names appear in
// scopes, groups and SNS message attributes, so they are short identifiers.
const MaxQueueNameBytes = 64

// MaxReviewQuorum is the maximum review.quorum.
const MaxReviewQuorum = 10

// The version of a policy file without "version" is derivedVersionPrefix
// followed by derivedVersionHexSize hex digits of a SHA-256.
const (
	derivedVersionPrefix  = "sha256:"
	derivedVersionHexSize = 12
)

// Thresholds are the scores in 0..1 at which a category sends an item to
// review and rejects it. ReviewAt is at most RejectAt.
type Thresholds struct {
	ReviewAt float64 `json:"review_at"`
	RejectAt float64 `json:"reject_at"`
}

// Policy is a validated moderation policy. It is read-only after Parse, so
// it is safe for concurrent use.
type Policy struct {
	version       string
	categories    map[string]Thresholds // always contains DefaultCategory
	piiAction     Action
	piiTypes      map[string]Action
	reviewTimeout time.Duration
	onTimeout     Verdict // Approved or Rejected
	reviewQuorum  int     // 0 means one decision
	escalation    *Escalation
}

// Escalation is the second review of an item whose first review was not
// decided within the review timeout.
type Escalation struct {
	// Queue is the queue of the escalated review.
	Queue string
	// Timeout is how long the escalated review waits before the policy's
	// on_timeout applies.
	Timeout time.Duration
}

//go:embed default.json
var defaultPolicyData []byte

var defaultPolicy = sync.OnceValues(func() (*Policy, error) {
	return Parse(defaultPolicyData)
})

// Default returns the policy that ships with moderato: it redacts PII
// without blocking on it, reviews scores from 0.5 and rejects from 0.9
// (INSULT from 0.6 and 0.95), and rejects an item whose review takes longer
// than 24 hours. It panics only if the embedded default.json is invalid,
// which is a defect of the build that the package tests catch.
func Default() *Policy {
	p, err := defaultPolicy()
	if err != nil {
		panic("policy: embedded default.json: " + err.Error())
	}
	return p
}

// Version returns the policy version: the "version" field, or "sha256:"
// followed by the first 12 hex digits of the SHA-256 of the policy's
// canonical JSON when the field is missing.
func (p *Policy) Version() string {
	return p.version
}

// ReviewTimeout returns the maximum time that an item waits for a human
// review.
func (p *Policy) ReviewTimeout() time.Duration {
	return p.reviewTimeout
}

// OnTimeout returns the verdict for an item whose review timed out:
// Approved or Rejected.
func (p *Policy) OnTimeout() Verdict {
	return p.onTimeout
}

// ReviewQuorum returns the number of agreeing decisions from different
// moderators that settles a review: review.quorum, or 1 when it is unset.
func (p *Policy) ReviewQuorum() int {
	return max(p.reviewQuorum, 1)
}

// Escalation returns the escalation of reviews that time out, and false
// when the policy has none, in which case on_timeout applies at the first
// timeout.
func (p *Policy) Escalation() (Escalation, bool) {
	if p.escalation == nil {
		return Escalation{}, false
	}
	return *p.escalation, true
}

// Thresholds returns the thresholds of a category, which are the default
// category's for a category without its own.
func (p *Policy) Thresholds(category string) Thresholds {
	if t, ok := p.categories[category]; ok {
		return t
	}
	return p.categories[DefaultCategory]
}

// PIIAction returns the action for a PII type, which is the global action
// for a type without its own.
func (p *Policy) PIIAction(piiType string) Action {
	if action, ok := p.piiTypes[piiType]; ok {
		return action
	}
	return p.piiAction
}
