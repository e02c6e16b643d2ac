package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
)

// RecordOutcome settles the final verdict from whatever path the execution
// took, copies the original to its destination (approved or quarantine),
// and stores the outcome once per execution.
func (t *Tasks) RecordOutcome(ctx context.Context, in RecordInput) (Outcome, error) {
	if in.Execution == "" {
		// Outcomes are stored under the execution, so the object is not
		// moved without one.
		return Outcome{}, errors.New("recording an outcome: the execution is missing; the task's input needs the execution ID ($$.Execution.Id)")
	}
	doc := in.Document
	o := Outcome{
		Execution:  in.Execution,
		Bucket:     doc.Detail.Bucket.Name,
		Key:        doc.Detail.Object.Key,
		VersionID:  doc.Detail.Object.VersionID,
		MediaType:  "unsupported",
		RecordedAt: t.now(),
	}
	if doc.Item != nil {
		o.Bucket, o.Key, o.VersionID, o.MediaType = doc.Item.Bucket, doc.Item.Key, doc.Item.VersionID, doc.Item.MediaType
	}
	o.PolicyVersion = t.Policy.Version()
	if doc.Decision != nil {
		o.PolicyVersion = doc.Decision.PolicyVersion
		o.Categories = doc.Decision.Categories
	}
	for _, a := range doc.Analysis {
		o.PII = append(o.PII, a.PII...)
	}

	o.Verdict, o.Reasons = settle(doc)
	if doc.Review != nil {
		o.ReviewID, o.ReviewedBy = doc.Review.ReviewID, doc.Review.Reviewer
		// The decision service finishes the review too. Doing it here as
		// well keeps the review consistent if that service stopped between
		// completing the token and updating the review.
		if status, err := review.StatusFor(doc.Review.Decision); err == nil && o.ReviewID != "" {
			if _, err := t.Reviews.FinishReview(ctx, o.ReviewID, status, doc.Review.Reviewer, doc.Review.Reason, doc.Review.DecidedAt); err != nil && !errors.Is(err, review.ErrAlreadyDecided) && !errors.Is(err, review.ErrNotFound) {
				return Outcome{}, fmt.Errorf("finishing review %s: %w", o.ReviewID, err)
			}
		}
	}
	if expired := timedOutReview(in.Execution, doc); expired != "" {
		o.ReviewID = expired
		if _, err := t.Reviews.FinishReview(ctx, o.ReviewID, review.StatusExpired, "", "review deadline passed", o.RecordedAt); err != nil && !errors.Is(err, review.ErrAlreadyDecided) && !errors.Is(err, review.ErrNotFound) {
			return Outcome{}, fmt.Errorf("expiring review %s: %w", o.ReviewID, err)
		}
	}

	dest, err := t.deliver(ctx, o)
	if err != nil {
		return Outcome{}, err
	}
	o.Destination = dest
	if o.Verdict == policy.Approved {
		if o.Redacted, err = t.publishRedacted(ctx, doc.Analysis); err != nil {
			return Outcome{}, err
		}
	}

	stored, err := t.Outcomes.PutOutcome(ctx, o)
	if err != nil {
		// The stores' errors name the action and the execution already.
		return Outcome{}, err
	}
	t.logger().InfoContext(ctx, "outcome recorded", "execution", in.Execution, "verdict", stored.Verdict, "media_type", stored.MediaType)

	if t.Publisher != nil {
		// A failed announcement fails the task, so its retry announces the
		// stored outcome again: consumers get it at least once.
		if err := t.Publisher.OutcomeRecorded(ctx, stored); err != nil {
			return Outcome{}, fmt.Errorf("announcing outcome of %s: %w", in.Execution, err)
		}
	}
	return stored, nil
}

// settle derives the final verdict and its reasons.
func settle(doc Document) (policy.Verdict, []string) {
	switch {
	case doc.Error != nil:
		return failureVerdict(*doc.Error)
	case doc.Item != nil && doc.Item.MediaType == "unsupported":
		return policy.Unsupported, []string{doc.Item.Reason}
	case doc.Decision == nil:
		return policy.Failed, []string{"the execution reached the end without a decision"}
	}

	reasons := append([]string(nil), doc.Decision.Reasons...)
	if doc.ReviewTimeout != nil && doc.Decision.Escalation != nil && (doc.Review != nil || doc.EscalationTimeout != nil) {
		reasons = append(reasons, fmt.Sprintf("review not decided within %d seconds: escalated to queue %s",
			doc.Decision.ReviewTimeoutSeconds, doc.Decision.Escalation.Queue))
	}
	switch {
	case doc.Review != nil:
		verdict := policy.Approved
		if doc.Review.Decision == review.Reject {
			verdict = policy.Rejected
		}
		note := fmt.Sprintf("reviewer %s decided %s", orUnknown(doc.Review.Reviewer), doc.Review.Decision)
		if doc.Review.Reason != "" {
			note += ": " + doc.Review.Reason
		}
		return verdict, append(reasons, note)
	case doc.EscalationTimeout != nil && doc.Decision.Escalation != nil:
		return timeoutVerdict(doc), append(reasons, fmt.Sprintf("escalated review not decided within %d seconds: the policy's timeout action applied", doc.Decision.Escalation.TimeoutSeconds))
	case doc.ReviewTimeout != nil:
		return timeoutVerdict(doc), append(reasons, fmt.Sprintf("review not decided within %d seconds: the policy's timeout action applied", doc.Decision.ReviewTimeoutSeconds))
	}
	return doc.Decision.Verdict, reasons
}

// timeoutVerdict returns the policy's on_timeout verdict, and rejects when
// the decision carries none.
func timeoutVerdict(doc Document) policy.Verdict {
	if v := doc.Decision.OnTimeout; v == policy.Approved || v == policy.Rejected {
		return v
	}
	return policy.Rejected
}

// timedOutReview returns the ID of the review whose deadline ended the
// execution: the escalated review when it timed out, the first review when
// it timed out without escalation, and "" otherwise. A first review that
// escalated was marked escalated when the escalated review was created.
func timedOutReview(execution string, doc Document) string {
	switch {
	case doc.EscalationTimeout != nil:
		return ReviewIDAt(execution, 1)
	case doc.ReviewTimeout != nil && doc.Review == nil:
		return ReviewID(execution)
	}
	return ""
}

// failureVerdict turns a caught error into a verdict with a readable
// reason: unsupported for content errors, failed for the rest. A Lambda
// error's Cause is a JSON object whose errorMessage is the handler's
// message.
func failureVerdict(e ErrorOutput) (policy.Verdict, []string) {
	message := e.Cause
	var lambdaErr struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal([]byte(e.Cause), &lambdaErr) == nil && lambdaErr.ErrorMessage != "" {
		message = lambdaErr.ErrorMessage
	}
	switch e.Error {
	case "UnsupportedContentError":
		return policy.Unsupported, []string{strings.TrimPrefix(message, "unsupported content: ")}
	case "InvalidContentError":
		// The message keeps its "invalid content: " prefix, which
		// distinguishes a damaged file from a kind the pipeline does not
		// analyse.
		return policy.Unsupported, []string{message}
	}
	if message == "" {
		return policy.Failed, []string{e.Error}
	}
	return policy.Failed, []string{e.Error + ": " + message}
}

// deliver copies the original to the approved or quarantine bucket. Pending
// items stay where they are; an original that disappeared is not an error,
// because its outcome must still be recorded.
func (t *Tasks) deliver(ctx context.Context, o Outcome) (*objects.Location, error) {
	var bucket string
	switch o.Verdict {
	case policy.Approved:
		bucket = t.Buckets.Approved
	case policy.Rejected, policy.Failed, policy.Unsupported:
		bucket = t.Buckets.Quarantine
	default:
		return nil, nil
	}
	if o.Bucket == "" || o.Key == "" || bucket == "" {
		return nil, nil
	}

	src := objects.Location{Bucket: o.Bucket, Key: o.Key, VersionID: o.VersionID}
	dst := objects.Location{Bucket: bucket, Key: o.Key}
	if _, err := t.Objects.Copy(ctx, src, dst); err != nil {
		if errors.Is(err, objects.ErrNotFound) {
			return nil, nil
		}
		if errors.Is(err, objects.ErrInvalidKey) {
			return nil, nil
		}
		return nil, fmt.Errorf("copying %s to %s: %w", src, dst, err)
	}
	return &dst, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// redactedPrefix is the prefix of redacted copies staged in the work bucket.
const redactedPrefix = "redacted/"

// stagedRedacted returns where an analysis task writes the redacted copy
// of key. Copies are staged in the work bucket and published to the
// redacted bucket only when the item is approved, so the redacted bucket
// never holds rejected or pending content.
func (t *Tasks) stagedRedacted(key string) objects.Location {
	return objects.Location{Bucket: t.Buckets.Work, Key: redactedPrefix + key}
}

// publishRedacted copies the staged redacted copies of an approved item to
// the redacted bucket and returns the location of the main one (the copy in
// the item's own format when there is one).
func (t *Tasks) publishRedacted(ctx context.Context, analysis []Analysis) (*objects.Location, error) {
	var mainCopy, textCopy *objects.Location
	for _, a := range analysis {
		for _, staged := range []*objects.Location{a.Redacted, a.RedactedText} {
			if staged == nil {
				continue
			}
			dst := objects.Location{Bucket: t.Buckets.Redacted, Key: strings.TrimPrefix(staged.Key, redactedPrefix)}
			if _, err := t.Objects.Copy(ctx, *staged, dst); err != nil {
				return nil, fmt.Errorf("publishing redacted copy %s: %w", dst, err)
			}
			switch {
			case staged == a.Redacted && mainCopy == nil:
				mainCopy = &dst
			case textCopy == nil:
				textCopy = &dst
			}
		}
	}
	if mainCopy == nil {
		return textCopy, nil
	}
	return mainCopy, nil
}
