// Package media classifies an object by the bytes at its head and enforces
// the size limits of the engine that handles each media type.
//
// The file name and the declared Content-Type are never consulted, because
// an uploader controls both and a wrong branch would send the object to an
// engine that cannot read it.
package media

// Type is the media type that selects the pipeline branch for an object.
type Type string

// The media types, one per branch of the state machine.
const (
	Image       Type = "image"
	Video       Type = "video"
	Audio       Type = "audio"
	Text        Type = "text"
	Document    Type = "document"
	Unsupported Type = "unsupported"
)

// SniffLen is the number of bytes at the head of an object that Sniff
// reads. A caller fetches this many bytes with a ranged GET; more are
// ignored and fewer are fine for small objects.
const SniffLen = 8192

// octetStream is the MIME type of content that Sniff does not recognise.
const octetStream = "application/octet-stream"

// Sniffed is the classification of an object's content.
type Sniffed struct {
	// Type selects the pipeline branch.
	Type Type
	// MIME is the media type of the content, such as "image/jpeg", with a
	// charset parameter for text. It is "application/octet-stream" when the
	// content is not recognised.
	MIME string
	// Format is a short lower-case name of the container or encoding, such
	// as "jpeg", "mp4" or "text". It is empty when the content is not
	// recognised.
	Format string
	// Reason says why the content is unsupported, for the outcome record.
	// It is empty unless Type is Unsupported.
	Reason string
}

// Supported reports whether the content has a branch other than
// Unsupported.
func (s Sniffed) Supported() bool {
	return s.Type != Unsupported
}

// Sniff classifies content by its bytes, never by its name. The head is the
// first bytes of the object (up to SniffLen are read) and size is the
// object's full size in bytes, or a negative value when it is unknown.
func Sniff(head []byte, size int64) Sniffed {
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}

	if len(head) == 0 {
		if size > 0 {
			return unsupported("no content bytes were read from a non-empty object")
		}
		return unsupported("empty object (0 bytes)")
	}

	for _, sniff := range sniffers {
		if s, ok := sniff(head); ok {
			return s
		}
	}

	// A head shorter than the object may end inside a multi-byte rune.
	headIsPrefix := size < 0 || int64(len(head)) < size
	if s, ok := sniffText(head, headIsPrefix); ok {
		return s
	}

	return unsupported("unrecognised content")
}

// sniffers are tried in order. Formats with long magic numbers come first,
// so that the weaker checks (MP3 frame sync, BMP) see only what the others
// rejected.
var sniffers = []func(head []byte) (Sniffed, bool){
	sniffImage,
	sniffRIFF,
	sniffISOBMFF,
	sniffMatroska,
	sniffAudio,
	sniffPDF,
	sniffZIP,
	sniffOther,
	sniffMP3,
	sniffBMP,
}

func unsupported(reason string) Sniffed {
	return Sniffed{Type: Unsupported, MIME: octetStream, Reason: reason}
}

func recognised(t Type, mime, format string) Sniffed {
	return Sniffed{Type: t, MIME: mime, Format: format}
}
