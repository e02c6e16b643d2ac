package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/review"
)

// ResumePending resumes every paused or interrupted execution that no other
// process owns and waits until each has settled, so that reviews whose
// deadline passed while nothing ran get their timeout outcome.
func (rt *Runtime) ResumePending(ctx context.Context) error {
	if err := rt.Runner.ResumeAll(ctx); err != nil {
		return fmt.Errorf("resuming executions: %w", err)
	}
	running, err := rt.DB.Executions().ListExecutions(ctx, asl.StatusRunning)
	if err != nil {
		return err
	}
	for _, e := range running {
		if _, err := rt.Settle(ctx, e.Name); err != nil {
			rt.logger.WarnContext(ctx, "settling resumed execution", "execution", e.Name, "error", err)
		}
	}
	return nil
}

// DecisionError explains why a decision was not accepted. Review is the
// review as stored, with the earlier decision when there was one.
type DecisionError struct {
	Review review.Review
	Err    error // review.ErrAlreadyDecided, review.ErrExpired or review.ErrNotFound
}

func (e *DecisionError) Error() string {
	switch {
	case errors.Is(e.Err, review.ErrAlreadyDecided):
		msg := fmt.Sprintf("review %s was already decided: %s", e.Review.ID, e.Review.Status)
		if e.Review.DecidedBy != "" {
			msg += " by " + e.Review.DecidedBy
		}
		if e.Review.DecidedAt != nil {
			msg += " at " + e.Review.DecidedAt.Format(time.RFC3339)
		}
		return msg
	case errors.Is(e.Err, review.ErrExpired):
		return fmt.Sprintf("review %s expired at %s: the policy's timeout action was applied", e.Review.ID, e.Review.Deadline.Format(time.RFC3339))
	}
	return e.Err.Error()
}

func (e *DecisionError) Unwrap() error { return e.Err }

// Decide records a moderator's decision on a pending review, resumes the
// paused execution through its task token, exactly as SendTaskSuccess does
// on AWS, and returns the final result. The token is the arbiter: of two
// concurrent decisions only the first result sent through the token counts.
func (rt *Runtime) Decide(ctx context.Context, id, decision, reason, reviewer string) (Result, error) {
	status, err := review.StatusFor(decision)
	if err != nil {
		return Result{}, err
	}
	reviews := rt.DB.Reviews()
	r, err := reviews.GetReview(ctx, id)
	if err != nil {
		return Result{}, &DecisionError{Review: review.Review{ID: id}, Err: review.ErrNotFound}
	}
	if r.Status == review.StatusExpired {
		return Result{}, &DecisionError{Review: r, Err: review.ErrExpired}
	}
	if r.Status != review.StatusPending {
		return Result{}, &DecisionError{Review: r, Err: review.ErrAlreadyDecided}
	}
	now := rt.now()
	if now.After(r.Deadline) {
		// The deadline passed while no process ran the execution: resume it
		// so that its timeout applies, rather than accept a late decision.
		name := executionName(r.Execution)
		if err := rt.Runner.Resume(ctx, name); err != nil && !errors.Is(err, asl.ErrNotRunning) {
			return Result{}, fmt.Errorf("resuming execution %s: %w", name, err)
		}
		if _, err := rt.Runner.Wait(ctx, name); err != nil {
			return Result{}, fmt.Errorf("waiting for execution %s: %w", name, err)
		}
		return Result{}, rt.rejectedDecision(ctx, id)
	}

	answer, err := json.Marshal(pipeline.ReviewResult{ReviewID: id, Decision: decision, Reason: reason, Reviewer: reviewer, DecidedAt: now})
	if err != nil {
		return Result{}, fmt.Errorf("encoding decision on review %s: %w", id, err)
	}
	err = rt.Runner.SendTaskSuccess(ctx, r.TaskToken, answer)
	if errors.Is(err, asl.ErrTaskTimedOut) || errors.Is(err, asl.ErrInvalidToken) {
		return Result{}, rt.rejectedDecision(ctx, id)
	}
	if err != nil {
		return Result{}, fmt.Errorf("resuming the execution of review %s: %w", id, err)
	}
	if _, err := reviews.FinishReview(ctx, id, status, reviewer, reason, now); err != nil && !errors.Is(err, review.ErrAlreadyDecided) {
		return Result{}, err
	}

	name := executionName(r.Execution)
	if _, err := rt.Runner.Wait(ctx, name); err != nil {
		return Result{}, fmt.Errorf("waiting for execution %s: %w", name, err)
	}
	return rt.Settle(ctx, name)
}

// rejectedDecision explains a decision whose task token no longer accepts
// a result: another decision came first, or the deadline passed.
func (rt *Runtime) rejectedDecision(ctx context.Context, id string) error {
	r, err := rt.DB.Reviews().GetReview(ctx, id)
	if err != nil {
		return err
	}
	if r.Status == review.StatusPending || r.Status == review.StatusExpired {
		return &DecisionError{Review: r, Err: review.ErrExpired}
	}
	return &DecisionError{Review: r, Err: review.ErrAlreadyDecided}
}

func executionName(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == ':' {
			return arn[i+1:]
		}
	}
	return arn
}
