package pipeline

import (
	"bytes"
	"context"
	"image"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/media"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/testmedia"
)

func TestInspectPageCount(t *testing.T) {
	ctx := context.Background()
	tasks := newTasks(t)
	page := testmedia.PDFPage{Lines: []string{"Minutes of the meeting."}}
	// Pages of text that does not compress, so the file spans several
	// blocks of the range reader.
	var long []testmedia.PDFPage
	for i := range 40 {
		long = append(long, testmedia.PDFPage{Lines: []string{string(bytes.Repeat([]byte{byte('a' + i%26)}, 3000))}})
	}
	three, err := testmedia.PDF([]testmedia.PDFPage{page, page, page}, testmedia.PDFOptions{})
	require.NoError(t, err)
	one, err := testmedia.PDF([]testmedia.PDFPage{page}, testmedia.PDFOptions{})
	require.NoError(t, err)
	big, err := testmedia.PDF(long, testmedia.PDFOptions{})
	require.NoError(t, err)
	require.Greater(t, len(big), 2*readerBlockSize)

	tests := []struct {
		name string
		data []byte
		want int
	}{
		{name: "three pages", data: three, want: 3},
		{name: "one page", data: one, want: 1},
		{name: "forty pages over several blocks", data: big, want: 40},
		{name: "damaged", data: []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"), want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := tasks.Objects.Put(ctx, objects.Location{Bucket: "ingest", Key: tt.name + ".pdf"}, bytes.NewReader(tt.data), "")
			require.NoError(t, err)

			item, err := tasks.Inspect(ctx, InspectInput{Detail: detail("ingest", tt.name+".pdf", info.VersionID)})
			require.NoError(t, err)
			assert.Equal(t, "document", item.MediaType)
			assert.Equal(t, tt.want, item.PageCount)
		})
	}
}

func TestInspectTIFFPages(t *testing.T) {
	ctx := context.Background()
	tasks := newTasks(t)
	pages := func(n, side int) []byte {
		imgs := make([]image.Image, n)
		for i := range imgs {
			imgs[i] = image.NewGray(image.Rect(0, 0, side, side))
		}
		return testmedia.MultiPageTIFF(imgs)
	}

	tests := []struct {
		name      string
		data      []byte
		mediaType string
		pages     int
	}{
		{name: "three pages", data: pages(3, 90), mediaType: "document", pages: 3},
		{name: "one page", data: pages(1, 90), mediaType: "image", pages: 0},
		// Small pages keep the file, which the local store hashes on each
		// range read, small.
		{name: "pages at the Textract limit", data: pages(media.MaxTIFFPages, 1), mediaType: "document", pages: media.MaxTIFFPages},
		{name: "pages past the Textract limit", data: pages(media.MaxTIFFPages+1, 1), mediaType: "unsupported", pages: 0},
		{name: "damaged chain", data: pages(3, 90)[:200], mediaType: "image", pages: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := tasks.Objects.Put(ctx, objects.Location{Bucket: "ingest", Key: tt.name + ".tif"}, bytes.NewReader(tt.data), "")
			require.NoError(t, err)

			item, err := tasks.Inspect(ctx, InspectInput{Detail: detail("ingest", tt.name+".tif", info.VersionID)})

			require.NoError(t, err)
			assert.Equal(t, tt.mediaType, item.MediaType, "reason: %s", item.Reason)
			assert.Equal(t, "tiff", item.Format)
			assert.Equal(t, "image/tiff", item.MIME)
			assert.Equal(t, tt.pages, item.PageCount)
		})
	}
}
