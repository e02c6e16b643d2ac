package imaging

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"

	"golang.org/x/image/tiff"
)

// DecodeTIFFPage decodes the page of a TIFF whose IFD starts at ifdOffset,
// as media.TIFFPageOffsets lists them, with the same image-bomb guards as
// Normalize. golang.org/x/image/tiff decodes only the page the header
// points to, so the decoder reads data through a view whose header points
// to ifdOffset instead. Pages carry no EXIF orientation that is applied.
func DecodeTIFFPage(data []byte, ifdOffset int64, opts Options) (image.Image, error) {
	opts = opts.withDefaults()
	if len(data) < 8 || ifdOffset <= 0 || ifdOffset > 1<<32-1 {
		return nil, fmt.Errorf("%w: TIFF page at offset %d of %d bytes", ErrCorrupt, ifdOffset, len(data))
	}
	view := &tiffPageView{data: data}
	copy(view.header[:], data[:8])
	switch string(data[:2]) {
	case "II":
		binary.LittleEndian.PutUint32(view.header[4:], uint32(ifdOffset))
	case "MM":
		binary.BigEndian.PutUint32(view.header[4:], uint32(ifdOffset))
	default:
		return nil, fmt.Errorf("%w: content is not a TIFF", ErrUnsupportedFormat)
	}

	cfg, err := tiff.DecodeConfig(view.reader())
	if err != nil {
		return nil, decodeError("tiff", "reading page header", err)
	}
	if err := opts.check(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	if need := int64(cfg.Width) * int64(cfg.Height) * bytesPerPixel(cfg.ColorModel); need > opts.MaxDecodedBytes {
		return nil, fmt.Errorf("%w: decoding %dx%d pixels needs about %d MiB, above the limit of %d MiB", ErrTooLarge, cfg.Width, cfg.Height, need>>20, opts.MaxDecodedBytes>>20)
	}
	img, err := tiff.Decode(view.reader())
	if err != nil {
		return nil, decodeError("tiff", "decoding page", err)
	}
	return img, nil
}

// tiffPageView is a TIFF's bytes with the first-IFD offset of the header
// replaced.
type tiffPageView struct {
	header [8]byte
	data   []byte
}

// reader returns an io.Reader that is also an io.ReaderAt, which the TIFF
// decoder reads through without copying the data.
func (v *tiffPageView) reader() *tiffPageReader {
	return &tiffPageReader{view: v, Reader: bytes.NewReader(v.data)}
}

type tiffPageReader struct {
	view *tiffPageView
	*bytes.Reader
}

func (r *tiffPageReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.Reader.ReadAt(p, off)
	for i := range n {
		if pos := off + int64(i); pos < int64(len(r.view.header)) {
			p[i] = r.view.header[pos]
		}
	}
	return n, err
}
