// Package objects is the object storage that the pipeline's tasks read and
// write: the Store interface they depend on, and Folder, a local
// implementation that keeps each bucket as a directory so that a person can
// open the approved, quarantined and redacted copies in a file manager.
package objects

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Sentinel errors returned by every Store implementation. Callers match them
// with errors.Is.
var (
	// ErrNotFound means the bucket, key or version does not exist.
	ErrNotFound = errors.New("object not found")
	// ErrInvalidKey means the key cannot be stored, for example an empty key.
	ErrInvalidKey = errors.New("invalid object key")
)

// Location names one object version. An empty VersionID means the latest.
type Location struct {
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	VersionID string `json:"version_id,omitempty"`
}

// String formats the location as an S3 URI, without the version.
func (l Location) String() string { return "s3://" + l.Bucket + "/" + l.Key }

// Info describes a stored object.
type Info struct {
	Size        int64
	ETag        string // hex MD5 of the content, without quotes
	VersionID   string
	ContentType string
}

// Store reads and writes objects.
type Store interface {
	// Head returns the object's metadata, or an error wrapping ErrNotFound.
	Head(ctx context.Context, loc Location) (Info, error)
	// ReadRange returns up to n bytes starting at offset.
	ReadRange(ctx context.Context, loc Location, offset, n int64) ([]byte, error)
	// Open returns the whole content for streaming.
	Open(ctx context.Context, loc Location) (io.ReadCloser, error)
	// Put stores body under loc.Bucket and loc.Key and returns the stored
	// object's metadata. loc.VersionID is ignored.
	Put(ctx context.Context, loc Location, body io.Reader, contentType string) (Info, error)
	// Copy copies src to dst.
	Copy(ctx context.Context, src, dst Location) (Info, error)
}

// ReadAll reads a whole object, refusing objects larger than limit bytes so
// that a mislabelled upload cannot exhaust memory.
func ReadAll(ctx context.Context, store Store, loc Location, limit int64) ([]byte, error) {
	rc, err := store.Open(ctx, loc)
	if err != nil {
		return nil, err
	}
	defer rc.Close()

	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading object %s: %w", loc, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("reading object %s: larger than the limit of %d bytes", loc, limit)
	}
	return data, nil
}
