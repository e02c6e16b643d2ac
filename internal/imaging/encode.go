package imaging

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
)

// EncodePNG writes img as a PNG file with no metadata chunks: the standard
// library's encoder writes only the chunks that the pixels need.
func EncodePNG(w io.Writer, img image.Image) error {
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("encoding PNG: %w", err)
	}
	return nil
}

// EncodeJPEG writes img as a baseline JPEG file with no APPn or COM
// segments, so no metadata. Quality ranges from 1 to 100. JPEG has no
// alpha channel, so translucent pixels are composited onto white first,
// rather than onto the black that a plain conversion gives.
func EncodeJPEG(w io.Writer, img image.Image, quality int) error {
	if quality < 1 || quality > 100 {
		return fmt.Errorf("encoding JPEG: quality %d is outside 1 to 100", quality)
	}
	if !isOpaque(img) {
		img = onWhite(img)
	}
	if err := jpeg.Encode(w, img, &jpeg.Options{Quality: quality}); err != nil {
		return fmt.Errorf("encoding JPEG: %w", err)
	}
	return nil
}

func isOpaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

func onWhite(img image.Image) image.Image {
	b := img.Bounds()
	flat := image.NewRGBA(b)
	draw.Draw(flat, b, image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(flat, b, img, b.Min, draw.Over)
	return flat
}
