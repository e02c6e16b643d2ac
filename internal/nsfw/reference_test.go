package nsfw

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/imaging"
)

// referenceTolerance is the largest difference per class probability
// allowed between this package and nsfwjs.
const referenceTolerance = 0.01

// skinTones are light to dark skin colours for the generated gradients.
var skinTones = []color.NRGBA{
	{255, 224, 196, 255},
	{234, 192, 134, 255},
	{198, 134, 66, 255},
	{141, 85, 36, 255},
	{80, 51, 26, 255},
}

// generatedImages returns neutral test images of several sizes and pixel
// formats: skin-tone gradients, shapes, noise and edge cases of the resize.
func generatedImages() map[string]image.Image {
	images := make(map[string]image.Image)

	horizontal := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			horizontal.SetNRGBA(x, y, skinBlend(float64(x)/299, float64(y)/199))
		}
	}
	images["skin gradient 300x200"] = horizontal

	radial := image.NewNRGBA(image.Rect(0, 0, 224, 224))
	for y := range 224 {
		for x := range 224 {
			d := math.Hypot(float64(x-112), float64(y-112)) / 159
			radial.SetNRGBA(x, y, skinBlend(d, 0.5))
		}
	}
	images["skin radial 224x224"] = radial

	large := image.NewRGBA(image.Rect(0, 0, 1280, 720))
	for y := range 720 {
		for x := range 1280 {
			c := skinBlend(float64(y)/719, float64(x)/1279)
			large.SetRGBA(x, y, color.RGBA{c.R, c.G, c.B, 255})
		}
	}
	images["skin gradient rgba 1280x720"] = large

	shapes := image.NewNRGBA(image.Rect(0, 0, 640, 480))
	for y := range 480 {
		for x := range 640 {
			c := color.NRGBA{240, 240, 235, 255}
			switch {
			case math.Hypot(float64(x-200), float64(y-240)) < 120:
				c = color.NRGBA{220, 40, 40, 255}
			case x > 380 && x < 600 && y > 80 && y < 300:
				c = color.NRGBA{30, 90, 200, 255}
			case y > 380 && (x/20)%2 == 0:
				c = color.NRGBA{20, 140, 60, 255}
			}
			shapes.SetNRGBA(x, y, c)
		}
	}
	images["shapes 640x480"] = shapes

	checker := image.NewGray(image.Rect(0, 0, 97, 61))
	for y := range 61 {
		for x := range 97 {
			if (x/8+y/8)%2 == 0 {
				checker.SetGray(x, y, color.Gray{Y: 230})
			} else {
				checker.SetGray(x, y, color.Gray{Y: 25})
			}
		}
	}
	images["checkerboard gray 97x61"] = checker

	rng := rand.New(rand.NewPCG(7, 11))
	noise := image.NewNRGBA(image.Rect(0, 0, 128, 128))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.IntN(256))
	}
	for i := 3; i < len(noise.Pix); i += 4 {
		noise.Pix[i] = 255
	}
	images["noise 128x128"] = noise

	translucent := image.NewNRGBA(image.Rect(0, 0, 160, 90))
	for y := range 90 {
		for x := range 160 {
			c := skinBlend(float64(x)/159, 0.2)
			c.A = uint8(64 + y)
			translucent.SetNRGBA(x, y, c)
		}
	}
	images["translucent skin 160x90"] = translucent

	images["single pixel"] = solid(1, 1, skinTones[2])
	images["tall strip 20x900"] = stripes(20, 900)
	images["wide strip 1000x30"] = stripes(1000, 30)
	return images
}

// skinBlend returns a colour between the skin tones at t in [0, 1],
// darkened towards the bottom by shade in [0, 1].
func skinBlend(t, shade float64) color.NRGBA {
	t = min(max(t, 0), 1) * float64(len(skinTones)-1)
	i := min(int(t), len(skinTones)-2)
	f := t - float64(i)
	a, b := skinTones[i], skinTones[i+1]
	mix := func(x, y uint8) uint8 {
		v := (float64(x)*(1-f) + float64(y)*f) * (1 - 0.3*shade)
		return uint8(math.Round(v))
	}
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

func solid(w, h int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func stripes(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, skinTones[(x+y)/7%len(skinTones)])
		}
	}
	return img
}

// sampleImages returns the images under samples/images as the pipeline
// hands them to the engine: decoded, upright, without metadata.
func sampleImages(t *testing.T) map[string]image.Image {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "samples", "images", "*"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "samples/images is empty")
	images := make(map[string]image.Image)
	for _, path := range paths {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		res, err := imaging.Normalize(data, imaging.DefaultOptions())
		require.NoError(t, err, "normalising %s", path)
		images["sample "+filepath.Base(path)] = res.Image
	}
	return images
}

func TestClassifyMatchesReference(t *testing.T) {
	dir := installedModel(t)
	refDir := referenceInstall(t)
	c, err := Load(dir)
	require.NoError(t, err)

	images := generatedImages()
	for name, img := range sampleImages(t) {
		images[name] = img
	}
	ref := runReference(t, refDir, images, 0)
	require.Len(t, ref.Probabilities, len(images))

	var worst float64
	for name, img := range images {
		t.Run(name, func(t *testing.T) {
			want, ok := ref.Probabilities[name]
			require.True(t, ok, "the reference returned no result")
			require.Len(t, want, int(numClasses))

			got, err := c.Classify(img)
			require.NoError(t, err)
			for class := range numClasses {
				diff := math.Abs(got[class] - want[class])
				worst = max(worst, diff)
				assert.InDelta(t, want[class], got[class], referenceTolerance, "class %s", class)
			}
		})
	}
	t.Logf("largest difference from nsfwjs over %d images: %.2g", len(images), worst)
}

// BenchmarkClassify measures one inference on a 640×480 image, resize
// included, and reports the process CPU time per inference as cpu-ms/op.
// When npm and node are installed it then times nsfwjs on the TensorFlow.js
// WASM backend with one thread on the same image and reports
// reference-ms/op and reference-cpu-ms/op. CPU time is the fairer measure
// on a busy machine. Run it on one core:
//
//	go test -run '^$' -bench Classify -cpu 1 ./internal/nsfw/
func BenchmarkClassify(b *testing.B) {
	c, err := Load(installedModel(b))
	require.NoError(b, err)
	img := generatedImages()["shapes 640x480"]

	cpuStart, cpuOK := processCPUTime()
	for b.Loop() {
		if _, err := c.Classify(img); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if cpuEnd, ok := processCPUTime(); cpuOK && ok {
		b.ReportMetric(float64(cpuEnd-cpuStart)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}

	if testing.Short() {
		return
	}
	refDir := referenceInstall(b)
	ref := runReference(b, refDir, map[string]image.Image{"bench": img}, 50)
	b.ReportMetric(ref.MsPerInference, "reference-ms/op")
	b.ReportMetric(ref.CPUMsPerInference, "reference-cpu-ms/op")
}
