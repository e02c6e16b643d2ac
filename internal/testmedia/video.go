package testmedia

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
)

// ErrNoFFmpeg means the ffmpeg program is not installed.
var ErrNoFFmpeg = errors.New("ffmpeg is not installed: install the Debian package ffmpeg")

// Video writes an H.264 MP4 file at path that shows each frame for one
// second, in order, at 10 frames per second. Frames are centred on a white
// canvas of the largest frame's size. When audio names a WAV file, it
// becomes the video's AAC audio track, cut to the video's length.
func Video(ctx context.Context, frames []image.Image, audio, path string) error {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return ErrNoFFmpeg
	}
	if len(frames) == 0 {
		return errors.New("writing a video: no frames given")
	}
	dir, err := os.MkdirTemp("", "testmedia-video-")
	if err != nil {
		return fmt.Errorf("creating a temporary folder: %w", err)
	}
	defer os.RemoveAll(dir)

	var size image.Point
	for _, f := range frames {
		size.X = max(size.X, f.Bounds().Dx())
		size.Y = max(size.Y, f.Bounds().Dy())
	}
	// H.264 with 4:2:0 chroma needs even dimensions.
	size.X += size.X % 2
	size.Y += size.Y % 2
	for i, f := range frames {
		canvas := image.NewRGBA(image.Rectangle{Max: size})
		draw.Draw(canvas, canvas.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		offset := size.Sub(f.Bounds().Size()).Div(2)
		draw.Draw(canvas, f.Bounds().Sub(f.Bounds().Min).Add(offset), f, f.Bounds().Min, draw.Src)
		if err := writePNG(filepath.Join(dir, fmt.Sprintf("frame-%03d.png", i)), canvas); err != nil {
			return err
		}
	}

	args := []string{"-nostdin", "-loglevel", "error", "-framerate", "1", "-i", filepath.Join(dir, "frame-%03d.png")}
	if audio != "" {
		args = append(args, "-i", audio, "-c:a", "aac", "-shortest")
	}
	args = append(args, "-c:v", "libx264", "-r", "10", "-pix_fmt", "yuv420p", "-y", path)
	out, err := exec.CommandContext(ctx, "ffmpeg", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("writing video with ffmpeg: %w: %s", err, out)
	}
	return nil
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return f.Close()
}
