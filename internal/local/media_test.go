package local

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/ocr"
	"github.com/moderato/moderato/internal/pdftext"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/speech"
	"github.com/moderato/moderato/internal/testmedia"
)

func requireTesseract(t *testing.T) {
	t.Helper()
	if err := ocr.New().Check(); err != nil {
		t.Skipf("skipping: %v", err)
	}
}

func textPNG(t *testing.T, lines ...string) ([]byte, []image.Rectangle) {
	t.Helper()
	img, boxes, err := testmedia.TextImage(lines, 32)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes(), boxes
}

func TestImageTextPIICovered(t *testing.T) {
	requireTesseract(t)
	h := newHarness(t, Config{})
	data, boxes := textPNG(t, "Call me at 212-555-0187 today", "Lovely weather here")

	res := h.process("photo-with-phone.png", data)

	assert.Equal(t, "image", res.MediaType)
	assert.Equal(t, []pipeline.TypeCount{{Type: "PHONE", Count: 1}}, res.PII)
	require.NotNil(t, res.Redacted)
	redactedFile, err := os.ReadFile(*res.Redacted)
	require.NoError(t, err)
	redacted, err := png.Decode(bytes.NewReader(redactedFile))
	require.NoError(t, err)

	words, err := ocr.New().Recognize(context.Background(), redacted)
	require.NoError(t, err)
	var read []string
	for _, w := range words {
		read = append(read, w.Text)
	}
	text := strings.Join(read, " ")
	assert.NotContains(t, text, "0187")
	assert.NotContains(t, text, "555")
	assert.Contains(t, text, "Call me at", "words outside the entity stay readable")
	assert.Contains(t, text, "Lovely weather here")

	dark := 0
	line := boxes[0]
	for x := line.Min.X; x < line.Max.X; x++ {
		r, g, b, _ := redacted.At(x, (line.Min.Y+line.Max.Y)/2).RGBA()
		if r == 0 && g == 0 && b == 0 {
			dark++
		}
	}
	assert.Greater(t, dark, line.Dx()/4, "a solid black box covers the number")
}

func TestImageTextVerdicts(t *testing.T) {
	requireTesseract(t)
	h := newHarness(t, Config{})
	tests := []struct {
		name    string
		lines   []string
		pii     []pipeline.TypeCount
		verdict policy.Verdict
	}{
		{name: "threat.png", lines: []string{"I know where you live", "and I will hurt you"}, pii: []pipeline.TypeCount{}, verdict: policy.Rejected},
		{name: "invalid-card.png", lines: []string{"Card 4111 1111 1111 1112"}, pii: []pipeline.TypeCount{}},
		{name: "valid-card.png", lines: []string{"Card 4111 1111 1111 1111"}, pii: []pipeline.TypeCount{{Type: "CREDIT_DEBIT_NUMBER", Count: 1}}},
		{name: "email.png", lines: []string{"Write to jordan.reyes@example.com"}, pii: []pipeline.TypeCount{{Type: "EMAIL", Count: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, _ := textPNG(t, tt.lines...)

			res := h.process(tt.name, data)

			assert.Equal(t, tt.pii, res.PII)
			if tt.verdict != "" {
				assert.Equal(t, tt.verdict, res.Verdict, "reasons: %v", res.Reasons)
			}
			assert.NotContains(t, strings.Join(res.Reasons, "\n"), "not scanned", "the text was read")
		})
	}
}

func TestImageTextWithoutTesseract(t *testing.T) {
	h := newHarness(t, Config{})
	t.Setenv("PATH", t.TempDir())
	data, _ := textPNG(t, "Call me at 212-555-0187 today")

	res := h.process("no-ocr.png", data)

	assert.Equal(t, policy.Review, res.Verdict)
	assert.Contains(t, strings.Join(res.Reasons, "\n"), "tesseract is not installed")
	assert.Empty(t, res.PII)
}

func requireSpeech(t *testing.T) {
	t.Helper()
	if err := speech.New().Check(); err != nil {
		t.Skipf("skipping: %v", err)
	}
}

// spoken synthesises text as a WAV file in the harness's input folder.
func (h *harness) spoken(name, text string) string {
	h.t.Helper()
	path := filepath.Join(h.dir, name)
	if err := testmedia.Speech(context.Background(), text, path); err != nil {
		h.t.Skipf("skipping: %v", err)
	}
	return path
}

func TestAudioSpokenPhoneNumber(t *testing.T) {
	requireSpeech(t)
	h := newHarness(t, Config{})
	path := h.spoken("voicemail.wav", "Hello, please call me at two one two, five five five, zero one eight seven.")
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	res := h.process("voicemail.wav", data)

	assert.Equal(t, "audio", res.MediaType)
	assert.Equal(t, policy.Approved, res.Verdict, "reasons: %v", res.Reasons)
	assert.Equal(t, []pipeline.TypeCount{{Type: "PHONE", Count: 1}}, res.PII)
	require.NotNil(t, res.Redacted)
	transcript, err := os.ReadFile(*res.Redacted)
	require.NoError(t, err)
	assert.Contains(t, string(transcript), "call me at [PHONE]")
	assert.NotContains(t, string(transcript), "0187")
}

func TestAudioAbusiveSpeechRejected(t *testing.T) {
	requireSpeech(t)
	h := newHarness(t, Config{})
	path := h.spoken("rant.wav", "I know where you live and I will hurt you.")
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	res := h.process("rant.wav", data)

	assert.Equal(t, policy.Rejected, res.Verdict, "reasons: %v", res.Reasons)
}

func TestVideoVerdicts(t *testing.T) {
	requireSpeech(t)
	requireTesseract(t)
	h := newHarness(t, Config{})
	calm, _, err := testmedia.TextImage([]string{"Welcome to the garden tour"}, 32)
	require.NoError(t, err)
	abusive, _, err := testmedia.TextImage([]string{"I know where you live", "and I will hurt you"}, 32)
	require.NoError(t, err)
	onScreen, _, err := testmedia.TextImage([]string{"Call me at 212-555-0187"}, 32)
	require.NoError(t, err)
	voice := h.spoken("tour.wav", "Hello, please call me at two one two, five five five, zero one eight seven.")

	tests := []struct {
		name    string
		frames  []image.Image
		audio   string
		verdict policy.Verdict
		pii     []pipeline.TypeCount
		reason  string
	}{
		{name: "flagged-frame.mp4", frames: []image.Image{calm, calm, abusive, calm}, verdict: policy.Rejected, pii: []pipeline.TypeCount{}},
		{name: "spoken-phone.mp4", frames: []image.Image{calm, calm, calm, calm, calm, calm}, audio: voice, pii: []pipeline.TypeCount{{Type: "PHONE", Count: 1}}},
		{name: "silent.mp4", frames: []image.Image{calm, calm}, pii: []pipeline.TypeCount{}},
		{name: "phone-on-screen.mp4", frames: []image.Image{calm, onScreen, calm}, verdict: policy.Review, pii: []pipeline.TypeCount{}, reason: "video frames show PII that cannot be redacted in a video: PHONE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(h.dir, tt.name)
			require.NoError(t, testmedia.Video(context.Background(), tt.frames, tt.audio, path))
			data, err := os.ReadFile(path)
			require.NoError(t, err)

			res := h.process(tt.name, data)

			assert.Equal(t, "video", res.MediaType)
			assert.Equal(t, tt.pii, res.PII)
			if tt.verdict != "" {
				assert.Equal(t, tt.verdict, res.Verdict, "reasons: %v", res.Reasons)
			} else {
				assert.NotContains(t, []policy.Verdict{policy.Failed, policy.Rejected}, res.Verdict, "reasons: %v", res.Reasons)
			}
			reasons := strings.Join(res.Reasons, "\n")
			assert.Contains(t, reasons, tt.reason)
			assert.NotContains(t, reasons, "not read")
			assert.NotContains(t, reasons, "no text could be extracted")
		})
	}
}

func pdfBytes(t *testing.T, pages []testmedia.PDFPage, opts testmedia.PDFOptions) []byte {
	t.Helper()
	data, err := testmedia.PDF(pages, opts)
	require.NoError(t, err)
	return data
}

// inflatedStreams returns the FlateDecode streams of a PDF, decompressed.
func inflatedStreams(data []byte) string {
	var all strings.Builder
	for _, m := range regexp.MustCompile(`(?s)stream\r?\n(.*?)endstream`).FindAllSubmatch(data, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(zr)
		all.Write(b)
	}
	return all.String()
}

func TestDocumentPIIOnTwoPages(t *testing.T) {
	h := newHarness(t, Config{})
	data := pdfBytes(t, []testmedia.PDFPage{
		{Lines: []string{"Quarterly report", "Contact jordan.reyes@example.com for details"}},
		{Lines: []string{"Second page", "Call (415) 555-0134 after noon"}},
	}, testmedia.PDFOptions{Compress: true, Kerned: true})

	res := h.process("report.pdf", data)

	assert.Equal(t, "document", res.MediaType)
	assert.Equal(t, policy.Approved, res.Verdict, "reasons: %v", res.Reasons)
	assert.Equal(t, []pipeline.TypeCount{{Type: "EMAIL", Count: 1}, {Type: "PHONE", Count: 1}}, res.PII)
	require.NotNil(t, res.Redacted)
	assert.True(t, strings.HasSuffix(*res.Redacted, "report.pdf"), "the redacted copy is a PDF: %s", *res.Redacted)
	redacted, err := os.ReadFile(*res.Redacted)
	require.NoError(t, err)
	for _, value := range []string{"jordan.reyes", "example.com", "555-0134", "(415)"} {
		assert.NotContains(t, string(redacted), value)
		assert.NotContains(t, inflatedStreams(redacted), value)
	}
	doc, err := pdftext.Extract(redacted)
	require.NoError(t, err)
	text, _ := doc.Text()
	assert.Equal(t, "Quarterly report\nContact for details\n\nSecond page\nCall after noon", text)
}

func TestDocumentOutcomes(t *testing.T) {
	h := newHarness(t, Config{})
	clean := pdfBytes(t, []testmedia.PDFPage{{Lines: []string{"Minutes of the garden club", "We planted tulips"}}}, testmedia.PDFOptions{})
	scan, _, err := testmedia.TextImage([]string{"Call me at 212-555-0187 today"}, 40)
	require.NoError(t, err)

	tests := []struct {
		name    string
		data    []byte
		verdict policy.Verdict
		reason  string
		pii     []pipeline.TypeCount
		needOCR bool
	}{
		{name: "locked.pdf", data: pdfBytes(t, []testmedia.PDFPage{{Lines: []string{"secret"}}}, testmedia.PDFOptions{UserPassword: "s3cret"}), verdict: policy.Unsupported, reason: "password-protected", pii: []pipeline.TypeCount{}},
		{name: "truncated.pdf", data: clean[:len(clean)*2/3], verdict: policy.Unsupported, reason: "the PDF is damaged", pii: []pipeline.TypeCount{}},
		{name: "threat.pdf", data: pdfBytes(t, []testmedia.PDFPage{{Lines: []string{"I know where you live", "and I will hurt you"}}}, testmedia.PDFOptions{Reversed: true}), verdict: policy.Rejected, pii: []pipeline.TypeCount{}},
		{name: "clean.pdf", data: clean, verdict: policy.Approved, pii: []pipeline.TypeCount{}},
		{name: "scanned.pdf", data: pdfBytes(t, []testmedia.PDFPage{{Image: scan}}, testmedia.PDFOptions{}), verdict: policy.Approved, pii: []pipeline.TypeCount{{Type: "PHONE", Count: 1}}, needOCR: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needOCR {
				requireTesseract(t)
			}

			res := h.process(tt.name, tt.data)

			assert.Equal(t, "document", res.MediaType)
			assert.Equal(t, tt.verdict, res.Verdict, "reasons: %v", res.Reasons)
			assert.Contains(t, strings.Join(res.Reasons, "\n"), tt.reason)
			assert.Equal(t, tt.pii, res.PII)
			if len(tt.pii) > 0 {
				require.NotNil(t, res.Redacted)
				redacted, err := os.ReadFile(*res.Redacted)
				require.NoError(t, err)
				assert.NotContains(t, string(redacted), "0187")
				assert.Contains(t, string(redacted), "(today) Tj", "words read from the scan are kept")
			}
		})
	}
}

func TestDocumentWithoutPIIIsRewritten(t *testing.T) {
	h := newHarness(t, Config{})
	data := pdfWithInfo("Minutes of the garden club", "/Author (Jane Roe jane.roe@example.com) /Title (SSN 536-22-8817)")

	res := h.process("minutes.pdf", data)

	require.Equal(t, policy.Approved, res.Verdict, "%v", res.Reasons)
	require.NotNil(t, res.Redacted)
	published, err := os.ReadFile(*res.Redacted)
	require.NoError(t, err)
	assert.NotContains(t, string(published), "jane.roe@example.com", "metadata must not be published")
	assert.NotContains(t, string(published), "536-22-8817")
	doc, err := pdftext.Extract(published)
	require.NoError(t, err)
	text, _ := doc.Text()
	assert.Contains(t, text, "Minutes of the garden club", "the page text is kept")
}

// pdfWithInfo builds a one-page PDF with one line of text and the given
// document information dictionary entries.
func pdfWithInfo(line, info string) []byte {
	stream := "BT /F1 12 Tf 72 720 Td (" + line + ") Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< " + info + " >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return []byte(b.String())
}

func TestScannedDocumentWithoutTesseract(t *testing.T) {
	h := newHarness(t, Config{})
	t.Setenv("PATH", t.TempDir())
	scan, _, err := testmedia.TextImage([]string{"Call me at 212-555-0187 today"}, 40)
	require.NoError(t, err)

	res := h.process("scanned.pdf", pdfBytes(t, []testmedia.PDFPage{{Image: scan}}, testmedia.PDFOptions{}))

	assert.Equal(t, policy.Review, res.Verdict)
	assert.Contains(t, strings.Join(res.Reasons, "\n"), "1 scanned pages were not read: tesseract is not installed")
}

func TestAudioWithoutPocketsphinx(t *testing.T) {
	h := newHarness(t, Config{})
	path := h.spoken("voicemail.wav", "Hello there.")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	t.Setenv("PATH", t.TempDir())

	res := h.process("voicemail.wav", data)

	assert.Equal(t, "audio", res.MediaType)
	assert.Equal(t, policy.Review, res.Verdict)
	assert.Contains(t, strings.Join(res.Reasons, "\n"), "speech recognition is not installed")
}

func TestMissingProgramLoggedOnce(t *testing.T) {
	var logs bytes.Buffer
	m := &missingProgram{logger: slog.New(slog.NewJSONHandler(&logs, nil))}

	first := m.report(context.Background(), "local-tesseract", ocr.ErrNotInstalled)
	second := m.report(context.Background(), "local-tesseract", ocr.ErrNotInstalled)

	assert.Equal(t, 1, strings.Count(logs.String(), "\n"), "logs: %s", logs.String())
	assert.ErrorIs(t, first, pipeline.ErrEngineUnavailable)
	assert.ErrorIs(t, second, pipeline.ErrEngineUnavailable)
	assert.Contains(t, second.Error(), "tesseract is not installed")
}

func TestImageTextTesseractFailure(t *testing.T) {
	h := newHarness(t, Config{})
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "tesseract"), []byte("#!/bin/sh\necho 'Error: simulated crash' >&2\nexit 1\n"), 0o755))
	t.Setenv("PATH", bin)
	data, _ := textPNG(t, "Call me at 212-555-0187 today")

	res := h.process("crash.png", data)

	assert.Equal(t, policy.Review, res.Verdict)
	assert.Contains(t, strings.Join(res.Reasons, "\n"), "tesseract could not read the image")
}

func TestAudioRecognizerFailure(t *testing.T) {
	requireSpeech(t)
	h := newHarness(t, Config{})
	path := h.spoken("voicemail.wav", "Hello there.")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	ffmpeg, err := exec.LookPath("ffmpeg")
	require.NoError(t, err)
	bin := t.TempDir()
	require.NoError(t, os.Symlink(ffmpeg, filepath.Join(bin, "ffmpeg")))
	require.NoError(t, os.WriteFile(filepath.Join(bin, "pocketsphinx_continuous"), []byte("#!/bin/sh\necho 'ERROR: simulated crash' >&2\nexit 1\n"), 0o755))
	t.Setenv("PATH", bin)

	res := h.process("voicemail.wav", data)

	assert.Equal(t, policy.Review, res.Verdict)
	assert.Contains(t, strings.Join(res.Reasons, "\n"), "speech could not be transcribed")
}
