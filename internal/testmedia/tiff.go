package testmedia

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
)

// TIFF tags and field types that MultiPageTIFF writes (TIFF 6.0).
const (
	tiffTagNewSubfileType  = 254
	tiffTagImageWidth      = 256
	tiffTagImageLength     = 257
	tiffTagBitsPerSample   = 258
	tiffTagCompression     = 259
	tiffTagPhotometric     = 262
	tiffTagStripOffsets    = 273
	tiffTagSamplesPerPixel = 277
	tiffTagRowsPerStrip    = 278
	tiffTagStripByteCounts = 279
	tiffTypeShort          = 3
	tiffTypeLong           = 4
)

// TIFFImage is one image of a TIFF that TIFF writes.
type TIFFImage struct {
	Image image.Image
	// Reduced marks a reduced-resolution copy of another image, such as a
	// thumbnail, with NewSubfileType 1: an IFD that is not a page.
	Reduced bool
}

// MultiPageTIFF encodes each image as one page of a little-endian TIFF, as
// TIFF does.
func MultiPageTIFF(pages []image.Image) []byte {
	images := make([]TIFFImage, len(pages))
	for i, page := range pages {
		images[i] = TIFFImage{Image: page}
	}
	return TIFF(images)
}

// TIFF encodes each image in an IFD of its own of a little-endian TIFF:
// 8-bit grayscale, uncompressed, one strip per image. golang.org/x/image/tiff
// writes single-page files only. Each image's pixels come first and its IFD
// after them, and every IFD links to the next image's.
func TIFF(images []TIFFImage) []byte {
	var out bytes.Buffer
	le := binary.LittleEndian
	out.WriteString("II*\x00")
	_ = binary.Write(&out, le, uint32(0)) // patched below to point to the first IFD

	previousLink := 4 // where the offset of the next IFD goes
	for _, img := range images {
		page := img.Image
		b := page.Bounds()
		stripOffset := out.Len()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				out.WriteByte(color.GrayModel.Convert(page.At(x, y)).(color.Gray).Y)
			}
		}
		if out.Len()%2 == 1 {
			out.WriteByte(0) // IFDs start on a word boundary
		}

		ifdOffset := out.Len()
		le.PutUint32(out.Bytes()[previousLink:], uint32(ifdOffset))
		type entry struct {
			tag, typ uint16
			value    uint32
		}
		var entries []entry
		if img.Reduced {
			entries = append(entries, entry{tiffTagNewSubfileType, tiffTypeLong, 1})
		}
		entries = append(entries, []entry{
			{tiffTagImageWidth, tiffTypeLong, uint32(b.Dx())},
			{tiffTagImageLength, tiffTypeLong, uint32(b.Dy())},
			{tiffTagBitsPerSample, tiffTypeShort, 8},
			{tiffTagCompression, tiffTypeShort, 1},
			{tiffTagPhotometric, tiffTypeShort, 1}, // black is zero
			{tiffTagStripOffsets, tiffTypeLong, uint32(stripOffset)},
			{tiffTagSamplesPerPixel, tiffTypeShort, 1},
			{tiffTagRowsPerStrip, tiffTypeLong, uint32(b.Dy())},
			{tiffTagStripByteCounts, tiffTypeLong, uint32(b.Dx() * b.Dy())},
		}...)
		_ = binary.Write(&out, le, uint16(len(entries)))
		for _, e := range entries {
			_ = binary.Write(&out, le, e.tag)
			_ = binary.Write(&out, le, e.typ)
			_ = binary.Write(&out, le, uint32(1))
			if e.typ == tiffTypeShort {
				_ = binary.Write(&out, le, uint16(e.value))
				_ = binary.Write(&out, le, uint16(0))
			} else {
				_ = binary.Write(&out, le, e.value)
			}
		}
		previousLink = out.Len()
		_ = binary.Write(&out, le, uint32(0)) // the last page links to no IFD
	}
	return out.Bytes()
}
