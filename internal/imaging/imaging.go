// Package imaging decodes uploaded images safely and turns them into plain
// upright pixels that the moderation and OCR engines accept.
//
// Normalize guards against image bombs before decoding, reports truncated
// files instead of returning half-grey pixels, applies the EXIF orientation
// and records which metadata was present. EncodePNG and EncodeJPEG write
// derivatives that carry no metadata, so a GPS position in the upload never
// reaches a moderator or an engine.
package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"
	"strings"

	// Decoders registered with package image.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"

	"github.com/moderato/moderato/internal/media"
)

// Errors returned by Normalize, wrapped with details.
var (
	// ErrUnsupportedFormat is returned for content that is not an image or
	// an image format with no decoder here, such as HEIC.
	ErrUnsupportedFormat = errors.New("imaging: unsupported image format")
	// ErrCorrupt is returned for an image that cannot be decoded, including
	// a truncated one.
	ErrCorrupt = errors.New("imaging: corrupt image")
	// ErrTooLarge is returned for an image whose dimensions exceed Options.
	ErrTooLarge = errors.New("imaging: image too large")
)

// Options are the image-bomb guards that Normalize checks against the
// dimensions in the header, before it allocates any pixels.
type Options struct {
	// MaxPixels is the maximum width × height. A decoded image needs about
	// 4 bytes per pixel, and as much again when it is rotated.
	//
	// NOTE: a small file may still claim up to MaxPixels, and the decoders
	// allocate the whole image before they find the pixel data missing, so
	// lower MaxPixels where memory is tight.
	MaxPixels int
	// MaxSide is the maximum width and the maximum height, in pixels.
	MaxSide int
	// MaxDecodedBytes bounds the memory of the decoded pixels, estimated
	// from the header's color model: a 16-bit RGBA image needs 8 bytes per
	// pixel, twice what MaxPixels assumes. For an animated GIF it bounds
	// all frames together with the sampled frames' canvases.
	MaxDecodedBytes int64
	// MaxFrames is the maximum number of frames of an animated GIF, all of
	// which are decoded to composite the sampled ones.
	MaxFrames int
	// SampledFrames is the maximum number of frames of an animated GIF
	// that Normalize returns in Result.Samples.
	SampledFrames int
}

// DefaultOptions returns guards of 100 megapixels and 20,000 pixels per
// side, which admit the output of current phone and DSLR cameras, 1,000
// frames per animated GIF and 8 sampled frames.
func DefaultOptions() Options {
	return Options{MaxPixels: 100_000_000, MaxSide: 20_000, MaxDecodedBytes: 512 << 20, MaxFrames: 1000, SampledFrames: 8}
}

// Result is a decoded, upright image and what Normalize found around it.
type Result struct {
	// Image has the EXIF orientation applied.
	Image image.Image
	// Format is the decoded format: jpeg, png, gif, webp, bmp or tiff.
	Format string
	// Width and Height are in pixels, after the orientation is applied.
	Width, Height int
	// Orientation is the EXIF orientation found, from 1 to 8, and 1 when
	// there is none.
	Orientation int
	// HadMetadata reports EXIF, XMP, ICC, IPTC, comment or text blocks.
	HadMetadata bool
	// HadGPS reports an EXIF GPS IFD with at least one entry.
	HadGPS bool
	// Frames is the number of animation frames.
	Frames int
	// Samples are the sampled frames of an animated GIF, composited as a
	// viewer shows them, the first being frame 0, which Image also is. It
	// is nil for a still image.
	Samples []Frame
}

// Normalize decodes an image and applies its EXIF orientation. Zero fields
// in opts take the values of DefaultOptions.
//
// An animated GIF has all its frames decoded, and Result.Samples holds up to
// opts.SampledFrames of its frames, composited as a viewer shows them.
//
// It returns ErrUnsupportedFormat for non-images, HEIC, HEIF, AVIF and
// animated WebP, ErrTooLarge when the header claims more pixels than opts
// allow or the animation more frames or decoded bytes, and ErrCorrupt for undecodable or truncated data (with "truncated"
// in the message).
func Normalize(data []byte, opts Options) (*Result, error) {
	opts = opts.withDefaults()

	sniffed := media.Sniff(data[:min(len(data), media.SniffLen)], int64(len(data)))
	if err := checkSniffed(sniffed); err != nil {
		return nil, err
	}
	format := sniffed.Format

	meta, err := inspectContainer(format, data)
	if err != nil {
		return nil, err
	}
	if meta.animated {
		return nil, fmt.Errorf("%w: animated %s has no decoder here", ErrUnsupportedFormat, format)
	}

	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, decodeError(format, "reading header", err)
	}
	if err := opts.check(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	if format == "gif" && meta.frames > 1 {
		return normalizeAnimation(data, format, cfg, meta, opts)
	}
	if need := int64(cfg.Width) * int64(cfg.Height) * bytesPerPixel(cfg.ColorModel); need > opts.MaxDecodedBytes {
		return nil, fmt.Errorf("%w: decoding %dx%d pixels needs about %d MiB, above the limit of %d MiB", ErrTooLarge, cfg.Width, cfg.Height, need>>20, opts.MaxDecodedBytes>>20)
	}

	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, decodeError(format, "decoding pixels", err)
	}

	img = onCanvas(img, cfg.Width, cfg.Height)
	img = applyOrientation(img, meta.orientation)
	bounds := img.Bounds()
	return &Result{
		Image:       img,
		Format:      format,
		Width:       bounds.Dx(),
		Height:      bounds.Dy(),
		Orientation: meta.orientation,
		HadMetadata: meta.hasMetadata,
		HadGPS:      meta.hasGPS,
		Frames:      meta.frames,
	}, nil
}

// normalizeAnimation decodes an animated GIF within the frame and memory
// limits of opts and returns its sampled frames. GIF has no EXIF block,
// so no orientation applies.
func normalizeAnimation(data []byte, format string, cfg image.Config, meta container, opts Options) (*Result, error) {
	if meta.frames > opts.MaxFrames {
		return nil, fmt.Errorf("%w: animation of %d frames exceeds the limit of %d frames", ErrTooLarge, meta.frames, opts.MaxFrames)
	}
	indexes := SampleIndexes(meta.frames, opts.SampledFrames)
	if need := animationBytes(meta, cfg.Width, cfg.Height, len(indexes)); need > opts.MaxDecodedBytes {
		return nil, fmt.Errorf("%w: decoding %d frames of %dx%d pixels needs about %d MiB, above the limit of %d MiB", ErrTooLarge, meta.frames, cfg.Width, cfg.Height, need>>20, opts.MaxDecodedBytes>>20)
	}

	samples, err := decodeAnimation(data, indexes)
	if err != nil {
		return nil, err
	}
	first := samples[0].Image
	return &Result{
		Image:       first,
		Format:      format,
		Width:       first.Bounds().Dx(),
		Height:      first.Bounds().Dy(),
		Orientation: meta.orientation,
		HadMetadata: meta.hasMetadata,
		HadGPS:      meta.hasGPS,
		Frames:      meta.frames,
		Samples:     samples,
	}, nil
}

// onCanvas places img on a transparent canvas of the size in the header
// when its bounds differ from it, so that every Result starts at (0, 0).
// A GIF's first frame may cover only part of the logical screen.
func onCanvas(img image.Image, width, height int) image.Image {
	canvas := image.Rect(0, 0, width, height)
	if img.Bounds() == canvas {
		return img
	}
	out := image.NewRGBA(canvas)
	draw.Draw(out, img.Bounds().Intersect(canvas), img, img.Bounds().Min, draw.Src)
	return out
}

func checkSniffed(s media.Sniffed) error {
	switch {
	case s.Format == "heic" || s.Format == "heif" || s.Format == "avif":
		return fmt.Errorf("%w: %s has no pure-Go decoder, so convert it to JPEG or PNG first", ErrUnsupportedFormat, s.Format)
	case s.Type != media.Image:
		what := s.Format
		if what == "" {
			what = s.Reason
		}
		return fmt.Errorf("%w: content is %s, not an image", ErrUnsupportedFormat, what)
	}
	return nil
}

// truncationMessages are the texts with which decoders report data cut
// short without wrapping io.ErrUnexpectedEOF: image/jpeg when a scan ends
// early and image/png when the compressed pixel stream does (Go 1.26).
var truncationMessages = []string{"unexpected EOF", "short Huffman data", "not enough pixel data"}

// decodeError classifies a decoder error as truncation, unknown format or
// other corruption.
func decodeError(format, step string, err error) error {
	switch {
	case isTruncation(err):
		return fmt.Errorf("%w: %s %s: data is truncated: %w", ErrCorrupt, step, format, err)
	case errors.Is(err, image.ErrFormat):
		return fmt.Errorf("%w: %s %s: no decoder recognised it: %w", ErrUnsupportedFormat, step, format, err)
	default:
		return fmt.Errorf("%w: %s %s: %w", ErrCorrupt, step, format, err)
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MaxPixels <= 0 {
		o.MaxPixels = d.MaxPixels
	}
	if o.MaxSide <= 0 {
		o.MaxSide = d.MaxSide
	}
	if o.MaxDecodedBytes <= 0 {
		o.MaxDecodedBytes = d.MaxDecodedBytes
	}
	if o.MaxFrames <= 0 {
		o.MaxFrames = d.MaxFrames
	}
	if o.SampledFrames <= 0 {
		o.SampledFrames = d.SampledFrames
	}
	return o
}

func (o Options) check(width, height int) error {
	switch {
	case width <= 0 || height <= 0:
		return fmt.Errorf("%w: header claims %dx%d pixels", ErrCorrupt, width, height)
	case width > o.MaxSide || height > o.MaxSide:
		return fmt.Errorf("%w: image of %dx%d pixels exceeds the limit of %d pixels per side", ErrTooLarge, width, height, o.MaxSide)
	case int64(width)*int64(height) > int64(o.MaxPixels):
		return fmt.Errorf("%w: image of %dx%d pixels exceeds the limit of %d pixels", ErrTooLarge, width, height, o.MaxPixels)
	}
	return nil
}

func isTruncation(err error) bool {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	for _, msg := range truncationMessages {
		if strings.Contains(err.Error(), msg) {
			return true
		}
	}
	return false
}

// bytesPerPixel estimates the memory per pixel of an image decoded with the
// color model. Unknown models count as 16-bit RGBA, the largest in the
// standard library.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}
