package video

import (
	"context"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/testmedia"
)

func requireSampler(t *testing.T) *Sampler {
	t.Helper()
	s := New()
	if err := s.Check(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	return s
}

func solid(c color.Color) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for i := 0; i < len(img.Pix); i += 4 {
		r, g, b, _ := c.RGBA()
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(r>>8), uint8(g>>8), uint8(b>>8), 255
	}
	return img
}

func TestSampleSceneChanges(t *testing.T) {
	s := requireSampler(t)
	text, _, err := testmedia.TextImage([]string{"middle shot"}, 32)
	require.NoError(t, err)
	white := solid(color.White)
	path := filepath.Join(t.TempDir(), "clip.mp4")
	require.NoError(t, testmedia.Video(context.Background(), []image.Image{white, white, text, white}, "", path))

	frames, err := s.Sample(context.Background(), path)
	require.NoError(t, err)

	assert.GreaterOrEqual(t, len(frames), 2, "the first frame and the change to the text shot")
	assert.Less(t, len(frames), 40, "frames are sampled, not all decoded")
	dark := 0
	for _, f := range frames {
		if hasDarkPixel(f) {
			dark++
		}
	}
	assert.Positive(t, dark, "the text shot is among the sampled frames")
}

func TestSampleMaxFrames(t *testing.T) {
	s := requireSampler(t)
	s.MaxFrames = 2
	var shots []image.Image
	for i := 0; i < 6; i++ {
		shots = append(shots, solid(color.RGBA{uint8(i * 40), uint8(255 - i*40), uint8(i * 20), 255}))
	}
	path := filepath.Join(t.TempDir(), "cuts.mp4")
	require.NoError(t, testmedia.Video(context.Background(), shots, "", path))

	frames, err := s.Sample(context.Background(), path)

	require.NoError(t, err)
	require.Len(t, frames, 2)
	r, _, _, _ := frames[1].At(10, 10).RGBA()
	assert.Greater(t, r>>8, uint32(100), "the second frame comes from the second half, not from shot 1 (red %d)", r>>8)
}

func TestSpread(t *testing.T) {
	tests := []struct {
		name       string
		candidates []int64
		n          int
		want       []int64
	}{
		{"fewer than the bound", []int64{0, 5, 9}, 4, []int64{0, 5, 9}},
		{"evenly over the list", []int64{0, 1, 2, 3, 4, 5, 6, 7}, 4, []int64{0, 2, 4, 6}},
		{"one frame", []int64{0, 1, 2}, 1, []int64{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, spread(tt.candidates, tt.n))
		})
	}
}

func TestSampleErrors(t *testing.T) {
	s := requireSampler(t)
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mp4")
	require.NoError(t, os.WriteFile(garbage, []byte("\x00\x00\x00\x18ftypmp42 truncated"), 0o644))

	tests := []struct {
		name string
		path string
	}{
		{"truncated file", garbage},
		{"missing file", filepath.Join(dir, "missing.mp4")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Sample(context.Background(), tt.path)
			assert.ErrorIs(t, err, ErrUnreadable)
		})
	}
}

func TestSampleMissingProgram(t *testing.T) {
	s := &Sampler{FFmpeg: "/nonexistent/ffmpeg"}

	_, err := s.Sample(context.Background(), "clip.mp4")

	assert.ErrorIs(t, err, ErrNotInstalled)
}

func hasDarkPixel(img image.Image) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0x4000 && g < 0x4000 && bl < 0x4000 {
				return true
			}
		}
	}
	return false
}
