package media

import "fmt"

// Limits holds the maximum object size in bytes for each supported Type. A
// zero or negative limit rejects every object of that type.
type Limits struct {
	Image    int64
	Video    int64
	Audio    int64
	Text     int64
	Document int64
}

// Sizes in bytes, binary and decimal.
const (
	miB = 1 << 20
	mb  = 1000 * 1000
	gb  = 1000 * mb
)

// DefaultLimits returns limits derived from the quotas of the AWS services
// that handle each type.
func DefaultLimits() Limits {
	return Limits{
		// Rekognition reads images of up to 15 MB from S3. Larger images are
		// decoded and downscaled first, so the limit only bounds the memory
		// of that step.
		Image: 50 * miB,
		// Rekognition Video accepts stored videos of up to 10 GB.
		Video: 10 * gb,
		// Amazon Transcribe accepts media files of up to 2 GB.
		Audio: 2 * gb,
		// Comprehend reads at most 100 KB per DetectPiiEntities call, so
		// text is split into chunks. The limit bounds the number of calls
		// and the memory held, and is not a Comprehend quota.
		Text: 32 * miB,
		// Textract's asynchronous API accepts PDF and TIFF files of up to
		// 500 MB.
		Document: 500 * mb,
	}
}

// For returns the limit for the type t, and false for Unsupported or an
// unknown type.
func (l Limits) For(t Type) (int64, bool) {
	switch t {
	case Image:
		return l.Image, true
	case Video:
		return l.Video, true
	case Audio:
		return l.Audio, true
	case Text:
		return l.Text, true
	case Document:
		return l.Document, true
	}
	return 0, false
}

// Check returns a *TooLargeError when size exceeds the limit for the sniffed
// type, and nil otherwise. Unsupported content has no limit, because it is
// not processed at all.
func (l Limits) Check(s Sniffed, size int64) error {
	limit, ok := l.For(s.Type)
	if !ok || size <= limit {
		return nil
	}
	return &TooLargeError{Type: s.Type, Format: s.Format, Size: size, Limit: limit}
}

// TooLargeError is the error for an object larger than the limit of its
// type. It is a named type so that the state machine can catch it by name.
type TooLargeError struct {
	Type   Type
	Format string
	Size   int64 // object size in bytes
	Limit  int64 // limit in bytes
}

// Error names the size and the limit.
func (e *TooLargeError) Error() string {
	what := string(e.Type)
	if e.Format != "" && e.Format != what {
		what = e.Format + " " + what
	}
	return fmt.Sprintf("%s of %d bytes exceeds the limit of %d bytes for %s content",
		what, e.Size, e.Limit, e.Type)
}
