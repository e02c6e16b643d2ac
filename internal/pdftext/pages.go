package pdftext

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ledongthuc/pdf"
)

// PageCount returns the page count that the PDF's page tree root declares
// (its /Count). It reads only the cross-reference data, the trailer and the
// page tree root through r, so a caller can count the pages of a large file
// with a few range reads. Its errors wrap those of Extract: ErrEncrypted,
// ErrUnsupportedEncryption and ErrDamaged.
//
// NOTE: /Count is what the file declares; a damaged or forged file can
// declare a count that differs from the pages Extract finds.
func PageCount(r io.ReaderAt, size int64) (n int, err error) {
	// The PDF library panics on some malformed files.
	defer func() {
		if p := recover(); p != nil {
			n, err = 0, fmt.Errorf("%w: %v", ErrDamaged, p)
		}
	}()

	rd, err := pdf.NewReader(version1Header{r}, size)
	if errors.Is(err, pdf.ErrInvalidPassword) {
		return 0, ErrEncrypted
	}
	if err != nil && strings.HasPrefix(err.Error(), "unsupported PDF: encryption") {
		return 0, fmt.Errorf("%w: %v", ErrUnsupportedEncryption, err)
	}
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	n = rd.NumPage()
	if n <= 0 {
		return 0, fmt.Errorf("%w: no pages", ErrDamaged)
	}
	return n, nil
}

// version1Header reads a PDF with a "%PDF-2." header as "%PDF-1.7", as
// Extract does, because the library accepts only 1.x headers.
type version1Header struct{ r io.ReaderAt }

func (v version1Header) ReadAt(p []byte, off int64) (int, error) {
	n, err := v.r.ReadAt(p, off)
	const header, patched = "%PDF-2.0", "%PDF-1.7"
	if off < int64(len(header)) && n > 0 {
		end := min(int64(len(header)), off+int64(n))
		// Patch only a 2.x header, and only the bytes this read returned.
		var head [len(header)]byte
		if m, _ := v.r.ReadAt(head[:], 0); m == len(header) && strings.HasPrefix(string(head[:]), "%PDF-2.") {
			copy(p[:end-off], patched[off:end])
		}
	}
	return n, err
}
