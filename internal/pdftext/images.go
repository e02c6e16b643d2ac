package pdftext

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"regexp"
	"strconv"

	"github.com/ledongthuc/pdf"
)

// maxScanPixels bounds the size of a page image that is decoded for OCR, so
// that an image bomb inside a PDF cannot exhaust memory.
const maxScanPixels = 60_000_000

// pageImages decodes the image XObjects of a page: JPEG (DCTDecode) images,
// and 8-bit RGB or gray images that are uncompressed or use FlateDecode.
// Images in other encodings (JBIG2, CCITT, JPEG 2000) are skipped.
func pageImages(data []byte, p pdf.Page) []image.Image {
	var images []image.Image
	xobjects := p.Resources().Key("XObject")
	for _, name := range xobjects.Keys() {
		x := xobjects.Key(name)
		if x.Key("Subtype").Name() != "Image" {
			continue
		}
		w, h := int(x.Key("Width").Int64()), int(x.Key("Height").Int64())
		if w <= 0 || h <= 0 || w*h > maxScanPixels {
			continue
		}
		var img image.Image
		switch filterName(x) {
		case "DCTDecode":
			img = rawJPEG(data, x.Key("Length").Int64(), w, h)
		case "", "FlateDecode":
			img = rawPixels(x, w, h)
		}
		if img != nil {
			images = append(images, img)
		}
	}
	return images
}

func filterName(x pdf.Value) string {
	f := x.Key("Filter")
	switch f.Kind() {
	case pdf.Name:
		return f.Name()
	case pdf.Array:
		if f.Len() == 1 {
			return f.Index(0).Name()
		}
		return "several"
	}
	return ""
}

var (
	dctStream   = regexp.MustCompile(`(?s)<<([^>]*?/DCTDecode[^>]*?)>>\s*stream\r?\n`)
	widthEntry  = regexp.MustCompile(`/Width\s+(\d+)`)
	heightEntry = regexp.MustCompile(`/Height\s+(\d+)`)
	lengthEntry = regexp.MustCompile(`/Length\s+(\d+)(?:\s+\d+\s+R)?`)
)

// rawJPEG finds the JPEG stream with the given length and size in the file
// and decodes it. The PDF library cannot return the undecoded bytes of a
// stream, and a JPEG image is always a top-level object, never inside an
// object stream, so its bytes can be found in the file itself.
func rawJPEG(data []byte, length int64, w, h int) image.Image {
	for _, m := range dctStream.FindAllSubmatchIndex(data, -1) {
		dict := data[m[2]:m[3]]
		if !entryIs(widthEntry, dict, w) || !entryIs(heightEntry, dict, h) {
			continue
		}
		start := int64(m[1])
		if lm := lengthEntry.FindSubmatch(dict); lm != nil && !bytes.Contains(lm[0], []byte("R")) {
			if n, err := strconv.ParseInt(string(lm[1]), 10, 64); err != nil || n != length {
				continue
			}
		}
		if length <= 0 || start+length > int64(len(data)) {
			continue
		}
		img, err := jpeg.Decode(bytes.NewReader(data[start : start+length]))
		if err == nil {
			return img
		}
	}
	return nil
}

func entryIs(entry *regexp.Regexp, dict []byte, want int) bool {
	m := entry.FindSubmatch(dict)
	if m == nil {
		return false
	}
	n, err := strconv.Atoi(string(m[1]))
	return err == nil && n == want
}

// rawPixels decodes an 8-bit RGB or gray image stream.
func rawPixels(x pdf.Value, w, h int) image.Image {
	if x.Key("BitsPerComponent").Int64() != 8 {
		return nil
	}
	components := 0
	switch x.Key("ColorSpace").Name() {
	case "DeviceRGB":
		components = 3
	case "DeviceGray":
		components = 1
	default:
		return nil
	}
	rc := x.Reader()
	defer rc.Close()
	pix := make([]byte, w*h*components)
	if _, err := io.ReadFull(rc, pix); err != nil {
		return nil
	}
	if components == 1 {
		return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		img.Set(i%w, i/w, color.RGBA{pix[3*i], pix[3*i+1], pix[3*i+2], 255})
	}
	return img
}
