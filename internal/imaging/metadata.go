package imaging

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// container describes the blocks around an image's pixels, which Normalize
// reads before it decodes them.
type container struct {
	orientation int  // EXIF orientation, 1 when there is none
	hasMetadata bool // EXIF, XMP, ICC, IPTC, comment or text blocks
	hasGPS      bool
	frames      int // animation frames, 1 for a still image
	// framePixels is the sum of the frames' areas, as their descriptors
	// state, which a GIF decoder allocates at 1 byte per pixel.
	framePixels int64
	animated    bool // an animation that the decoder cannot read, such as animated WebP
}

// inspectContainer walks the blocks of a JPEG, PNG, GIF, WebP or TIFF file.
// An EXIF block it cannot parse leaves the orientation at 1, because the
// pixels may still be fine. It returns an error only for a structure that is
// cut short, which the decoders of some formats do not notice.
func inspectContainer(format string, data []byte) (container, error) {
	c := container{orientation: 1, frames: 1}
	switch format {
	case "jpeg":
		inspectJPEG(data, &c)
	case "png":
		inspectPNG(data, &c)
	case "gif":
		return c, inspectGIF(data, &c)
	case "webp":
		inspectWebP(data, &c)
	case "tiff":
		if info, err := parseTIFF(data); err == nil {
			c.orientation = info.orientation
			c.hasGPS = info.hasGPS
			c.hasMetadata = info.hasMetadata
		}
	}
	return c, nil
}

func (c *container) addEXIF(block []byte) {
	c.hasMetadata = true
	info, err := parseEXIF(block)
	if err != nil {
		return
	}
	c.orientation = info.orientation
	c.hasGPS = c.hasGPS || info.hasGPS
}

// JPEG markers that Normalize handles.
const (
	markerSOS   = 0xDA
	markerEOI   = 0xD9
	markerAPP1  = 0xE1
	markerAPP2  = 0xE2 // ICC profile
	markerAPP13 = 0xED // Photoshop and IPTC
	markerCOM   = 0xFE
)

// inspectJPEG reads the marker segments before the first scan, where EXIF,
// XMP and ICC data live.
func inspectJPEG(data []byte, c *container) {
	sawEXIF := false
	off := 2 // after SOI
	for off+4 <= len(data) {
		if data[off] != 0xFF {
			return
		}
		marker := data[off+1]
		if marker == 0xFF { // fill byte
			off++
			continue
		}
		if marker == markerSOS || marker == markerEOI {
			return
		}
		if marker == 0x01 || marker >= 0xD0 && marker <= 0xD8 { // no length field
			off += 2
			continue
		}

		length := int(binary.BigEndian.Uint16(data[off+2:]))
		if length < 2 || off+2+length > len(data) {
			return
		}
		payload := data[off+4 : off+2+length]

		switch marker {
		case markerAPP1:
			if bytes.HasPrefix(payload, exifHeader) && !sawEXIF {
				sawEXIF = true
				c.addEXIF(payload)
			}
			c.hasMetadata = true
		case markerAPP2, markerAPP13, markerCOM:
			c.hasMetadata = true
		}
		off += 2 + length
	}
}

// pngMetadataChunks are the ancillary chunks that carry text, time, colour
// profile or EXIF data.
var pngMetadataChunks = map[string]bool{
	"tEXt": true, "zTXt": true, "iTXt": true, "iCCP": true, "tIME": true, "eXIf": true,
}

func inspectPNG(data []byte, c *container) {
	const signatureLen = 8
	off := signatureLen
	for off+8 <= len(data) {
		length := int(binary.BigEndian.Uint32(data[off:]))
		typ := string(data[off+4 : off+8])
		if length < 0 || off+12+length > len(data) || length > len(data) {
			return
		}
		payload := data[off+8 : off+8+length]

		switch {
		case typ == "eXIf":
			c.addEXIF(payload)
		case pngMetadataChunks[typ]:
			c.hasMetadata = true
		case typ == "acTL" && length >= 8:
			// An APNG's animation control chunk holds the frame count; the
			// Go decoder reads only the default image.
			if n := int(binary.BigEndian.Uint32(payload)); n > 1 {
				c.frames = n
			}
		case typ == "IDAT", typ == "IEND":
			// Chunks after the image data rarely matter, and eXIf must
			// come before it.
			return
		}
		off += 12 + length
	}
}

// inspectGIF counts the image descriptors. The Go decoder reads only the
// first frame for image.Decode, so a file cut after it would otherwise go
// unnoticed.
func inspectGIF(data []byte, c *container) error {
	truncated := fmt.Errorf("%w: gif data is truncated", ErrCorrupt)
	const headerLen = 6 + 7 // signature and logical screen descriptor
	if len(data) < headerLen {
		return truncated
	}
	off := headerLen
	if flags := data[10]; flags&0x80 != 0 {
		off += 3 << ((flags & 7) + 1) // global colour table
	}

	frames := 0
	for {
		if off >= len(data) {
			// Some encoders omit the trailer. A file that ends between
			// blocks is accepted when it has at least one frame.
			if frames == 0 {
				return truncated
			}
			break
		}
		switch data[off] {
		case 0x3B: // trailer
			c.frames = max(frames, 1)
			return nil

		case 0x21: // extension
			if off+2 > len(data) {
				return truncated
			}
			label := data[off+1]
			off += 2
			if label == 0xFE {
				c.hasMetadata = true // comment
			}
			if label == 0xFF && off+12 <= len(data) && data[off] == 11 {
				id := string(data[off+1 : off+12])
				if id != "NETSCAPE2.0" && id != "ANIMEXTS1.0" {
					c.hasMetadata = true // XMP and other application data
				}
			}
			var ok bool
			if off, ok = skipSubBlocks(data, off); !ok {
				return truncated
			}

		case 0x2C: // image descriptor
			if off+10 > len(data) {
				return truncated
			}
			frames++
			width := int64(binary.LittleEndian.Uint16(data[off+5:]))
			height := int64(binary.LittleEndian.Uint16(data[off+7:]))
			c.framePixels += width * height
			flags := data[off+9]
			off += 10
			if flags&0x80 != 0 {
				off += 3 << ((flags & 7) + 1) // local colour table
			}
			off++ // LZW minimum code size
			var ok bool
			if off, ok = skipSubBlocks(data, off); !ok {
				return truncated
			}

		default:
			return fmt.Errorf("%w: gif block 0x%02x at offset %d is unknown", ErrCorrupt, data[off], off)
		}
	}
	c.frames = frames
	return nil
}

// skipSubBlocks returns the offset after the data sub-blocks at off, and
// false when the data ends before their terminator.
func skipSubBlocks(data []byte, off int) (int, bool) {
	for {
		if off >= len(data) {
			return off, false
		}
		size := int(data[off])
		off++
		if size == 0 {
			return off, true
		}
		off += size
	}
}

// WebP extended-format flags in the first byte of the VP8X chunk.
const webpAnimationFlag = 0x02

func inspectWebP(data []byte, c *container) {
	const riffHeaderLen = 12
	off := riffHeaderLen
	for off+8 <= len(data) {
		fourCC := string(data[off : off+4])
		length := int(binary.LittleEndian.Uint32(data[off+4:]))
		if length < 0 || length > len(data) || off+8+length > len(data) {
			return
		}
		payload := data[off+8 : off+8+length]

		switch fourCC {
		case "VP8X":
			if length > 0 && payload[0]&webpAnimationFlag != 0 {
				c.animated = true
			}
		case "ANIM", "ANMF":
			c.animated = true
		case "EXIF":
			c.addEXIF(payload)
		case "XMP ", "ICCP":
			c.hasMetadata = true
		}
		off += 8 + length + length%2 // chunks are padded to an even length
	}
}
