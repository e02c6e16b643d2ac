package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/moderato/moderato/internal/review"
)

// MaxEscalationLevel is the highest escalation level: the state machine has
// one escalated review wait after the first.
const MaxEscalationLevel = 1

// RequestReviewOutput is the result of the Wait for review task's function.
// The state machine ignores it: the task's result is the moderator's
// decision, sent later through the task token.
type RequestReviewOutput struct {
	ReviewID string `json:"review_id"`
}

// ReviewID returns the first review ID of an execution. It is derived from
// the execution so that a retried request finds the review it created
// before.
func ReviewID(execution string) string {
	sum := sha256.Sum256([]byte(execution))
	return "rv-" + hex.EncodeToString(sum[:8])
}

// ReviewIDAt returns the ID of the execution's review at an escalation
// level: ReviewID at level 0, and ReviewID followed by "-e" and the level
// above it.
func ReviewIDAt(execution string, level int) string {
	if level <= 0 {
		return ReviewID(execution)
	}
	return ReviewID(execution) + "-e" + strconv.Itoa(level)
}

// RequestReview stores a pending review holding the task token, and notifies
// moderators. The execution stays paused until a decision or the deadline.
// At escalation level 1 the review goes to the policy's escalation queue
// with the escalation's deadline, and the first review is marked
// escalated, with an entry in its audit trail.
func (t *Tasks) RequestReview(ctx context.Context, in ReviewRequest) (RequestReviewOutput, error) {
	if in.TaskToken == "" || in.Execution == "" {
		return RequestReviewOutput{}, fmt.Errorf("requesting review of %s: the task token or the execution is missing", in.Item.Location())
	}
	if in.EscalationLevel < 0 || in.EscalationLevel > MaxEscalationLevel {
		return RequestReviewOutput{}, fmt.Errorf("requesting review of %s: invalid escalation level %d: use 0 to %d", in.Item.Location(), in.EscalationLevel, MaxEscalationLevel)
	}
	id := ReviewIDAt(in.Execution, in.EscalationLevel)
	details, err := json.Marshal(map[string]any{"item": in.Item, "decision": in.Decision, "analysis": in.Analysis})
	if err != nil {
		return RequestReviewOutput{}, fmt.Errorf("encoding review %s: %w", id, err)
	}

	now := t.now()
	r := review.Review{
		ID:        id,
		Execution: in.Execution,
		TaskToken: in.TaskToken,
		Status:    review.StatusPending,
		Bucket:    in.Item.Bucket,
		Key:       in.Item.Key,
		VersionID: in.Item.VersionID,
		MediaType: in.Item.MediaType,
		Queue:     t.Queues.QueueFor(in.Item.MediaType),
		Reasons:   in.Decision.Reasons,
		CreatedAt: now,
		Deadline:  now.Add(time.Duration(in.Decision.ReviewTimeoutSeconds) * time.Second),
		Details:   details,
	}
	if in.EscalationLevel > 0 {
		e := in.Decision.Escalation
		if e == nil || e.Queue == "" || e.TimeoutSeconds <= 0 {
			return RequestReviewOutput{}, fmt.Errorf("requesting escalated review %s: the decision has no escalation queue and timeout", id)
		}
		r.EscalationLevel = in.EscalationLevel
		r.EscalatedFrom = ReviewIDAt(in.Execution, in.EscalationLevel-1)
		r.Queue = e.Queue
		r.Deadline = now.Add(time.Duration(e.TimeoutSeconds) * time.Second)
	}
	if err := t.Reviews.CreateReview(ctx, r); err != nil {
		return RequestReviewOutput{}, fmt.Errorf("creating review %s: %w", id, err)
	}
	if r.EscalatedFrom != "" {
		if err := t.recordEscalation(ctx, r, in.Decision.ReviewTimeoutSeconds); err != nil {
			return RequestReviewOutput{}, err
		}
	}
	t.logger().InfoContext(ctx, "review requested", "review_id", id, "execution", in.Execution, "queue", r.Queue,
		"escalation_level", r.EscalationLevel, "reasons", len(r.Reasons))

	if t.Notifier != nil {
		if err := t.Notifier.ReviewCreated(ctx, r); err != nil {
			// The review exists and waits either way; a lost notification
			// must not fail the item.
			t.logger().WarnContext(ctx, "notifying moderators", "review_id", id, "error", err)
		}
	}
	return RequestReviewOutput{ReviewID: id}, nil
}

// recordEscalation marks the review that escalated and appends the
// escalation to its audit trail. A retried request finds both done and
// changes nothing.
func (t *Tasks) recordEscalation(ctx context.Context, escalated review.Review, timeoutSeconds int64) error {
	from := escalated.EscalatedFrom
	reason := fmt.Sprintf("not decided within %d seconds: escalated to queue %s as review %s", timeoutSeconds, escalated.Queue, escalated.ID)
	previous, err := t.Reviews.FinishReview(ctx, from, review.StatusEscalated, "", reason, escalated.CreatedAt)
	switch {
	case errors.Is(err, review.ErrNotFound):
		// Reviews stored by another deployment, or removed: nothing to mark.
		t.logger().WarnContext(ctx, "escalating a review that does not exist", "review_id", from, "escalated_to", escalated.ID)
		return nil
	case errors.Is(err, review.ErrAlreadyDecided) && previous.Status == review.StatusEscalated:
		// A retry of this request marked it before.
	case errors.Is(err, review.ErrAlreadyDecided):
		// The task timed out, so no decision reached the execution, even
		// if the review records one.
		t.logger().WarnContext(ctx, "escalating a review that is not pending", "review_id", from, "status", previous.Status, "escalated_to", escalated.ID)
	case err != nil:
		return fmt.Errorf("marking review %s escalated: %w", from, err)
	}
	if t.Audit == nil {
		return nil
	}

	history, err := t.Audit.History(ctx, from)
	if err != nil {
		return fmt.Errorf("reading the audit trail of review %s: %w", from, err)
	}
	if slices.ContainsFunc(history, func(e review.Entry) bool { return e.Result == review.ResultEscalated }) {
		return nil
	}
	entry := review.Entry{
		ReviewID:    from,
		Execution:   escalated.Execution,
		Bucket:      escalated.Bucket,
		Key:         escalated.Key,
		VersionID:   escalated.VersionID,
		Queue:       previous.Queue,
		Reason:      reason,
		EscalatedTo: escalated.ID,
		Result:      review.ResultEscalated,
		At:          escalated.CreatedAt,
	}
	var details struct {
		Decision Decision `json:"decision"`
	}
	if json.Unmarshal(escalated.Details, &details) == nil {
		entry.PolicyVersion = details.Decision.PolicyVersion
	}
	if err := t.Audit.AppendEntry(ctx, entry); err != nil {
		return fmt.Errorf("recording the escalation of review %s: %w", from, err)
	}
	return nil
}
