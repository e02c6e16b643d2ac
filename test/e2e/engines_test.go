package e2e

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/testmedia"
)

// enginePrograms are the Debian programs of the local OCR, speech and video
// engines, and of the speech synthesiser that makes the fixtures.
var enginePrograms = map[string]string{
	"tesseract":               "tesseract-ocr tesseract-ocr-eng",
	"pocketsphinx_continuous": "pocketsphinx pocketsphinx-en-us",
	"ffmpeg":                  "ffmpeg",
	"flite":                   "flite",
}

// verdictWith returns verdict when every program is installed, and review
// otherwise, because an engine without its program sends items to review.
func verdictWith(t *testing.T, verdict string, programs ...string) string {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			t.Logf("%s is missing, so the samples it reads go to review", p)
			return "review"
		}
	}
	return verdict
}

// mediaPII are the PII values in the generated media. None may appear in a
// redacted copy, a log line or a database row.
var mediaPII = []string{"212-555-0187", "2125550187", "212 555 0187", "jordan.reyes@example.com", "(415) 555-0134", "555-0134"}

// writeMediaFixtures writes one file per engine into dir.
func writeMediaFixtures(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	write := func(name string, data []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	textImage := func(lines ...string) image.Image {
		img, _, err := testmedia.TextImage(lines, 32)
		require.NoError(t, err)
		return img
	}

	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, textImage("Call me at 212-555-0187 today", "Lovely weather here")))
	write("phone-photo.png", buf.Bytes())

	twoPages, err := testmedia.PDF([]testmedia.PDFPage{
		{Lines: []string{"Quarterly report", "Contact jordan.reyes@example.com for details"}},
		{Lines: []string{"Second page", "Call (415) 555-0134 after noon"}},
	}, testmedia.PDFOptions{Compress: true})
	require.NoError(t, err)
	write("report.pdf", twoPages)

	locked, err := testmedia.PDF([]testmedia.PDFPage{{Lines: []string{"Board minutes"}}}, testmedia.PDFOptions{UserPassword: "s3cret"})
	require.NoError(t, err)
	write("locked.pdf", locked)

	voice := filepath.Join(dir, "voicemail.wav")
	require.NoError(t, testmedia.Speech(ctx, "Hello, please call me at two one two, five five five, zero one eight seven.", voice))

	calm := textImage("Welcome to the garden tour")
	abusive := textImage("I know where you live", "and I will hurt you")
	require.NoError(t, testmedia.Video(ctx, []image.Image{calm, calm, abusive, calm}, "", filepath.Join(dir, "flagged-frame.mp4")))
	require.NoError(t, testmedia.Video(ctx, []image.Image{calm, calm, calm, calm, calm, calm}, voice, filepath.Join(dir, "tour-with-speech.mp4")))
}

func TestRunMediaEngines(t *testing.T) {
	for program, packages := range enginePrograms {
		if _, err := exec.LookPath(program); err != nil {
			t.Skipf("skipping: %s is not installed: install the Debian packages %s (.ci/run does)", program, packages)
		}
	}
	bin := buildCLI(t)
	work := t.TempDir()
	inputs := filepath.Join(work, "media")
	require.NoError(t, os.MkdirAll(inputs, 0o755))
	writeMediaFixtures(t, inputs)
	data := filepath.Join(work, "data")

	r := moderato(t, bin, work, "run", "--json", "--data", data, "media")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	results := parseResults(t, r.stdout)

	want := map[string]struct {
		mediaType, verdict string
		pii                map[string]int
		reason             string
	}{
		"media/phone-photo.png":      {mediaType: "image", pii: map[string]int{"PHONE": 1}},
		"media/report.pdf":           {mediaType: "document", verdict: "approved", pii: map[string]int{"EMAIL": 1, "PHONE": 1}},
		"media/locked.pdf":           {mediaType: "document", verdict: "unsupported", pii: map[string]int{}, reason: "password-protected"},
		"media/voicemail.wav":        {mediaType: "audio", verdict: "approved", pii: map[string]int{"PHONE": 1}},
		"media/flagged-frame.mp4":    {mediaType: "video", verdict: "rejected", pii: map[string]int{}},
		"media/tour-with-speech.mp4": {mediaType: "video", pii: map[string]int{"PHONE": 1}},
	}
	assert.Len(t, results, len(want))
	for source, w := range want {
		got, ok := results[source]
		if !assert.True(t, ok, "no result for %s", source) {
			continue
		}
		assert.Equal(t, w.mediaType, got.MediaType, source)
		if w.verdict != "" {
			assert.Equal(t, w.verdict, got.Verdict, "%s: %v", source, got.Reasons)
		}
		pii := map[string]int{}
		for _, p := range got.PII {
			pii[p.Type] = p.Count
		}
		assert.Equal(t, w.pii, pii, source)
		assert.Contains(t, strings.Join(got.Reasons, "\n"), w.reason, source)
		for _, reason := range got.Reasons {
			assert.NotContains(t, reason, "not installed", "%s: every engine is installed", source)
		}
		if len(w.pii) == 0 {
			continue
		}
		require.NotNil(t, got.Redacted, source)
		redacted, err := os.ReadFile(*got.Redacted)
		require.NoError(t, err)
		for _, v := range mediaPII {
			assert.NotContains(t, string(redacted), v, "redacted copy of %s", source)
		}
	}
	assert.True(t, strings.HasSuffix(*results["media/report.pdf"].Redacted, "report.pdf"), "a PDF is published as a redacted PDF")

	for _, name := range []string{"moderato.log", "moderato.db", "moderato.db-wal"} {
		content, err := os.ReadFile(filepath.Join(data, name))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		for _, v := range mediaPII {
			assert.NotContains(t, string(content), v, name)
		}
	}
}
