// Command samplegen writes the binary sample files under samples/images,
// samples/bad, samples/documents, samples/audio and samples/video, which the
// media and imaging tests and `make run` read. Run it from the
// repository root:
//
//	go run ./test/samplegen
//
// The output is deterministic for a given Go version: the pictures are
// computed, random bytes come from a fixed seed and no timestamp is written.
// The WebP sample needs ffmpeg with libwebp on PATH, the video sample
// ffmpeg with libx264 and the audio sample flite. Each is skipped, with a
// message, without its program.
package main

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

const (
	imagesDir = "samples/images"
	badDir    = "samples/bad"
)

func main() {
	if _, err := os.Stat("samples"); err != nil {
		log.Fatalf("finding the samples folder: %v (run from the repository root)", err)
	}
	for _, dir := range []string{imagesDir, badDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			log.Fatalf("creating %s: %v", dir, err)
		}
	}

	photo := photoJPEG()
	write(imagesDir, "photo-exif-rotated.jpg", photo)
	graphic := graphicPNG()
	write(imagesDir, "graphic.png", graphic)
	write(imagesDir, "animated.gif", animatedGIF())
	write(imagesDir, "pattern.bmp", encodeWith(bmp.Encode, pattern(96, 64)))
	write(imagesDir, "pattern.tiff", tiffBytes(pattern(128, 96)))
	write(imagesDir, "tiny-40x40.png", encodeWith(png.Encode, pattern(40, 40)))
	writeWebP(graphic)

	write(badDir, "empty.txt", nil)
	write(badDir, "truncated.jpg", photo[:len(photo)/2])
	write(badDir, "random.bin", randomBytes(64<<10))
	write(badDir, "image-bomb.png", bombPNG(50000, 50000))
	write(badDir, "fake-image.jpg", []byte("This file is plain text, even though its name ends in .jpg.\n"+
		"The pipeline must classify it by its bytes, so it is text.\n"))

	writeMedia()
}

func write(dir, name string, data []byte) {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		log.Fatalf("writing %s: %v", path, err)
	}
	fmt.Printf("wrote %s (%d bytes)\n", path, len(data))
}

func encodeWith(encode func(w io.Writer, m image.Image) error, img image.Image) []byte {
	var buf bytes.Buffer
	if err := encode(&buf, img); err != nil {
		log.Fatalf("encoding sample: %v", err)
	}
	return buf.Bytes()
}

// landscape returns the colour of a 320×240 outdoor scene at (x, y): a sky
// gradient, a sun, rolling hills and a small house.
func landscape(x, y int) color.RGBA {
	fx, fy := float64(x), float64(y)
	horizon := 150 + 18*math.Sin(fx/37) + 8*math.Sin(fx/13)

	switch {
	case math.Hypot(fx-250, fy-55) < 24:
		return color.RGBA{250, 215, 90, 255}
	case x >= 60 && x < 110 && y >= 150 && y < 195:
		if x >= 78 && x < 92 && y >= 170 {
			return color.RGBA{90, 55, 40, 255} // door
		}
		return color.RGBA{185, 95, 65, 255} // wall
	case y >= 125 && y < 150 && math.Abs(fx-85) < float64(y-125)*1.1:
		return color.RGBA{120, 50, 45, 255} // roof
	case fy < horizon:
		t := fy / horizon
		return color.RGBA{uint8(70 + 130*t), uint8(130 + 95*t), uint8(205 + 40*t), 255}
	default:
		t := (fy - horizon) / (240 - horizon + 1)
		return color.RGBA{uint8(70 - 30*t), uint8(150 - 50*t), uint8(70 - 30*t), 255}
	}
}

// photoJPEG encodes the landscape stored rotated 90° counter-clockwise, as a
// camera held upright writes it, with an EXIF block whose orientation 6 tells
// a viewer to rotate it back clockwise, and a GPS IFD.
func photoJPEG() []byte {
	const displayWidth, displayHeight = 320, 240
	stored := image.NewRGBA(image.Rect(0, 0, displayHeight, displayWidth))
	for sy := range displayWidth {
		for sx := range displayHeight {
			// Orientation 6 maps stored (sx, sy) to displayed (H-1-sy, sx),
			// where H is the stored height.
			stored.SetRGBA(sx, sy, landscape(displayWidth-1-sy, sx))
		}
	}

	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, stored, &jpeg.Options{Quality: 85}); err != nil {
		log.Fatalf("encoding photo: %v", err)
	}
	encoded := buf.Bytes()

	exif := append([]byte("Exif\x00\x00"), exifTIFF()...)
	segment := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(segment[2:], uint16(2+len(exif)))
	segment = append(segment, exif...)

	// The APP1 segment goes right after the SOI marker, as cameras write it.
	out := append([]byte{}, encoded[:2]...)
	out = append(out, segment...)
	return append(out, encoded[2:]...)
}

// exifTIFF returns a big-endian TIFF structure with IFD0 holding the
// orientation (6) and a pointer to a GPS IFD with a latitude and longitude.
func exifTIFF() []byte {
	const (
		typeByte     = 1
		typeASCII    = 2
		typeShort    = 3
		typeLong     = 4
		typeRational = 5
		ifd0Offset   = 8
		ifd0Len      = 2 + 2*12 + 4
		gpsOffset    = ifd0Offset + ifd0Len
		gpsLen       = 2 + 5*12 + 4
		latOffset    = gpsOffset + gpsLen
		lonOffset    = latOffset + 24
	)
	be := binary.BigEndian
	b := []byte("MM\x00\x2a")
	b = be.AppendUint32(b, ifd0Offset)

	entry := func(tag, typ uint16, count uint32, value []byte) {
		b = be.AppendUint16(b, tag)
		b = be.AppendUint16(b, typ)
		b = be.AppendUint32(b, count)
		field := make([]byte, 4)
		copy(field, value)
		b = append(b, field...)
	}
	u16 := func(v uint16) []byte { return be.AppendUint16(nil, v) }
	u32 := func(v uint32) []byte { return be.AppendUint32(nil, v) }

	b = be.AppendUint16(b, 2)
	entry(0x0112, typeShort, 1, u16(6))
	entry(0x8825, typeLong, 1, u32(gpsOffset))
	b = be.AppendUint32(b, 0)

	b = be.AppendUint16(b, 5)
	entry(0x0000, typeByte, 4, []byte{2, 2, 0, 0})
	entry(0x0001, typeASCII, 2, []byte("N\x00"))
	entry(0x0002, typeRational, 3, u32(latOffset))
	entry(0x0003, typeASCII, 2, []byte("E\x00"))
	entry(0x0004, typeRational, 3, u32(lonOffset))
	b = be.AppendUint32(b, 0)

	// Degrees, minutes and seconds as rationals: 46°30'0" N, 6°40'0" E.
	for _, v := range []uint32{46, 1, 30, 1, 0, 1, 6, 1, 40, 1, 0, 1} {
		b = be.AppendUint32(b, v)
	}
	return b
}

// graphicPNG draws flat shapes with a translucent overlay and adds a tEXt
// chunk, so that the sample carries metadata to strip.
func graphicPNG() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 256, 192))
	for y := range 192 {
		for x := range 256 {
			c := color.NRGBA{245, 245, 240, 255}
			switch {
			case math.Hypot(float64(x-80), float64(y-90)) < 50:
				c = color.NRGBA{40, 110, 200, 255}
			case x >= 140 && x < 230 && y >= 40 && y < 150:
				c = color.NRGBA{230, 150, 30, 255}
			}
			if y >= 130 && y < 170 {
				c.A = 160
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return insertPNGChunk(encodeWith(png.Encode, img), "tEXt", []byte("Comment\x00Sample graphic for moderato tests"))
}

// insertPNGChunk inserts a chunk right after IHDR, which is always 13 bytes
// long and so ends at offset 33.
func insertPNGChunk(encoded []byte, typ string, data []byte) []byte {
	const afterIHDR = 8 + 8 + 13 + 4
	out := append([]byte{}, encoded[:afterIHDR]...)
	out = append(out, pngChunk(typ, data)...)
	return append(out, encoded[afterIHDR:]...)
}

func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// animatedGIF returns three 64×64 frames of a square moving right.
func animatedGIF() []byte {
	anim := &gif.GIF{}
	for frame := range 3 {
		img := image.NewPaletted(image.Rect(0, 0, 64, 64), palette.Plan9)
		for y := range 64 {
			for x := range 64 {
				c := color.RGBA{235, 240, 250, 255}
				if x >= 8+frame*18 && x < 26+frame*18 && y >= 23 && y < 41 {
					c = color.RGBA{200, 60, 60, 255}
				}
				img.Set(x, y, c)
			}
		}
		anim.Image = append(anim.Image, img)
		anim.Delay = append(anim.Delay, 30)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, anim); err != nil {
		log.Fatalf("encoding GIF: %v", err)
	}
	return buf.Bytes()
}

// pattern returns an opaque image of diagonal colour bands.
func pattern(width, height int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := range height {
		for x := range width {
			band := uint8((x + y) / 8 % 4)
			img.SetRGBA(x, y, color.RGBA{60 * band, 200 - 40*band, uint8(x * 255 / width), 255})
		}
	}
	return img
}

func tiffBytes(img image.Image) []byte {
	var buf bytes.Buffer
	if err := tiff.Encode(&buf, img, &tiff.Options{Compression: tiff.Deflate}); err != nil {
		log.Fatalf("encoding TIFF: %v", err)
	}
	return buf.Bytes()
}

// writeWebP converts the PNG graphic with ffmpeg, because the Go
// libraries in go.mod decode WebP but do not encode it.
func writeWebP(pngData []byte) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		fmt.Println("skipped samples/images/graphic.webp: ffmpeg is not on PATH")
		return
	}
	dir, err := os.MkdirTemp("", "moderato-samples")
	if err != nil {
		log.Fatalf("creating a temporary folder: %v", err)
	}
	defer os.RemoveAll(dir)

	in := filepath.Join(dir, "graphic.png")
	out := filepath.Join(dir, "graphic.webp")
	if err := os.WriteFile(in, pngData, 0o644); err != nil {
		log.Fatalf("writing %s: %v", in, err)
	}
	cmd := exec.Command(ffmpeg, "-y", "-loglevel", "error", "-i", in,
		"-c:v", "libwebp", "-lossless", "0", "-quality", "80", "-map_metadata", "-1", out)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Printf("skipped samples/images/graphic.webp: ffmpeg: %v\n", err)
		return
	}
	data, err := os.ReadFile(out)
	if err != nil {
		log.Fatalf("reading %s: %v", out, err)
	}
	write(imagesDir, "graphic.webp", data)
}

func randomBytes(n int) []byte {
	rng := rand.New(rand.NewPCG(20261204, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// bombPNG returns a valid PNG header claiming width×height RGB pixels,
// followed by a few compressed rows, so that only a decoder that checks the
// dimensions first avoids allocating the whole image.
func bombPNG(width, height uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, width)
	ihdr = binary.BigEndian.AppendUint32(ihdr, height)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB, deflate, no filter, no interlace

	var idat bytes.Buffer
	zw := zlib.NewWriter(&idat)
	if _, err := zw.Write(make([]byte, 4096)); err != nil {
		log.Fatalf("compressing bomb rows: %v", err)
	}
	if err := zw.Close(); err != nil {
		log.Fatalf("compressing bomb rows: %v", err)
	}

	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", idat.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}
