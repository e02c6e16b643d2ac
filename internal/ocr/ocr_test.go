package ocr

import (
	"context"
	"image"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/testmedia"
)

func TestParseTSV(t *testing.T) {
	f, err := os.Open("testdata/words.tsv")
	require.NoError(t, err)
	defer f.Close()

	words, err := ParseTSV(f)
	require.NoError(t, err)

	require.Len(t, words, 4)
	assert.Equal(t, Word{Text: "Call", Box: image.Rect(34, 39, 90, 65), Confidence: 95.06, Line: 0}, words[0])
	assert.Equal(t, "212-555-0187", words[1].Text, "lookalike letters in a number become digits")
	assert.Equal(t, 0, words[1].Line)
	assert.Equal(t, "Card", words[2].Text)
	assert.Equal(t, 1, words[2].Line)
	assert.Equal(t, 2, words[3].Line, "a new block starts a new line")
}

func TestParseTSVErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
	}{
		{"no header", "5\t1\t1\t1\t1\t1\t34\t39\t56\t26\t95\tCall\n"},
		{"bad box", "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n5\t1\t1\t1\t1\t1\tx\t39\t56\t26\t95\tCall\n"},
		{"bad confidence", "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n5\t1\t1\t1\t1\t1\t1\t39\t56\t26\thigh\tCall\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTSV(strings.NewReader(tt.input))
			assert.Error(t, err)
		})
	}
}

func TestFixDigits(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain number", "212-555-0187", "212-555-0187"},
		{"letter O in number", "212-555-O187", "212-555-0187"},
		{"letter l and O", "2l2-555-O187", "212-555-0187"},
		{"pipe for one", "4|11", "4111"},
		{"ordinary word", "Hello", "Hello"},
		{"word with one digit", "SO1", "SO1"},
		{"mostly letters", "B2B", "B2B"},
		{"other letter present", "555-O1x7", "555-O1x7"},
		{"too many lookalikes", "1O1O", "1O1O"},
		{"empty", "", ""},
		{"en dashes", "212\u2013555\u20130187", "212-555-0187"},
		{"em dash and letter O", "212\u2014555\u2014O187", "212-555-0187"},
		{"dash in a word", "well\u2013known", "well\u2013known"},
		{"accented word with digits", "caf\u00e9123", "caf\u00e9123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, FixDigits(tt.in))
		})
	}
}

func TestRecognizeRenderedText(t *testing.T) {
	e := New()
	if err := e.Check(); err != nil {
		t.Skipf("skipping OCR: %v", err)
	}
	lines := []string{"Call me at 212-555-0187 today", "you are a stupid idiot"}
	img, boxes, err := testmedia.TextImage(lines, 32)
	require.NoError(t, err)

	words, err := e.Recognize(context.Background(), img)
	require.NoError(t, err)

	read := make([]string, len(lines))
	for _, w := range words {
		require.Less(t, w.Line, len(lines))
		read[w.Line] = strings.TrimSpace(read[w.Line] + " " + w.Text)
	}
	assert.Equal(t, lines, read)
	for _, w := range words {
		require.GreaterOrEqual(t, w.Line, 0)
		require.Less(t, w.Line, len(boxes))
		line := boxes[w.Line].Inset(-4)
		assert.True(t, w.Box.In(line), "box of %q %v lies in its line %v", w.Text, w.Box, line)
	}
}

func TestRecognizeMissingProgram(t *testing.T) {
	e := &Engine{Program: "/nonexistent/tesseract"}

	_, err := e.Recognize(context.Background(), image.NewGray(image.Rect(0, 0, 10, 10)))

	assert.ErrorIs(t, err, ErrNotInstalled)
}

func TestRecognizeBlankImage(t *testing.T) {
	e := New()
	if err := e.Check(); err != nil {
		t.Skipf("skipping OCR: %v", err)
	}
	img := image.NewGray(image.Rect(0, 0, 200, 100))
	for i := range img.Pix {
		img.Pix[i] = 255
	}

	words, err := e.Recognize(context.Background(), img)

	require.NoError(t, err)
	assert.Empty(t, words)
}
