// Package video samples frames from videos with the ffmpeg program (Debian
// package ffmpeg), the local counterpart of the frames that Amazon
// Rekognition's StartContentModeration analyses.
//
// Sampling takes the first frame, the scene changes, the keyframes and one
// frame per second, so a flagged shot between two calm ones is seen without
// passing every frame to the image engine. When there are more such frames than the maximum count,
// it takes an evenly spaced subset of them.
package video

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Errors of Sample.
var (
	// ErrNotInstalled means the ffmpeg program is not on the PATH.
	ErrNotInstalled = errors.New("ffmpeg is not installed: install the Debian package ffmpeg")
	// ErrUnreadable means ffmpeg could not decode any frame of the file.
	ErrUnreadable = errors.New("video could not be decoded")
)

// Sampler runs ffmpeg to sample frames.
type Sampler struct {
	// FFmpeg is the ffmpeg executable. Empty means the one on the PATH.
	FFmpeg string
	// MaxFrames bounds the frames returned. Zero means 32.
	MaxFrames int
	// SceneThreshold is the scene change score from 0 to 1 above which a
	// frame is sampled. Zero means 0.3.
	SceneThreshold float64
	// MaxWidth scales wider frames down, keeping the aspect ratio. Zero
	// means 1280 pixels, enough for OCR of subtitles.
	MaxWidth int
	// Timeout bounds one sampling run. Zero means five minutes.
	Timeout time.Duration
}

// New returns a Sampler with the default limits.
func New() *Sampler { return &Sampler{} }

// Check returns ErrNotInstalled when ffmpeg cannot be found.
func (s *Sampler) Check() error {
	if _, err := exec.LookPath(s.ffmpeg()); err != nil {
		return ErrNotInstalled
	}
	return nil
}

func (s *Sampler) ffmpeg() string {
	if s.FFmpeg != "" {
		return s.FFmpeg
	}
	return "ffmpeg"
}

// Sample returns frames of the video at path in display order.
func (s *Sampler) Sample(ctx context.Context, path string) ([]image.Image, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	maxFrames, threshold, width, timeout := s.MaxFrames, s.SceneThreshold, s.MaxWidth, s.Timeout
	if maxFrames <= 0 {
		maxFrames = 32
	}
	if threshold <= 0 {
		threshold = 0.3
	}
	if width <= 0 {
		width = 1280
	}
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	dir, err := os.MkdirTemp("", "moderato-frames-")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary folder: %w", err)
	}
	defer os.RemoveAll(dir)

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// The first pass finds the candidate frames, and the second decodes a
	// subset spread over the whole video, because the first MaxFrames
	// candidates of a long video would all come from its beginning.
	candidates, err := s.candidates(ctx, path, threshold)
	if err != nil {
		return nil, err
	}
	if len(candidates) == 0 {
		return nil, fmt.Errorf("%w: ffmpeg found no frames", ErrUnreadable)
	}
	chosen := spread(candidates, maxFrames)
	terms := make([]string, len(chosen))
	for i, pts := range chosen {
		terms[i] = "eq(pts\\," + strconv.FormatInt(pts, 10) + ")"
	}
	filter := fmt.Sprintf("select='%s',scale='min(%d\\,iw)':-2", strings.Join(terms, "+"), width)
	cmd := exec.CommandContext(ctx, s.ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error",
		"-i", path, "-map", "0:v:0", "-vf", filter, "-fps_mode", "vfr", "-frames:v", strconv.Itoa(maxFrames),
		filepath.Join(dir, "frame-%05d.png"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("sampling frames: %w", ctx.Err())
	}

	frames, err := readFrames(dir)
	if err != nil {
		return nil, err
	}
	if len(frames) == 0 {
		// The message names the input by "input", not by its temporary path.
		msg := strings.ReplaceAll(stderr.String(), path, "input")
		return nil, fmt.Errorf("%w: ffmpeg: %s", ErrUnreadable, lastLine(msg, runErr))
	}
	// NOTE: a file that breaks off after some decodable frames returns
	// those frames without an error, as a player would show them.
	return frames, nil
}

// showinfoFrame matches a frame line of ffmpeg's showinfo filter and
// captures the frame's presentation timestamp in the stream's time base.
var showinfoFrame = regexp.MustCompile(`\bn:\s*\d+\s+pts:\s*(-?\d+)`)

// candidates returns the timestamps of the first frame, the keyframes, the
// scene changes and one frame per second of the first video stream.
func (s *Sampler) candidates(ctx context.Context, path string, threshold float64) ([]int64, error) {
	// A frame every second also counts, because a change of a few words on
	// a calm background scores far below any useful scene threshold.
	filter := fmt.Sprintf("select='eq(n\\,0)+eq(pict_type\\,I)+gt(scene\\,%s)+gte(t-prev_selected_t\\,1)',showinfo",
		strconv.FormatFloat(threshold, 'f', 3, 64))
	cmd := exec.CommandContext(ctx, s.ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "info",
		"-i", path, "-map", "0:v:0", "-vf", filter, "-fps_mode", "vfr", "-f", "null", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("finding scene changes: %w", ctx.Err())
	}

	var pts []int64
	for _, m := range showinfoFrame.FindAllStringSubmatch(stderr.String(), -1) {
		v, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil && (len(pts) == 0 || v != pts[len(pts)-1]) {
			pts = append(pts, v)
		}
	}
	if len(pts) == 0 && runErr != nil {
		// The message names the input by "input", not by its temporary path.
		msg := strings.ReplaceAll(stderr.String(), path, "input")
		return nil, fmt.Errorf("%w: ffmpeg: %s", ErrUnreadable, lastLine(msg, runErr))
	}
	return pts, nil
}

// spread returns at most n of the candidates, evenly spaced in the list and
// always including the first.
func spread(candidates []int64, n int) []int64 {
	if len(candidates) <= n {
		return candidates
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = candidates[i*len(candidates)/n]
	}
	return out
}

func readFrames(dir string) ([]image.Image, error) {
	names, err := filepath.Glob(filepath.Join(dir, "frame-*.png"))
	if err != nil {
		return nil, fmt.Errorf("listing sampled frames: %w", err)
	}
	sort.Strings(names)
	frames := make([]image.Image, 0, len(names))
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("reading sampled frame: %w", err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("decoding sampled frame %s: %w", filepath.Base(name), err)
		}
		frames = append(frames, img)
	}
	return frames, nil
}

func lastLine(s string, err error) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" && err != nil {
		return err.Error()
	}
	if s == "" {
		return "no frames decoded"
	}
	return s
}
