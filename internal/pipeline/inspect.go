package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/moderato/moderato/internal/media"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pdftext"
)

// Inspect identifies the uploaded object version: its size, checksum and
// media type, sniffed from its first bytes. Content that the pipeline cannot
// analyse is returned with media type unsupported and a reason, so that it
// still gets an outcome.
func (t *Tasks) Inspect(ctx context.Context, in InspectInput) (Item, error) {
	d := in.Detail
	if d.Bucket.Name == "" || d.Object.Key == "" {
		return Item{}, &InvalidContentError{Reason: "the event names no bucket or no object key"}
	}
	loc := objects.Location{Bucket: d.Bucket.Name, Key: d.Object.Key, VersionID: d.Object.VersionID}

	info, err := t.Objects.Head(ctx, loc)
	if errors.Is(err, objects.ErrNotFound) {
		return Item{}, &ObjectNotFoundError{Location: loc.String()}
	}
	if err != nil {
		return Item{}, fmt.Errorf("inspecting object %s: %w", loc, err)
	}
	item := Item{
		Bucket:    loc.Bucket,
		Key:       loc.Key,
		VersionID: info.VersionID,
		ETag:      info.ETag,
		Size:      info.Size,
	}
	if item.VersionID == "" {
		item.VersionID = d.Object.VersionID
	}

	var head []byte
	if info.Size > 0 {
		head, err = t.Objects.ReadRange(ctx, item.Location(), 0, media.SniffLen)
		if err != nil {
			return Item{}, fmt.Errorf("inspecting object %s: %w", loc, err)
		}
	}
	sniffed := media.Sniff(head, info.Size)
	if sniffed.Type == media.Image && sniffed.Format == "tiff" {
		sniffed, item.PageCount = t.tiffPages(ctx, item, sniffed)
	}
	item.MediaType, item.MIME, item.Format = string(sniffed.Type), sniffed.MIME, sniffed.Format
	if sniffed.Type == media.Unsupported {
		item.Reason = sniffed.Reason
		return item, nil
	}
	if err := t.Limits.Check(sniffed, info.Size); err != nil {
		item.MediaType, item.Reason = string(media.Unsupported), err.Error()
		return item, nil
	}

	sum, err := t.checksum(ctx, item.Location())
	if err != nil {
		return Item{}, err
	}
	item.SHA256 = sum
	if sniffed.Type == media.Document && sniffed.Format == "pdf" {
		item.PageCount = t.pageCount(ctx, item)
	}
	return item, nil
}

// tiffPages counts the pages of a TIFF. A TIFF of more than one page is a
// document, such as a scanned fax, and takes the asynchronous text
// detection job like a multi-page PDF. A TIFF whose IFD chain cannot be
// read stays an image: the image path decodes its first page or reports
// why it cannot.
//
// NOTE: each IFD costs a range read when the pages lie more than 64 KiB
// apart, so counting a TIFF of thousands of large pages on S3 takes
// thousands of GetObject requests.
func (t *Tasks) tiffPages(ctx context.Context, item Item, sniffed media.Sniffed) (media.Sniffed, int) {
	offsets, err := media.TIFFPageOffsets(&objectReaderAt{ctx: ctx, store: t.Objects, loc: item.Location()}, item.Size)
	switch {
	case errors.Is(err, media.ErrTooManyPages):
		return media.Sniffed{Type: media.Unsupported, MIME: sniffed.MIME, Format: sniffed.Format, Reason: err.Error()}, 0
	case err != nil:
		t.logger().InfoContext(ctx, "TIFF page count not read", "item", item.Location().String(), "error", err)
		return sniffed, 0
	case len(offsets) == 1:
		return sniffed, 0
	}
	sniffed.Type = media.Document
	return sniffed, len(offsets)
}

// pageCountTimeout bounds the reading of a PDF's page count. The PDF
// library takes no context, and a damaged cross-reference table can make
// it read for long.
const pageCountTimeout = 30 * time.Second

// pageCount returns the page count a PDF declares, or 0 when it cannot be
// read. An unreadable PDF is not an error here: the text extraction task
// reads it again and records why it failed.
func (t *Tasks) pageCount(ctx context.Context, item Item) int {
	ctx, cancel := context.WithTimeout(ctx, pageCountTimeout)
	defer cancel()
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := pdftext.PageCount(&objectReaderAt{ctx: ctx, store: t.Objects, loc: item.Location()}, item.Size)
		done <- result{n, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.logger().InfoContext(ctx, "page count not read", "item", item.Location().String(), "error", r.err)
			return 0
		}
		return r.n
	case <-ctx.Done():
		t.logger().WarnContext(ctx, "page count not read in time", "item", item.Location().String())
		return 0
	}
}

func (t *Tasks) checksum(ctx context.Context, loc objects.Location) (string, error) {
	rc, err := t.Objects.Open(ctx, loc)
	if err != nil {
		return "", fmt.Errorf("hashing object %s: %w", loc, err)
	}
	defer rc.Close()

	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", fmt.Errorf("hashing object %s: %w", loc, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
