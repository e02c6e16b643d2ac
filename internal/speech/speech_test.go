package speech

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/testmedia"
)

func TestParseTimings(t *testing.T) {
	f, err := os.Open("testdata/timings.txt")
	require.NoError(t, err)
	defer f.Close()

	tr, err := ParseTimings(f)
	require.NoError(t, err)

	var texts []string
	for _, w := range tr.Words {
		texts = append(texts, w.Text)
	}
	assert.Equal(t, []string{"hello", "read", Silence, "two", "one", "two", Silence, "five"}, texts)
	assert.Equal(t, Word{Text: "hello", Start: 130 * time.Millisecond, End: 620 * time.Millisecond, Confidence: 0.758637}, tr.Words[0])
}

func TestTranscriptText(t *testing.T) {
	words := func(s string) Transcript {
		var tr Transcript
		for _, w := range strings.Fields(s) {
			tr.Words = append(tr.Words, Word{Text: w})
		}
		return tr
	}
	tests := []struct {
		name, words, want string
	}{
		{"phone number with pauses", "call me at two one two <sil> five five five <sil> zero one eight seven now", "call me at 212 555 0187 now"},
		{"short run stays words", "one or two cats", "one or two cats"},
		{"two digits stay words", "give me five five minutes", "give me five five minutes"},
		{"oh reads as zero", "room four oh four", "room 404"},
		{"pause before run", "code <sil> seven three seven", "code 737"},
		{"leading and trailing pauses", "<sil> hello <sil>", "hello"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, words(tt.words).Text())
		})
	}
}

func requireEngine(t *testing.T) *Engine {
	t.Helper()
	e := New()
	if err := e.Check(); err != nil {
		t.Skipf("skipping speech recognition: %v", err)
	}
	return e
}

func TestTranscribeSpokenPhoneNumber(t *testing.T) {
	e := requireEngine(t)
	wav := filepath.Join(t.TempDir(), "speech.wav")
	if err := testmedia.Speech(context.Background(), "Hello, please call me at two one two, five five five, zero one eight seven.", wav); err != nil {
		t.Skipf("skipping: %v", err)
	}

	tr, err := e.Transcribe(context.Background(), wav)
	require.NoError(t, err)

	assert.Contains(t, tr.Text(), "212 555 0187")
	assert.Contains(t, tr.Text(), "call me")
	require.NotEmpty(t, tr.Words)
	for i := 1; i < len(tr.Words); i++ {
		assert.LessOrEqual(t, tr.Words[i-1].End, tr.Words[i].Start, "words are in spoken order")
	}
}

func TestTranscribeErrors(t *testing.T) {
	e := requireEngine(t)
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mp3")
	require.NoError(t, os.WriteFile(garbage, []byte("ID3 this is not audio at all"), 0o644))
	silentVideo := filepath.Join(dir, "silent.mp4")
	out, err := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=blue:s=64x64:d=1", "-pix_fmt", "yuv420p", "-y", silentVideo).CombinedOutput()
	require.NoError(t, err, "%s", out)

	tests := []struct {
		name string
		path string
		want error
	}{
		{"video without audio", silentVideo, ErrNoAudio},
		{"not audio", garbage, ErrUnreadable},
		{"missing file", filepath.Join(dir, "missing.wav"), ErrUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Transcribe(context.Background(), tt.path)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestTranscribeTooLong(t *testing.T) {
	e := requireEngine(t)
	e.MaxDuration = 3 * time.Second
	wav := filepath.Join(t.TempDir(), "speech.wav")
	if err := testmedia.Speech(context.Background(), "Hello, please call me at two one two, five five five, zero one eight seven.", wav); err != nil {
		t.Skipf("skipping: %v", err)
	}

	_, err := e.Transcribe(context.Background(), wav)

	assert.ErrorIs(t, err, ErrTooLong)
}

func TestTranscribeMissingProgram(t *testing.T) {
	e := &Engine{Recognizer: "/nonexistent/pocketsphinx_continuous"}

	_, err := e.Transcribe(context.Background(), "speech.wav")

	assert.ErrorIs(t, err, ErrNotInstalled)
}
