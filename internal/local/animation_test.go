package local

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/imaging"
	"github.com/moderato/moderato/internal/policy"
)

// gradientGIF returns an animation of n 120x90 frames, each a gradient
// shifted by its index, in the web-safe palette.
func gradientGIF(t *testing.T, n int) []byte {
	t.Helper()
	anim := &gif.GIF{Config: image.Config{ColorModel: color.Palette(paletteWebSafe()), Width: 120, Height: 90}}
	for i := range n {
		frame := image.NewPaletted(image.Rect(0, 0, 120, 90), paletteWebSafe())
		for y := range 90 {
			for x := range 120 {
				frame.Set(x, y, color.RGBA{uint8(x*2 + i*20), uint8(y * 2), uint8(128 + i*10), 255})
			}
		}
		anim.Image = append(anim.Image, frame)
		anim.Delay = append(anim.Delay, 10)
		anim.Disposal = append(anim.Disposal, gif.DisposalNone)
	}
	var buf bytes.Buffer
	require.NoError(t, gif.EncodeAll(&buf, anim))
	return buf.Bytes()
}

func paletteWebSafe() color.Palette {
	var p color.Palette
	for r := 0; r < 256; r += 51 {
		for g := 0; g < 256; g += 51 {
			for b := 0; b < 256; b += 51 {
				p = append(p, color.RGBA{uint8(r), uint8(g), uint8(b), 255})
			}
		}
	}
	return p
}

func TestImageModelScoresAnimationFrames(t *testing.T) {
	requireImageModel(t)
	pol, err := policy.Parse([]byte(`{"categories": {"EXPLICIT": {"review_at": 0.000001, "reject_at": 1}}}`))
	require.NoError(t, err)
	h := newHarness(t, Config{Policy: pol})
	const frames = 12
	sampled := imaging.SampleIndexes(frames, imaging.DefaultOptions().SampledFrames)

	res := h.process("anim.gif", gradientGIF(t, frames))

	require.Equal(t, "image", res.MediaType)
	assert.Equal(t, policy.Review, res.Verdict, "reasons: %v", res.Reasons)
	require.NotEmpty(t, res.Categories)
	for _, c := range res.Categories {
		require.NotNil(t, c.Frame, "category %s names its frame", c.Name)
		assert.Contains(t, sampled, *c.Frame, "category %s", c.Name)
	}
}
