// Package speech transcribes speech offline with the pocketsphinx_continuous
// program (Debian packages pocketsphinx and pocketsphinx-en-us), the local
// counterpart of Amazon Transcribe. ffmpeg first converts any audio or video
// file to the 16 kHz mono WAV that the recognizer's US English model
// expects.
package speech

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Errors of Transcribe.
var (
	// ErrNotInstalled means pocketsphinx_continuous or ffmpeg is missing.
	ErrNotInstalled = errors.New("speech recognition is not installed: install the Debian packages pocketsphinx, pocketsphinx-en-us and ffmpeg")
	// ErrNoAudio means the file has no audio stream, as a silent video.
	ErrNoAudio = errors.New("no audio stream")
	// ErrUnreadable means ffmpeg could not decode the file.
	ErrUnreadable = errors.New("audio could not be decoded")
	// ErrTooLong means the audio lasts MaxDuration or longer.
	ErrTooLong = errors.New("audio is too long to transcribe locally")
)

// Word is one recognised word and when it was spoken.
type Word struct {
	Text  string
	Start time.Duration
	End   time.Duration
	// Confidence is the recognizer's posterior probability from 0 to 1.
	Confidence float64
}

// Silence marks a pause between words in Transcript.Words.
const Silence = "<sil>"

// Transcript is the recognised speech of one file.
type Transcript struct {
	// Words are in spoken order, with Silence entries at the pauses.
	Words []Word
}

// Engine runs ffmpeg and pocketsphinx_continuous.
type Engine struct {
	// Recognizer is the pocketsphinx_continuous executable. Empty means the
	// one on the PATH.
	Recognizer string
	// FFmpeg is the ffmpeg executable. Empty means the one on the PATH.
	FFmpeg string
	// MaxDuration bounds the audio that is transcribed: longer audio gets
	// ErrTooLong rather than a transcript of its beginning. Zero means 30
	// minutes.
	MaxDuration time.Duration
}

// New returns an Engine with the programs on the PATH.
func New() *Engine { return &Engine{} }

// Check returns ErrNotInstalled when a program is missing.
func (e *Engine) Check() error {
	for _, p := range []string{e.recognizer(), e.ffmpeg()} {
		if _, err := exec.LookPath(p); err != nil {
			return ErrNotInstalled
		}
	}
	return nil
}

func (e *Engine) recognizer() string {
	if e.Recognizer != "" {
		return e.Recognizer
	}
	return "pocketsphinx_continuous"
}

func (e *Engine) ffmpeg() string {
	if e.FFmpeg != "" {
		return e.FFmpeg
	}
	return "ffmpeg"
}

func (e *Engine) maxDuration() time.Duration {
	if e.MaxDuration > 0 {
		return e.MaxDuration
	}
	return 30 * time.Minute
}

// Transcribe recognises the speech in the audio track of the file at path.
// It returns ErrNoAudio for a file without an audio stream and ErrUnreadable
// for a file that ffmpeg cannot decode.
func (e *Engine) Transcribe(ctx context.Context, path string) (Transcript, error) {
	if err := e.Check(); err != nil {
		return Transcript{}, err
	}
	dir, err := os.MkdirTemp("", "moderato-speech-")
	if err != nil {
		return Transcript{}, fmt.Errorf("creating a temporary folder: %w", err)
	}
	defer os.RemoveAll(dir)

	wav := filepath.Join(dir, "speech.wav")
	if err := e.convert(ctx, path, wav); err != nil {
		return Transcript{}, err
	}

	// Recognition of the 6-second test sentence took about 2 s of CPU with
	// pocketsphinx 0.8 (a third of real time), so twice the maximum
	// duration is a generous bound that still stops a hung process.
	ctx, cancel := context.WithTimeout(ctx, 2*e.maxDuration())
	defer cancel()
	cmd := exec.CommandContext(ctx, e.recognizer(), "-infile", wav, "-time", "yes", "-logfn", os.DevNull)
	var out, stderr bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return Transcript{}, fmt.Errorf("running pocketsphinx_continuous: %w: %s", err, lastLine(stderr.String()))
	}
	return ParseTimings(&out)
}

// convert writes the first audio stream of src to dst as 16 kHz mono 16-bit
// WAV. It returns ErrTooLong when the audio reaches the maximum duration,
// where ffmpeg stops converting.
func (e *Engine) convert(ctx context.Context, src, dst string) error {
	if err := e.convertCut(ctx, src, dst); err != nil {
		return err
	}
	st, err := os.Stat(dst)
	if err != nil {
		return fmt.Errorf("reading converted audio: %w", err)
	}
	// 16,000 samples of 2 bytes per second, after a 44-byte header.
	seconds := float64(st.Size()-44) / 32000
	if seconds >= e.maxDuration().Seconds()-1 {
		return fmt.Errorf("%w: the limit is %s", ErrTooLong, e.maxDuration())
	}
	return nil
}

func (e *Engine) convertCut(ctx context.Context, src, dst string) error {
	ctx, cancel := context.WithTimeout(ctx, e.maxDuration())
	defer cancel()
	seconds := strconv.FormatFloat(e.maxDuration().Seconds(), 'f', 0, 64)
	cmd := exec.CommandContext(ctx, e.ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error",
		"-i", src, "-map", "0:a:0?", "-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", "-t", seconds, "-y", dst)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	// The message names the input by "input", not by its temporary path.
	msg := strings.ReplaceAll(stderr.String(), src, "input")
	switch {
	case err == nil:
		return nil
	case strings.Contains(msg, "does not contain any stream"):
		return ErrNoAudio
	case ctx.Err() != nil:
		return fmt.Errorf("converting audio: %w", ctx.Err())
	}
	return fmt.Errorf("%w: ffmpeg: %s", ErrUnreadable, lastLine(msg))
}

// ParseTimings reads the word timing lines that pocketsphinx_continuous
// writes with -time yes ("word start end confidence", times in seconds).
// Sentence markers and noise fillers are dropped, alternate pronunciations
// such as "read(2)" keep their word, and pauses become Silence.
func ParseTimings(r io.Reader) (Transcript, error) {
	var tr Transcript
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 4 {
			continue
		}
		start, err1 := strconv.ParseFloat(fields[1], 64)
		end, err2 := strconv.ParseFloat(fields[2], 64)
		conf, err3 := strconv.ParseFloat(fields[3], 64)
		if err1 != nil || err2 != nil || err3 != nil {
			// A line of four words is the utterance's hypothesis, which the
			// timing lines repeat.
			continue
		}
		word := fields[0]
		if i := strings.IndexByte(word, '('); i > 0 {
			word = word[:i]
		}
		switch {
		case word == "<s>" || word == "</s>":
			continue
		case word == Silence || strings.HasPrefix(word, "[") || strings.HasPrefix(word, "++"):
			word = Silence
		}
		tr.Words = append(tr.Words, Word{
			Text:       word,
			Start:      seconds(start),
			End:        seconds(end),
			Confidence: min(max(conf, 0), 1),
		})
	}
	if err := sc.Err(); err != nil {
		return Transcript{}, fmt.Errorf("reading pocketsphinx output: %w", err)
	}
	return tr, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
