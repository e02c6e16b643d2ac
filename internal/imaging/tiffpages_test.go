package imaging_test

import (
	"bytes"
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/imaging"
	"github.com/moderato/moderato/internal/media"
	"github.com/moderato/moderato/internal/testmedia"
)

func grayPage(width, height int, level uint8) image.Image {
	img := image.NewGray(image.Rect(0, 0, width, height))
	for i := range img.Pix {
		img.Pix[i] = level
	}
	return img
}

func TestDecodeTIFFPage(t *testing.T) {
	data := testmedia.MultiPageTIFF([]image.Image{grayPage(4, 3, 10), grayPage(5, 2, 200), grayPage(1, 1, 90)})
	offsets, err := media.TIFFPageOffsets(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	require.Len(t, offsets, 3)

	want := []struct {
		size  image.Point
		level uint8
	}{{image.Pt(4, 3), 10}, {image.Pt(5, 2), 200}, {image.Pt(1, 1), 90}}
	for i, offset := range offsets {
		page, err := imaging.DecodeTIFFPage(data, offset, imaging.Options{})
		require.NoError(t, err, "page %d", i+1)
		assert.Equal(t, want[i].size, page.Bounds().Size(), "page %d", i+1)
		assert.Equal(t, color.Gray{Y: want[i].level}, color.GrayModel.Convert(page.At(0, 0)), "page %d", i+1)
	}
}

func TestDecodeTIFFPageGuards(t *testing.T) {
	data := testmedia.MultiPageTIFF([]image.Image{grayPage(4, 3, 0), grayPage(50, 40, 0)})
	offsets, err := media.TIFFPageOffsets(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)

	_, err = imaging.DecodeTIFFPage(data, offsets[1], imaging.Options{MaxSide: 49})
	assert.ErrorIs(t, err, imaging.ErrTooLarge, "the second page is checked, not the first")

	_, err = imaging.DecodeTIFFPage(data[:offsets[1]+20], offsets[1], imaging.Options{})
	assert.ErrorIs(t, err, imaging.ErrCorrupt)

	_, err = imaging.DecodeTIFFPage([]byte("GIF89a and more"), 8, imaging.Options{})
	assert.ErrorIs(t, err, imaging.ErrUnsupportedFormat)
}
