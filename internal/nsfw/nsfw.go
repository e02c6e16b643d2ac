// Package nsfw classifies images as Drawing, Hentai, Neutral, Porn or Sexy
// with the MobileNetV2 "mid" model of the nsfwjs npm package, run in pure Go
// by package tfjs, and maps the classes to Amazon Rekognition's moderation
// labels.
//
// Classify prepares an image exactly as nsfwjs 4.4.0 does before it calls
// the model: RGB values divided by 255, then a bilinear resize to 224×224
// with aligned corners, skipped when the image already has that size. The
// model itself scales the values to [-1, 1].
package nsfw

import (
	"errors"
	"fmt"
	"image"
	"image/color"

	"github.com/moderato/moderato/internal/tfjs"
)

// Class is one of the model's output classes, in output order.
type Class int

// The classes of the nsfwjs model.
const (
	Drawing Class = iota
	Hentai
	Neutral
	Porn
	Sexy
	numClasses
)

var classNames = [numClasses]string{"Drawing", "Hentai", "Neutral", "Porn", "Sexy"}

// String returns the class name as nsfwjs spells it.
func (c Class) String() string {
	if c < 0 || c >= numClasses {
		return fmt.Sprintf("Class(%d)", int(c))
	}
	return classNames[c]
}

// Prediction holds the probability of each class, indexed by Class. The
// probabilities sum to 1.
type Prediction [numClasses]float64

// inputSize is the side of the square input of the model.
const inputSize = 224

const (
	inputNode  = "input"
	outputNode = "Identity"
)

// Classifier runs the model. It is safe for concurrent use.
type Classifier struct {
	model *tfjs.Model
}

// Load checks the model files in dir against their pinned SHA-256 and
// loads them. The error wraps ErrNotInstalled when files are missing; Fetch
// installs them.
func Load(dir string) (*Classifier, error) {
	if err := Installed(dir); err != nil {
		return nil, err
	}
	m, err := tfjs.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("loading nsfw model: %w", err)
	}
	return &Classifier{model: m}, nil
}

// Classify returns the class probabilities of img.
func (c *Classifier) Classify(img image.Image) (Prediction, error) {
	input, err := Preprocess(img)
	if err != nil {
		return Prediction{}, err
	}
	out, err := c.model.Run(map[string]*tfjs.Tensor{inputNode: input}, outputNode)
	if err != nil {
		return Prediction{}, fmt.Errorf("running nsfw model: %w", err)
	}
	if len(out.Data) != int(numClasses) {
		return Prediction{}, fmt.Errorf("running nsfw model: expected %d outputs, got %d", numClasses, len(out.Data))
	}
	var p Prediction
	for i, v := range out.Data {
		p[i] = float64(v)
	}
	return p, nil
}

// ErrEmptyImage reports an image with no pixels.
var ErrEmptyImage = errors.New("image has no pixels")

// Preprocess returns the model input for img: a [1, 224, 224, 3] tensor of
// RGB values in [0, 1]. Alpha is dropped and colour values are taken
// unpremultiplied, as a browser reads the pixels of a decoded image. Only
// the pixels that the resize samples are read, so a large image costs no
// more than a small one.
func Preprocess(img image.Image) (*tfjs.Tensor, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return nil, ErrEmptyImage
	}
	out := tfjs.NewTensor(1, inputSize, inputSize, 3)

	if w == inputSize && h == inputSize {
		for y := range h {
			for x := range w {
				r, g, bl := rgbAt(img, b.Min.X+x, b.Min.Y+y)
				o := (y*inputSize + x) * 3
				out.Data[o], out.Data[o+1], out.Data[o+2] = r, g, bl
			}
		}
		return out, nil
	}

	// Bilinear interpolation with aligned corners: output row r samples
	// input row r*(h-1)/(223), as tf.image.resizeBilinear(alignCorners=true)
	// does. TensorFlow.js computes the source position in float32.
	rowScale := float32(h-1) / float32(inputSize-1)
	colScale := float32(w-1) / float32(inputSize-1)
	type tap struct {
		lo, hi int
		frac   float32
	}
	cols := make([]tap, inputSize)
	for x := range cols {
		src := colScale * float32(x)
		lo := int(src)
		cols[x] = tap{lo: lo, hi: min(lo+1, w-1), frac: src - float32(lo)}
		if float32(lo) == src {
			cols[x].hi = lo
		}
	}
	for y := range inputSize {
		src := rowScale * float32(y)
		top := int(src)
		bottom := min(top+1, h-1)
		if float32(top) == src {
			bottom = top
		}
		rowFrac := src - float32(top)
		for x, c := range cols {
			tlR, tlG, tlB := rgbAt(img, b.Min.X+c.lo, b.Min.Y+top)
			trR, trG, trB := rgbAt(img, b.Min.X+c.hi, b.Min.Y+top)
			blR, blG, blB := rgbAt(img, b.Min.X+c.lo, b.Min.Y+bottom)
			brR, brG, brB := rgbAt(img, b.Min.X+c.hi, b.Min.Y+bottom)
			o := (y*inputSize + x) * 3
			out.Data[o] = lerp2(tlR, trR, blR, brR, c.frac, rowFrac)
			out.Data[o+1] = lerp2(tlG, trG, blG, brG, c.frac, rowFrac)
			out.Data[o+2] = lerp2(tlB, trB, blB, brB, c.frac, rowFrac)
		}
	}
	return out, nil
}

// lerp2 interpolates along the row first, then between the rows, in the
// order TensorFlow.js uses.
func lerp2(tl, tr, bl, br, colFrac, rowFrac float32) float32 {
	top := tl + (tr-tl)*colFrac
	bottom := bl + (br-bl)*colFrac
	return top + (bottom-top)*rowFrac
}

// rgbAt returns the unpremultiplied RGB value of a pixel divided by 255, in
// float32 as TensorFlow.js divides it.
func rgbAt(img image.Image, x, y int) (float32, float32, float32) {
	r, g, b := rgb8At(img, x, y)
	return float32(r) / 255, float32(g) / 255, float32(b) / 255
}

// rgb8At returns the unpremultiplied 8-bit RGB value of a pixel.
func rgb8At(img image.Image, x, y int) (r, g, b uint8) {
	switch m := img.(type) {
	case *image.NRGBA:
		i := m.PixOffset(x, y)
		return m.Pix[i], m.Pix[i+1], m.Pix[i+2]
	case *image.RGBA:
		i := m.PixOffset(x, y)
		a := m.Pix[i+3]
		return unpremultiply(m.Pix[i], a), unpremultiply(m.Pix[i+1], a), unpremultiply(m.Pix[i+2], a)
	case *image.Gray:
		v := m.Pix[m.PixOffset(x, y)]
		return v, v, v
	}
	c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
	return c.R, c.G, c.B
}

// unpremultiply converts an alpha-premultiplied 8-bit channel to straight
// alpha, rounding as color.NRGBAModel does.
func unpremultiply(v, a uint8) uint8 {
	switch a {
	case 0xff:
		return v
	case 0:
		return 0
	}
	return uint8((uint32(v) * 0xffff / uint32(a)) >> 8)
}
