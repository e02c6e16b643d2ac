package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/moderato/moderato/internal/media"
	"github.com/moderato/moderato/internal/objects"
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
	return item, nil
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
