package imaging

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
)

// Frame is one frame of an animation as a viewer shows it: drawn over the
// frames before it, after their disposal methods, on a canvas the size of
// the animation.
type Frame struct {
	// Index is the frame's position in the file, from 0.
	Index int
	Image image.Image
}

// SampleIndexes returns which of n frames to sample, at most limit of
// them: all frames when n <= limit, otherwise the first, the last and frames evenly
// spaced between them.
func SampleIndexes(n, limit int) []int {
	if n <= 0 || limit <= 0 {
		return nil
	}
	if n <= limit {
		indexes := make([]int, n)
		for i := range indexes {
			indexes[i] = i
		}
		return indexes
	}
	if limit == 1 {
		return []int{0}
	}
	indexes := make([]int, limit)
	for j := range indexes {
		indexes[j] = j * (n - 1) / (limit - 1)
	}
	return indexes
}

// animationBytes estimates the memory that decoding an animated GIF needs:
// every frame as the decoder returns it (1 byte per pixel), the RGBA canvas,
// a saved copy for frames disposed to the previous state, and one RGBA
// copy per sampled frame.
func animationBytes(meta container, width, height, samples int) int64 {
	canvas := int64(width) * int64(height) * 4
	return meta.framePixels + canvas*int64(2+samples)
}

// decodeAnimation decodes every frame of a GIF and composites the frames at
// indexes, which must be in increasing order.
func decodeAnimation(data []byte, indexes []int) ([]Frame, error) {
	anim, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		return nil, decodeError("gif", "decoding frames", err)
	}
	if len(anim.Image) == 0 {
		return nil, fmt.Errorf("%w: gif has no frames", ErrCorrupt)
	}
	frames := composite(anim, indexes)
	if len(frames) == 0 {
		return nil, fmt.Errorf("%w: gif has none of the sampled frames", ErrCorrupt)
	}
	return frames, nil
}

// composite draws the frames of anim in order and snapshots the canvas
// after each frame listed in indexes. After a frame, its disposal method
// applies: DisposalBackground clears the frame's rectangle to transparent,
// as browsers do, and DisposalPrevious restores what the rectangle showed
// before the frame. Indexes past the last frame are ignored.
func composite(anim *gif.GIF, indexes []int) []Frame {
	bounds := image.Rect(0, 0, anim.Config.Width, anim.Config.Height)
	if bounds.Empty() {
		bounds = anim.Image[0].Bounds()
	}
	canvas := image.NewRGBA(bounds)
	var saved *image.RGBA
	frames := make([]Frame, 0, len(indexes))
	next := 0

	for i, frame := range anim.Image {
		if next >= len(indexes) {
			break
		}
		area := frame.Bounds().Intersect(bounds)
		disposal := byte(0)
		if i < len(anim.Disposal) {
			disposal = anim.Disposal[i]
		}
		if disposal == gif.DisposalPrevious {
			saved = image.NewRGBA(area)
			draw.Draw(saved, area, canvas, area.Min, draw.Src)
		}

		draw.Draw(canvas, area, frame, area.Min, draw.Over)
		if i == indexes[next] {
			snapshot := image.NewRGBA(bounds)
			copy(snapshot.Pix, canvas.Pix)
			frames = append(frames, Frame{Index: i, Image: snapshot})
			next++
		}

		switch disposal {
		case gif.DisposalBackground:
			draw.Draw(canvas, area, image.Transparent, image.Point{}, draw.Src)
		case gif.DisposalPrevious:
			draw.Draw(canvas, area, saved, area.Min, draw.Src)
		}
	}
	return frames
}
