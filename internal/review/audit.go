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
	// Result is ResultAccepted, ResultVote, ResultConflict or ResultExpired.
	Result string    `json:"result"`
	At     time.Time `json:"at"`
}

// Validate checks that the entry names a review, a reviewer, a valid
// decision and a result.
func (e Entry) Validate() error {
	var missing []string
	if e.ReviewID == "" {
		missing = append(missing, "review_id")
	}
	if e.Reviewer == "" {
		missing = append(missing, "reviewer")
	}
	if e.At.IsZero() {
		missing = append(missing, "at")
	}
	if len(missing) > 0 {
		return fmt.Errorf("invalid audit entry: missing %s", strings.Join(missing, ", "))
	}
	if _, err := StatusFor(e.Decision); err != nil {
		return fmt.Errorf("invalid audit entry for review %s: %w", e.ReviewID, err)
	}
	switch e.Result {
	case ResultAccepted, ResultVote, ResultConflict, ResultExpired:
	default:
		return fmt.Errorf("invalid audit entry for review %s: unknown result %q", e.ReviewID, e.Result)
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
	// History returns the entries of a review, oldest first.
	History(ctx context.Context, reviewID string) ([]Entry, error)
}
