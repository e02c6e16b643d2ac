package documents

import (
	"context"
	"errors"
	"image"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/textract"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/draw"

	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/testmedia"
)

func textractClient(t *testing.T, handler http.Handler) *textract.Client {
	t.Helper()
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	return textract.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint:     aws.String(server.URL),
		RetryMaxAttempts: 1,
	})
}

func TestRecognizeTextBoxesInImagePixels(t *testing.T) {
	lines := []string{"Call 212-555-0187 today"}
	small, rects, err := testmedia.TextImage(lines, 32)
	require.NoError(t, err)
	// Scale the picture past maxRecognizeSide, so that it is sent downscaled.
	scale := maxRecognizeSide/small.Bounds().Dx() + 1
	big := image.NewRGBA(image.Rect(0, 0, small.Bounds().Dx()*scale, small.Bounds().Dy()*scale))
	draw.NearestNeighbor.Scale(big, big.Bounds(), small, small.Bounds(), draw.Src, nil)
	bigRects := []image.Rectangle{image.Rect(rects[0].Min.X*scale, rects[0].Min.Y*scale, rects[0].Max.X*scale, rects[0].Max.Y*scale)}
	fake := &fakeTextract{t: t, lines: lines, rects: bigRects, size: big.Bounds().Size()}
	r := &TextRecognizer{Textract: textractClient(t, fake)}

	words, err := r.RecognizeText(context.Background(), big)

	require.NoError(t, err)
	require.Len(t, words, 3)
	assert.Equal(t, "212-555-0187", words[1].Text)
	assert.Equal(t, 0, words[1].Line)
	assert.InDelta(t, bigRects[0].Min.Y, words[1].Box.Min.Y, 2, "boxes are in the original image's pixels")
	assert.InDelta(t, bigRects[0].Min.X, words[0].Box.Min.X, 2)
	assert.Greater(t, words[1].Box.Min.X, words[0].Box.Max.X)
	assert.Equal(t, 1, fake.calls)
}

func TestRecognizeTextRejectedImage(t *testing.T) {
	rejected := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type": "UnsupportedDocumentException", "message": "Request has unsupported document format"}`))
	})
	r := &TextRecognizer{Textract: textractClient(t, rejected)}

	_, err := r.RecognizeText(context.Background(), image.NewGray(image.Rect(0, 0, 200, 100)))

	assert.True(t, errors.Is(err, pipeline.ErrEngineUnavailable), "the image goes to review, not to unsupported: %v", err)
	var unsupported *pipeline.UnsupportedContentError
	assert.False(t, errors.As(err, &unsupported))
}

func TestRecognizeTextThrottled(t *testing.T) {
	throttled := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type": "ProvisionedThroughputExceededException", "message": "slow down"}`))
	})
	r := &TextRecognizer{Textract: textractClient(t, throttled)}

	_, err := r.RecognizeText(context.Background(), image.NewGray(image.Rect(0, 0, 200, 100)))

	var transient *pipeline.TransientError
	assert.True(t, errors.As(err, &transient), "%v", err)
}

func TestRecognizeTextWithoutTextract(t *testing.T) {
	_, err := (&TextRecognizer{}).RecognizeText(context.Background(), image.NewGray(image.Rect(0, 0, 200, 100)))

	assert.True(t, errors.Is(err, pipeline.ErrEngineUnavailable))
}
