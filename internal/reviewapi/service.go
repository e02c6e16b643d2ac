// Package reviewapi is the review API shared by the AWS Lambda function
// behind API Gateway and by `moderato serve`. It lists pending reviews,
// shows one with its redacted preview, takes decisions exactly once, keeps
// the audit trail and serves the review page. The environment plugs in
// through Backend (where reviews live and how an execution resumes) and
// Authenticator (who the moderator is).
package reviewapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/review"
)

// maxReasonRunes bounds the free-text reason of a decision.
const maxReasonRunes = 2000

// maxCorrections bounds the category corrections of one decision.
const maxCorrections = 50

// Backend is the environment of the review API.
type Backend interface {
	// Reviews returns the review store.
	Reviews() review.Store
	// Resume sends the decision through the task token of a pending
	// review, as SendTaskSuccess does, and returns what the environment
	// reports back (locally the final outcome). It returns an error wrapping
	// review.ErrAlreadyDecided when another decision came first,
	// review.ErrExpired when the deadline passed or the token timed out,
	// and review.ErrNotFound for an unknown review.
	Resume(ctx context.Context, id string, result pipeline.ReviewResult) (any, error)
	// Preview returns the object at loc for the review page: either a
	// short-lived URL (URL set) or its bytes (Body set, closed by the
	// caller).
	Preview(ctx context.Context, loc objects.Location) (Preview, error)
}

// Preview is a redacted derivative served to a moderator.
type Preview struct {
	// URL is a short-lived presigned URL, when the backend stores objects
	// where the browser can fetch them directly.
	URL string
	// Body is the content, when the backend serves it itself.
	Body io.ReadCloser
}

// Config sets the behaviour of the review service.
type Config struct {
	Backend Backend
	Audit   review.AuditLog
	// Router assigns reviews to queues. The zero Router puts every review in
	// review.DefaultQueue.
	Router review.Router
	// Quorum is the number of agreeing decisions that settles a review; 0
	// and 1 mean a single decision. A policy's review.quorum raises it for
	// the items that policy sent to review.
	Quorum int
	// AllowOriginal lets moderators see the original object of an item that
	// has no redacted derivative. Off, such an item has no preview.
	AllowOriginal bool
	Logger        *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Service applies access control, quorum and the audit trail around a
// Backend. The HTTP handler and the CLI both decide through it.
type Service struct {
	cfg Config
}

// NewService returns a service for the configuration.
func NewService(cfg Config) (*Service, error) {
	if cfg.Backend == nil || cfg.Audit == nil {
		return nil, errors.New("creating the review service: the backend and the audit log are required")
	}
	if cfg.Quorum < 0 {
		return nil, fmt.Errorf("creating the review service: invalid quorum %d: use 1 or more", cfg.Quorum)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}, nil
}

// Errors of the service, besides the review package's sentinels.
var (
	// ErrForbidden means the review is in a queue that the moderator may
	// not access.
	ErrForbidden = errors.New("the review is not in your queues")
	// ErrInvalid wraps a decision request that is not valid.
	ErrInvalid = errors.New("invalid decision")
	// ErrInvalidCursor wraps a list cursor that this API did not return.
	ErrInvalidCursor = errors.New("invalid list cursor")
)

// DecisionRequest is a moderator's decision as the API receives it. It has
// no reviewer field: the reviewer is the authenticated moderator.
type DecisionRequest struct {
	Decision    string              `json:"decision"`
	Reason      string              `json:"reason"`
	Corrections []review.Correction `json:"corrections,omitempty"`
}

// Validate checks the decision, the reason length and the corrections.
func (d DecisionRequest) Validate() error {
	if _, err := review.StatusFor(d.Decision); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if n := utf8.RuneCountInString(d.Reason); n > maxReasonRunes {
		return fmt.Errorf("%w: the reason has %d characters, more than %d", ErrInvalid, n, maxReasonRunes)
	}
	if len(d.Corrections) > maxCorrections {
		return fmt.Errorf("%w: %d corrections, more than %d", ErrInvalid, len(d.Corrections), maxCorrections)
	}
	seen := make(map[string]bool, len(d.Corrections))
	for _, c := range d.Corrections {
		if c.Category == "" || len(c.Category) > 100 {
			return fmt.Errorf("%w: a correction needs a category name of 1 to 100 bytes", ErrInvalid)
		}
		if !utf8.ValidString(c.Category) || strings.ContainsFunc(c.Category, isControlOrFormat) {
			return fmt.Errorf("%w: the correction category %q contains a control or format character or invalid UTF-8", ErrInvalid, c.Category)
		}
		if seen[c.Category] {
			return fmt.Errorf("%w: category %q is corrected twice: send one correction per category", ErrInvalid, c.Category)
		}
		seen[c.Category] = true
	}
	return nil
}

// isControlOrFormat reports control characters (such as newline and ESC)
// and format characters (such as the right-to-left override U+202E), which
// would let a category name forge or reorder text where it is shown.
func isControlOrFormat(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// DecisionOutcome is the result of a decision request.
type DecisionOutcome struct {
	// Result is review.ResultAccepted when the decision resumed the
	// execution, or review.ResultVote when it counted towards a quorum that
	// still waits for more votes.
	Result string `json:"result"`
	// Decision is the decision sent to the execution: the request's own, or
	// the quorum's when votes disagreed.
	Decision   string `json:"decision,omitempty"`
	Approvals  int    `json:"approvals"`
	Rejections int    `json:"rejections"`
	Required   int    `json:"required"`
	Review     View   `json:"review"`
	Execution  any    `json:"execution,omitempty"`
}

// DecisionError is a decision that was not accepted because the review was
// decided before (ErrAlreadyDecided) or expired (ErrExpired). Review is the
// review as stored, with the first decision.
type DecisionError struct {
	Review View
	Err    error
}

func (e *DecisionError) Error() string {
	if errors.Is(e.Err, review.ErrExpired) && e.Review.Status == review.StatusExpired && e.Review.Reason == reasonNotWaiting {
		return fmt.Sprintf("review %s is closed: %s", e.Review.ID, reasonNotWaiting)
	}
	if errors.Is(e.Err, review.ErrExpired) && e.Review.Status == review.StatusEscalated {
		return fmt.Sprintf("review %s expired at %s: %s", e.Review.ID, e.Review.Deadline.Format(time.RFC3339), e.Review.Reason)
	}
	if errors.Is(e.Err, review.ErrExpired) {
		return fmt.Sprintf("review %s expired at %s: the policy's timeout action applies", e.Review.ID, e.Review.Deadline.Format(time.RFC3339))
	}
	msg := fmt.Sprintf("review %s was already decided: %s", e.Review.ID, e.Review.Status)
	if e.Review.DecidedBy != "" {
		msg += " by " + e.Review.DecidedBy
	}
	return msg
}

func (e *DecisionError) Unwrap() error { return e.Err }

// Get returns a review that the moderator may access.
func (s *Service) Get(ctx context.Context, mod review.Moderator, id string) (View, error) {
	r, err := s.cfg.Backend.Reviews().GetReview(ctx, id)
	if err != nil {
		return View{}, err
	}
	v := s.view(r)
	if !mod.CanAccess(v.Queue) {
		return View{}, fmt.Errorf("getting review %s: %w", id, ErrForbidden)
	}
	return v, nil
}

// History returns the audit trail of a review that the moderator may
// access.
func (s *Service) History(ctx context.Context, mod review.Moderator, id string) ([]review.Entry, error) {
	if _, err := s.Get(ctx, mod, id); err != nil {
		return nil, err
	}
	return s.cfg.Audit.History(ctx, id)
}

// Decide records the moderator's decision on a review. With a quorum, the
// decision is a vote until enough votes agree or they disagree, and only
// then resumes the execution. Every attempt, accepted or not, is appended
// to the audit trail.
func (s *Service) Decide(ctx context.Context, mod review.Moderator, id string, req DecisionRequest) (DecisionOutcome, error) {
	if err := req.Validate(); err != nil {
		return DecisionOutcome{}, err
	}
	v, err := s.Get(ctx, mod, id)
	if err != nil {
		return DecisionOutcome{}, err
	}
	entry := s.entry(v, mod, req)

	if v.Status == review.StatusPending && entry.At.After(v.Deadline) {
		if err := s.resolveExpired(ctx, id); err != nil {
			return DecisionOutcome{}, err
		}
		return s.refuse(ctx, id, entry, review.ErrExpired)
	}
	if v.Status.TimedOut() {
		return s.refuse(ctx, id, entry, review.ErrExpired)
	}
	if v.Status != review.StatusPending {
		return s.refuse(ctx, id, entry, review.ErrAlreadyDecided)
	}

	history, err := s.cfg.Audit.History(ctx, id)
	if err != nil {
		return DecisionOutcome{}, err
	}
	quorum := s.quorum(v)
	tally := review.Count(history, quorum)
	for _, e := range history {
		if e.Reviewer == mod.ID && (e.Result == review.ResultVote || e.Result == review.ResultAccepted) {
			return s.refuse(ctx, id, entry, review.ErrAlreadyDecided)
		}
	}
	tally = tally.Add(req.Decision)
	outcome := DecisionOutcome{Approvals: tally.Approvals, Rejections: tally.Rejections, Required: tally.Required}
	decision, settled := tally.Outcome()
	raced := false
	if !settled {
		entry.Result = review.ResultVote
		if err := s.cfg.Audit.AppendEntry(ctx, entry); err != nil {
			return DecisionOutcome{}, err
		}
		s.cfg.Logger.InfoContext(ctx, "review vote recorded", "review_id", id, "reviewer", mod.ID, "approvals", tally.Approvals, "rejections", tally.Rejections)

		// Another moderator may have voted between the read of the history
		// and this vote, so that neither saw the quorum. Count again: if it
		// is reached now, this request resumes the execution, and the task
		// token makes sure that only one of the racing requests does.
		history, err := s.cfg.Audit.History(ctx, id)
		if err != nil {
			return DecisionOutcome{}, err
		}
		tally = review.Count(history, quorum)
		outcome.Approvals, outcome.Rejections = tally.Approvals, tally.Rejections
		decision, settled = tally.Outcome()
		if !settled {
			outcome.Result, outcome.Review = review.ResultVote, v
			return outcome, nil
		}
		raced = true
	}

	reason := req.Reason
	if decision != req.Decision {
		reason = fmt.Sprintf("the quorum of %d disagreed (%d approvals, %d rejections)", tally.Required, tally.Approvals, tally.Rejections)
	}
	result := pipeline.ReviewResult{ReviewID: id, Decision: decision, Reason: reason, Reviewer: mod.ID, DecidedAt: entry.At}
	execution, err := s.cfg.Backend.Resume(ctx, id, result)
	if errors.Is(err, review.ErrExpired) && entry.At.Before(v.Deadline) {
		// A task token that is closed before the deadline was used by a
		// concurrent decision, which may not have marked the review
		// decided yet.
		err = fmt.Errorf("resuming the execution of review %s: %w", id, review.ErrAlreadyDecided)
	}
	if errors.Is(err, review.ErrAlreadyDecided) && s.stillPending(ctx, id) {
		err = s.closeUnwaited(ctx, id, entry.At, v.Deadline)
	}
	if raced && errors.Is(err, review.ErrAlreadyDecided) {
		// The other racing request resumed the execution; this vote counted.
		outcome.Result, outcome.Review = review.ResultVote, v
		return outcome, nil
	}
	if errors.Is(err, review.ErrAlreadyDecided) || errors.Is(err, review.ErrExpired) {
		return s.refuse(ctx, id, entry, err)
	}
	if err != nil {
		return DecisionOutcome{}, fmt.Errorf("resuming the execution of review %s: %w", id, err)
	}
	entry.Result = review.ResultAccepted
	if err := s.cfg.Audit.AppendEntry(ctx, entry); err != nil {
		// The execution has resumed: report the audit failure loudly but
		// do not tell the moderator that the decision failed.
		s.cfg.Logger.ErrorContext(ctx, "appending the audit entry of an accepted decision", "review_id", id, "reviewer", mod.ID, "error", err)
	}
	s.cfg.Logger.InfoContext(ctx, "review decided", "review_id", id, "reviewer", mod.ID, "decision", decision)

	outcome.Result, outcome.Decision, outcome.Execution = review.ResultAccepted, decision, execution
	if r, err := s.cfg.Backend.Reviews().GetReview(ctx, id); err == nil {
		outcome.Review = s.view(r)
	}
	return outcome, nil
}

// settleWait bounds how long a decision that lost at the task token waits
// for the winning decision to be recorded.
const settleWait = 2 * time.Second

// stillPending reports whether the review stays pending for settleWait,
// which means that no concurrent decision closed its task token.
func (s *Service) stillPending(ctx context.Context, id string) bool {
	deadline := time.Now().Add(settleWait)
	for {
		r, err := s.cfg.Backend.Reviews().GetReview(ctx, id)
		if err != nil || r.Status != review.StatusPending {
			return false
		}
		if time.Now().After(deadline) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// taskStartLead bounds how long before a review was created its task
// started: the run of request_review, within Lambda's maximum timeout of 15
// minutes. A task's timeout therefore closes its token no earlier than
// this long before the review's deadline.
const taskStartLead = 15 * time.Minute

// reasonNotWaiting is the reason stored on a review closed by
// closeUnwaited.
const reasonNotWaiting = "its execution no longer waits for a decision, because it was stopped or it failed"

// closeUnwaited returns the error for a review whose task token is closed
// although no decision was recorded. Near the deadline the task timed out,
// and the policy's timeout action applies. Earlier, the execution stopped
// waiting, so the review is marked expired, which takes it out of the
// queue and out of the pending reviews.
func (s *Service) closeUnwaited(ctx context.Context, id string, now, deadline time.Time) error {
	if !now.Before(deadline.Add(-taskStartLead)) {
		return fmt.Errorf("resuming the execution of review %s: %w", id, review.ErrExpired)
	}
	_, err := s.cfg.Backend.Reviews().FinishReview(ctx, id, review.StatusExpired, "", reasonNotWaiting, now)
	if errors.Is(err, review.ErrAlreadyDecided) {
		// A decision or the timeout finished the review meanwhile.
		return fmt.Errorf("closing review %s: %w", id, err)
	}
	if err != nil {
		return fmt.Errorf("closing review %s, whose execution no longer waits: %w", id, err)
	}
	s.cfg.Logger.WarnContext(ctx, "review closed: its execution no longer waits for a decision", "review_id", id)
	return fmt.Errorf("resuming the execution of review %s: %w", id, review.ErrExpired)
}

// quorum returns the number of agreeing decisions that settles the review:
// the larger of the service's quorum and the one of the policy that sent
// the item to review.
func (s *Service) quorum(v View) int {
	q := s.cfg.Quorum
	if v.Details != nil {
		q = max(q, v.Details.Decision.ReviewQuorum)
	}
	return max(q, 1)
}

// resolveExpired lets a backend that implements Resolver apply the timeout
// of an overdue review.
func (s *Service) resolveExpired(ctx context.Context, id string) error {
	if r, ok := s.cfg.Backend.(Resolver); ok {
		return r.ResolveExpired(ctx, id)
	}
	return nil
}

// Resolver is implemented by backends that apply the timeout of an overdue
// review on request. Local mode needs it because no timer runs while no
// process is up; on AWS, Step Functions applies the timeout itself.
type Resolver interface {
	ResolveExpired(ctx context.Context, id string) error
}

// refuse appends the refused attempt to the audit trail and returns a
// DecisionError with the stored review.
func (s *Service) refuse(ctx context.Context, id string, entry review.Entry, cause error) (DecisionOutcome, error) {
	r, err := s.cfg.Backend.Reviews().GetReview(ctx, id)
	if err != nil {
		return DecisionOutcome{}, err
	}
	entry.Result = review.ResultConflict
	sentinel := review.ErrAlreadyDecided
	// A review that expired while the decision was on its way is gone, not
	// decided by someone else.
	if errors.Is(cause, review.ErrExpired) || r.Status.TimedOut() {
		entry.Result, sentinel = review.ResultExpired, review.ErrExpired
	}
	if err := s.cfg.Audit.AppendEntry(ctx, entry); err != nil {
		return DecisionOutcome{}, err
	}
	return DecisionOutcome{}, &DecisionError{Review: s.view(r), Err: sentinel}
}

func (s *Service) entry(v View, mod review.Moderator, req DecisionRequest) review.Entry {
	e := review.Entry{
		ReviewID:    v.ID,
		Execution:   v.Execution,
		Bucket:      v.Bucket,
		Key:         v.Key,
		VersionID:   v.VersionID,
		Queue:       v.Queue,
		Reviewer:    mod.ID,
		Decision:    req.Decision,
		Reason:      req.Reason,
		Corrections: req.Corrections,
		At:          s.cfg.Now().UTC(),
	}
	if v.Details != nil {
		e.PolicyVersion = v.Details.Decision.PolicyVersion
	}
	return e
}

// details is the part of a review's stored details that the API shows.
type details struct {
	Item     pipeline.Item       `json:"item"`
	Decision pipeline.Decision   `json:"decision"`
	Analysis []pipeline.Analysis `json:"analysis"`
}

func decodeDetails(raw []byte) *details {
	if len(raw) == 0 {
		return nil
	}
	var d details
	if json.Unmarshal(raw, &d) != nil {
		return nil
	}
	return &d
}
