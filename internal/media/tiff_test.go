package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/testmedia"
)

func tiffPages(n int) []image.Image {
	pages := make([]image.Image, n)
	for i := range pages {
		pages[i] = image.NewGray(image.Rect(0, 0, 2, 1))
	}
	return pages
}

func TestTIFFPageOffsets(t *testing.T) {
	three := testmedia.MultiPageTIFF(tiffPages(3))

	offsets, err := TIFFPageOffsets(bytes.NewReader(three), int64(len(three)))

	require.NoError(t, err)
	require.Len(t, offsets, 3)
	assert.Equal(t, int64(binary.LittleEndian.Uint32(three[4:8])), offsets[0])
	assert.Less(t, offsets[0], offsets[1])
	assert.Less(t, offsets[1], offsets[2])
}

func TestTIFFPageOffsetsSinglePage(t *testing.T) {
	one := testmedia.MultiPageTIFF(tiffPages(1))

	offsets, err := TIFFPageOffsets(bytes.NewReader(one), int64(len(one)))

	require.NoError(t, err)
	assert.Len(t, offsets, 1)
}

func TestTIFFPageOffsetsPageLimit(t *testing.T) {
	atLimit := testmedia.MultiPageTIFF(tiffPages(MaxTIFFPages))
	pastLimit := testmedia.MultiPageTIFF(tiffPages(MaxTIFFPages + 1))

	offsets, err := TIFFPageOffsets(bytes.NewReader(atLimit), int64(len(atLimit)))
	require.NoError(t, err)
	assert.Len(t, offsets, MaxTIFFPages)

	_, err = TIFFPageOffsets(bytes.NewReader(pastLimit), int64(len(pastLimit)))
	assert.ErrorIs(t, err, ErrTooManyPages)
}

func TestTIFFPageOffsetsInvalid(t *testing.T) {
	valid := testmedia.MultiPageTIFF(tiffPages(2))
	first := binary.LittleEndian.Uint32(valid[4:8])
	// The link to the second IFD is the last 4 bytes of the first IFD,
	// which has 9 entries.
	firstLink := int(first) + 2 + 9*12

	loop := bytes.Clone(valid)
	binary.LittleEndian.PutUint32(loop[firstLink:], first)
	outside := bytes.Clone(valid)
	binary.LittleEndian.PutUint32(outside[firstLink:], uint32(len(valid)+100))
	noIFD := bytes.Clone(valid)
	binary.LittleEndian.PutUint32(noIFD[4:8], 0)

	tests := []struct {
		name string
		data []byte
	}{
		{"chain that loops", loop},
		{"offset past the end", outside},
		{"header without IFD", noIFD},
		{"truncated IFD", valid[:first+20]},
		{"not a TIFF", []byte("GIF89a and more bytes")},
		{"short header", []byte("II*")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := TIFFPageOffsets(bytes.NewReader(tc.data), int64(len(tc.data)))
			assert.ErrorIs(t, err, ErrInvalidTIFF)
		})
	}
}

func TestTIFFPageOffsetsSkipsThumbnails(t *testing.T) {
	page := image.NewGray(image.Rect(0, 0, 4, 4))
	thumb := image.NewGray(image.Rect(0, 0, 2, 2))
	photo := testmedia.TIFF([]testmedia.TIFFImage{{Image: page}, {Image: thumb, Reduced: true}})
	fax := testmedia.TIFF([]testmedia.TIFFImage{{Image: page}, {Image: thumb, Reduced: true}, {Image: page}, {Image: thumb, Reduced: true}})

	offsets, err := TIFFPageOffsets(bytes.NewReader(photo), int64(len(photo)))
	require.NoError(t, err)
	assert.Len(t, offsets, 1, "a photo with a thumbnail has one page")

	offsets, err = TIFFPageOffsets(bytes.NewReader(fax), int64(len(fax)))
	require.NoError(t, err)
	assert.Len(t, offsets, 2, "each page's thumbnail is not a page")
}

func TestTIFFPageOffsetsImageLimit(t *testing.T) {
	images := make([]testmedia.TIFFImage, maxTIFFImages+1)
	for i := range images {
		images[i] = testmedia.TIFFImage{Image: image.NewGray(image.Rect(0, 0, 1, 1)), Reduced: i > 0}
	}
	atLimit := testmedia.TIFF(images[:maxTIFFImages])
	pastLimit := testmedia.TIFF(images)

	offsets, err := TIFFPageOffsets(bytes.NewReader(atLimit), int64(len(atLimit)))
	require.NoError(t, err)
	assert.Len(t, offsets, 1)

	_, err = TIFFPageOffsets(bytes.NewReader(pastLimit), int64(len(pastLimit)))
	assert.ErrorIs(t, err, ErrTooManyPages, "a chain of thumbnails is bounded too")
}
