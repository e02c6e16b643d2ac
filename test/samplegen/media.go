package main

import (
	"context"
	"image"
	"log"
	"os"
	"path/filepath"

	"github.com/moderato/moderato/internal/testmedia"
)

const (
	documentsDir = "samples/documents"
	audioDir     = "samples/audio"
	videoDir     = "samples/video"
)

// writeMedia writes the document, audio and video samples. The audio needs
// flite and the video ffmpeg on PATH; each is skipped, with a message,
// without its program.
func writeMedia() {
	ctx := context.Background()
	for _, dir := range []string{documentsDir, audioDir, videoDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			log.Fatalf("creating %s: %v", dir, err)
		}
	}

	report, err := testmedia.PDF([]testmedia.PDFPage{
		{Lines: []string{"Garden club: autumn report", "Questions go to jordan.reyes@example.com, our secretary."}},
		{Lines: []string{"Next meeting on Thursday", "Call (415) 555-0134 if you cannot come."}},
	}, testmedia.PDFOptions{Compress: true})
	if err != nil {
		log.Fatalf("writing the PDF sample: %v", err)
	}
	write(documentsDir, "club-report.pdf", report)

	voicemail := filepath.Join(audioDir, "voicemail.wav")
	err = testmedia.Speech(ctx, "Hello, please call me at two one two, five five five, zero one eight seven.", voicemail)
	if err != nil {
		log.Printf("skipping %s: %v", voicemail, err)
	} else {
		log.Printf("wrote %s", voicemail)
	}

	calm := textImage("Welcome to the garden tour")
	threat := textImage("I know where you live", "and I will hurt you")
	tour := filepath.Join(videoDir, "tour-with-threat.mp4")
	if err := testmedia.Video(ctx, []image.Image{calm, calm, threat, calm}, "", tour); err != nil {
		log.Printf("skipping %s: %v", tour, err)
	} else {
		log.Printf("wrote %s", tour)
	}
}

func textImage(lines ...string) image.Image {
	img, _, err := testmedia.TextImage(lines, 32)
	if err != nil {
		log.Fatalf("rendering sample text: %v", err)
	}
	return img
}
