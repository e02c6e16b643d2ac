package local

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

	"github.com/moderato/moderato/internal/nsfw"
	"github.com/moderato/moderato/internal/policy"
)

// requireImageModel makes sure the nsfwjs model is in the model cache,
// fetching it when npm is installed, and skips the test otherwise.
func requireImageModel(t *testing.T) {
	t.Helper()
	dir, err := nsfw.DefaultDir()
	require.NoError(t, err)
	if nsfw.Installed(dir) == nil {
		return
	}
	if _, err := exec.LookPath("npm"); err != nil {
		msg := "the image model is not installed in " + dir + " and npm is missing: install npm and run `make model`"
		if os.Getenv("MODERATO_REQUIRE_IMAGE_MODEL") != "" {
			t.Fatal(msg + " (MODERATO_REQUIRE_IMAGE_MODEL is set, so this cannot be skipped)")
		}
		t.Skip(msg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	require.NoError(t, nsfw.Fetch(ctx, dir))
}

func TestImageModelScoresReachPolicy(t *testing.T) {
	requireImageModel(t)
	tests := []struct {
		name    string
		policy  string
		verdict policy.Verdict
	}{
		{
			name:    "explicit at review threshold",
			policy:  `{"categories": {"EXPLICIT": {"review_at": 0.000001, "reject_at": 1}}}`,
			verdict: policy.Review,
		},
		{
			name:    "explicit at reject threshold",
			policy:  `{"categories": {"EXPLICIT": {"review_at": 0.000001, "reject_at": 0.000002}}}`,
			verdict: policy.Rejected,
		},
		{
			name:    "swimwear at reject threshold",
			policy:  `{"categories": {"SWIMWEAR_OR_UNDERWEAR": {"review_at": 0.0000001, "reject_at": 0.0000002}}}`,
			verdict: policy.Rejected,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol, err := policy.Parse([]byte(tt.policy))
			require.NoError(t, err)
			h := newHarness(t, Config{Policy: pol})

			res := h.process("photo.png", pngBytes(t, 120, 90))
			require.Equal(t, "image", res.MediaType)
			assert.Equal(t, tt.verdict, res.Verdict, "reasons: %v", res.Reasons)
			require.NotEmpty(t, res.Categories)
			for _, c := range res.Categories {
				assert.Contains(t, []string{nsfw.LabelExplicit, nsfw.LabelSwimwearOrUnderwear}, c.Name)
				assert.Greater(t, c.Score, 0.0)
				assert.Less(t, c.Score, 0.5, "a colour gradient is not explicit")
			}
			assert.NotContains(t, strings.Join(res.Reasons, "\n"), "image was not moderated")
		})
	}
}

func TestImageModelNeutralImageApproved(t *testing.T) {
	requireImageModel(t)
	if _, err := exec.LookPath("tesseract"); err != nil {
		t.Skip("without tesseract images are not scanned for text and go to review: install tesseract-ocr")
	}
	h := newHarness(t, Config{})

	res := h.process("photo.jpg", jpegBytes(t))
	assert.Equal(t, policy.Approved, res.Verdict, "reasons: %v", res.Reasons)
	assert.Empty(t, res.Categories)
}

func TestImageModelMissingSendsToReview(t *testing.T) {
	t.Setenv(nsfw.CacheEnv, t.TempDir())
	h := newHarness(t, Config{})

	res := h.process("photo.png", pngBytes(t, 120, 90))
	assert.Equal(t, policy.Review, res.Verdict)
	assert.Contains(t, strings.Join(res.Reasons, "\n"), "no local image moderation model is installed (run `make model`, which needs npm)")
}

func TestImageModelDamagedSendsToReview(t *testing.T) {
	root := t.TempDir()
	t.Setenv(nsfw.CacheEnv, root)
	dir, err := nsfw.DefaultDir()
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, name := range []string{"model.json", "group1-shard1of2", "group1-shard2of2"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("damaged"), 0o644))
	}
	h := newHarness(t, Config{})

	res := h.process("photo.png", pngBytes(t, 120, 90))
	assert.Equal(t, policy.Review, res.Verdict)
	reasons := strings.Join(res.Reasons, "\n")
	assert.Contains(t, reasons, "the local image moderation model could not be loaded")
	assert.Contains(t, reasons, "SHA-256")
}
