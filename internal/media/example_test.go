package media_test

import (
	"fmt"

	"github.com/moderato/moderato/internal/media"
)

func ExampleSniff() {
	// A text file uploaded with an image's name is still text.
	content := []byte("Meeting notes, saved as photo.jpg by mistake.\n")

	sniffed := media.Sniff(content, int64(len(content)))
	fmt.Println(sniffed.Type, sniffed.Format, sniffed.MIME)

	empty := media.Sniff(nil, 0)
	fmt.Println(empty.Type, empty.Reason)
	// Output:
	// text text text/plain; charset=utf-8
	// unsupported empty object (0 bytes)
}

func ExampleLimits_Check() {
	sniffed := media.Sniffed{Type: media.Image, MIME: "image/png", Format: "png"}

	err := media.DefaultLimits().Check(sniffed, 60<<20)
	fmt.Println(err)
	// Output:
	// png image of 62914560 bytes exceeds the limit of 52428800 bytes for image content
}
