// Package testmedia generates the media that engine and end-to-end tests
// feed to the pipeline: images with rendered text, PDFs, synthesised speech
// and short videos. Generating them keeps PII values out of the repository
// and lets each test choose its own content.
package testmedia

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

var (
	parsedFont     *opentype.Font
	parsedFontErr  error
	parsedFontOnce sync.Once
)

func parseGoRegular() (*opentype.Font, error) { return opentype.Parse(goregular.TTF) }

// TextImage renders lines of black text on a white background with the Go
// Regular font at size pixels per em, large enough for OCR at 28 or more.
// It also returns the bounds of each line's ink.
func TextImage(lines []string, size float64) (*image.RGBA, []image.Rectangle, error) {
	parsedFontOnce.Do(func() { parsedFont, parsedFontErr = parseGoRegular() })
	if parsedFontErr != nil {
		return nil, nil, fmt.Errorf("parsing the Go Regular font: %w", parsedFontErr)
	}
	face, err := opentype.NewFace(parsedFont, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, nil, fmt.Errorf("creating a font face: %w", err)
	}
	defer face.Close()

	margin := int(size)
	lineHeight := int(size * 1.6)
	width := 0
	for _, l := range lines {
		width = max(width, font.MeasureString(face, l).Ceil())
	}
	img := image.NewRGBA(image.Rect(0, 0, width+2*margin, len(lines)*lineHeight+2*margin))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)

	d := &font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: face}
	boxes := make([]image.Rectangle, 0, len(lines))
	for i, l := range lines {
		baseline := margin + i*lineHeight + int(size)
		d.Dot = fixed.P(margin, baseline)
		bounds, _ := d.BoundString(l)
		d.DrawString(l)
		boxes = append(boxes, image.Rect(bounds.Min.X.Floor(), bounds.Min.Y.Floor(), bounds.Max.X.Ceil(), bounds.Max.Y.Ceil()))
	}
	return img, boxes, nil
}
