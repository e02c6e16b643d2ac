package imaging

import (
	"image"
	"image/draw"
)

// applyOrientation returns img turned upright for the EXIF orientation o,
// as a new *image.RGBA with its origin at (0, 0). Orientation 1 and unknown
// values return img unchanged.
//
// The orientation names the transform from the stored pixels to the
// displayed image: 2 mirrors horizontally, 3 rotates 180°, 4 mirrors vertically,
// 5 transposes, 6 rotates 90° clockwise, 7 transverses and 8 rotates 90°
// counter-clockwise.
func applyOrientation(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}

	b := img.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	w, h := b.Dx(), b.Dy()

	dw, dh := w, h
	if o >= 5 { // the orientations that swap width and height
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))

	// sourceOf maps a destination pixel to the stored pixel it shows.
	var sourceOf func(x, y int) (int, int)
	switch o {
	case 2:
		sourceOf = func(x, y int) (int, int) { return w - 1 - x, y }
	case 3:
		sourceOf = func(x, y int) (int, int) { return w - 1 - x, h - 1 - y }
	case 4:
		sourceOf = func(x, y int) (int, int) { return x, h - 1 - y }
	case 5:
		sourceOf = func(x, y int) (int, int) { return y, x }
	case 6:
		sourceOf = func(x, y int) (int, int) { return y, h - 1 - x }
	case 7:
		sourceOf = func(x, y int) (int, int) { return w - 1 - y, h - 1 - x }
	case 8:
		sourceOf = func(x, y int) (int, int) { return w - 1 - y, x }
	}

	for y := range dh {
		row := dst.Pix[y*dst.Stride:]
		for x := range dw {
			sx, sy := sourceOf(x, y)
			copy(row[4*x:4*x+4], src.Pix[sy*src.Stride+4*sx:])
		}
	}
	return dst
}
