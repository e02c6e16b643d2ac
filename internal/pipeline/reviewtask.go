package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/moderato/moderato/internal/review"
)

// RequestReviewOutput is the result of the Wait for review task's function.
// The state machine ignores it: the task's result is the moderator's
// decision, sent later through the task token.
type RequestReviewOutput struct {
	ReviewID string `json:"review_id"`
}

// ReviewID returns the review ID of an execution. It is derived from the
// execution so that a retried request finds the review it created before.
func ReviewID(execution string) string {
	sum := sha256.Sum256([]byte(execution))
	return "rv-" + hex.EncodeToString(sum[:8])
}

// RequestReview stores a pending review holding the task token, and notifies
// moderators. The execution stays paused until a decision or the deadline.
func (t *Tasks) RequestReview(ctx context.Context, in ReviewRequest) (RequestReviewOutput, error) {
	if in.TaskToken == "" || in.Execution == "" {
		return RequestReviewOutput{}, fmt.Errorf("requesting review of %s: the task token or the execution is missing", in.Item.Location())
	}
	id := ReviewID(in.Execution)
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
		Reasons:   in.Decision.Reasons,
		CreatedAt: now,
		Deadline:  now.Add(time.Duration(in.Decision.ReviewTimeoutSeconds) * time.Second),
		Details:   details,
	}
	if err := t.Reviews.CreateReview(ctx, r); err != nil {
		return RequestReviewOutput{}, fmt.Errorf("creating review %s: %w", id, err)
	}
	t.logger().InfoContext(ctx, "review requested", "review_id", id, "execution", in.Execution, "reasons", len(r.Reasons))

	if t.Notifier != nil {
		if err := t.Notifier.ReviewCreated(ctx, id, r.Reasons); err != nil {
			// The review exists and waits either way; a lost notification
			// must not fail the item.
			t.logger().WarnContext(ctx, "notifying moderators", "review_id", id, "error", err)
		}
	}
	return RequestReviewOutput{ReviewID: id}, nil
}
