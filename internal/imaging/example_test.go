package imaging_test

import (
	"bytes"
	"fmt"
	"os"

	"github.com/moderato/moderato/internal/imaging"
)

func ExampleNormalize() {
	data, err := os.ReadFile("../../samples/images/photo-exif-rotated.jpg")
	if err != nil {
		fmt.Println(err)
		return
	}

	result, err := imaging.Normalize(data, imaging.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %dx%d orientation=%d gps=%t\n",
		result.Format, result.Width, result.Height, result.Orientation, result.HadGPS)

	// The derivative sent to engines and moderators carries no metadata.
	var derivative bytes.Buffer
	if err := imaging.EncodeJPEG(&derivative, result.Image, 90); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(bytes.Contains(derivative.Bytes(), []byte("Exif")))
	// Output:
	// jpeg 320x240 orientation=6 gps=true
	// false
}
