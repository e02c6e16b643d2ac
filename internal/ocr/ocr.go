// Package ocr reads the words of an image and their boxes with the
// tesseract program (Debian package tesseract-ocr), the local counterpart
// of Amazon Rekognition DetectText.
//
// Tesseract runs as a separate process with OMP_THREAD_LIMIT=1, because its
// OpenMP threads slow it down on small images and compete with the
// pipeline's own workers. Its TSV output gives one row per word with the
// word's box and confidence.
package ocr

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// ErrNotInstalled means the tesseract program is not on the PATH.
var ErrNotInstalled = errors.New("tesseract is not installed: install the Debian packages tesseract-ocr and tesseract-ocr-eng")

// Word is one word that tesseract read.
type Word struct {
	// Text is the word as read, after FixDigits.
	Text string
	// Box is the word's bounding box in image pixels.
	Box image.Rectangle
	// Confidence is tesseract's confidence from 0 to 100.
	Confidence float64
	// Line numbers the text lines of the image in reading order, from 0.
	Line int
}

// Engine runs tesseract.
type Engine struct {
	// Program is the tesseract executable. Empty means "tesseract" on the
	// PATH.
	Program string
	// Language is the tesseract language code. Empty means "eng".
	Language string
	// Timeout bounds one recognition. Zero means one minute.
	Timeout time.Duration
	// MinConfidence drops words below this confidence (0 to 100). The
	// default 0 keeps every word, because a correctly read number can
	// score as low as 22 (tesseract 5.3 on 40-pixel text), and a PII word
	// that is dropped is not redacted.
	MinConfidence float64
}

// New returns an Engine with the default program, language and limits.
func New() *Engine { return &Engine{} }

// Check returns ErrNotInstalled when the tesseract program cannot be found.
func (e *Engine) Check() error {
	if _, err := exec.LookPath(e.program()); err != nil {
		return ErrNotInstalled
	}
	return nil
}

func (e *Engine) program() string {
	if e.Program != "" {
		return e.Program
	}
	return "tesseract"
}

// Recognize returns the words of img in reading order.
func (e *Engine) Recognize(ctx context.Context, img image.Image) ([]Word, error) {
	if err := e.Check(); err != nil {
		return nil, err
	}
	var in bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&in, img); err != nil {
		return nil, fmt.Errorf("encoding the image for tesseract: %w", err)
	}

	timeout := e.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	lang := e.Language
	if lang == "" {
		lang = "eng"
	}
	// Page segmentation mode 3 finds text blocks anywhere in the image,
	// which suits photos and screenshots as well as pages.
	cmd := exec.CommandContext(ctx, e.program(), "stdin", "stdout", "-l", lang, "--psm", "3", "tsv")
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	cmd.Stdin = &in
	var out, stderr bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("running tesseract: %w: %s", err, lastLine(stderr.String()))
	}

	words, err := ParseTSV(&out)
	if err != nil {
		return nil, err
	}
	confident := words[:0]
	for _, w := range words {
		if w.Confidence >= e.MinConfidence {
			confident = append(confident, w)
		}
	}
	return confident, nil
}

// ParseTSV reads tesseract's TSV output and returns its words (rows of
// level 5) with FixDigits applied. Lines are numbered across blocks and
// paragraphs in the order tesseract wrote them.
func ParseTSV(r io.Reader) ([]Word, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var words []Word
	type lineKey struct{ page, block, par, line string }
	var last lineKey
	line := -1
	for n := 0; sc.Scan(); n++ {
		fields := strings.Split(sc.Text(), "\t")
		if n == 0 {
			if len(fields) < 12 || fields[0] != "level" {
				return nil, fmt.Errorf("reading tesseract TSV: unexpected header %q", sc.Text())
			}
			continue
		}
		if len(fields) < 12 || fields[0] != "5" {
			continue
		}
		text := strings.TrimSpace(fields[11])
		if text == "" {
			continue
		}
		nums := make([]int, 4)
		for i, f := range fields[6:10] {
			v, err := strconv.Atoi(f)
			if err != nil {
				return nil, fmt.Errorf("reading tesseract TSV line %d: invalid box value %q", n+1, f)
			}
			nums[i] = v
		}
		conf, err := strconv.ParseFloat(fields[10], 64)
		if err != nil {
			return nil, fmt.Errorf("reading tesseract TSV line %d: invalid confidence %q", n+1, fields[10])
		}
		key := lineKey{fields[1], fields[2], fields[3], fields[4]}
		if line < 0 || key != last {
			line++
			last = key
		}
		words = append(words, Word{
			Text:       FixDigits(text),
			Box:        image.Rect(nums[0], nums[1], nums[0]+nums[2], nums[1]+nums[3]),
			Confidence: conf,
			Line:       line,
		})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading tesseract TSV: %w", err)
	}
	return words, nil
}

// digitLookalikes maps letters that OCR confuses with digits to the digit.
var digitLookalikes = map[byte]byte{'O': '0', 'o': '0', 'D': '0', 'l': '1', 'I': '1', '|': '1', 'i': '1', 'S': '5', 'B': '8', 'Z': '2'}

// dashes are the Unicode dashes that OCR reads in place of the hyphen
// that separates digit groups.
var dashes = strings.NewReplacer("\u2010", "-", "\u2011", "-", "\u2012", "-", "\u2013", "-", "\u2014", "-", "\u2212", "-")

// FixDigits repairs what OCR misreads in a word made mostly of digits:
// letters read in place of digits ("2l2-555-O187") and Unicode dashes read
// in place of hyphens ("212–555–0187"). It changes a word only when the word
// has at least three digits, twice as many digits as lookalike letters and
// no other letter, so ordinary words stay as read. The PII validators
// (checksums, phone metadata) still decide whether the result is a valid
// number.
func FixDigits(word string) string {
	digits, lookalikes, letters := 0, 0, 0
	for i := 0; i < len(word); i++ {
		c := word[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case digitLookalikes[c] != 0:
			lookalikes++
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			letters++
		}
	}
	if letters > 0 || digits < 2*lookalikes || digits < 3 {
		return word
	}
	out := []byte(dashes.Replace(word))
	for i, c := range out {
		if d := digitLookalikes[c]; d != 0 {
			out[i] = d
		}
	}
	return string(out)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
