// Package review models the human review of borderline items: a review is
// created when the policy cannot decide, waits for one moderator's decision
// (or its deadline), and is decided exactly once. A review whose deadline
// passes either expires, and the policy's timeout action applies, or
// escalates: a new review of the same item waits in the policy's escalation
// queue with its own deadline.
package review

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Status is the state of a review.
type Status string

// Review statuses. A review leaves StatusPending exactly once.
const (
	StatusPending  Status = "pending"
	StatusApproved Status = "approved"
	StatusRejected Status = "rejected"
	StatusExpired  Status = "expired"
	// StatusEscalated means the deadline passed and a new review of the
	// same item, at the next escalation level, took over.
	StatusEscalated Status = "escalated"
)

// TimedOut reports whether the status is one that a review reaches when its
// deadline passes: expired or escalated.
func (s Status) TimedOut() bool {
	return s == StatusExpired || s == StatusEscalated
}

// Decision values a moderator can send.
const (
	Approve = "approve"
	Reject  = "reject"
)

// Sentinel errors of review stores and services.
var (
	ErrNotFound = errors.New("review not found")
	// ErrAlreadyDecided means the review left pending before this decision.
	ErrAlreadyDecided = errors.New("review already decided")
	// ErrExpired means the review's deadline passed before the decision.
	ErrExpired = errors.New("review expired")
)

// Review is one pending or decided review task.
type Review struct {
	ID        string `json:"id"`
	Execution string `json:"execution"`
	// TaskToken resumes the waiting execution. It never leaves the server:
	// it is excluded from JSON and must never be logged.
	TaskToken string `json:"-"`
	Status    Status `json:"status"`
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	VersionID string `json:"version_id"`
	MediaType string `json:"media_type"`
	// Queue is the queue the review was created in; empty in reviews stored
	// before queues were recorded, whose queue Router derives from the
	// media type.
	Queue string `json:"queue,omitempty"`
	// EscalationLevel is 0 for the first review of an item and 1 for the
	// review that replaced it in the escalation queue.
	EscalationLevel int `json:"escalation_level,omitempty"`
	// EscalatedFrom is the ID of the review this one replaced.
	EscalatedFrom string    `json:"escalated_from,omitempty"`
	Reasons       []string  `json:"reasons"`
	CreatedAt     time.Time `json:"created_at"`
	Deadline      time.Time `json:"deadline"`
	// Details is the JSON of the item, decision and analysis summaries that
	// a moderator sees; it never contains PII values.
	Details   []byte     `json:"details,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	DecidedBy string     `json:"decided_by,omitempty"`
	Reason    string     `json:"reason,omitempty"`
}

// Store persists reviews.
type Store interface {
	// CreateReview stores a new pending review. Creating a review whose ID
	// exists for the same execution only refreshes its task token, so a
	// retried request does not create a second review.
	CreateReview(ctx context.Context, r Review) error
	// GetReview returns the review or an error wrapping ErrNotFound.
	GetReview(ctx context.Context, id string) (Review, error)
	// ListReviews returns reviews with the status, oldest first; an empty
	// status lists all.
	ListReviews(ctx context.Context, status Status) ([]Review, error)
	// FinishReview moves a pending review to status, conditionally: a
	// review that is no longer pending returns an error wrapping
	// ErrAlreadyDecided, together with the stored review.
	FinishReview(ctx context.Context, id string, status Status, by, reason string, at time.Time) (Review, error)
}

// StatusFor maps a moderator's decision to the review status.
func StatusFor(decision string) (Status, error) {
	switch decision {
	case Approve:
		return StatusApproved, nil
	case Reject:
		return StatusRejected, nil
	}
	return "", fmt.Errorf("invalid decision %q: use %q or %q", decision, Approve, Reject)
}
