package rekognition

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/pipeline"
)

// fakeRekognition serves DetectModerationLabels with the response shape of
// the API reference, checks the image it receives against the documented
// limits, and records its size.
type fakeRekognition struct {
	t         *testing.T
	errorCode string // when set, every call fails with this error code
	// s3ErrorCode, when set, fails every call that passes an S3Object.
	s3ErrorCode string

	mu        sync.Mutex
	sizes     []image.Point
	lengths   []int
	s3Objects []s3Request
}

// s3Request is the S3Object of a request, with the fields the request set.
type s3Request struct {
	Bucket, Name, Version string
	HasBytes              bool
	MinConfidence         float64
}

func (f *fakeRekognition) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if f.errorCode != "" {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": f.errorCode, "Message": "test error"})
		return
	}
	assert.Equal(f.t, "RekognitionService.DetectModerationLabels", r.Header.Get("X-Amz-Target"))
	var body struct {
		Image struct {
			Bytes    []byte
			S3Object *struct {
				Bucket, Name string
				Version      *string
			}
		}
		MinConfidence float64
	}
	require.NoError(f.t, json.NewDecoder(r.Body).Decode(&body))
	if obj := body.Image.S3Object; obj != nil {
		f.mu.Lock()
		f.s3Objects = append(f.s3Objects, s3Request{Bucket: obj.Bucket, Name: obj.Name, Version: aws.ToString(obj.Version), HasBytes: body.Image.Bytes != nil, MinConfidence: body.MinConfidence})
		f.mu.Unlock()
		if f.s3ErrorCode != "" {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": f.s3ErrorCode, "Message": "test error"})
			return
		}
		f.writeLabels(w)
		return
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(body.Image.Bytes))
	if err != nil || format != "jpeg" || len(body.Image.Bytes) > 5<<20 || cfg.Width < 80 || cfg.Height < 80 || cfg.Width > 10_000 || cfg.Height > 10_000 {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "InvalidImageFormatException", "Message": "Request has invalid image format"})
		return
	}
	f.mu.Lock()
	f.sizes = append(f.sizes, image.Pt(cfg.Width, cfg.Height))
	f.lengths = append(f.lengths, len(body.Image.Bytes))
	f.mu.Unlock()
	f.writeLabels(w)
}

func (f *fakeRekognition) writeLabels(w http.ResponseWriter) {
	_ = json.NewEncoder(w).Encode(map[string]any{
		"ModerationModelVersion": "7.0",
		"ModerationLabels": []map[string]any{
			{"Name": "Violence", "ParentName": "", "Confidence": 62.5, "TaxonomyLevel": 1},
			{"Name": "Weapons", "ParentName": "Violence", "Confidence": 88.0, "TaxonomyLevel": 2},
			{"Name": "Weapon Violence", "ParentName": "Weapons", "Confidence": 71.0, "TaxonomyLevel": 3},
			{"Name": "Alcohol", "ParentName": "", "Confidence": 30.0, "TaxonomyLevel": 1},
		},
	})
}

func newFake(t *testing.T) (*fakeRekognition, *Moderator) {
	t.Helper()
	fake := &fakeRekognition{t: t}
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)
	client := rekognition.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint:     aws.String(server.URL),
		RetryMaxAttempts: 1,
	})
	return fake, &Moderator{API: client}
}

func solid(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	return img
}

// noise is an image that JPEG compresses badly, to reach the byte limit.
func noise(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(r.IntN(256))
	}
	return img
}

func TestModerateImageSizes(t *testing.T) {
	tests := []struct {
		name string
		img  image.Image
		want image.Point
	}{
		{"at the minimum side", solid(MinSide, MinSide), image.Pt(80, 80)},
		{"wide image downscaled", solid(5000, 2500), image.Pt(MaxSide, 2048)},
		{"tall image downscaled", solid(300, MaxSide+1), image.Pt(299, MaxSide)},
		{"at the maximum side", solid(MaxSide, 100), image.Pt(MaxSide, 100)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake, m := newFake(t)

			_, err := m.ModerateImage(context.Background(), tc.img)

			require.NoError(t, err)
			require.Len(t, fake.sizes, 1)
			assert.Equal(t, tc.want, fake.sizes[0])
		})
	}
}

func TestModerateImageTooSmall(t *testing.T) {
	tests := []struct {
		name string
		img  image.Image
	}{
		{"narrow", solid(MinSide-1, 500)},
		{"short", solid(500, MinSide-1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake, m := newFake(t)

			_, err := m.ModerateImage(context.Background(), tc.img)

			var unsupported *pipeline.UnsupportedContentError
			require.True(t, errors.As(err, &unsupported), "%v", err)
			assert.Contains(t, unsupported.Reason, "at least 80 px")
			assert.Empty(t, fake.sizes, "no call is made")
		})
	}
}

func TestEncodeStaysUnderByteLimit(t *testing.T) {
	img := noise(MaxSide, MaxSide)

	data, err := Encode(img)

	require.NoError(t, err)
	assert.LessOrEqual(t, len(data), MaxBytes)
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Less(t, cfg.Width, MaxSide, "noise this large only fits when downscaled")
}

func TestEncodeAtByteLimit(t *testing.T) {
	img := noise(400, 300).(*image.RGBA)
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255 // opaque, so Encode has no transparency to flatten
	}
	var full bytes.Buffer
	require.NoError(t, jpeg.Encode(&full, img, &jpeg.Options{Quality: jpegQuality}))
	limit := full.Len()

	atLimit, err := encodeWithin(img, limit)
	require.NoError(t, err)
	assert.Len(t, atLimit, limit, "a JPEG of exactly the limit is sent as encoded")
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(atLimit))
	require.NoError(t, err)
	assert.Equal(t, 400, cfg.Width)

	pastLimit, err := encodeWithin(img, limit-1)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(pastLimit), limit-1)
	cfg, err = jpeg.DecodeConfig(bytes.NewReader(pastLimit))
	require.NoError(t, err)
	assert.Less(t, cfg.Width, 400, "one byte over the limit is downscaled")
}

func TestEncodeFlattensTransparency(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 100, 100)) // fully transparent

	data, err := Encode(img)

	require.NoError(t, err)
	decoded, err := jpeg.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	r, g, b, _ := decoded.At(50, 50).RGBA()
	assert.Greater(t, r>>8, uint32(240))
	assert.Greater(t, g>>8, uint32(240))
	assert.Greater(t, b>>8, uint32(240))
}

func TestModerateImageScores(t *testing.T) {
	_, m := newFake(t)

	scores, err := m.ModerateImage(context.Background(), solid(200, 200))

	require.NoError(t, err)
	assert.Equal(t, []pipeline.Score{
		{Name: "ALCOHOL", Score: float64(float32(30.0)) / 100},
		{Name: "VIOLENCE", Score: float64(float32(88.0)) / 100},
	}, scores, "second- and third-level labels count for their top level")
}

func TestModerateImageErrors(t *testing.T) {
	tests := []struct {
		code string
		want string
	}{
		{"ProvisionedThroughputExceededException", "transient"},
		{"ThrottlingException", "transient"},
		{"InternalServerError", "transient"},
		{"InvalidImageFormatException", "unsupported"},
		{"ImageTooLargeException", "unsupported"},
		{"AccessDeniedException", "other"},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			fake, m := newFake(t)
			fake.errorCode = tc.code

			_, err := m.ModerateImage(context.Background(), solid(100, 100))

			require.Error(t, err)
			var transient *pipeline.TransientError
			var unsupported *pipeline.UnsupportedContentError
			assert.Equal(t, tc.want == "transient", errors.As(err, &transient), "%v", err)
			assert.Equal(t, tc.want == "unsupported", errors.As(err, &unsupported), "%v", err)
		})
	}
}

func TestScoresUnknownTopLevel(t *testing.T) {
	scores := Scores([]types.ModerationLabel{{Name: aws.String("Self-Harm & Risk"), Confidence: aws.Float32(55)}})

	assert.Equal(t, []pipeline.Score{{Name: "SELF_HARM_AND_RISK", Score: float64(float32(55)) / 100}}, scores)
}
