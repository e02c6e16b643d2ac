package review

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Result of a decision attempt, as the audit trail records it.
const (
	// ResultAccepted means the decision resumed the execution.
	ResultAccepted = "accepted"
	// ResultVote means the decision counted towards a quorum that was not
	// reached yet.
	ResultVote = "vote"
	// ResultConflict means the review had been decided before.
	ResultConflict = "conflict"
	// ResultExpired means the review's deadline had passed.
	ResultExpired = "expired"
	// ResultEscalated records that the review's deadline passed and a new
	// review in the escalation queue took over. The pipeline appends it,
	// so it names no reviewer and no decision.
	ResultEscalated = "escalated"
)

// ErrAuditAppendOnly is returned by an audit log asked to change or remove an
// entry that it holds.
var ErrAuditAppendOnly = errors.New("the audit trail is append-only")

// Correction is a moderator's correction of one category score: the
// category was present (Present true) or absent although the engine
// reported otherwise.
type Correction struct {
	Category string `json:"category"`
	Present  bool   `json:"present"`
}

// Entry is one decision attempt in the audit trail: who decided what, when
// and why, on which item, under which policy version.
type Entry struct {
	ReviewID      string       `json:"review_id"`
	Execution     string       `json:"execution"`
	Bucket        string       `json:"bucket"`
	Key           string       `json:"key"`
	VersionID     string       `json:"version_id"`
	PolicyVersion string       `json:"policy_version"`
	Queue         string       `json:"queue"`
	Reviewer      string       `json:"reviewer"`
	Decision      string       `json:"decision"`
	Reason        string       `json:"reason"`
	Corrections   []Correction `json:"corrections,omitempty"`
	// EscalatedTo is the ID of the review that replaced this one, set with
	// ResultEscalated.
	EscalatedTo string `json:"escalated_to,omitempty"`
	// Result is ResultAccepted, ResultVote, ResultConflict, ResultExpired or
	// ResultEscalated.
	Result string    `json:"result"`
	At     time.Time `json:"at"`
}

// Validate checks that the entry names a review, a reviewer, a valid
// decision and a result. An escalation entry names the review it escalated
// to in place of a reviewer and a decision.
func (e Entry) Validate() error {
	var missing []string
	if e.ReviewID == "" {
		missing = append(missing, "review_id")
	}
	if e.Reviewer == "" && e.Result != ResultEscalated {
		missing = append(missing, "reviewer")
	}
	if e.EscalatedTo == "" && e.Result == ResultEscalated {
		missing = append(missing, "escalated_to")
	}
	if e.At.IsZero() {
		missing = append(missing, "at")
	}
	if len(missing) > 0 {
		return fmt.Errorf("invalid audit entry: missing %s", strings.Join(missing, ", "))
	}
	switch e.Result {
	case ResultEscalated:
		return nil
	case ResultAccepted, ResultVote, ResultConflict, ResultExpired:
	default:
		return fmt.Errorf("invalid audit entry for review %s: unknown result %q", e.ReviewID, e.Result)
	}
	if _, err := StatusFor(e.Decision); err != nil {
		return fmt.Errorf("invalid audit entry for review %s: %w", e.ReviewID, err)
	}
	return nil
}

// AuditLog is an append-only record of decisions. Implementations must make
// entries impossible to change or delete for the process that appends them:
// locally with triggers that abort UPDATE and DELETE, on AWS with a table
// whose writer role may only put new items.
type AuditLog interface {
	// AppendEntry adds an entry after validating it.
	AppendEntry(ctx context.Context, e Entry) error
	// History returns the entries of a review in the time order of their
	// At fields, oldest first, whatever order they were appended in.
	History(ctx context.Context, reviewID string) ([]Entry, error)
}
