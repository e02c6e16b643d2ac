package nsfw

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// referencePackages are the npm packages of the reference implementation:
// the pinned nsfwjs and TensorFlow.js 4.22.0, which satisfies the
// devDependency ^4.22.0 that nsfwjs 4.4.0 declares.
var referencePackages = []string{
	"nsfwjs@" + PackageVersion,
	"@tensorflow/tfjs@4.22.0",
	"@tensorflow/tfjs-backend-wasm@4.22.0",
	"buffer@6.0.3",
}

var (
	referenceOnce sync.Once
	referenceDir  string
	referenceErr  error

	modelOnce sync.Once
	modelDir  string
	modelErr  error
)

// requireEnv makes the model tests fail instead of skipping when npm or
// node is missing. CI sets it.
const requireEnv = "MODERATO_REQUIRE_IMAGE_MODEL"

// skipOrFail skips the test with msg, or fails it when requireEnv is set.
func skipOrFail(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv(requireEnv) != "" {
		tb.Fatalf("%s (%s is set, so this cannot be skipped)", msg, requireEnv)
	}
	tb.Skip(msg)
}

// installedModel returns the directory of the installed model, fetching it
// into the cache when it is missing, or skips the test when npm is not
// installed.
func installedModel(tb testing.TB) string {
	tb.Helper()
	modelOnce.Do(func() {
		modelDir, modelErr = DefaultDir()
		if modelErr != nil || Installed(modelDir) == nil {
			return
		}
		if _, err := exec.LookPath("npm"); err != nil {
			modelErr = fmt.Errorf("skip: the nsfw model is not installed in %s and npm is missing: install npm and run `make model`", modelDir)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		modelErr = Fetch(ctx, modelDir)
	})
	if modelErr != nil && strings.HasPrefix(modelErr.Error(), "skip: ") {
		skipOrFail(tb, strings.TrimPrefix(modelErr.Error(), "skip: "))
	}
	require.NoError(tb, modelErr)
	return modelDir
}

// referenceInstall installs nsfwjs and TensorFlow.js with the WASM backend
// into the cache once, or skips when npm or node is missing.
func referenceInstall(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("the nsfwjs reference comparison installs npm packages; run without -short")
	}
	for _, tool := range []string{"npm", "node"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(tb, "the nsfwjs reference comparison needs "+tool+": install Node.js and npm (apt-get install npm)")
		}
	}
	referenceOnce.Do(func() {
		referenceDir, referenceErr = installReference()
	})
	require.NoError(tb, referenceErr)
	return referenceDir
}

// installReference returns a directory with the reference packages and
// script. The packages are installed once into the model cache, under a
// name derived from the package list, because they weigh about 350 MB; the
// marker file is written only after a complete install.
func installReference() (string, error) {
	modelDir, err := DefaultDir()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(strings.Join(referencePackages, "\n")))
	dir := filepath.Join(filepath.Dir(filepath.Dir(modelDir)), "nsfwjs-reference-"+hex.EncodeToString(sum[:6]))
	marker := filepath.Join(dir, "installed")

	if _, err := os.Stat(marker); err != nil {
		if err := os.RemoveAll(dir); err != nil {
			return "", err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		args := append([]string{"install", "--no-audit", "--no-fund", "--no-save", "--prefix", dir}, referencePackages...)
		cmd := exec.CommandContext(ctx, "npm", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("installing %v with npm into %s: %w: %s", referencePackages, dir, err, out)
		}
		if err := os.WriteFile(marker, []byte(strings.Join(referencePackages, "\n")+"\n"), 0o644); err != nil {
			return "", err
		}
	}

	script, err := os.ReadFile(filepath.Join("testdata", "reference.cjs"))
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "reference.cjs"), script, 0o644); err != nil {
		return "", err
	}
	return dir, nil
}

// referenceResult is the output of testdata/reference.cjs.
type referenceResult struct {
	Backend           string               `json:"backend"`
	Probabilities     map[string][]float64 `json:"probabilities"`
	MsPerInference    float64              `json:"ms_per_inference"`
	CPUMsPerInference float64              `json:"cpu_ms_per_inference"`
}

// runReference classifies the images with nsfwjs and, when benchRuns is
// positive, times that many inferences.
func runReference(tb testing.TB, dir string, images map[string]image.Image, benchRuns int) referenceResult {
	tb.Helper()
	work := tb.TempDir()
	type entry struct {
		Name   string `json:"name"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
		File   string `json:"file"`
	}
	var manifest []entry
	i := 0
	for name, img := range images {
		file := filepath.Join(work, fmt.Sprintf("%d.rgb", i))
		i++
		require.NoError(tb, os.WriteFile(file, rgbBytes(img), 0o644))
		b := img.Bounds()
		manifest = append(manifest, entry{Name: name, Width: b.Dx(), Height: b.Dy(), File: file})
	}
	manifestPath := filepath.Join(work, "manifest.json")
	data, err := json.Marshal(manifest)
	require.NoError(tb, err)
	require.NoError(tb, os.WriteFile(manifestPath, data, 0o644))

	cmd := exec.Command("node", "reference.cjs", manifestPath, fmt.Sprint(benchRuns))
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(tb, cmd.Run(), "running the nsfwjs reference: %s", stderr.String())

	var res referenceResult
	require.NoError(tb, json.Unmarshal(stdout.Bytes(), &res), "parsing reference output %q", stdout.String())
	require.Equal(tb, "wasm", res.Backend)
	return res
}

// rgbBytes returns the pixels of img as the reference reads them: RGB
// bytes row by row, unpremultiplied, alpha dropped.
func rgbBytes(img image.Image) []byte {
	b := img.Bounds()
	out := make([]byte, 0, b.Dx()*b.Dy()*3)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl := rgb8At(img, x, y)
			out = append(out, r, g, bl)
		}
	}
	return out
}
