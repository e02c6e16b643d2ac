package e2e

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/nsfw"
)

// sampleImageVerdict returns the verdict of the neutral images under
// samples/images. It installs the image model first when npm is available.
// With the model and tesseract both installed the images are approved;
// without either one they are not fully analysed and go to review.
func sampleImageVerdict(t *testing.T) string {
	t.Helper()
	dir, err := nsfw.DefaultDir()
	require.NoError(t, err)
	if nsfw.Installed(dir) != nil {
		if _, err := exec.LookPath("npm"); err != nil {
			t.Logf("the image model is not installed in %s and npm is missing, so sample images go to review", dir)
			return "review"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		require.NoError(t, nsfw.Fetch(ctx, dir))
	}
	if _, err := exec.LookPath("tesseract"); err != nil {
		t.Log("tesseract is missing, so sample images are not scanned for text and go to review")
		return "review"
	}
	return "approved"
}
