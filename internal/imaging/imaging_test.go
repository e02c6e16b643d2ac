package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeSamples(t *testing.T) {
	tests := []struct {
		file          string
		format        string
		width, height int
		orientation   int
		hadMetadata   bool
		hadGPS        bool
		frames        int
	}{
		{"images/photo-exif-rotated.jpg", "jpeg", 320, 240, 6, true, true, 1},
		{"images/graphic.png", "png", 256, 192, 1, true, false, 1},
		{"images/animated.gif", "gif", 64, 64, 1, false, false, 3},
		{"images/pattern.bmp", "bmp", 96, 64, 1, false, false, 1},
		{"images/pattern.tiff", "tiff", 128, 96, 1, false, false, 1},
		{"images/tiny-40x40.png", "png", 40, 40, 1, false, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Normalize(readSample(t, tt.file), DefaultOptions())
			require.NoError(t, err)

			assert.Equal(t, tt.format, got.Format)
			assert.Equal(t, tt.width, got.Width)
			assert.Equal(t, tt.height, got.Height)
			assert.Equal(t, image.Rect(0, 0, tt.width, tt.height), got.Image.Bounds().Sub(got.Image.Bounds().Min))
			assert.Equal(t, tt.orientation, got.Orientation)
			assert.Equal(t, tt.hadMetadata, got.HadMetadata)
			assert.Equal(t, tt.hadGPS, got.HadGPS)
			assert.Equal(t, tt.frames, got.Frames)
		})
	}
}

// TestNormalizePhotoUpright checks the direction of the rotation, not only
// the swapped dimensions: the upright landscape has sky at the top and
// grass at the bottom.
func TestNormalizePhotoUpright(t *testing.T) {
	got, err := Normalize(readSample(t, "images/photo-exif-rotated.jpg"), DefaultOptions())
	require.NoError(t, err)

	sky := color.RGBAModel.Convert(got.Image.At(10, 5)).(color.RGBA)
	grass := color.RGBAModel.Convert(got.Image.At(10, 235)).(color.RGBA)
	assert.Greater(t, sky.B, sky.G, "top left should be blue sky, got %v", sky)
	assert.Greater(t, grass.G, grass.B, "bottom left should be green grass, got %v", grass)
}

func TestNormalizeBadSamples(t *testing.T) {
	tests := []struct {
		file    string
		wantErr error
		message string
	}{
		{"bad/empty.txt", ErrUnsupportedFormat, "empty object (0 bytes)"},
		{"bad/truncated.jpg", ErrCorrupt, "truncated"},
		{"bad/random.bin", ErrUnsupportedFormat, "unrecognised content"},
		{"bad/image-bomb.png", ErrTooLarge, "50000x50000"},
		{"bad/fake-image.jpg", ErrUnsupportedFormat, "text, not an image"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Normalize(readSample(t, tt.file), DefaultOptions())

			assert.Nil(t, got)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.message)
		})
	}
}

func TestNormalizeImageBombIsFast(t *testing.T) {
	data := readSample(t, "bad/image-bomb.png")

	start := time.Now()
	_, err := Normalize(data, DefaultOptions())
	elapsed := time.Since(start)

	require.ErrorIs(t, err, ErrTooLarge)
	assert.Less(t, elapsed, 100*time.Millisecond, "the bomb must be rejected from its header")
}

func TestNormalizeTruncatedSamples(t *testing.T) {
	files := []string{
		"images/photo-exif-rotated.jpg",
		"images/graphic.png",
		"images/animated.gif",
		"images/pattern.bmp",
		"images/pattern.tiff",
		"images/tiny-40x40.png",
	}
	for _, file := range files {
		data := readSample(t, file)
		for _, percent := range []int{25, 50, 75, 95} {
			cut := len(data) * percent / 100
			t.Run(fmt.Sprintf("%s cut at %d%%", file, percent), func(t *testing.T) {
				got, err := Normalize(data[:cut], DefaultOptions())

				assert.Nil(t, got)
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrCorrupt)
				assert.Contains(t, err.Error(), "truncated")
			})
		}
	}
}

func TestNormalizeOptions(t *testing.T) {
	photo := readSample(t, "images/photo-exif-rotated.jpg")
	tests := []struct {
		name    string
		opts    Options
		wantErr error
		message string
	}{
		{"zero options take defaults", Options{}, nil, ""},
		{"side at limit", Options{MaxPixels: 76800, MaxSide: 320}, nil, ""},
		{"side over limit", Options{MaxPixels: 1 << 20, MaxSide: 319}, ErrTooLarge, "240x320 pixels exceeds the limit of 319 pixels per side"},
		{"pixels over limit", Options{MaxPixels: 76799, MaxSide: 1000}, ErrTooLarge, "240x320 pixels exceeds the limit of 76799 pixels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(photo, tt.opts)

			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, 320, got.Width)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
			assert.ErrorContains(t, err, tt.message)
		})
	}
}

func TestNormalizeTIFFOrientation(t *testing.T) {
	tests := []struct {
		name          string
		orientation   int
		withGPS       bool
		width, height int
		red, green    image.Point // where the stored top-left and top-right pixels end up
	}{
		{"normal", 1, false, 3, 2, image.Pt(0, 0), image.Pt(2, 0)},
		{"rotate 180", 3, true, 3, 2, image.Pt(2, 1), image.Pt(0, 1)},
		{"rotate 90 clockwise", 6, true, 2, 3, image.Pt(1, 0), image.Pt(1, 2)},
		{"rotate 90 counter-clockwise", 8, false, 2, 3, image.Pt(0, 2), image.Pt(0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tiffFile(3, 2, tt.orientation, tt.withGPS), DefaultOptions())
			require.NoError(t, err)

			assert.Equal(t, "tiff", got.Format)
			assert.Equal(t, tt.orientation, got.Orientation)
			assert.Equal(t, tt.withGPS, got.HadGPS)
			assert.Equal(t, tt.withGPS, got.HadMetadata)
			assert.Equal(t, tt.width, got.Width)
			assert.Equal(t, tt.height, got.Height)
			assert.Equal(t, color.RGBA{255, 0, 0, 255}, rgbaAt(got.Image, tt.red))
			assert.Equal(t, color.RGBA{0, 255, 0, 255}, rgbaAt(got.Image, tt.green))
		})
	}
}

func TestNormalizeTIFFTruncatedStrip(t *testing.T) {
	data := tiffFile(40, 30, 1, false)

	_, err := Normalize(data[:len(data)-100], DefaultOptions())

	require.ErrorIs(t, err, ErrCorrupt)
	assert.ErrorContains(t, err, "truncated")
}

func TestNormalizeWebP(t *testing.T) {
	const exifFlag, animationFlag = 0x08, 0x02
	bitstream := vp8lSolid(6, 4, 10, 120, 200, 255)
	tests := []struct {
		name          string
		data          []byte
		wantErr       error
		width, height int
		orientation   int
		hadGPS        bool
	}{
		{"plain", webpFile(6, 4, bitstream, 0, nil), nil, 6, 4, 1, false},
		{"exif orientation 8 with gps", webpFile(6, 4, bitstream, exifFlag, exifBlock(binary.BigEndian, 8, true)), nil, 4, 6, 8, true},
		{"exif with header", webpFile(6, 4, bitstream, exifFlag, append([]byte("Exif\x00\x00"), exifBlock(binary.LittleEndian, 5, false)...)), nil, 4, 6, 5, false},
		{"animated", webpFile(6, 4, bitstream, animationFlag, nil), ErrUnsupportedFormat, 0, 0, 0, false},
		{"truncated", webpFile(6, 4, bitstream, 0, nil)[:40], ErrCorrupt, 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.data, DefaultOptions())

			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "webp", got.Format)
			assert.Equal(t, tt.width, got.Width)
			assert.Equal(t, tt.height, got.Height)
			assert.Equal(t, tt.orientation, got.Orientation)
			assert.Equal(t, tt.hadGPS, got.HadGPS)
			assert.Equal(t, tt.orientation != 1, got.HadMetadata)
			assert.Equal(t, color.RGBA{10, 120, 200, 255}, rgbaAt(got.Image, image.Pt(1, 1)))
		})
	}
}

func TestNormalizeUnsupportedFormats(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		message string
	}{
		{"heic", ftypBox("heic", "mif1", "heic"), "heic has no pure-Go decoder"},
		{"avif", ftypBox("avif", "mif1", "avif"), "avif has no pure-Go decoder"},
		{"mp4", ftypBox("isom", "isom", "mp41"), "content is mp4, not an image"},
		{"pdf", []byte("%PDF-1.7\n1 0 obj\n"), "content is pdf, not an image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.data, DefaultOptions())

			assert.Nil(t, got)
			assert.ErrorIs(t, err, ErrUnsupportedFormat)
			assert.ErrorContains(t, err, tt.message)
		})
	}
}

func TestNormalizeJPEGMetadata(t *testing.T) {
	var plain bytes.Buffer
	require.NoError(t, EncodeJPEG(&plain, solid(8, 4, color.RGBA{200, 30, 30, 255}), 90))
	withSegment := func(marker byte, payload []byte) []byte {
		segment := []byte{0xFF, marker}
		segment = binary.BigEndian.AppendUint16(segment, uint16(2+len(payload)))
		segment = append(segment, payload...)
		out := append([]byte{}, plain.Bytes()[:2]...)
		out = append(out, segment...)
		return append(out, plain.Bytes()[2:]...)
	}

	tests := []struct {
		name          string
		data          []byte
		hadMetadata   bool
		hadGPS        bool
		orientation   int
		width, height int
	}{
		{"none", plain.Bytes(), false, false, 1, 8, 4},
		{"comment", withSegment(0xFE, []byte("hello")), true, false, 1, 8, 4},
		{"icc profile", withSegment(0xE2, []byte("ICC_PROFILE\x00\x01\x01")), true, false, 1, 8, 4},
		{"xmp", withSegment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>")), true, false, 1, 8, 4},
		{"exif little endian", withSegment(0xE1, append([]byte("Exif\x00\x00"), exifBlock(binary.LittleEndian, 8, false)...)), true, false, 8, 4, 8},
		{"exif malformed", withSegment(0xE1, []byte("Exif\x00\x00II*\x00\xff\xff\x00\x00")), true, false, 1, 8, 4},
		{"exif invalid orientation", withSegment(0xE1, append([]byte("Exif\x00\x00"), exifBlock(binary.BigEndian, 9, true)...)), true, true, 1, 8, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.data, DefaultOptions())
			require.NoError(t, err)

			assert.Equal(t, tt.hadMetadata, got.HadMetadata)
			assert.Equal(t, tt.hadGPS, got.HadGPS)
			assert.Equal(t, tt.orientation, got.Orientation)
			assert.Equal(t, tt.width, got.Width)
			assert.Equal(t, tt.height, got.Height)
		})
	}
}

func TestEncodeStripsMetadata(t *testing.T) {
	original := readSample(t, "images/photo-exif-rotated.jpg")
	require.Contains(t, string(original), "Exif\x00\x00", "the sample must carry EXIF for this test to mean anything")
	normalized, err := Normalize(original, DefaultOptions())
	require.NoError(t, err)
	require.True(t, normalized.HadGPS)

	encoders := map[string]func(*bytes.Buffer) error{
		"jpeg": func(b *bytes.Buffer) error { return EncodeJPEG(b, normalized.Image, 85) },
		"png":  func(b *bytes.Buffer) error { return EncodePNG(b, normalized.Image) },
	}
	for name, encode := range encoders {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, encode(&out))

			assert.NotContains(t, out.String(), "Exif")
			assert.NotContains(t, out.String(), "MM\x00*", "a TIFF header, as EXIF starts with")
			assert.NotContains(t, out.String(), "eXIf")
			assert.NotContains(t, out.String(), "tEXt")

			again, err := Normalize(out.Bytes(), DefaultOptions())
			require.NoError(t, err)
			assert.Equal(t, name, again.Format)
			assert.False(t, again.HadMetadata)
			assert.False(t, again.HadGPS)
			assert.Equal(t, 1, again.Orientation)
			assert.Equal(t, 320, again.Width, "the output is upright and must not be rotated again")
			assert.Equal(t, 240, again.Height)
		})
	}
}

func TestEncodeJPEGQuality(t *testing.T) {
	img := solid(4, 4, color.RGBA{1, 2, 3, 255})
	for _, quality := range []int{0, 101, -5} {
		err := EncodeJPEG(&bytes.Buffer{}, img, quality)
		assert.ErrorContains(t, err, "outside 1 to 100", "quality %d", quality)
	}
	assert.NoError(t, EncodeJPEG(&bytes.Buffer{}, img, 1))
	assert.NoError(t, EncodeJPEG(&bytes.Buffer{}, img, 100))
}

func TestEncodeJPEGTransparentOnWhite(t *testing.T) {
	transparent := image.NewNRGBA(image.Rect(0, 0, 16, 16)) // all pixels have alpha 0

	var out bytes.Buffer
	require.NoError(t, EncodeJPEG(&out, transparent, 95))
	got, err := Normalize(out.Bytes(), DefaultOptions())
	require.NoError(t, err)

	c := rgbaAt(got.Image, image.Pt(8, 8))
	assert.GreaterOrEqual(t, c.R, uint8(250))
	assert.GreaterOrEqual(t, c.G, uint8(250))
	assert.GreaterOrEqual(t, c.B, uint8(250))
}

func TestApplyOrientation(t *testing.T) {
	// The stored image is 3x2: top-left red, top-right green, the rest
	// blue. Corners are named by where these two pixels must end up,
	// following the EXIF definition of each orientation.
	stored := solid(3, 2, color.RGBA{0, 0, 255, 255})
	stored.Set(0, 0, color.RGBA{255, 0, 0, 255})
	stored.Set(2, 0, color.RGBA{0, 255, 0, 255})

	tests := []struct {
		name          string
		orientation   int
		width, height int
		red, green    image.Point
	}{
		{"1 normal", 1, 3, 2, image.Pt(0, 0), image.Pt(2, 0)},
		{"2 mirror horizontal", 2, 3, 2, image.Pt(2, 0), image.Pt(0, 0)},
		{"3 rotate 180", 3, 3, 2, image.Pt(2, 1), image.Pt(0, 1)},
		{"4 mirror vertical", 4, 3, 2, image.Pt(0, 1), image.Pt(2, 1)},
		{"5 transpose", 5, 2, 3, image.Pt(0, 0), image.Pt(0, 2)},
		{"6 rotate 90 clockwise", 6, 2, 3, image.Pt(1, 0), image.Pt(1, 2)},
		{"7 transverse", 7, 2, 3, image.Pt(1, 2), image.Pt(1, 0)},
		{"8 rotate 90 counter-clockwise", 8, 2, 3, image.Pt(0, 2), image.Pt(0, 0)},
		{"0 invalid", 0, 3, 2, image.Pt(0, 0), image.Pt(2, 0)},
		{"9 invalid", 9, 3, 2, image.Pt(0, 0), image.Pt(2, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := applyOrientation(stored, tt.orientation)

			assert.Equal(t, image.Rect(0, 0, tt.width, tt.height), got.Bounds())
			assert.Equal(t, color.RGBA{255, 0, 0, 255}, rgbaAt(got, tt.red))
			assert.Equal(t, color.RGBA{0, 255, 0, 255}, rgbaAt(got, tt.green))
		})
	}
}

func TestApplyOrientationOffsetBounds(t *testing.T) {
	full := solid(4, 4, color.RGBA{0, 0, 255, 255})
	full.Set(1, 1, color.RGBA{255, 0, 0, 255})
	sub := full.SubImage(image.Rect(1, 1, 4, 3)) // 3x2 with red at its top-left

	got := applyOrientation(sub, 3)

	assert.Equal(t, image.Rect(0, 0, 3, 2), got.Bounds())
	assert.Equal(t, color.RGBA{255, 0, 0, 255}, rgbaAt(got, image.Pt(2, 1)))
}

func TestParseTIFF(t *testing.T) {
	le := binary.LittleEndian
	header := func(ifd0 uint32) []byte { return le.AppendUint32([]byte("II*\x00"), ifd0) }

	// IFD0 at 8 whose GPS pointer and next-IFD offset both lead back to it.
	loop := appendIFD(header(8), le, []testEntry{
		{tagOrientation, typeShort, 1, 3},
		{tagGPSIFD, typeLong, 1, 8},
	}, 8)
	// IFD0 pointing at an Exif IFD and a GPS IFD that point at each other.
	crossLinked := appendIFD(header(8), le, []testEntry{
		{tagOrientation, typeShort, 1, 6},
		{tagExifIFD, typeLong, 1, 50},
		{tagGPSIFD, typeLong, 1, 68},
	}, 0)
	crossLinked = appendIFD(crossLinked, le, []testEntry{{tagGPSIFD, typeLong, 1, 68}}, 68)
	crossLinked = appendIFD(crossLinked, le, []testEntry{{tagExifIFD, typeLong, 1, 50}}, 50)

	tests := []struct {
		name        string
		data        []byte
		wantErr     bool
		orientation int
		hasGPS      bool
	}{
		{"big endian with gps", exifBlock(binary.BigEndian, 6, true), false, 6, true},
		{"little endian without gps", exifBlock(le, 2, false), false, 2, false},
		{"no orientation", exifBlock(le, 0, true), false, 1, true},
		{"orientation zero", exifBlock(le, 0, false), false, 1, false},
		{"orientation out of range", exifBlock(le, 200, false), false, 1, false},
		{"orientation of wrong type", appendIFD(header(8), le, []testEntry{{tagOrientation, typeLong, 1, 6}}, 0), false, 1, false},
		{"gps pointer out of range", appendIFD(header(8), le, []testEntry{{tagGPSIFD, typeLong, 1, 0xFFFFFFF0}}, 0), false, 1, false},
		{"gps ifd without entries", appendIFD(appendIFD(header(8), le, []testEntry{{tagGPSIFD, typeLong, 1, 26}}, 0), le, nil, 0), false, 1, false},
		{"loop back to ifd0", loop, false, 3, true},
		{"cross-linked sub-ifds", crossLinked, false, 6, true},
		{"next ifd offset missing", exifBlock(le, 4, false)[:8+2+12], false, 4, false},
		{"gps ifd past end", exifBlock(le, 4, true)[:8+ifdLen(2)+4], false, 4, false},
		{"ifd0 out of range", header(0x7FFFFFFF), true, 1, false},
		{"ifd0 inside header", header(4), true, 1, false},
		{"entry count past end", append(header(8), 0xFF, 0x00, 0x01), true, 1, false},
		{"too many entries", append(header(8), 0xFF, 0xFF), true, 1, false},
		{"bad byte order", []byte("XX*\x00\x08\x00\x00\x00\x00\x00"), true, 1, false},
		{"too short", []byte("II*"), true, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTIFF(tt.data)

			if tt.wantErr {
				assert.ErrorIs(t, err, errInvalidTIFF)
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tt.orientation, got.orientation)
			assert.Equal(t, tt.hasGPS, got.hasGPS)
		})
	}
}

func TestInspectGIF(t *testing.T) {
	anim := readSample(t, "images/animated.gif")
	tests := []struct {
		name        string
		data        []byte
		wantErr     error
		frames      int
		hadMetadata bool
	}{
		{"three frames", anim, nil, 3, false},
		{"missing trailer", anim[:len(anim)-1], nil, 3, false},
		{"comment extension", insertGIFBlock(anim, []byte("\x21\xfe\x05hello\x00")), nil, 3, true},
		{"xmp application extension", insertGIFBlock(anim, []byte("\x21\xff\x0bXMP DataXMP\x02<x\x00")), nil, 3, true},
		{"unknown block", insertGIFBlock(anim, []byte{0x99}), ErrCorrupt, 0, false},
		{"header only", anim[:13], ErrCorrupt, 0, false},
		{"cut in an extension", anim[:len(anim)/3], ErrCorrupt, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := inspectContainer("gif", tt.data)

			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.frames, c.frames)
			assert.Equal(t, tt.hadMetadata, c.hasMetadata)
		})
	}
}

func FuzzNormalize(f *testing.F) {
	for _, name := range []string{
		"images/photo-exif-rotated.jpg", "images/graphic.png", "images/animated.gif",
		"images/pattern.bmp", "images/pattern.tiff", "images/tiny-40x40.png",
		"bad/truncated.jpg", "bad/image-bomb.png",
	} {
		f.Add(readSample(f, name))
	}
	f.Add(tiffFile(3, 2, 6, true))
	f.Add(webpFile(6, 4, vp8lSolid(6, 4, 1, 2, 3, 255), 0x08, exifBlock(binary.BigEndian, 8, true)))

	// Small guards keep each input fast, as the bomb sample shows they must.
	opts := Options{MaxPixels: 1 << 18, MaxSide: 2048}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Normalize(data, opts)

		if err != nil {
			assert.Nil(t, got)
			assert.True(t, errors.Is(err, ErrUnsupportedFormat) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrTooLarge),
				"error %q wraps none of the package's errors", err)
			return
		}
		assert.Positive(t, got.Width)
		assert.Positive(t, got.Height)
		assert.LessOrEqual(t, got.Width*got.Height, opts.MaxPixels)
		assert.Equal(t, got.Width, got.Image.Bounds().Dx())
		assert.Equal(t, got.Height, got.Image.Bounds().Dy())
		assert.GreaterOrEqual(t, got.Frames, 1)
	})
}

func solid(width, height int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := range height {
		for x := range width {
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func rgbaAt(img image.Image, p image.Point) color.RGBA {
	return color.RGBAModel.Convert(img.At(img.Bounds().Min.X+p.X, img.Bounds().Min.Y+p.Y)).(color.RGBA)
}

// insertGIFBlock inserts a block right before the first image descriptor
// of a GIF with a global colour table and no extensions before its first
// frame other than the NETSCAPE2.0 loop extension and graphic controls.
func insertGIFBlock(gifData, block []byte) []byte {
	i := bytes.IndexByte(gifData[13+3*256:], 0x21) + 13 + 3*256
	out := append([]byte{}, gifData[:i]...)
	out = append(out, block...)
	return append(out, gifData[i:]...)
}

func ftypBox(major string, compatible ...string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(16+4*len(compatible)))
	b = append(b, "ftyp"+major+"\x00\x00\x00\x00"...)
	for _, c := range compatible {
		b = append(b, c...)
	}
	return append(b, make([]byte, 32)...)
}

func TestNormalizeGIFPartialFirstFrame(t *testing.T) {
	frame := image.NewPaletted(image.Rect(5, 6, 10, 9), color.Palette{color.Transparent, color.RGBA{255, 0, 0, 255}})
	for y := 6; y < 9; y++ {
		for x := 5; x < 10; x++ {
			frame.SetColorIndex(x, y, 1)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, gif.EncodeAll(&buf, &gif.GIF{
		Image:  []*image.Paletted{frame},
		Delay:  []int{0},
		Config: image.Config{ColorModel: frame.Palette, Width: 20, Height: 12},
	}))

	got, err := Normalize(buf.Bytes(), DefaultOptions())
	require.NoError(t, err)

	assert.Equal(t, image.Rect(0, 0, 20, 12), got.Image.Bounds())
	assert.Equal(t, 20, got.Width)
	assert.Equal(t, 12, got.Height)
	assert.Equal(t, color.RGBA{255, 0, 0, 255}, rgbaAt(got.Image, image.Pt(5, 6)))
	assert.Equal(t, color.RGBA{}, rgbaAt(got.Image, image.Pt(0, 0)))
}

func TestDecodedBytesLimit(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, image.NewRGBA64(image.Rect(0, 0, 300, 300))))

	_, err := Normalize(buf.Bytes(), Options{MaxDecodedBytes: 300 * 300 * 8})
	require.NoError(t, err, "at the limit")
	_, err = Normalize(buf.Bytes(), Options{MaxDecodedBytes: 300*300*8 - 1})
	require.ErrorIs(t, err, ErrTooLarge, "16-bit pixels need 8 bytes each")
	assert.Contains(t, err.Error(), "MiB")
}
