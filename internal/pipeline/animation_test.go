package pipeline

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/imaging"
	"github.com/moderato/moderato/internal/objects"
)

// colorModerator scores an image by the color of its center pixel: red
// as violence, blue as alcohol. It fails on green when failGreen is set.
type colorModerator struct {
	failGreen bool
	calls     *int
}

func (colorModerator) Name() string { return "fake-color" }

func (m colorModerator) ModerateImage(ctx context.Context, img image.Image) ([]Score, error) {
	*m.calls++
	b := img.Bounds()
	r, g, bl, _ := img.At(b.Min.X+b.Dx()/2, b.Min.Y+b.Dy()/2).RGBA()
	switch {
	case g > 0 && m.failGreen:
		return nil, &UnsupportedContentError{Reason: "green is not supported"}
	case r > 0:
		return []Score{{Name: "VIOLENCE", Score: 0.9}, {Name: "ALCOHOL", Score: 0.1}}, nil
	case bl > 0:
		return []Score{{Name: "ALCOHOL", Score: 0.6}}, nil
	}
	return nil, nil
}

// animatedGIF returns a 100x100 GIF whose frames are filled with colors.
func animatedGIF(t *testing.T, colors ...color.Color) []byte {
	t.Helper()
	palette := color.Palette{color.Black, color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}, color.RGBA{0, 255, 0, 255}}
	anim := &gif.GIF{Config: image.Config{ColorModel: palette, Width: 100, Height: 100}}
	for _, c := range colors {
		frame := image.NewPaletted(image.Rect(0, 0, 100, 100), palette)
		index := uint8(palette.Index(c))
		for i := range frame.Pix {
			frame.Pix[i] = index
		}
		anim.Image = append(anim.Image, frame)
		anim.Delay = append(anim.Delay, 10)
		anim.Disposal = append(anim.Disposal, gif.DisposalNone)
	}
	var buf bytes.Buffer
	require.NoError(t, gif.EncodeAll(&buf, anim))
	return buf.Bytes()
}

func normalizeGIF(t *testing.T, tasks *Tasks, data []byte) (Item, Image) {
	t.Helper()
	ctx := context.Background()
	info, err := tasks.Objects.Put(ctx, objects.Location{Bucket: "ingest", Key: "anim.gif"}, bytes.NewReader(data), "image/gif")
	require.NoError(t, err)
	item := Item{Bucket: "ingest", Key: "anim.gif", VersionID: info.VersionID, MediaType: "image", Format: "gif"}
	img, err := tasks.NormalizeImage(ctx, NormalizeImageInput{Item: item})
	require.NoError(t, err)
	return item, img
}

func TestModerateAnimatedGIF(t *testing.T) {
	black, red, blue := color.Black, color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}
	tasks := newTasks(t)
	tasks.Imaging = imaging.Options{SampledFrames: 3}
	calls := 0
	tasks.ImageModerator = colorModerator{calls: &calls}
	// Five frames sampled at 0, 2 and 4: black, blue and red.
	item, img := normalizeGIF(t, tasks, animatedGIF(t, black, red, blue, black, red))

	out, err := tasks.ModerateImage(context.Background(), AnalyzeImageInput{Item: item, Image: img})

	require.NoError(t, err)
	assert.Equal(t, 5, img.Frames)
	require.Len(t, img.Sampled, 2)
	assert.Equal(t, 2, img.Sampled[0].Index)
	assert.Equal(t, 4, img.Sampled[1].Index)
	assert.Equal(t, 3, calls, "one call per sampled frame")
	two, four := 2, 4
	assert.Equal(t, []Score{
		{Name: "ALCOHOL", Score: 0.6, Frame: &two},
		{Name: "VIOLENCE", Score: 0.9, Frame: &four},
	}, out.Categories)
}

func TestModerateAnimatedFrameError(t *testing.T) {
	tasks := newTasks(t)
	calls := 0
	tasks.ImageModerator = colorModerator{failGreen: true, calls: &calls}
	item, img := normalizeGIF(t, tasks, animatedGIF(t, color.Black, color.RGBA{0, 255, 0, 255}))

	_, err := tasks.ModerateImage(context.Background(), AnalyzeImageInput{Item: item, Image: img})

	var unsupported *UnsupportedContentError
	require.True(t, errors.As(err, &unsupported), "%v", err)
	assert.Contains(t, err.Error(), "frame 1")
}

func TestModerateStillImageHasNoFrame(t *testing.T) {
	tasks := newTasks(t)
	calls := 0
	tasks.ImageModerator = colorModerator{calls: &calls}
	item, img := normalizeGIF(t, tasks, animatedGIF(t, color.RGBA{255, 0, 0, 255}))

	out, err := tasks.ModerateImage(context.Background(), AnalyzeImageInput{Item: item, Image: img})

	require.NoError(t, err)
	assert.Empty(t, img.Sampled)
	assert.Equal(t, []Score{{Name: "ALCOHOL", Score: 0.1}, {Name: "VIOLENCE", Score: 0.9}}, out.Categories)
}
