package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
)

// ResumePending resumes every paused or interrupted execution that no other
// process owns and waits until each has settled, so that reviews whose
// deadline passed while nothing ran get their timeout outcome. It does not
// wait for executions whose long-running job is not finished.
func (rt *Runtime) ResumePending(ctx context.Context) error {
	if err := rt.Runner.ResumeAll(ctx); err != nil {
		return fmt.Errorf("resuming executions: %w", err)
	}
	running, err := rt.DB.Executions().ListExecutions(ctx, asl.StatusRunning)
	if err != nil {
		return err
	}
	for _, e := range running {
		if rt.jobs.waiting(ctx, e.Name) {
			// The execution waits for a long-running job, which this
			// process's job runner or another process finishes; it has no
			// review deadline to apply yet.
			continue
		}
		if err := rt.settleOverdue(ctx, e.Name); err != nil {
			rt.logger.WarnContext(ctx, "settling resumed execution", "execution", e.Name, "error", err)
		}
	}
	return nil
}

// settleOverdue settles an execution and, while it waits for a review whose
// deadline has passed, applies that timeout, so that an escalation or the
// timeout outcome is in place before the caller lists reviews.
func (rt *Runtime) settleOverdue(ctx context.Context, name string) error {
	for range pipeline.MaxEscalationLevel + 1 {
		res, err := rt.Settle(ctx, name)
		if err != nil || res.Verdict != policy.Review || res.ReviewID == "" {
			return err
		}
		r, err := rt.DB.Reviews().GetReview(ctx, res.ReviewID)
		if err != nil {
			return err
		}
		if r.Status != review.StatusPending || !rt.now().After(r.Deadline) {
			return nil
		}
		if err := rt.ApplyTimeout(ctx, r); err != nil {
			return err
		}
	}
	_, err := rt.Settle(ctx, name)
	return err
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
	case errors.Is(e.Err, review.ErrExpired) && e.Review.Status == review.StatusEscalated:
		return fmt.Sprintf("review %s expired at %s: %s", e.Review.ID, e.Review.Deadline.Format(time.RFC3339), e.Review.Reason)
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
	if r.Status.TimedOut() {
		return Result{}, &DecisionError{Review: r, Err: review.ErrExpired}
	}
	if r.Status != review.StatusPending {
		return Result{}, &DecisionError{Review: r, Err: review.ErrAlreadyDecided}
	}
	now := rt.now()
	if now.After(r.Deadline) {
		// The deadline passed while no process ran the execution: apply its
		// timeout rather than accept a late decision.
		if err := rt.ApplyTimeout(ctx, r); err != nil {
			return Result{}, err
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
	if err := rt.waitTakingOver(ctx, name); err != nil {
		return Result{}, err
	}
	return rt.Settle(ctx, name)
}

// takeOverInterval is how often waitTakingOver tries to claim an execution
// that no process drives.
const takeOverInterval = time.Second

// waitTakingOver waits until the execution ends. A killed process keeps
// its lease on the execution until the lease expires, and a task result
// sent meanwhile only reaches the journal. So while the execution runs,
// waitTakingOver tries to take it over, which succeeds once the lease is
// free.
func (rt *Runtime) waitTakingOver(ctx context.Context, name string) error {
	for {
		waitCtx, cancel := context.WithTimeout(ctx, takeOverInterval)
		_, err := rt.Runner.Wait(waitCtx, name)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		if err := rt.Runner.Resume(ctx, name); err != nil && !errors.Is(err, asl.ErrNotRunning) && !errors.Is(err, asl.ErrLeaseHeld) {
			return fmt.Errorf("resuming execution %s: %w", name, err)
		}
	}
}

// ApplyTimeout resumes the execution of a review whose deadline passed and
// waits until the executor has applied the task's timeout: the review
// leaves pending (expired or escalated) or the execution ends. With an
// escalation the execution then waits for the escalated review, so this
// does not wait for the execution to finish.
func (rt *Runtime) ApplyTimeout(ctx context.Context, r review.Review) error {
	name := executionName(r.Execution)
	if err := rt.Runner.Resume(ctx, name); err != nil && !errors.Is(err, asl.ErrNotRunning) {
		return fmt.Errorf("resuming execution %s: %w", name, err)
	}
	for {
		exec, err := rt.Runner.WaitSettled(ctx, name)
		if err != nil {
			return fmt.Errorf("waiting for execution %s: %w", name, err)
		}
		if exec.Status != asl.StatusRunning {
			return nil
		}
		stored, err := rt.DB.Reviews().GetReview(ctx, r.ID)
		if err != nil {
			return err
		}
		if stored.Status != review.StatusPending {
			return nil
		}
		// The timer fires on its own goroutine, so the execution can
		// still look paused on the old task token for a moment.
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the timeout of review %s: %w", r.ID, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// rejectedDecision explains a decision whose task token no longer accepts
// a result: another decision came first, or the deadline passed.
func (rt *Runtime) rejectedDecision(ctx context.Context, id string) error {
	r, err := rt.DB.Reviews().GetReview(ctx, id)
	if err != nil {
		return err
	}
	if r.Status == review.StatusPending || r.Status.TimedOut() {
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
