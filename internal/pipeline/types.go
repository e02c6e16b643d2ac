package pipeline

import (
	"time"

	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/policy"
)

// ObjectCreated is the detail of an EventBridge "Object Created" event from
// Amazon S3: the part of the event that identifies the uploaded object.
type ObjectCreated struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key       string `json:"key"`
		Size      int64  `json:"size"`
		ETag      string `json:"etag"`
		VersionID string `json:"version-id,omitempty"`
		Sequencer string `json:"sequencer"`
	} `json:"object"`
	// Reason is PutObject, CompleteMultipartUpload, CopyObject or
	// PutObject for a POST upload; every reason is processed the same way.
	Reason string `json:"reason"`
}

// InspectInput is the input of the Inspect object task.
type InspectInput struct {
	Detail ObjectCreated `json:"detail"`
}

// Item describes an uploaded object after inspection.
type Item struct {
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	VersionID string `json:"version_id"`
	ETag      string `json:"etag"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	// MediaType is image, video, audio, text, document or unsupported,
	// sniffed from the bytes, never from the key's extension.
	MediaType string `json:"media_type"`
	MIME      string `json:"mime"`
	Format    string `json:"format"`
	// Reason is the cause of an unsupported media type, and empty otherwise.
	Reason string `json:"reason"`
	// PageCount is the page count of a PDF document or a multi-page TIFF,
	// and 0 for other items and for PDFs whose page count could not be
	// read. The state machine sends documents of more than one page to an
	// asynchronous text detection job. A TIFF of one page is an image.
	PageCount int `json:"page_count"`
}

// Location returns the item's object version.
func (i Item) Location() objects.Location {
	return objects.Location{Bucket: i.Bucket, Key: i.Key, VersionID: i.VersionID}
}

// Image is a normalised image: decoded, oriented upright and re-encoded as
// PNG without any metadata.
type Image struct {
	Location    objects.Location `json:"location"`
	Width       int              `json:"width"`
	Height      int              `json:"height"`
	Format      string           `json:"format"`
	Orientation int              `json:"orientation"`
	HadGPS      bool             `json:"had_gps"`
	Frames      int              `json:"frames"`
	// Sampled are the frames of an animated GIF that are moderated besides
	// frame 0, which Location holds. It is empty for a still image.
	Sampled []ImageFrame `json:"sampled,omitempty"`
}

// ImageFrame is a sampled frame of an animation, composited as a viewer
// shows it and normalised as PNG.
type ImageFrame struct {
	// Index is the frame's position in the animation, from 0.
	Index    int              `json:"index"`
	Location objects.Location `json:"location"`
}

// AnalyzeInput is the input of the moderation and PII tasks. Text, when
// present, is the location of text extracted from the item (a document or a
// transcript); otherwise a text item is read directly.
type AnalyzeInput struct {
	Item  Item              `json:"item"`
	Text  *objects.Location `json:"text,omitempty"`
	Image *Image            `json:"image,omitempty"`
}

// Analysis kinds.
const (
	KindModeration = "moderation"
	KindPII        = "pii"
)

// Score is a moderation category and its confidence in 0..1.
type Score struct {
	Name  string  `json:"name"`
	Score float64 `json:"score"`
	// Frame is the animation frame that scored highest, for a category of
	// an animated image, and nil otherwise.
	Frame *int `json:"frame,omitempty"`
}

// TypeCount is a PII entity type and how often it was found. It never
// carries the values.
type TypeCount struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// Analysis is the result of one branch of an analysis: moderation scores or
// PII findings.
type Analysis struct {
	Kind       string            `json:"kind"`
	Engine     string            `json:"engine"`
	Categories []Score           `json:"categories"`
	PII        []TypeCount       `json:"pii"`
	Redacted   *objects.Location `json:"redacted"`
	// RedactedText is the redacted copy of text extracted from another
	// format, such as a document's, with each PII value replaced by its
	// type. Reviewers read it next to Redacted.
	RedactedText *objects.Location `json:"redacted_text,omitempty"`
	Detections   *objects.Location `json:"detections"`
	// Unscored lists why part of the content could not be analysed, for
	// example an engine that is not installed. Each entry sends the item to
	// review, because an unanalysed item must not be approved silently.
	Unscored []string `json:"unscored"`
}

// DecideInput is the input of the Decide task: the item and the outputs of
// the analysis branches.
type DecideInput struct {
	Item     Item       `json:"item"`
	Analysis []Analysis `json:"analysis"`
}

// Decision is the policy's verdict before any human review.
type Decision struct {
	Verdict       policy.Verdict `json:"verdict"`
	Reasons       []string       `json:"reasons"`
	Categories    []Score        `json:"categories"`
	PolicyVersion string         `json:"policy_version"`
	// OnTimeout is the verdict applied when a review is not decided in time.
	OnTimeout policy.Verdict `json:"on_timeout"`
	// ReviewTimeoutSeconds is the review SLA in force when the item was decided.
	ReviewTimeoutSeconds int64 `json:"review_timeout_seconds"`
	// ReviewQuorum is the number of agreeing decisions that settles the
	// review; 0 and 1 mean a single decision.
	ReviewQuorum int `json:"review_quorum,omitempty"`
	// Escalation is the policy's escalation of a review that times out;
	// nil applies OnTimeout at the first timeout. The state machine's
	// Escalate? choice tests it, and the escalated review's wait takes its
	// TimeoutSeconds from it.
	Escalation *Escalation `json:"escalation,omitempty"`
}

// Escalation is the queue and timeout of the second review of an item
// whose first review missed its deadline.
type Escalation struct {
	Queue          string `json:"queue"`
	TimeoutSeconds int64  `json:"timeout_seconds"`
}

// ReviewRequest is the input of the Wait for review and Wait for escalated
// review tasks.
type ReviewRequest struct {
	TaskToken string     `json:"task_token"`
	Execution string     `json:"execution"`
	Item      Item       `json:"item"`
	Decision  Decision   `json:"decision"`
	Analysis  []Analysis `json:"analysis"`
	// EscalationLevel is 0 for the first review and 1 for the review in the
	// policy's escalation queue.
	EscalationLevel int `json:"escalation_level,omitempty"`
}

// ReviewResult is a moderator's decision as it returns through the task
// token.
type ReviewResult struct {
	ReviewID  string    `json:"review_id"`
	Decision  string    `json:"decision"` // approve or reject
	Reason    string    `json:"reason"`
	Reviewer  string    `json:"reviewer"`
	DecidedAt time.Time `json:"decided_at"`
}

// ErrorOutput is the error object that a Catch stores at its ResultPath.
type ErrorOutput struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// Document is the state machine's data as it reaches the Record outcome
// task. Every part after Detail may be missing, depending on the path taken.
type Document struct {
	Detail        ObjectCreated `json:"detail"`
	Item          *Item         `json:"item"`
	Image         *Image        `json:"image"`
	Analysis      []Analysis    `json:"analysis"`
	Decision      *Decision     `json:"decision"`
	Review        *ReviewResult `json:"review"`
	ReviewTimeout *ErrorOutput  `json:"review_timeout"`
	// EscalationTimeout is set when the escalated review timed out too.
	EscalationTimeout *ErrorOutput `json:"escalation_timeout"`
	Error             *ErrorOutput `json:"error"`
}

// RecordInput is the input of the Record outcome task.
type RecordInput struct {
	Execution string   `json:"execution"`
	Document  Document `json:"document"`
}

// Outcome is the final record of one object version: what the application
// developer consumes.
type Outcome struct {
	Execution     string            `json:"execution"`
	Bucket        string            `json:"bucket"`
	Key           string            `json:"key"`
	VersionID     string            `json:"version_id"`
	MediaType     string            `json:"media_type"`
	Verdict       policy.Verdict    `json:"verdict"`
	Reasons       []string          `json:"reasons"`
	Categories    []Score           `json:"categories"`
	PII           []TypeCount       `json:"pii"`
	Redacted      *objects.Location `json:"redacted"`
	Destination   *objects.Location `json:"destination"`
	ReviewID      string            `json:"review_id,omitempty"`
	ReviewedBy    string            `json:"reviewed_by,omitempty"`
	PolicyVersion string            `json:"policy_version"`
	RecordedAt    time.Time         `json:"recorded_at"`
}
