package pipeline

import (
	"context"
	"image"

	"github.com/moderato/moderato/internal/pii"
	"github.com/moderato/moderato/internal/review"
)

// TextModerator scores text in the moderation categories.
type TextModerator interface {
	// Name identifies the engine in outcomes.
	Name() string
	ModerateText(ctx context.Context, text string) ([]Score, error)
}

// PIIDetector finds PII entities in text of any length.
type PIIDetector interface {
	Name() string
	DetectPII(ctx context.Context, text string) ([]pii.Entity, error)
}

// ImageModerator scores an upright, metadata-free image in the moderation
// categories. It returns an error wrapping ErrEngineUnavailable when it has
// no model.
type ImageModerator interface {
	Name() string
	ModerateImage(ctx context.Context, img image.Image) ([]Score, error)
}

// StoredImageModerator is an ImageModerator that can also read the
// original object where it is stored, which saves sending the pixels.
// ModerateStoredImage returns handled false, and no error, when the
// original does not qualify or the engine cannot read it, and the pipeline
// then sends the normalised image to ModerateImage.
type StoredImageModerator interface {
	ImageModerator
	ModerateStoredImage(ctx context.Context, item Item, img Image) (scores []Score, handled bool, err error)
}

// TextRecognizer reads the words of an image and their boxes (OCR). It
// returns an error wrapping ErrEngineUnavailable when its program is not
// installed.
type TextRecognizer interface {
	Name() string
	RecognizeText(ctx context.Context, img image.Image) ([]Word, error)
}

// Word is a word read from an image.
type Word struct {
	Text string
	// Box is the word's bounding box in the image's pixels.
	Box image.Rectangle
	// Line numbers the text lines of the image in reading order.
	Line int
}

// FrameSampler samples frames of a video item: the first frame and the
// scene changes, up to a bounded count. It returns an error wrapping
// ErrEngineUnavailable when its program is not installed, and an
// InvalidContentError when the video cannot be decoded.
type FrameSampler interface {
	Name() string
	SampleFrames(ctx context.Context, item Item) ([]image.Image, error)
}

// TextExtractor extracts text from documents, audio and video. It returns an
// error wrapping ErrEngineUnavailable when no engine exists for the item.
type TextExtractor interface {
	Name() string
	ExtractText(ctx context.Context, item Item) (string, error)
}

// DocumentRedactor writes a redacted copy of a document in the document's
// own format, in which the entities found in the text that TextExtractor
// extracted from it no longer exist. It returns an error wrapping
// ErrEngineUnavailable when it cannot write the item's format.
type DocumentRedactor interface {
	Name() string
	RedactDocument(ctx context.Context, item Item, text string, entities []pii.Entity) ([]byte, error)
}

// Notifier notifies moderators that a review waits, in its queue: a new
// review or one that escalated. Messages carry no PII.
type Notifier interface {
	ReviewCreated(ctx context.Context, r review.Review) error
}

// Publisher announces a recorded outcome to the applications that consume
// outcomes, for example as a "Moderation Decided" event. An outcome
// carries PII types and counts, never values.
type Publisher interface {
	OutcomeRecorded(ctx context.Context, o Outcome) error
}
