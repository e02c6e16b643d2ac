package testmedia

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
)

// ErrNoSynthesizer means the flite program is not installed.
var ErrNoSynthesizer = errors.New("flite is not installed: install the Debian package flite")

// Speech synthesises text as spoken English into a WAV file at path with
// flite's "rms" voice, which pocketsphinx's US English model recognises
// best of flite's built-in voices.
func Speech(ctx context.Context, text, path string) error {
	if _, err := exec.LookPath("flite"); err != nil {
		return ErrNoSynthesizer
	}
	out, err := exec.CommandContext(ctx, "flite", "-voice", "rms", "-t", text, "-o", path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("synthesising speech with flite: %w: %s", err, out)
	}
	return nil
}
