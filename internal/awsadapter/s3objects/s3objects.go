// Package s3objects implements objects.Store over Amazon S3.
//
// Keys are passed to the SDK exactly as stored (decoded), and the SDK
// encodes them in the request path. CopyObject's x-amz-copy-source header
// is encoded here, because S3 expects it URL-encoded, and a key with "+",
// "%", spaces or non-ASCII characters would otherwise name another object.
package s3objects

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/objects"
)

// maxPutBytes bounds the body Put buffers in memory. PutObject needs a
// seekable body to sign it; the pipeline writes derivatives (redacted
// copies, normalised images, text) that stay far below this.
const maxPutBytes = 512 << 20

// API is the part of the S3 client the store calls.
type API interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPartCopy(ctx context.Context, in *s3.UploadPartCopyInput, opts ...func(*s3.Options)) (*s3.UploadPartCopyOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, opts ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
}

// Store is an objects.Store over S3.
type Store struct {
	client API

	// MultipartCopyThreshold is the largest object that Copy copies with
	// one CopyObject call. Larger objects are copied in parts with
	// UploadPartCopy. Zero means MaxCopyObjectSize, the limit of S3.
	MultipartCopyThreshold int64
	// CopyPartSize is the part size of a multipart copy, in bytes. Zero
	// means DefaultCopyPartSize. Copy raises it when the object would need
	// more than MaxParts parts, and rejects a value outside MinPartSize to
	// MaxPartSize.
	CopyPartSize int64
}

// Limits of S3 copies (Amazon S3 User Guide, "Amazon S3 multipart upload
// limits" and the CopyObject API reference).
const (
	// MaxCopyObjectSize is the largest source CopyObject accepts: 5 GiB.
	// S3 rejects a larger one with InvalidRequest.
	MaxCopyObjectSize = 5 << 30
	// MinPartSize and MaxPartSize bound every part but the last.
	MinPartSize = 5 << 20
	MaxPartSize = 5 << 30
	// MaxParts is the maximum number of parts of one multipart upload.
	MaxParts = 10_000
	// DefaultCopyPartSize copies a 5 GiB object in 10 parts. Copy raises
	// it for objects above 5,000 GiB, which would need more than MaxParts.
	DefaultCopyPartSize = 512 << 20
)

var _ objects.Store = (*Store)(nil)

// New returns a store that calls client.
func New(client API) *Store {
	return &Store{client: client}
}

// Head returns the object's metadata.
func (s *Store) Head(ctx context.Context, loc objects.Location) (objects.Info, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket:    aws.String(loc.Bucket),
		Key:       aws.String(loc.Key),
		VersionId: optional(loc.VersionID),
	})
	if err != nil {
		return objects.Info{}, classify("reading metadata of "+describe(loc), err)
	}
	return objects.Info{
		Size:        aws.ToInt64(out.ContentLength),
		ETag:        trimETag(out.ETag),
		VersionID:   aws.ToString(out.VersionId),
		ContentType: aws.ToString(out.ContentType),
	}, nil
}

// ReadRange returns up to n bytes starting at offset. A range past the end
// of the object returns no bytes.
func (s *Store) ReadRange(ctx context.Context, loc objects.Location, offset, n int64) ([]byte, error) {
	if n <= 0 {
		return nil, nil
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket:    aws.String(loc.Bucket),
		Key:       aws.String(loc.Key),
		VersionId: optional(loc.VersionID),
		Range:     aws.String(fmt.Sprintf("bytes=%d-%d", offset, offset+n-1)),
	})
	if awserr.Is(err, "InvalidRange") {
		return nil, nil
	}
	if err != nil {
		return nil, classify("reading "+describe(loc), err)
	}
	defer out.Body.Close()

	data, err := io.ReadAll(io.LimitReader(out.Body, n))
	if err != nil {
		return nil, awserr.Classify("reading "+describe(loc), err)
	}
	return data, nil
}

// Open returns the whole content for streaming.
func (s *Store) Open(ctx context.Context, loc objects.Location) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket:    aws.String(loc.Bucket),
		Key:       aws.String(loc.Key),
		VersionId: optional(loc.VersionID),
	})
	if err != nil {
		return nil, classify("reading "+describe(loc), err)
	}
	return out.Body, nil
}

// Put stores body and returns the new object's metadata.
func (s *Store) Put(ctx context.Context, loc objects.Location, body io.Reader, contentType string) (objects.Info, error) {
	if loc.Key == "" {
		return objects.Info{}, fmt.Errorf("writing %s: %w", loc, objects.ErrInvalidKey)
	}
	data, err := io.ReadAll(io.LimitReader(body, maxPutBytes+1))
	if err != nil {
		return objects.Info{}, fmt.Errorf("reading the body for %s: %w", loc, err)
	}
	if len(data) > maxPutBytes {
		return objects.Info{}, fmt.Errorf("writing %s: the body is larger than %d bytes", loc, maxPutBytes)
	}

	out, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(loc.Bucket),
		Key:           aws.String(loc.Key),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
		ContentType:   optional(contentType),
	})
	if err != nil {
		return objects.Info{}, classify("writing "+loc.String(), err)
	}
	return objects.Info{
		Size:        int64(len(data)),
		ETag:        trimETag(out.ETag),
		VersionID:   aws.ToString(out.VersionId),
		ContentType: contentType,
	}, nil
}

// Copy copies src (a version, when set) to dst with a server-side copy:
// CopyObject up to MultipartCopyThreshold bytes, a multipart copy above.
// Either way the copy keeps the source's content type and user metadata,
// and it is encrypted by the destination bucket's default encryption, as
// S3 does for a CopyObject request without encryption headers.
func (s *Store) Copy(ctx context.Context, src, dst objects.Location) (objects.Info, error) {
	if dst.Key == "" {
		return objects.Info{}, fmt.Errorf("copying %s to %s: %w", src, dst, objects.ErrInvalidKey)
	}
	head, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket:    aws.String(src.Bucket),
		Key:       aws.String(src.Key),
		VersionId: optional(src.VersionID),
	})
	if err != nil {
		return objects.Info{}, classify(fmt.Sprintf("copying %s to %s: reading the source's metadata", describe(src), dst), err)
	}
	if size := aws.ToInt64(head.ContentLength); size > s.threshold() {
		return s.copyParts(ctx, src, dst, head)
	}

	out, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:     aws.String(dst.Bucket),
		Key:        aws.String(dst.Key),
		CopySource: aws.String(CopySource(src)),
	})
	if err != nil {
		return objects.Info{}, classify(fmt.Sprintf("copying %s to %s", describe(src), dst), err)
	}
	info := objects.Info{
		Size:        aws.ToInt64(head.ContentLength),
		VersionID:   aws.ToString(out.VersionId),
		ContentType: aws.ToString(head.ContentType),
	}
	if out.CopyObjectResult != nil {
		info.ETag = trimETag(out.CopyObjectResult.ETag)
	}
	return info, nil
}

func (s *Store) threshold() int64 {
	if s.MultipartCopyThreshold > 0 {
		return s.MultipartCopyThreshold
	}
	return MaxCopyObjectSize
}

// CopySource returns the x-amz-copy-source value of loc: bucket and key
// URL-encoded (with "/" kept), and the version as a query parameter.
func CopySource(loc objects.Location) string {
	source := loc.Bucket + "/" + escapeKey(loc.Key)
	if loc.VersionID != "" {
		source += "?versionId=" + url.QueryEscape(loc.VersionID)
	}
	return source
}

// escapeKey percent-encodes every byte of key except unreserved characters
// and "/", so that "+" is not read as a space and "%" not as an escape.
func escapeKey(key string) string {
	segments := strings.Split(key, "/")
	for i, seg := range segments {
		segments[i] = url.PathEscape(seg)
	}
	escaped := strings.Join(segments, "/")
	// url.PathEscape leaves these sub-delimiters alone; S3 decodes the
	// header as a query-style value, where "+" would become a space.
	return strings.NewReplacer("+", "%2B", "&", "%26", "=", "%3D", ";", "%3B", ":", "%3A", "@", "%40", "$", "%24", ",", "%2C").Replace(escaped)
}

// classify maps a missing bucket, key or version to objects.ErrNotFound and
// every other error by awserr.Classify.
func classify(action string, err error) error {
	var noKey *types.NoSuchKey
	var noBucket *types.NoSuchBucket
	var notFound *types.NotFound
	if errors.As(err, &noKey) || errors.As(err, &noBucket) || errors.As(err, &notFound) || awserr.Is(err, "NoSuchVersion", "NotFound", "NoSuchKey", "NoSuchBucket") {
		return fmt.Errorf("%s: %w", action, objects.ErrNotFound)
	}
	return awserr.Classify(action, err)
}

func describe(loc objects.Location) string {
	if loc.VersionID == "" {
		return loc.String()
	}
	return loc.String() + " (version " + loc.VersionID + ")"
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func trimETag(etag *string) string {
	return strings.Trim(aws.ToString(etag), `"`)
}

// Presigner returns short-lived GET URLs for objects.
type Presigner struct {
	client *s3.PresignClient
}

// NewPresigner returns a presigner that signs with client's credentials.
func NewPresigner(client *s3.Client) *Presigner {
	return &Presigner{client: s3.NewPresignClient(client)}
}

// PresignGet returns a GET URL of loc that expires after ttl.
func (p *Presigner) PresignGet(ctx context.Context, loc objects.Location, ttl time.Duration) (string, error) {
	req, err := p.client.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket:    aws.String(loc.Bucket),
		Key:       aws.String(loc.Key),
		VersionId: optional(loc.VersionID),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presigning %s: %w", loc, err)
	}
	return req.URL, nil
}
