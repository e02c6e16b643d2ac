package imaging

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

const samplesDir = "../../samples"

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samplesDir, name))
	require.NoError(t, err, "run `go run ./test/samplegen` from the repository root to create the samples")
	return data
}

// testEntry is an IFD entry whose value fits in the 4-byte value field.
type testEntry struct {
	tag   uint16
	typ   uint16
	count uint32
	value uint32
}

// appendIFD appends an IFD with the entries and the next-IFD offset. A
// single SHORT is written left-justified in the value field, as TIFF
// requires in both byte orders.
func appendIFD(b []byte, order binary.AppendByteOrder, entries []testEntry, next uint32) []byte {
	b = order.AppendUint16(b, uint16(len(entries)))
	for _, e := range entries {
		b = order.AppendUint16(b, e.tag)
		b = order.AppendUint16(b, e.typ)
		b = order.AppendUint32(b, e.count)
		if e.typ == typeShort && e.count == 1 {
			b = order.AppendUint16(b, uint16(e.value))
			b = append(b, 0, 0)
		} else {
			b = order.AppendUint32(b, e.value)
		}
	}
	return order.AppendUint32(b, next)
}

func ifdLen(entries int) int { return 2 + entries*ifdEntryLen + 4 }

// exifBlock returns a TIFF structure with IFD0 holding the orientation,
// when not 0, and a pointer to a one-entry GPS IFD, when withGPS is set.
func exifBlock(order binary.AppendByteOrder, orientation int, withGPS bool) []byte {
	var b []byte
	if order == binary.BigEndian {
		b = []byte("MM\x00*")
	} else {
		b = []byte("II*\x00")
	}
	b = order.AppendUint32(b, 8)

	var entries []testEntry
	if orientation != 0 {
		entries = append(entries, testEntry{tagOrientation, typeShort, 1, uint32(orientation)})
	}
	gpsOffset := uint32(8 + ifdLen(len(entries)+1))
	if withGPS {
		entries = append(entries, testEntry{tagGPSIFD, typeLong, 1, gpsOffset})
	}
	b = appendIFD(b, order, entries, 0)
	if withGPS {
		b = appendIFD(b, order, []testEntry{{0x0000, 1, 4, 0x02030000}}, 0)
	}
	return b
}

// tiffFile returns an uncompressed 8-bit RGB TIFF whose IFD precedes the
// pixels, unlike the files that golang.org/x/image/tiff writes. The top-left
// pixel is red, the top-right one green and the others blue.
func tiffFile(width, height, orientation int, withGPS bool) []byte {
	order := binary.LittleEndian
	entries := []testEntry{
		{256, typeShort, 1, uint32(width)},
		{257, typeShort, 1, uint32(height)},
		{258, typeShort, 3, 0}, // offset filled in below
		{259, typeShort, 1, 1},
		{262, typeShort, 1, 2},
		{273, typeLong, 1, 0}, // offset filled in below
		{274, typeShort, 1, uint32(orientation)},
		{277, typeShort, 1, 3},
		{278, typeShort, 1, uint32(height)},
		{279, typeLong, 1, uint32(width * height * 3)},
	}
	if withGPS {
		entries = append(entries, testEntry{tagGPSIFD, typeLong, 1, 0})
	}
	bitsOffset := uint32(8 + ifdLen(len(entries)))
	gpsOffset := bitsOffset + 6
	stripOffset := gpsOffset
	if withGPS {
		stripOffset += uint32(ifdLen(1))
		entries[len(entries)-1].value = gpsOffset
	}
	entries[2].value = bitsOffset
	entries[5].value = stripOffset

	b := []byte("II*\x00")
	b = order.AppendUint32(b, 8)
	b = appendIFD(b, order, entries, 0)
	for range 3 {
		b = order.AppendUint16(b, 8)
	}
	if withGPS {
		b = appendIFD(b, order, []testEntry{{0x0000, 1, 4, 0x00000302}}, 0)
	}
	for y := range height {
		for x := range width {
			switch {
			case x == 0 && y == 0:
				b = append(b, 255, 0, 0)
			case x == width-1 && y == 0:
				b = append(b, 0, 255, 0)
			default:
				b = append(b, 0, 0, 255)
			}
		}
	}
	return b
}

// bitWriter writes the least significant bit first, as VP8L reads.
type bitWriter struct {
	out   []byte
	acc   uint64
	nbits uint
}

func (w *bitWriter) write(value uint64, n uint) {
	w.acc |= value << w.nbits
	w.nbits += n
	for w.nbits >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nbits -= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.nbits > 0 {
		w.out = append(w.out, byte(w.acc))
	}
	return w.out
}

// vp8lSolid returns a lossless WebP bitstream of one colour. Each of the
// five prefix codes is a "simple" code with one symbol, which takes zero
// bits per pixel, so the bitstream has no pixel data at all.
func vp8lSolid(width, height int, r, g, b, a byte) []byte {
	var w bitWriter
	w.write(0x2f, 8) // signature
	w.write(uint64(width-1), 14)
	w.write(uint64(height-1), 14)
	w.write(0, 1)                                  // alpha is not used
	w.write(0, 3)                                  // version
	w.write(0, 1)                                  // no transform
	w.write(0, 1)                                  // no colour cache
	w.write(0, 1)                                  // no meta prefix codes
	for _, symbol := range []byte{g, r, b, a, 0} { // green, red, blue, alpha, distance
		w.write(1, 1) // simple code
		w.write(0, 1) // one symbol
		w.write(1, 1) // 8-bit symbol
		w.write(uint64(symbol), 8)
	}
	return w.bytes()
}

// webpFile wraps a VP8L bitstream in an extended-format RIFF container
// with the VP8X flags and, when exif is not nil, an EXIF chunk.
func webpFile(width, height int, vp8l []byte, flags byte, exif []byte) []byte {
	chunk := func(fourCC string, payload []byte) []byte {
		c := append([]byte(fourCC), binary.LittleEndian.AppendUint32(nil, uint32(len(payload)))...)
		c = append(c, payload...)
		if len(payload)%2 == 1 {
			c = append(c, 0)
		}
		return c
	}
	vp8x := []byte{flags, 0, 0, 0}
	vp8x = append(vp8x, byte(width-1), byte((width-1)>>8), byte((width-1)>>16))
	vp8x = append(vp8x, byte(height-1), byte((height-1)>>8), byte((height-1)>>16))

	body := []byte("WEBP")
	body = append(body, chunk("VP8X", vp8x)...)
	body = append(body, chunk("VP8L", vp8l)...)
	if exif != nil {
		body = append(body, chunk("EXIF", exif)...)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}
