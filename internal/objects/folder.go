package objects

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Folder is a Store that keeps each bucket as a directory under Root and each
// key as a path inside it. Keys keep their readable form on disk. Only the
// segments that a file system cannot hold ("", ".", "..") and the escape
// character itself are percent-encoded, so every S3 key maps to exactly one
// file inside the bucket directory.
//
// Folder buckets are not versioned: the version of an object is derived from
// its content (see VersionOf), and reading a version that is no longer the
// current content returns ErrNotFound, as S3 does for a deleted version.
type Folder struct {
	Root string
}

// MaxKeyBytes is S3's limit on the length of an object key.
const MaxKeyBytes = 1024

// VersionOf returns the version ID that Folder reports for content with the
// given SHA-256 digest.
func VersionOf(sha256Sum []byte) string {
	return hex.EncodeToString(sha256Sum[:16])
}

// Path returns the file that holds loc, or an error wrapping ErrInvalidKey.
func (f *Folder) Path(loc Location) (string, error) {
	if err := checkBucket(loc.Bucket); err != nil {
		return "", err
	}
	if loc.Key == "" || len(loc.Key) > MaxKeyBytes {
		return "", fmt.Errorf("%w: key must be 1 to %d bytes, got %d", ErrInvalidKey, MaxKeyBytes, len(loc.Key))
	}
	if strings.ContainsRune(loc.Key, 0) {
		return "", fmt.Errorf("%w: key contains a NUL byte", ErrInvalidKey)
	}

	segments := strings.Split(loc.Key, "/")
	for i, s := range segments {
		segments[i] = escapeSegment(s)
	}
	return filepath.Join(append([]string{f.Root, loc.Bucket}, segments...)...), nil
}

func checkBucket(bucket string) error {
	if bucket == "" || bucket == "." || bucket == ".." || strings.ContainsAny(bucket, `/\`) {
		return fmt.Errorf("%w: invalid bucket name %q", ErrInvalidKey, bucket)
	}
	return nil
}

// escapeSegment maps one key segment to a file name. "%" is escaped first so
// that the mapping stays reversible.
func escapeSegment(s string) string {
	s = strings.ReplaceAll(s, "%", "%25")
	switch s {
	case "":
		return "%00"
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	return s
}

// Head implements Store. It hashes the content, so its cost grows with the
// object size.
func (f *Folder) Head(ctx context.Context, loc Location) (Info, error) {
	path, err := f.Path(loc)
	if err != nil {
		return Info{}, err
	}
	file, err := os.Open(path)
	if err != nil {
		return Info{}, notFound(loc, err)
	}
	defer file.Close()

	st, err := file.Stat()
	if err != nil {
		return Info{}, fmt.Errorf("reading object %s: %w", loc, err)
	}
	if st.IsDir() {
		return Info{}, fmt.Errorf("reading object %s: %w", loc, ErrNotFound)
	}
	md5Hash, shaHash := md5.New(), sha256.New()
	if _, err := io.Copy(io.MultiWriter(md5Hash, shaHash), file); err != nil {
		return Info{}, fmt.Errorf("reading object %s: %w", loc, err)
	}
	info := Info{
		Size:      st.Size(),
		ETag:      hex.EncodeToString(md5Hash.Sum(nil)),
		VersionID: VersionOf(shaHash.Sum(nil)),
	}
	if loc.VersionID != "" && loc.VersionID != info.VersionID {
		return Info{}, fmt.Errorf("reading object %s version %s: %w", loc, loc.VersionID, ErrNotFound)
	}
	return info, nil
}

// ReadRange implements Store.
func (f *Folder) ReadRange(ctx context.Context, loc Location, offset, n int64) ([]byte, error) {
	if offset < 0 || n < 0 {
		return nil, fmt.Errorf("reading object %s: invalid range %d+%d", loc, offset, n)
	}
	rc, err := f.Open(ctx, loc)
	if err != nil {
		return nil, err
	}
	defer rc.Close()

	file := rc.(*os.File)
	buf := make([]byte, n)
	read, err := file.ReadAt(buf, offset)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading object %s: %w", loc, err)
	}
	return buf[:read], nil
}

// Open implements Store. A versioned location is checked against the
// current content first.
func (f *Folder) Open(ctx context.Context, loc Location) (io.ReadCloser, error) {
	if loc.VersionID != "" {
		if _, err := f.Head(ctx, loc); err != nil {
			return nil, err
		}
	}
	path, err := f.Path(loc)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, notFound(loc, err)
	}
	if st, err := file.Stat(); err != nil || st.IsDir() {
		file.Close()
		return nil, fmt.Errorf("reading object %s: %w", loc, ErrNotFound)
	}
	return file, nil
}

// Put implements Store. It writes to a temporary file and renames it, so a
// reader never sees a partial object.
func (f *Folder) Put(ctx context.Context, loc Location, body io.Reader, contentType string) (Info, error) {
	path, err := f.Path(loc)
	if err != nil {
		return Info{}, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return Info{}, fmt.Errorf("writing object %s: %w", loc, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".put-*")
	if err != nil {
		return Info{}, fmt.Errorf("writing object %s: %w", loc, err)
	}
	defer os.Remove(tmp.Name())

	md5Hash, shaHash := md5.New(), sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, md5Hash, shaHash), body)
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return Info{}, fmt.Errorf("writing object %s: %w", loc, err)
	}
	// CreateTemp makes the file private; stored objects are ordinary files
	// that the user's other tools read.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return Info{}, fmt.Errorf("writing object %s: %w", loc, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return Info{}, fmt.Errorf("writing object %s: %w", loc, err)
	}
	return Info{
		Size:        size,
		ETag:        hex.EncodeToString(md5Hash.Sum(nil)),
		VersionID:   VersionOf(shaHash.Sum(nil)),
		ContentType: contentType,
	}, nil
}

// Copy implements Store.
func (f *Folder) Copy(ctx context.Context, src, dst Location) (Info, error) {
	rc, err := f.Open(ctx, src)
	if err != nil {
		return Info{}, err
	}
	defer rc.Close()
	return f.Put(ctx, dst, rc, "")
}

func notFound(loc Location, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading object %s: %w", loc, ErrNotFound)
	}
	return fmt.Errorf("reading object %s: %w", loc, err)
}
