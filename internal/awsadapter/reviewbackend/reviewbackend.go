// Package reviewbackend is the AWS environment of the review API: reviews
// in DynamoDB, decisions sent to the paused execution with Step Functions
// SendTaskSuccess, and previews as presigned S3 URLs. It implements
// reviewapi.Backend.
package reviewbackend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/moderato/moderato/internal/awsadapter/sfnexec"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/internal/reviewapi"
)

// previewTTL is how long a preview URL stays valid.
const previewTTL = 5 * time.Minute

// Tasks resumes a paused execution. It returns an error wrapping
// sfnexec.ErrTaskClosed when the token was used or its task timed out.
type Tasks interface {
	SendTaskSuccess(ctx context.Context, token string, output []byte) error
}

// Presigner returns a short-lived GET URL of an object.
type Presigner interface {
	PresignGet(ctx context.Context, loc objects.Location, ttl time.Duration) (string, error)
}

// Backend is a reviewapi.Backend on AWS.
type Backend struct {
	Store     review.Store
	Tasks     Tasks
	Presigner Presigner
	Logger    *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

var _ reviewapi.Backend = (*Backend)(nil)

// Reviews returns the review store.
func (b *Backend) Reviews() review.Store { return b.Store }

// Resume sends the decision through the review's task token and then marks
// the review decided. Step Functions accepts a token once, so of two
// concurrent decisions only the first resumes the execution; the second
// gets review.ErrAlreadyDecided. A token whose task timed out gets
// review.ErrExpired.
func (b *Backend) Resume(ctx context.Context, id string, result pipeline.ReviewResult) (any, error) {
	if _, err := review.StatusFor(result.Decision); err != nil {
		return nil, err
	}
	r, err := b.Store.GetReview(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := closed(r, b.now()); err != nil {
		return nil, err
	}
	return b.resumeOpen(ctx, r, result)
}

// resumeOpen sends the decision through the token of r, which was pending
// when read.
func (b *Backend) resumeOpen(ctx context.Context, r review.Review, result pipeline.ReviewResult) (any, error) {
	id := r.ID
	status, err := review.StatusFor(result.Decision)
	if err != nil {
		return nil, err
	}
	output, err := json.Marshal(result)
	if err != nil {
		return nil, fmt.Errorf("encoding the decision on review %s: %w", id, err)
	}
	err = b.Tasks.SendTaskSuccess(ctx, r.TaskToken, output)
	if errors.Is(err, sfnexec.ErrTaskClosed) {
		stored, getErr := b.Store.GetReview(ctx, id)
		if getErr != nil {
			return nil, getErr
		}
		// A closed token on a review still pending before its deadline
		// means a concurrent decision used it and has not finished the
		// review yet. The task's timeout is the review deadline.
		if stored.Status.TimedOut() || (stored.Status == review.StatusPending && !b.now().Before(stored.Deadline)) {
			return nil, fmt.Errorf("resuming review %s: its task timed out: %w", id, review.ErrExpired)
		}
		return nil, fmt.Errorf("resuming review %s: %w", id, review.ErrAlreadyDecided)
	}
	if err != nil {
		return nil, fmt.Errorf("resuming review %s: %w", id, err)
	}

	// The execution has the decision now, and Record outcome finishes the
	// review as well, so a failure here is logged and not returned.
	if _, err := b.Store.FinishReview(ctx, id, status, result.Reviewer, result.Reason, result.DecidedAt); err != nil && !errors.Is(err, review.ErrAlreadyDecided) {
		b.logger().WarnContext(ctx, "finishing review after resuming its execution", "review_id", id, "error", err)
	}
	return map[string]string{"execution": r.Execution}, nil
}

// closed returns the error for a review that takes no decision any more.
func closed(r review.Review, now time.Time) error {
	switch {
	case r.Status.TimedOut():
		return fmt.Errorf("deciding review %s: it is %s: %w", r.ID, r.Status, review.ErrExpired)
	case r.Status != review.StatusPending:
		return fmt.Errorf("deciding review %s: %w", r.ID, review.ErrAlreadyDecided)
	case now.After(r.Deadline):
		return fmt.Errorf("deciding review %s: the deadline passed: %w", r.ID, review.ErrExpired)
	}
	return nil
}

// Preview returns a presigned URL of the redacted copy.
func (b *Backend) Preview(ctx context.Context, loc objects.Location) (reviewapi.Preview, error) {
	if b.Presigner == nil {
		return reviewapi.Preview{}, reviewapi.ErrNoPreview
	}
	url, err := b.Presigner.PresignGet(ctx, loc, previewTTL)
	if err != nil {
		return reviewapi.Preview{}, err
	}
	return reviewapi.Preview{URL: url}, nil
}

func (b *Backend) now() time.Time {
	if b.Now != nil {
		return b.Now().UTC()
	}
	return time.Now().UTC()
}

func (b *Backend) logger() *slog.Logger {
	if b.Logger != nil {
		return b.Logger
	}
	return slog.Default()
}
