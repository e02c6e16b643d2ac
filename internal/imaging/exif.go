package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// TIFF tags that Normalize reads or counts as metadata.
const (
	tagOrientation  = 0x0112
	tagXMP          = 0x02BC
	tagIPTC         = 0x83BB
	tagPhotoshop    = 0x8649
	tagExifIFD      = 0x8769
	tagICCProfile   = 0x8773
	tagGPSIFD       = 0x8825
	typeShort       = 3
	typeLong        = 4
	typeIFD         = 13
	ifdEntryLen     = 12
	maxEntriesInIFD = 1024 // real files have a few dozen
)

// metadataTags are the IFD0 tags whose presence means that the image
// carries EXIF, GPS, XMP, IPTC or ICC data.
var metadataTags = map[uint16]bool{
	tagXMP:        true,
	tagIPTC:       true,
	tagPhotoshop:  true,
	tagExifIFD:    true,
	tagICCProfile: true,
	tagGPSIFD:     true,
}

// exifHeader precedes the TIFF structure in a JPEG APP1 segment, and in
// some WebP EXIF chunks.
var exifHeader = []byte("Exif\x00\x00")

// tiffInfo contains the fields that Normalize reads from a TIFF structure,
// either a TIFF file or the EXIF block of another format.
type tiffInfo struct {
	orientation int  // 1 to 8, 1 when the tag is absent or invalid
	hasGPS      bool // a GPS IFD with at least one entry was found
	hasMetadata bool // IFD0 contains one of metadataTags
}

var errInvalidTIFF = errors.New("invalid TIFF structure")

// parseTIFF reads the orientation and the metadata tags from IFD0 of the
// TIFF structure in b, and checks that the GPS IFD it points to has entries.
// It follows no other offsets, such as the next-IFD chain or the Exif
// sub-IFD, so offsets that loop back cannot make it run on, and every offset
// is checked against len(b) before use.
func parseTIFF(b []byte) (tiffInfo, error) {
	info := tiffInfo{orientation: 1}
	if len(b) < 8 {
		return info, fmt.Errorf("%w: header of %d bytes", errInvalidTIFF, len(b))
	}

	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(b, []byte("II*\x00")):
		order = binary.LittleEndian
	case bytes.HasPrefix(b, []byte("MM\x00*")):
		order = binary.BigEndian
	default:
		return info, fmt.Errorf("%w: unknown byte order mark % x", errInvalidTIFF, b[:4])
	}

	entries, err := readIFD(b, order, order.Uint32(b[4:8]))
	if err != nil {
		return info, err
	}

	for _, e := range entries {
		if metadataTags[e.tag] {
			info.hasMetadata = true
		}
		switch {
		case e.tag == tagOrientation && e.typ == typeShort && e.count >= 1:
			if v := int(order.Uint16(e.value[:2])); v >= 1 && v <= 8 {
				info.orientation = v
			}
		case e.tag == tagGPSIFD && (e.typ == typeLong || e.typ == typeIFD):
			// A GPS IFD that cannot be read is treated as absent, because
			// the position in it cannot be read either.
			gps, err := readIFD(b, order, order.Uint32(e.value[:]))
			info.hasGPS = err == nil && len(gps) > 0
		}
	}
	return info, nil
}

type ifdEntry struct {
	tag   uint16
	typ   uint16
	count uint32
	value [4]byte // the value itself when it fits in 4 bytes, else its offset
}

// readIFD returns the entries of the IFD at offset.
func readIFD(b []byte, order binary.ByteOrder, offset uint32) ([]ifdEntry, error) {
	if offset < 8 || uint64(offset)+2 > uint64(len(b)) {
		return nil, fmt.Errorf("%w: IFD offset %d outside %d bytes", errInvalidTIFF, offset, len(b))
	}
	count := int(order.Uint16(b[offset:]))
	if count > maxEntriesInIFD {
		return nil, fmt.Errorf("%w: IFD at offset %d has %d entries", errInvalidTIFF, offset, count)
	}
	start := int(offset) + 2
	end := start + count*ifdEntryLen
	if end > len(b) {
		return nil, fmt.Errorf("%w: IFD at offset %d with %d entries ends past %d bytes", errInvalidTIFF, offset, count, len(b))
	}

	entries := make([]ifdEntry, count)
	for i := range entries {
		raw := b[start+i*ifdEntryLen:]
		entries[i] = ifdEntry{
			tag:   order.Uint16(raw[0:2]),
			typ:   order.Uint16(raw[2:4]),
			count: order.Uint32(raw[4:8]),
		}
		copy(entries[i].value[:], raw[8:12])
	}
	return entries, nil
}

// parseEXIF parses an EXIF block, with or without the "Exif\0\0" header.
func parseEXIF(b []byte) (tiffInfo, error) {
	return parseTIFF(bytes.TrimPrefix(b, exifHeader))
}
