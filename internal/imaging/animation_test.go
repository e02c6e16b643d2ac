package imaging

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	blue   = color.RGBA{0, 0, 255, 255}
	red    = color.RGBA{255, 0, 0, 255}
	green  = color.RGBA{0, 255, 0, 255}
	yellow = color.RGBA{255, 255, 0, 255}
)

// testPalette has the transparent color at index 0.
var testPalette = color.Palette{color.Transparent, blue, red, green, yellow}

// filledFrame is a frame over r whose pixels all have palette index.
func filledFrame(r image.Rectangle, index uint8) *image.Paletted {
	frame := image.NewPaletted(r, testPalette)
	for i := range frame.Pix {
		frame.Pix[i] = index
	}
	return frame
}

func encodeGIF(t *testing.T, width, height int, frames []*image.Paletted, disposal []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, gif.EncodeAll(&buf, &gif.GIF{
		Image:    frames,
		Delay:    make([]int, len(frames)),
		Disposal: disposal,
		Config:   image.Config{ColorModel: testPalette, Width: width, Height: height},
	}))
	return buf.Bytes()
}

// solidAnimation is an animation of n full-canvas frames.
func solidAnimation(t *testing.T, width, height, n int) []byte {
	t.Helper()
	frames := make([]*image.Paletted, n)
	for i := range frames {
		frames[i] = filledFrame(image.Rect(0, 0, width, height), uint8(1+i%4))
	}
	return encodeGIF(t, width, height, frames, make([]byte, n))
}

func TestNormalizeAnimationDisposal(t *testing.T) {
	canvas := image.Rect(0, 0, 10, 10)
	// The last frame covers the canvas with transparent pixels except one
	// yellow pixel, so it shows what the disposals left behind.
	last := filledFrame(canvas, 0)
	last.SetColorIndex(9, 9, 4)
	data := encodeGIF(t, 10, 10, []*image.Paletted{
		filledFrame(canvas, 1),                   // blue, kept
		filledFrame(image.Rect(0, 0, 5, 5), 2),   // red, cleared to transparent
		filledFrame(image.Rect(5, 5, 10, 10), 3), // green, restored to blue
		last,
	}, []byte{gif.DisposalNone, gif.DisposalBackground, gif.DisposalPrevious, gif.DisposalNone})

	got, err := Normalize(data, DefaultOptions())

	require.NoError(t, err)
	assert.Equal(t, 4, got.Frames)
	require.Len(t, got.Samples, 4)
	for i, s := range got.Samples {
		assert.Equal(t, i, s.Index)
		assert.Equal(t, canvas, s.Image.Bounds())
	}
	assert.Same(t, got.Samples[0].Image, got.Image, "Image is the first frame")

	at := func(frame, x, y int) color.RGBA { return rgbaAt(got.Samples[frame].Image, image.Pt(x, y)) }
	assert.Equal(t, blue, at(0, 0, 0))
	assert.Equal(t, blue, at(0, 9, 9))
	assert.Equal(t, red, at(1, 0, 0), "frame 1 draws over frame 0")
	assert.Equal(t, blue, at(1, 7, 7))
	assert.Equal(t, color.RGBA{}, at(2, 0, 0), "frame 1's area is cleared after it")
	assert.Equal(t, green, at(2, 7, 7))
	assert.Equal(t, blue, at(2, 4, 9))
	assert.Equal(t, color.RGBA{}, at(3, 0, 0))
	assert.Equal(t, blue, at(3, 7, 7), "frame 2's area is restored after it")
	assert.Equal(t, yellow, at(3, 9, 9))
	assert.Equal(t, blue, at(3, 8, 9), "transparent pixels keep the canvas")
}

func TestNormalizeAnimationSampling(t *testing.T) {
	data := solidAnimation(t, 8, 8, 20)

	got, err := Normalize(data, Options{SampledFrames: 5})

	require.NoError(t, err)
	indexes := make([]int, len(got.Samples))
	for i, s := range got.Samples {
		indexes[i] = s.Index
	}
	assert.Equal(t, []int{0, 4, 9, 14, 19}, indexes)
	// Frame i is filled with palette index 1+i%4.
	for _, s := range got.Samples {
		assert.Equal(t, testPalette[1+s.Index%4], color.Color(rgbaAt(s.Image, image.Pt(3, 3))), "frame %d", s.Index)
	}
}

func TestNormalizeAnimationFrameLimit(t *testing.T) {
	data := solidAnimation(t, 8, 8, 12)

	got, err := Normalize(data, Options{MaxFrames: 12})
	require.NoError(t, err, "at the limit")
	assert.Equal(t, 12, got.Frames)

	_, err = Normalize(data, Options{MaxFrames: 11})
	require.ErrorIs(t, err, ErrTooLarge, "one frame past the limit")
	assert.Contains(t, err.Error(), "12 frames")
}

func TestNormalizeAnimationDecodedLimit(t *testing.T) {
	const width, height, frames, sampled = 40, 30, 10, 3
	data := solidAnimation(t, width, height, frames)
	// Every frame at 1 byte per pixel, plus the canvas, the saved area
	// and the sampled frames at 4 bytes per pixel.
	need := int64(frames*width*height + (2+sampled)*width*height*4)

	got, err := Normalize(data, Options{MaxDecodedBytes: need, SampledFrames: sampled})
	require.NoError(t, err, "at the limit")
	assert.Len(t, got.Samples, sampled)

	_, err = Normalize(data, Options{MaxDecodedBytes: need - 1, SampledFrames: sampled})
	require.ErrorIs(t, err, ErrTooLarge, "one byte past the limit")
	assert.Contains(t, err.Error(), "10 frames")
}

func TestNormalizeStillHasNoSamples(t *testing.T) {
	data := solidAnimation(t, 8, 8, 1)

	got, err := Normalize(data, DefaultOptions())

	require.NoError(t, err)
	assert.Equal(t, 1, got.Frames)
	assert.Nil(t, got.Samples)
}

func TestNormalizeAnimationTruncated(t *testing.T) {
	data := solidAnimation(t, 40, 30, 4)

	_, err := Normalize(data[:len(data)*3/4], DefaultOptions())

	assert.ErrorIs(t, err, ErrCorrupt)
}

func TestSampleIndexes(t *testing.T) {
	tests := []struct {
		name     string
		n, limit int
		want     []int
	}{
		{"fewer frames than the limit", 3, 8, []int{0, 1, 2}},
		{"as many frames as the limit", 8, 8, []int{0, 1, 2, 3, 4, 5, 6, 7}},
		{"one frame past the limit", 9, 8, []int{0, 1, 2, 3, 4, 5, 6, 8}},
		{"many frames", 1000, 5, []int{0, 249, 499, 749, 999}},
		{"limit of one", 10, 1, []int{0}},
		{"no frames", 0, 8, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, SampleIndexes(tc.n, tc.limit))
		})
	}
}
