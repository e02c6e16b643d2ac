package nsfw

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClassString(t *testing.T) {
	tests := []struct {
		class Class
		want  string
	}{
		{Drawing, "Drawing"},
		{Hentai, "Hentai"},
		{Neutral, "Neutral"},
		{Porn, "Porn"},
		{Sexy, "Sexy"},
		{Class(9), "Class(9)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.class.String())
		})
	}
}

func TestLabels(t *testing.T) {
	tests := []struct {
		name       string
		prediction Prediction
		explicit   float64
		swimwear   float64
	}{
		{name: "neutral photo", prediction: Prediction{Neutral: 1}, explicit: 0, swimwear: 0},
		{name: "safe drawing", prediction: Prediction{Drawing: 0.9, Neutral: 0.1}, explicit: 0, swimwear: 0},
		{name: "porn and hentai add up", prediction: Prediction{Porn: 0.7, Hentai: 0.2, Neutral: 0.1}, explicit: 0.9, swimwear: 0},
		{name: "sexy is swimwear", prediction: Prediction{Sexy: 0.6, Neutral: 0.4}, explicit: 0, swimwear: 0.6},
		{name: "rounding above one is capped", prediction: Prediction{Porn: 0.6, Hentai: 0.4000001}, explicit: 1, swimwear: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels := tt.prediction.Labels()
			require.Len(t, labels, 2)
			assert.Equal(t, LabelExplicit, labels[0].Name)
			assert.InDelta(t, tt.explicit, labels[0].Score, 1e-9)
			assert.Equal(t, LabelSwimwearOrUnderwear, labels[1].Name)
			assert.InDelta(t, tt.swimwear, labels[1].Score, 1e-9)
		})
	}
}

// pixel returns the preprocessed RGB value at (x, y) of the model input.
func pixel(t *testing.T, img image.Image, x, y int) [3]float32 {
	t.Helper()
	in, err := Preprocess(img)
	require.NoError(t, err)
	require.Equal(t, []int{1, inputSize, inputSize, 3}, in.Shape)
	o := (y*inputSize + x) * 3
	return [3]float32{in.Data[o], in.Data[o+1], in.Data[o+2]}
}

func TestPreprocess(t *testing.T) {
	corners := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	corners.SetNRGBA(0, 0, color.NRGBA{255, 0, 0, 255})
	corners.SetNRGBA(1, 0, color.NRGBA{0, 255, 0, 255})
	corners.SetNRGBA(0, 1, color.NRGBA{0, 0, 255, 255})
	corners.SetNRGBA(1, 1, color.NRGBA{255, 255, 255, 255})

	exact := image.NewNRGBA(image.Rect(0, 0, inputSize, inputSize))
	exact.SetNRGBA(5, 7, color.NRGBA{51, 102, 204, 255})

	premultiplied := image.NewRGBA(image.Rect(0, 0, 1, 1))
	premultiplied.SetRGBA(0, 0, color.RGBA{50, 25, 0, 128})

	offset := image.NewNRGBA(image.Rect(10, 20, 12, 22))
	offset.SetNRGBA(10, 20, color.NRGBA{255, 255, 255, 255})

	tests := []struct {
		name string
		img  image.Image
		x, y int
		want [3]float32
	}{
		{name: "top left corner kept", img: corners, x: 0, y: 0, want: [3]float32{1, 0, 0}},
		{name: "top right corner kept", img: corners, x: inputSize - 1, y: 0, want: [3]float32{0, 1, 0}},
		{name: "bottom left corner kept", img: corners, x: 0, y: inputSize - 1, want: [3]float32{0, 0, 1}},
		{name: "bottom right corner kept", img: corners, x: inputSize - 1, y: inputSize - 1, want: [3]float32{1, 1, 1}},
		{name: "exact size copied", img: exact, x: 5, y: 7, want: [3]float32{0.2, 0.4, 0.8}},
		{name: "alpha unpremultiplied", img: premultiplied, x: 100, y: 100, want: [3]float32{99.0 / 255, 49.0 / 255, 0}},
		{name: "bounds not at origin", img: offset, x: 0, y: 0, want: [3]float32{1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pixel(t, tt.img, tt.x, tt.y)
			for c := range 3 {
				assert.InDelta(t, tt.want[c], got[c], 1e-6, "channel %d", c)
			}
		})
	}
}

func TestPreprocessInterpolates(t *testing.T) {
	// Two columns, black and white: with aligned corners, output column x
	// samples input column x/223, so its value is x/223.
	img := image.NewGray(image.Rect(0, 0, 2, 1))
	img.SetGray(1, 0, color.Gray{Y: 255})
	in, err := Preprocess(img)
	require.NoError(t, err)
	for _, x := range []int{0, 1, 100, 111, 222, 223} {
		got := in.Data[(50*inputSize+x)*3]
		assert.InDelta(t, float64(x)/223, got, 1e-6, "column %d", x)
	}
}

func TestPreprocessEmptyImage(t *testing.T) {
	_, err := Preprocess(image.NewNRGBA(image.Rect(0, 0, 0, 10)))
	assert.ErrorIs(t, err, ErrEmptyImage)
}

func TestInstalled(t *testing.T) {
	t.Run("missing directory", func(t *testing.T) {
		err := Installed(filepath.Join(t.TempDir(), "none"))
		assert.ErrorIs(t, err, ErrNotInstalled)
	})
	t.Run("damaged file", func(t *testing.T) {
		dir := t.TempDir()
		for name := range modelFiles {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("not a model"), 0o644))
		}
		err := Installed(dir)
		require.Error(t, err)
		assert.False(t, errors.Is(err, ErrNotInstalled))
		assert.Contains(t, err.Error(), "SHA-256")
	})
}

func TestDefaultDir(t *testing.T) {
	root := t.TempDir()
	t.Setenv(CacheEnv, root)
	dir, err := DefaultDir()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "nsfwjs-"+PackageVersion, "mobilenet_v2_mid"), dir)
}

// tarball builds a gzipped tar archive of the given files.
func tarball(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}))
		_, err := tw.Write([]byte(body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

func TestExtractModelSources(t *testing.T) {
	t.Run("model files and licence", func(t *testing.T) {
		got, err := extractModelSources(tarball(t, map[string]string{
			"package/LICENSE": "MIT",
			"package/dist/models/mobilenet_v2_mid/model.min.js":            "model",
			"package/dist/models/mobilenet_v2_mid/group1-shard1of2.min.js": "shard",
			"package/dist/models/inception_v3/model.min.js":                "other model",
			"package/README.md": "readme",
		}))
		require.NoError(t, err)
		assert.Equal(t, map[string][]byte{
			"LICENSE":                 []byte("MIT"),
			"model.min.js":            []byte("model"),
			"group1-shard1of2.min.js": []byte("shard"),
		}, got)
	})
	t.Run("model missing", func(t *testing.T) {
		_, err := extractModelSources(tarball(t, map[string]string{"package/LICENSE": "MIT"}))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "model.min.js is missing")
	})
	t.Run("not gzip", func(t *testing.T) {
		_, err := extractModelSources([]byte("plain text"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "opening nsfwjs tarball")
	})
}

func TestFetchWithoutNpm(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dir := filepath.Join(t.TempDir(), "model")
	err := Fetch(context.Background(), dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "npm is not installed")
	assert.NoDirExists(t, dir)
}

func TestFetchInstallsModel(t *testing.T) {
	if testing.Short() {
		t.Skip("fetching the model downloads the nsfwjs package; run without -short")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		skipOrFail(t, "fetching the model needs npm: install Node.js and npm (apt-get install npm)")
	}
	dir := filepath.Join(t.TempDir(), "model")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "model.json"), []byte("damaged"), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	require.NoError(t, Fetch(ctx, dir))
	assert.NoError(t, Installed(dir))
	assert.FileExists(t, filepath.Join(dir, "LICENSE"))
	c, err := Load(dir)
	require.NoError(t, err)
	p, err := c.Classify(generatedImages()["shapes 640x480"])
	require.NoError(t, err)
	assert.Greater(t, p[Neutral], 0.5)
}

func TestLoadRejectsDamagedWeights(t *testing.T) {
	src := installedModel(t)
	dir := t.TempDir()
	for name := range modelFiles {
		data, err := os.ReadFile(filepath.Join(src, name))
		require.NoError(t, err)
		if name == "group1-shard2of2" {
			data[len(data)/2] ^= 0xff
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}

	_, err := Load(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "group1-shard2of2")
	assert.Contains(t, err.Error(), "SHA-256")
}

func TestClassifyIsDeterministic(t *testing.T) {
	c, err := Load(installedModel(t))
	require.NoError(t, err)
	img := generatedImages()["skin gradient 300x200"]

	first, err := c.Classify(img)
	require.NoError(t, err)
	second, err := c.Classify(img)
	require.NoError(t, err)
	assert.Equal(t, first, second)

	var sum float64
	for _, p := range first {
		assert.GreaterOrEqual(t, p, 0.0)
		sum += p
	}
	assert.InDelta(t, 1, sum, 1e-5)
}

func TestClassifyConcurrently(t *testing.T) {
	c, err := Load(installedModel(t))
	require.NoError(t, err)
	images := generatedImages()
	want := make(map[string]Prediction, len(images))
	for name, img := range images {
		p, err := c.Classify(img)
		require.NoError(t, err)
		want[name] = p
	}

	type result struct {
		name string
		p    Prediction
		err  error
	}
	results := make(chan result, len(images))
	for name, img := range images {
		go func() {
			p, err := c.Classify(img)
			results <- result{name: name, p: p, err: err}
		}()
	}
	for range images {
		r := <-results
		require.NoError(t, r.err, r.name)
		assert.Equal(t, want[r.name], r.p, r.name)
	}
}
