package rekognition

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
)

// storedJPEG is an item and normalised image that qualify for S3Object.
func storedJPEG() (pipeline.Item, pipeline.Image) {
	item := pipeline.Item{Bucket: "ingest", Key: "uploads/a b+c.jpg", VersionID: "v1/+=", Size: 2 << 20, MediaType: "image", Format: "jpeg"}
	img := pipeline.Image{Width: 1200, Height: 800, Format: "jpeg", Orientation: 1, Frames: 1}
	return item, img
}

func TestModerateStoredImageSendsS3Object(t *testing.T) {
	fake, m := newFake(t)
	m.ReadBuckets = []string{"ingest"}
	item, img := storedJPEG()

	scores, handled, err := m.ModerateStoredImage(context.Background(), item, img)

	require.NoError(t, err)
	assert.True(t, handled)
	require.Len(t, fake.s3Objects, 1)
	assert.Equal(t, s3Request{Bucket: "ingest", Name: "uploads/a b+c.jpg", Version: "v1/+=", MinConfidence: minConfidence}, fake.s3Objects[0])
	assert.Empty(t, fake.sizes, "no bytes are sent")
	assert.Equal(t, []pipeline.Score{
		{Name: "ALCOHOL", Score: float64(float32(30.0)) / 100},
		{Name: "VIOLENCE", Score: float64(float32(88.0)) / 100},
	}, scores)
}

func TestModerateStoredImageQualifies(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*pipeline.Item, *pipeline.Image)
		handled bool
	}{
		{"png", func(it *pipeline.Item, _ *pipeline.Image) { it.Format = "png" }, true},
		{"no version", func(it *pipeline.Item, _ *pipeline.Image) { it.VersionID = "" }, true},
		{"at the size limit", func(it *pipeline.Item, _ *pipeline.Image) { it.Size = MaxStoredBytes }, true},
		{"one byte past the size limit", func(it *pipeline.Item, _ *pipeline.Image) { it.Size = MaxStoredBytes + 1 }, false},
		{"unknown size", func(it *pipeline.Item, _ *pipeline.Image) { it.Size = 0 }, false},
		{"at the minimum side", func(_ *pipeline.Item, im *pipeline.Image) { im.Width, im.Height = MinSide, MinSide }, true},
		{"below the minimum side", func(_ *pipeline.Item, im *pipeline.Image) { im.Height = MinSide - 1 }, false},
		{"at the maximum side", func(_ *pipeline.Item, im *pipeline.Image) { im.Width, im.Height = MaxStoredSide, MaxStoredSide }, true},
		{"past the maximum side", func(_ *pipeline.Item, im *pipeline.Image) { im.Width = MaxStoredSide + 1 }, false},
		{"webp", func(it *pipeline.Item, _ *pipeline.Image) { it.Format = "webp" }, false},
		{"gif", func(it *pipeline.Item, _ *pipeline.Image) { it.Format = "gif" }, false},
		{"animated png", func(it *pipeline.Item, im *pipeline.Image) { it.Format, im.Frames = "png", 2 }, false},
		{"rotated by EXIF", func(_ *pipeline.Item, im *pipeline.Image) { im.Orientation = 6 }, false},
		{"GPS position", func(_ *pipeline.Item, im *pipeline.Image) { im.HadGPS = true }, false},
		{"other bucket", func(it *pipeline.Item, _ *pipeline.Image) { it.Bucket = "elsewhere" }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake, m := newFake(t)
			m.ReadBuckets = []string{"ingest"}
			item, img := storedJPEG()
			tc.edit(&item, &img)

			_, handled, err := m.ModerateStoredImage(context.Background(), item, img)

			require.NoError(t, err)
			assert.Equal(t, tc.handled, handled)
			if tc.handled {
				assert.Len(t, fake.s3Objects, 1)
			} else {
				assert.Empty(t, fake.s3Objects, "no request is made")
			}
		})
	}
}

func TestModerateStoredImageNoBuckets(t *testing.T) {
	fake, m := newFake(t)
	item, img := storedJPEG()

	_, handled, err := m.ModerateStoredImage(context.Background(), item, img)

	require.NoError(t, err)
	assert.False(t, handled)
	assert.Empty(t, fake.s3Objects)
}

func TestModerateStoredImageErrors(t *testing.T) {
	tests := []struct {
		code string
		want string
	}{
		{"InvalidS3ObjectException", "bytes"},
		{"InvalidImageFormatException", "bytes"},
		{"ImageTooLargeException", "bytes"},
		{"ThrottlingException", "transient"},
		{"ProvisionedThroughputExceededException", "transient"},
		{"AccessDeniedException", "access"},
		{"InvalidParameterException", "other"},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			fake, m := newFake(t)
			m.ReadBuckets = []string{"ingest"}
			fake.s3ErrorCode = tc.code
			item, img := storedJPEG()

			_, handled, err := m.ModerateStoredImage(context.Background(), item, img)

			assert.False(t, handled)
			if tc.want == "bytes" {
				assert.NoError(t, err, "the pipeline falls back to bytes")
				return
			}
			require.Error(t, err)
			var transient *pipeline.TransientError
			var access *awserr.AccessError
			assert.Equal(t, tc.want == "transient", errors.As(err, &transient), "%v", err)
			assert.Equal(t, tc.want == "access", errors.As(err, &access), "%v", err)
		})
	}
}

// newImageTasks stores a 200x150 JPEG in the "ingest" bucket of a folder
// store and normalises it, as the pipeline does before moderation.
func newImageTasks(t *testing.T, m *Moderator) (*pipeline.Tasks, pipeline.AnalyzeImageInput) {
	t.Helper()
	ctx := context.Background()
	tasks := &pipeline.Tasks{
		Objects:        &objects.Folder{Root: t.TempDir()},
		Buckets:        pipeline.Buckets{Work: "work"},
		ImageModerator: m,
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, solid(200, 150), nil))
	size := int64(buf.Len())
	info, err := tasks.Objects.Put(ctx, objects.Location{Bucket: "ingest", Key: "photo.jpg"}, &buf, "image/jpeg")
	require.NoError(t, err)
	item := pipeline.Item{Bucket: "ingest", Key: "photo.jpg", VersionID: info.VersionID, Size: size, MediaType: "image", Format: "jpeg"}
	img, err := tasks.NormalizeImage(ctx, pipeline.NormalizeImageInput{Item: item})
	require.NoError(t, err)
	return tasks, pipeline.AnalyzeImageInput{Item: item, Image: img}
}

func TestPipelineModerateImageRequestShape(t *testing.T) {
	tests := []struct {
		name        string
		readBuckets []string
		s3Error     string
		s3Calls     int
		byteCalls   int
	}{
		{"original as S3Object", []string{"ingest"}, "", 1, 0},
		{"bucket not configured, bytes", nil, "", 0, 1},
		{"unreadable original, then bytes", []string{"ingest"}, "InvalidS3ObjectException", 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake, m := newFake(t)
			m.ReadBuckets = tc.readBuckets
			fake.s3ErrorCode = tc.s3Error
			tasks, in := newImageTasks(t, m)

			out, err := tasks.ModerateImage(context.Background(), in)

			require.NoError(t, err)
			assert.Len(t, fake.s3Objects, tc.s3Calls)
			assert.Len(t, fake.sizes, tc.byteCalls)
			if tc.byteCalls > 0 {
				assert.Equal(t, image.Pt(200, 150), fake.sizes[0])
			}
			assert.Len(t, out.Categories, 2)
		})
	}
}
