package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/moderato/moderato/internal/imaging"
	"github.com/moderato/moderato/internal/media"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
)

// Buckets names the buckets the pipeline writes to. None of them may be the
// ingest bucket's watched prefix, or every output would start the pipeline
// again.
type Buckets struct {
	Approved   string
	Quarantine string
	Redacted   string
	// Work holds intermediate data passed by reference: normalised images,
	// extracted text and detections.
	Work string
}

// OutcomeStore persists outcomes.
type OutcomeStore interface {
	// PutOutcome stores o unless an outcome for the same execution exists,
	// and returns the stored outcome, so a retried task cannot replace it.
	PutOutcome(ctx context.Context, o Outcome) (Outcome, error)
}

// Tasks holds the dependencies of every task handler. A nil engine means the
// capability is not installed: the handler records the content as unscored.
type Tasks struct {
	Objects objects.Store
	Buckets Buckets
	Limits  media.Limits
	Imaging imaging.Options
	Policy  *policy.Policy
	Reviews review.Store
	// Queues assigns a first-level review to its queue by media type; an
	// escalated review goes to the policy's escalation queue.
	Queues review.Router
	// Audit receives an entry when a review escalates; nil records the
	// escalation on the reviews only.
	Audit    review.AuditLog
	Outcomes OutcomeStore

	TextModerator  TextModerator
	PIIDetector    PIIDetector
	ImageModerator ImageModerator
	TextRecognizer TextRecognizer
	FrameSampler   FrameSampler
	TextExtractor  TextExtractor
	// DocumentRedactor writes redacted documents in their own format; nil
	// publishes only the redacted extracted text.
	DocumentRedactor DocumentRedactor
	Notifier         Notifier
	// Publisher announces recorded outcomes; nil announces nothing.
	Publisher Publisher

	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

func (t *Tasks) now() time.Time {
	if t.Now != nil {
		return t.Now().UTC()
	}
	return time.Now().UTC()
}

func (t *Tasks) logger() *slog.Logger {
	if t.Logger != nil {
		return t.Logger
	}
	return slog.Default()
}
