// Command fetch-model installs the image moderation model that local mode
// uses: the MobileNetV2 "mid" weights of the nsfwjs npm package, at a
// pinned version, checked against pinned SHA-256 sums and stored in the
// user cache directory (override it with MODERATO_CACHE_DIR). It needs npm
// and node; without them it prints which one is missing and exits with
// status 1, and local mode sends images to review.
//
// Usage:
//
//	go run ./cmd/fetch-model [--dir DIR] [--timeout DURATION]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/moderato/moderato/internal/nsfw"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "fetch-model:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	defaultDir, err := nsfw.DefaultDir()
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("fetch-model", flag.ContinueOnError)
	dir := fs.String("dir", defaultDir, "directory to install the model into")
	timeout := fs.Duration("timeout", 5*time.Minute, "time limit for the download and conversion")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	if nsfw.Installed(*dir) == nil {
		fmt.Printf("nsfwjs %s model already installed in %s\n", nsfw.PackageVersion, *dir)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := nsfw.Fetch(ctx, *dir); err != nil {
		return err
	}
	fmt.Printf("installed nsfwjs %s model in %s\n", nsfw.PackageVersion, *dir)
	return nil
}
