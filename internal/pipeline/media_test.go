package pipeline

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pii"
)

// fakeRecognizer returns fixed words, or err. It replaces tesseract in these
// unit tests, and internal/local tests the real program.
type fakeRecognizer struct {
	words []Word
	err   error
}

func (fakeRecognizer) Name() string { return "fake-ocr" }

func (f fakeRecognizer) RecognizeText(ctx context.Context, img image.Image) ([]Word, error) {
	return f.words, f.err
}

type fakeModerator struct{ scores map[string][]Score }

func (fakeModerator) Name() string { return "fake-text" }

func (f fakeModerator) ModerateText(ctx context.Context, text string) ([]Score, error) {
	return f.scores[text], nil
}

type phoneDetector struct{}

func (phoneDetector) Name() string { return "fake-pii" }

func (phoneDetector) DetectPII(ctx context.Context, text string) ([]pii.Entity, error) {
	return pii.NewDetector(pii.WithTypes(pii.TypePhone)).Detect(text), nil
}

func TestJoinWords(t *testing.T) {
	words := []Word{{Text: "Call", Line: 0}, {Text: "me", Line: 0}, {Text: "now", Line: 1}}

	text, spans := joinWords(words)

	assert.Equal(t, "Call me\nnow", text)
	require.Len(t, spans, 3)
	for i, w := range words {
		assert.Equal(t, w.Text, text[spans[i][0]:spans[i][1]])
	}
}

func TestCoverWords(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 200, 60))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	words := []Word{
		{Text: "Call", Box: image.Rect(5, 10, 40, 30)},
		{Text: "212", Box: image.Rect(50, 10, 80, 30)},
		{Text: "555-0187", Box: image.Rect(90, 10, 160, 30)},
	}
	text, spans := joinWords(words)
	entities := []pii.Entity{{Type: "PHONE", Begin: len("Call "), End: len(text)}}

	out := coverWords(img, words, spans, entities)

	isBlack := func(x, y int) bool {
		r, g, b, _ := out.At(x, y).RGBA()
		return r == 0 && g == 0 && b == 0
	}
	assert.True(t, isBlack(60, 20), "first word of the entity")
	assert.True(t, isBlack(85, 20), "the gap between the entity's words")
	assert.True(t, isBlack(150, 20), "last word of the entity")
	assert.False(t, isBlack(20, 20), "a word outside the entity")
	assert.False(t, isBlack(190, 50), "the background")
	assert.Equal(t, color.RGBA{255, 255, 255, 255}, img.RGBAAt(60, 20), "the input is not changed")
}

func TestDetectPIIImageOutcomes(t *testing.T) {
	ctx := context.Background()
	phoneWords := []Word{{Text: "Call", Box: image.Rect(0, 0, 10, 10)}, {Text: "212-555-0187", Box: image.Rect(12, 0, 60, 10)}}
	tests := []struct {
		name       string
		recognizer TextRecognizer
		pii        []TypeCount
		categories []Score
		unscored   string
	}{
		{name: "phone in image", recognizer: fakeRecognizer{words: phoneWords}, pii: []TypeCount{{Type: "PHONE", Count: 1}}, categories: []Score{{Name: "INSULT", Score: 0.1}}},
		{name: "no text", recognizer: fakeRecognizer{}},
		{name: "no OCR engine", unscored: "no OCR engine is configured"},
		{name: "OCR program missing", recognizer: fakeRecognizer{err: &EngineUnavailableError{Reason: "tesseract is not installed"}}, unscored: "tesseract is not installed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tasks := newTasks(t)
			tasks.TextRecognizer = tt.recognizer
			tasks.PIIDetector = phoneDetector{}
			tasks.TextModerator = fakeModerator{scores: map[string][]Score{"Call 212-555-0187": {{Name: "INSULT", Score: 0.1}}}}
			ref := putNormalized(t, tasks)

			out, err := tasks.DetectPIIImage(ctx, AnalyzeImageInput{Item: Item{Key: "a.png", Format: "png"}, Image: ref})

			require.NoError(t, err)
			assert.Equal(t, tt.pii, out.PII)
			assert.Equal(t, tt.categories, out.Categories)
			require.NotNil(t, out.Redacted)
			if tt.unscored == "" {
				assert.Empty(t, out.Unscored)
			} else {
				require.Len(t, out.Unscored, 1)
				assert.Contains(t, out.Unscored[0], tt.unscored)
			}
		})
	}
}

func TestDetectPIIImageOCRError(t *testing.T) {
	tasks := newTasks(t)
	tasks.TextRecognizer = fakeRecognizer{err: errors.New("tesseract crashed")}
	ref := putNormalized(t, tasks)

	_, err := tasks.DetectPIIImage(context.Background(), AnalyzeImageInput{Item: Item{Key: "a.png"}, Image: ref})

	assert.ErrorContains(t, err, "tesseract crashed")
}

type fakeFrames struct {
	frames []image.Image
	err    error
}

func (fakeFrames) Name() string { return "fake-frames" }

func (f fakeFrames) SampleFrames(ctx context.Context, item Item) ([]image.Image, error) {
	return f.frames, f.err
}

type framesModerator struct{ scores [][]Score }

func (framesModerator) Name() string { return "fake-image" }

// ModerateImage returns the scores indexed by the frame's width, so that
// each fake frame gets its own scores.
func (m framesModerator) ModerateImage(ctx context.Context, img image.Image) ([]Score, error) {
	return m.scores[img.Bounds().Dx()-1], nil
}

func TestModerateVideoFrames(t *testing.T) {
	frames := []image.Image{image.NewGray(image.Rect(0, 0, 1, 1)), image.NewGray(image.Rect(0, 0, 2, 1))}
	moderator := framesModerator{scores: [][]Score{
		{{Name: "Explicit", Score: 0.2}, {Name: "Violence", Score: 0.7}},
		{{Name: "Explicit", Score: 0.9}, {Name: "Violence", Score: 0.1}},
	}}
	tests := []struct {
		name       string
		sampler    FrameSampler
		image      ImageModerator
		categories []Score
		unscored   []string
		wantErr    bool
	}{
		{name: "highest score per category", sampler: fakeFrames{frames: frames}, image: moderator, categories: []Score{{Name: "Explicit", Score: 0.9}, {Name: "Violence", Score: 0.7}}},
		{name: "no image model", sampler: fakeFrames{frames: frames}, unscored: []string{"video frames were not moderated: no image moderation engine is configured"}},
		{name: "no sampler", unscored: []string{"video frames were not moderated: no video engine is configured"}},
		{name: "ffmpeg missing", sampler: fakeFrames{err: &EngineUnavailableError{Reason: "ffmpeg is not installed"}}, unscored: []string{"video frames were not moderated: ffmpeg is not installed"}},
		{name: "undecodable video", sampler: fakeFrames{err: &InvalidContentError{Reason: "video could not be decoded"}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tasks := newTasks(t)
			tasks.FrameSampler = tt.sampler
			tasks.ImageModerator = tt.image
			tasks.TextRecognizer = fakeRecognizer{}

			out, err := tasks.ModerateVideoFrames(context.Background(), VideoInput{Item: Item{Key: "v.mp4"}})

			if tt.wantErr {
				var invalid *InvalidContentError
				assert.ErrorAs(t, err, &invalid)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.categories, out.Categories)
			assert.Equal(t, tt.unscored, out.Unscored)
		})
	}
}

func TestModerateVideoFramesWithPII(t *testing.T) {
	tasks := newTasks(t)
	tasks.FrameSampler = fakeFrames{frames: []image.Image{image.NewGray(image.Rect(0, 0, 1, 1)), image.NewGray(image.Rect(0, 0, 1, 1))}}
	tasks.ImageModerator = framesModerator{scores: [][]Score{{{Name: "Explicit", Score: 0.1}}}}
	tasks.TextRecognizer = fakeRecognizer{words: []Word{{Text: "Call"}, {Text: "212-555-0187"}}}
	tasks.PIIDetector = phoneDetector{}
	tasks.TextModerator = fakeModerator{}

	out, err := tasks.ModerateVideoFrames(context.Background(), VideoInput{Item: Item{Key: "v.mp4"}})

	require.NoError(t, err)
	assert.Equal(t, []string{"video frames show PII that cannot be redacted in a video: PHONE"}, out.Unscored, "one reason for all frames")
	assert.Empty(t, out.PII, "the video is not redacted, so no PII counts as redacted")
}

type fakeRedactor struct{ calls int }

func (*fakeRedactor) Name() string { return "fake-pdf" }

func (r *fakeRedactor) RedactDocument(ctx context.Context, item Item, text string, entities []pii.Entity) ([]byte, error) {
	r.calls++
	return []byte("%PDF-1.4 redacted"), nil
}

func TestDetectPIITextDocument(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		text     string
		want     string
		redactor int
	}{
		{name: "document with PII", text: "Call 212-555-0187 now", want: "%PDF-1.4 redacted", redactor: 1},
		{name: "document without PII", text: "Garden club minutes", want: "%PDF-1.4 redacted", redactor: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tasks := newTasks(t)
			redactor := &fakeRedactor{}
			tasks.DocumentRedactor = redactor
			tasks.PIIDetector = phoneDetector{}
			item := putItem(t, tasks, "report.pdf", "%PDF-1.4 original")
			item.MediaType, item.MIME = "document", "application/pdf"
			textLoc := objects.Location{Bucket: "work", Key: "text/report.txt"}
			_, err := tasks.Objects.Put(ctx, textLoc, bytes.NewReader([]byte(tt.text)), "")
			require.NoError(t, err)

			out, err := tasks.DetectPIIText(ctx, AnalyzeTextInput{Item: item, Text: &TextRef{Location: &textLoc}})

			require.NoError(t, err)
			require.NotNil(t, out.Redacted)
			assert.Equal(t, objects.Location{Bucket: "work", Key: "redacted/report.pdf"}, *out.Redacted, "staged until the item is approved")
			published, err := objects.ReadAll(ctx, tasks.Objects, *out.Redacted, 1<<20)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(published))
			assert.Equal(t, tt.redactor, redactor.calls)
		})
	}
}

func putNormalized(t *testing.T, tasks *Tasks) Image {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, image.NewGray(image.Rect(0, 0, 80, 20))))
	loc := objects.Location{Bucket: "work", Key: "normalized/a.png"}
	_, err := tasks.Objects.Put(context.Background(), loc, &buf, "image/png")
	require.NoError(t, err)
	return Image{Location: loc, Width: 80, Height: 20}
}

func putItem(t *testing.T, tasks *Tasks, key, content string) Item {
	t.Helper()
	loc := objects.Location{Bucket: "ingest", Key: key}
	info, err := tasks.Objects.Put(context.Background(), loc, bytes.NewReader([]byte(content)), "")
	require.NoError(t, err)
	return Item{Bucket: "ingest", Key: key, VersionID: info.VersionID, SHA256: "abc"}
}

type cardDetector struct{}

func (cardDetector) Name() string { return "patterns" }

func (cardDetector) DetectPII(ctx context.Context, text string) ([]pii.Entity, error) {
	return pii.NewDetector().Detect(text), nil
}

func TestDetectPIIImageSplitNumbers(t *testing.T) {
	line := func(texts ...string) []Word {
		words := make([]Word, len(texts))
		for i, s := range texts {
			words[i] = Word{Text: s, Box: image.Rect(i*50, 0, i*50+40, 20)}
		}
		return words
	}
	tests := []struct {
		name  string
		words []Word
		want  []TypeCount
	}{
		{name: "card split in two", words: line("Card", "4111", "111111111111"), want: []TypeCount{{Type: "CREDIT_DEBIT_NUMBER", Count: 1}}},
		{name: "card read whole", words: line("Card", "4111", "1111", "1111", "1111"), want: []TypeCount{{Type: "CREDIT_DEBIT_NUMBER", Count: 1}}},
		{name: "invalid card split in two", words: line("Card", "4111", "111111111112"), want: []TypeCount{}},
		{name: "unrelated numbers", words: line("Scores", "12", "7", "2024"), want: []TypeCount{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tasks := newTasks(t)
			tasks.TextRecognizer = fakeRecognizer{words: tt.words}
			tasks.PIIDetector = cardDetector{}
			ref := putNormalized(t, tasks)

			out, err := tasks.DetectPIIImage(context.Background(), AnalyzeImageInput{Item: Item{Key: "a.png"}, Image: ref})

			require.NoError(t, err)
			assert.Equal(t, tt.want, out.PII)
		})
	}
}
