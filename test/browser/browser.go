// Package browser drives the review page in headless Chromium: a moderator
// opens the queue, moves with the keyboard, approves an item, and the paused
// execution completes. Its helpers start Chromium, keep screenshots, and put
// a stand-in for API Gateway (Gateway, with a JWT Issuer) in front of the
// review API, for tests of the AWS deployment as well.
package browser

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// RequireEnv names the variable that turns a missing Chromium from a skip
// into a failure. CI sets it, so that the browser tests cannot silently
// stop running there.
const RequireEnv = "MODERATO_REQUIRE_BROWSER"

// ChromiumPath returns the Chromium binary: $CHROMIUM_PATH, or chromium on
// the PATH. Without one it skips the test, or fails it when RequireEnv is
// set.
func ChromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err == nil {
		return p
	}
	msg := "chromium is not installed: run \"apt-get install -y chromium\" (Debian) or set CHROMIUM_PATH to a Chromium binary"
	if os.Getenv(RequireEnv) != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// ArtifactDir returns the folder for screenshots: $MODERATO_ARTIFACT_DIR,
// or a moderato-artifacts folder in the system's temporary directory.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("MODERATO_ARTIFACT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "moderato-artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// SaveScreenshot writes a screenshot of the whole page to name in
// ArtifactDir and returns its path.
func SaveScreenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	screenshot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	path := filepath.Join(ArtifactDir(t), name)
	require.NoError(t, os.WriteFile(path, screenshot, 0o644))
	return path
}

// New starts headless Chromium with a fresh profile and no background
// traffic, and returns a context of its first tab, which ends with the
// test or after timeout.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancelTimeout)
	return ctx
}
