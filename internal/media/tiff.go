package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MaxTIFFPages is the largest page count TIFFPageOffsets walks to. It is
// the page limit of Amazon Textract's asynchronous text detection (3,000
// pages, Textract quotas), so a longer file is rejected before a job is
// started for it.
const MaxTIFFPages = 3000

// maxTIFFImages bounds the IFDs TIFFPageOffsets walks, pages and
// thumbnails together, so that a chain of tiny IFDs ends early.
const maxTIFFImages = 2 * MaxTIFFPages

// Errors of TIFFPageOffsets, wrapped with details.
var (
	// ErrInvalidTIFF is returned for a header or an IFD chain that cannot
	// be read: a bad byte order mark, an offset outside the file, or a
	// chain that loops.
	ErrInvalidTIFF = errors.New("invalid TIFF structure")
	// ErrTooManyPages is returned for a TIFF of more than MaxTIFFPages
	// pages.
	ErrTooManyPages = errors.New("TIFF has too many pages")
)

// TIFF structure sizes in bytes (TIFF 6.0, section 2).
const (
	tiffHeaderLen   = 8
	tiffEntryLen    = 12
	tiffMaxEntries  = 1024 // real files have a few dozen entries per IFD
	tiffNextIFDSize = 4
)

// TIFFPageOffsets returns the file offset of each image file directory
// (IFD) of a classic TIFF that is a page, in the order of its next-IFD
// chain. A reduced-resolution copy (a thumbnail) or a transparency mask
// after the first IFD is not a page. It reads only the header and the IFDs through r, a few bytes per
// page, so a caller can count the pages of a large object with range
// reads. size is the file's length in bytes. BigTIFF files (version 43) are
// not recognised by Sniff and are rejected here too.
func TIFFPageOffsets(r io.ReaderAt, size int64) ([]int64, error) {
	header := make([]byte, tiffHeaderLen)
	if err := readAt(r, header, 0); err != nil {
		return nil, fmt.Errorf("%w: reading the header: %v", ErrInvalidTIFF, err)
	}
	var order binary.ByteOrder
	switch string(header[:4]) {
	case "II*\x00":
		order = binary.LittleEndian
	case "MM\x00*":
		order = binary.BigEndian
	default:
		return nil, fmt.Errorf("%w: unknown byte order mark % x", ErrInvalidTIFF, header[:4])
	}

	var offsets []int64
	seen := map[int64]bool{}
	next := int64(order.Uint32(header[4:8]))
	for walked := 0; next != 0; walked++ {
		if walked == maxTIFFImages {
			return nil, fmt.Errorf("%w: more than %d images", ErrTooManyPages, maxTIFFImages)
		}
		if next < tiffHeaderLen || next+2 > size {
			return nil, fmt.Errorf("%w: IFD offset %d outside %d bytes", ErrInvalidTIFF, next, size)
		}
		if seen[next] {
			return nil, fmt.Errorf("%w: the IFD chain loops back to offset %d", ErrInvalidTIFF, next)
		}
		seen[next] = true

		count := make([]byte, 2)
		if err := readAt(r, count, next); err != nil {
			return nil, fmt.Errorf("%w: reading the IFD at offset %d: %v", ErrInvalidTIFF, next, err)
		}
		entries := int64(order.Uint16(count))
		if entries > tiffMaxEntries {
			return nil, fmt.Errorf("%w: the IFD at offset %d has %d entries", ErrInvalidTIFF, next, entries)
		}
		if next+2+entries*tiffEntryLen+tiffNextIFDSize > size {
			return nil, fmt.Errorf("%w: the IFD at offset %d ends past %d bytes", ErrInvalidTIFF, next, size)
		}
		ifd := make([]byte, entries*tiffEntryLen+tiffNextIFDSize)
		if err := readAt(r, ifd, next+2); err != nil {
			return nil, fmt.Errorf("%w: reading the IFD at offset %d: %v", ErrInvalidTIFF, next, err)
		}
		// The first IFD is the main image; a later one is a page unless it
		// is a thumbnail or a mask of another image.
		if len(offsets) == 0 || isPage(ifd[:entries*tiffEntryLen], order) {
			offsets = append(offsets, next)
		}
		if len(offsets) > MaxTIFFPages {
			return nil, fmt.Errorf("%w: more than %d pages", ErrTooManyPages, MaxTIFFPages)
		}
		next = int64(order.Uint32(ifd[entries*tiffEntryLen:]))
	}
	if len(offsets) == 0 {
		return nil, fmt.Errorf("%w: the header points to no IFD", ErrInvalidTIFF)
	}
	return offsets, nil
}

// readAt fills p from offset off. A ReaderAt may return io.EOF with a full
// read at the end of its data, which is not an error here.
func readAt(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// TIFF tags that mark an IFD that is not a page (TIFF 6.0, section 8).
const (
	tagNewSubfileType = 254 // LONG bit flags: 1 reduced resolution, 4 transparency mask
	tagSubfileType    = 255 // SHORT: 2 reduced resolution
)

// isPage reports whether the IFD entries describe a page: an image that is
// neither a reduced-resolution copy, such as a thumbnail, nor a mask.
func isPage(entries []byte, order binary.ByteOrder) bool {
	for i := 0; i+tiffEntryLen <= len(entries); i += tiffEntryLen {
		entry := entries[i : i+tiffEntryLen]
		switch order.Uint16(entry[0:2]) {
		case tagNewSubfileType:
			if order.Uint32(entry[8:12])&(1|4) != 0 {
				return false
			}
		case tagSubfileType:
			if order.Uint16(entry[8:10]) == 2 {
				return false
			}
		}
	}
	return true
}
