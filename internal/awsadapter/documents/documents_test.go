package documents

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
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/textract"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pdftext"
	"github.com/moderato/moderato/internal/pii"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/testmedia"
)

// fakeTextract serves DetectDocumentText for one scanned page: it checks
// that the request carries a JPEG of the page and returns LINE and WORD
// blocks whose boxes, in ratios of the page, come from the rendered lines.
type fakeTextract struct {
	t     *testing.T
	lines []string
	rects []image.Rectangle
	size  image.Point
	calls int
}

func (f *fakeTextract) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls++
	var body struct {
		Document struct{ Bytes []byte }
	}
	require.NoError(f.t, json.NewDecoder(r.Body).Decode(&body))
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(body.Document.Bytes))
	require.NoError(f.t, err, "the scan is sent as JPEG bytes")
	assert.LessOrEqual(f.t, len(body.Document.Bytes), maxScanBytes)

	// The rects are in pixels of an image of f.size, which Textract, seeing
	// a downscaled copy, still reports as the same ratios.
	width, height := cfg.Width, cfg.Height
	if f.size.X > 0 {
		width, height = f.size.X, f.size.Y
	}
	var blocks []map[string]any
	for i, line := range f.lines {
		rect := f.rects[i]
		words := strings.Fields(line)
		var ids []string
		step := rect.Dx() / len(words)
		for j, word := range words {
			id := line + "/" + word
			ids = append(ids, id)
			blocks = append(blocks, map[string]any{"BlockType": "WORD", "Id": id, "Text": word, "Geometry": map[string]any{"BoundingBox": map[string]any{
				"Left":   float64(rect.Min.X+j*step) / float64(width),
				"Top":    float64(rect.Min.Y) / float64(height),
				"Width":  float64(step-4) / float64(width),
				"Height": float64(rect.Dy()) / float64(height),
			}}})
		}
		blocks = append(blocks, map[string]any{"BlockType": "LINE", "Id": line, "Text": line, "Relationships": []map[string]any{{"Type": "CHILD", "Ids": ids}}})
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{"DocumentMetadata": map[string]any{"Pages": 1}, "Blocks": blocks})
}

func newReader(t *testing.T, fake *fakeTextract) (*Reader, *objects.Folder) {
	t.Helper()
	store := &objects.Folder{Root: t.TempDir()}
	r := &Reader{Objects: store}
	if fake != nil {
		fake.t = t
		server := httptest.NewServer(fake)
		t.Cleanup(server.Close)
		r.Textract = textract.NewFromConfig(aws.Config{
			Region:           "us-east-1",
			Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
			BaseEndpoint:     aws.String(server.URL),
			RetryMaxAttempts: 1,
		})
	}
	return r, store
}

func putPDF(t *testing.T, store objects.Store, key string, data []byte) pipeline.Item {
	t.Helper()
	info, err := store.Put(context.Background(), objects.Location{Bucket: "ingest", Key: key}, bytes.NewReader(data), "application/pdf")
	require.NoError(t, err)
	return pipeline.Item{Bucket: "ingest", Key: key, VersionID: info.VersionID, MediaType: "document", Format: "pdf", Size: info.Size}
}

// redactEmail extracts the item's text, finds the email in it and writes
// the redacted copy, then returns the text and the copy's text.
func redactEmail(t *testing.T, r *Reader, item pipeline.Item, email string) (string, string) {
	t.Helper()
	ctx := context.Background()
	text, err := (&Extractor{Reader: r}).ExtractText(ctx, item)
	require.NoError(t, err)
	at := strings.Index(text, email)
	require.GreaterOrEqual(t, at, 0, "the email is in the text: %q", text)

	out, err := (&Redactor{Reader: r}).RedactDocument(ctx, item, text, []pii.Entity{{Type: "EMAIL", Begin: at, End: at + len(email)}})
	require.NoError(t, err)
	redacted, err := pdftext.Extract(out)
	require.NoError(t, err)
	redactedText, _ := redacted.Text()
	return text, redactedText
}

func TestRedactTextLayer(t *testing.T) {
	r, store := newReader(t, nil)
	data, err := testmedia.PDF([]testmedia.PDFPage{{Lines: []string{"Club report", "Contact ana@example.com today"}}}, testmedia.PDFOptions{Compress: true})
	require.NoError(t, err)
	item := putPDF(t, store, "report.pdf", data)

	text, redacted := redactEmail(t, r, item, "ana@example.com")

	assert.Contains(t, text, "Club report")
	assert.NotContains(t, redacted, "ana@example.com", "the value is not in the copy at all")
	assert.Contains(t, redacted, "Contact")
	assert.Contains(t, redacted, "today")
}

func TestRedactScannedPage(t *testing.T) {
	lines := []string{"Scanned letter", "Write to bob@example.com soon"}
	img, rects, err := testmedia.TextImage(lines, 32)
	require.NoError(t, err)
	fake := &fakeTextract{lines: lines, rects: rects, size: img.Bounds().Size()}
	r, store := newReader(t, fake)
	data, err := testmedia.PDF([]testmedia.PDFPage{{Image: img}}, testmedia.PDFOptions{})
	require.NoError(t, err)
	item := putPDF(t, store, "scan.pdf", data)

	text, redacted := redactEmail(t, r, item, "bob@example.com")

	assert.Equal(t, "Scanned letter\nWrite to bob@example.com soon", text)
	assert.NotContains(t, redacted, "bob@example.com")
	assert.Contains(t, redacted, "Write to")
	assert.Equal(t, 2, fake.calls, "one Textract call per reading")
}

func TestScannedPageWithoutTextract(t *testing.T) {
	img, _, err := testmedia.TextImage([]string{"scan"}, 32)
	require.NoError(t, err)
	r, store := newReader(t, nil)
	data, err := testmedia.PDF([]testmedia.PDFPage{{Image: img}}, testmedia.PDFOptions{})
	require.NoError(t, err)

	_, err = (&Extractor{Reader: r}).ExtractText(context.Background(), putPDF(t, store, "scan.pdf", data))

	assert.True(t, errors.Is(err, pipeline.ErrEngineUnavailable), "%v", err)
}

func TestReadRejectsBadPDFs(t *testing.T) {
	r, store := newReader(t, nil)
	locked, err := testmedia.PDF([]testmedia.PDFPage{{Lines: []string{"secret"}}}, testmedia.PDFOptions{UserPassword: "pw"})
	require.NoError(t, err)
	good, err := testmedia.PDF([]testmedia.PDFPage{{Lines: []string{"hello"}}}, testmedia.PDFOptions{})
	require.NoError(t, err)
	tests := []struct {
		name string
		item pipeline.Item
		want any
	}{
		{"password-protected", putPDF(t, store, "locked.pdf", locked), &pipeline.UnsupportedContentError{}},
		{"truncated", putPDF(t, store, "cut.pdf", good[:len(good)/3]), &pipeline.InvalidContentError{}},
		{"missing", pipeline.Item{Bucket: "ingest", Key: "gone.pdf", MediaType: "document", Format: "pdf"}, &pipeline.ObjectNotFoundError{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Read(context.Background(), tc.item)
			require.Error(t, err)
			assert.IsType(t, tc.want, err)
		})
	}
}

// recordingExtractor is a unit-test fake of the fallback engine.
type recordingExtractor struct{ items []pipeline.Item }

func (*recordingExtractor) Name() string { return "fallback" }

func (r *recordingExtractor) ExtractText(ctx context.Context, item pipeline.Item) (string, error) {
	r.items = append(r.items, item)
	return "from fallback", nil
}

func TestExtractorHandsOtherMediaToFallback(t *testing.T) {
	fallback := &recordingExtractor{}
	e := &Extractor{Reader: &Reader{}, Fallback: fallback}

	text, err := e.ExtractText(context.Background(), pipeline.Item{MediaType: "document", Format: "tiff"})

	require.NoError(t, err)
	assert.Equal(t, "from fallback", text)
	assert.Len(t, fallback.items, 1)
}

func TestOverlapping(t *testing.T) {
	spans := [][2]int{{0, 4}, {5, 10}, {11, 20}, {21, 25}}
	tests := []struct {
		name     string
		entities []pii.Entity
		want     map[int]bool
	}{
		{"none", nil, map[int]bool{}},
		{"one word", []pii.Entity{{Begin: 5, End: 10}}, map[int]bool{1: true}},
		{"across words", []pii.Entity{{Begin: 7, End: 13}}, map[int]bool{1: true, 2: true}},
		{"touching is not overlapping", []pii.Entity{{Begin: 10, End: 11}}, map[int]bool{}},
		{"unsorted and nested", []pii.Entity{{Begin: 21, End: 22}, {Begin: 0, End: 25}, {Begin: 1, End: 2}}, map[int]bool{0: true, 1: true, 2: true, 3: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Overlapping(spans, tc.entities))
		})
	}
}

func TestEncodeScanFitsLimit(t *testing.T) {
	scan := image.NewGray(image.Rect(0, 0, 400, 400))
	r := rand.New(rand.NewPCG(3, 4))
	for i := range scan.Pix {
		scan.Pix[i] = byte(r.IntN(256))
	}
	sizes := map[int]int{}
	for _, quality := range scanQualities {
		var buf bytes.Buffer
		require.NoError(t, jpeg.Encode(&buf, scan, &jpeg.Options{Quality: quality}))
		sizes[quality] = buf.Len()
	}
	best, worst := scanQualities[0], scanQualities[len(scanQualities)-1]
	require.Greater(t, sizes[best], sizes[worst], "noise compresses better at lower quality")

	tests := []struct {
		name    string
		limit   int
		want    int // encoded size, 0 when no quality fits
		wantErr bool
	}{
		{"best quality at its size", sizes[best], sizes[best], false},
		{"one byte short of the best quality", sizes[best] - 1, sizes[scanQualities[1]], false},
		{"lowest quality at its size", sizes[worst], sizes[worst], false},
		{"one byte short of the lowest quality", sizes[worst] - 1, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := encodeScan(scan, tc.limit)

			if tc.wantErr {
				var unavailable *pipeline.EngineUnavailableError
				require.True(t, errors.As(err, &unavailable), "%v", err)
				return
			}
			require.NoError(t, err)
			assert.Len(t, data, tc.want)
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
			require.NoError(t, err)
			assert.Equal(t, 400, cfg.Width, "the pixel size is kept")
		})
	}
}
