package s3objects

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/moderato/moderato/internal/objects"
)

// abortTimeout bounds the AbortMultipartUpload call made after a failure,
// which runs even when the copy's context is cancelled.
const abortTimeout = 30 * time.Second

// copyParts copies src to dst with CreateMultipartUpload, one
// UploadPartCopy per part and CompleteMultipartUpload. The upload takes
// the content headers and user metadata of head, the source's HeadObject
// output, because a multipart upload does not copy them as CopyObject
// does. Every part names the version head returned, or requires head's
// ETag when the bucket is unversioned, so an upload that lands during the
// copy cannot mix two objects. On failure the upload is aborted, so no
// parts are left to bill.
//
// NOTE: object tags are not copied, unlike CopyObject's default. The
// pipeline tags only originals, never the copies it delivers.
func (s *Store) copyParts(ctx context.Context, src, dst objects.Location, head *s3.HeadObjectOutput) (objects.Info, error) {
	size := aws.ToInt64(head.ContentLength)
	partSize, err := s.partSize(size)
	if err != nil {
		return objects.Info{}, fmt.Errorf("copying %s to %s: %w", describe(src), dst, err)
	}

	source := src
	if v := aws.ToString(head.VersionId); v != "" && v != "null" {
		source.VersionID = v
	}
	var ifMatch *string
	if source.VersionID == "" {
		ifMatch = head.ETag
	}

	created, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:             aws.String(dst.Bucket),
		Key:                aws.String(dst.Key),
		ContentType:        head.ContentType,
		ContentEncoding:    head.ContentEncoding,
		ContentDisposition: head.ContentDisposition,
		ContentLanguage:    head.ContentLanguage,
		CacheControl:       head.CacheControl,
		Metadata:           head.Metadata,
	})
	if err != nil {
		return objects.Info{}, classify(fmt.Sprintf("copying %s to %s: starting a multipart upload", describe(src), dst), err)
	}
	uploadID := created.UploadId

	parts, err := s.copyEachPart(ctx, source, dst, uploadID, ifMatch, size, partSize)
	if err != nil {
		return objects.Info{}, s.abort(ctx, dst, uploadID, err)
	}

	done, err := s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(dst.Bucket),
		Key:             aws.String(dst.Key),
		UploadId:        uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		err = classify(fmt.Sprintf("copying %s to %s: completing the multipart upload", describe(src), dst), err)
		return objects.Info{}, s.abort(ctx, dst, uploadID, err)
	}
	return objects.Info{
		Size:        size,
		ETag:        trimETag(done.ETag),
		VersionID:   aws.ToString(done.VersionId),
		ContentType: aws.ToString(head.ContentType),
	}, nil
}

func (s *Store) copyEachPart(ctx context.Context, source, dst objects.Location, uploadID, ifMatch *string, size, partSize int64) ([]types.CompletedPart, error) {
	var parts []types.CompletedPart
	for offset, number := int64(0), int32(1); offset < size; offset, number = offset+partSize, number+1 {
		last := min(offset+partSize, size) - 1
		out, err := s.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
			Bucket:            aws.String(dst.Bucket),
			Key:               aws.String(dst.Key),
			UploadId:          uploadID,
			PartNumber:        aws.Int32(number),
			CopySource:        aws.String(CopySource(source)),
			CopySourceRange:   aws.String(fmt.Sprintf("bytes=%d-%d", offset, last)),
			CopySourceIfMatch: ifMatch,
		})
		if err != nil {
			return nil, classify(fmt.Sprintf("copying %s to %s: copying part %d (bytes %d-%d)", describe(source), dst, number, offset, last), err)
		}
		part := types.CompletedPart{PartNumber: aws.Int32(number)}
		if out.CopyPartResult != nil {
			part.ETag = out.CopyPartResult.ETag
		}
		parts = append(parts, part)
	}
	return parts, nil
}

// abort aborts the multipart upload after cause, with a context of its
// own so that a cancelled copy still frees its parts. It returns cause,
// with the abort's error appended to the message when the abort fails too.
// The parts of such an upload stay until the bucket's lifecycle rule for
// incomplete uploads, where one is set, removes them.
func (s *Store) abort(ctx context.Context, dst objects.Location, uploadID *string, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	_, err := s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket:   aws.String(dst.Bucket),
		Key:      aws.String(dst.Key),
		UploadId: uploadID,
	})
	if err != nil {
		return fmt.Errorf("%w (aborting multipart upload %s of %s also failed: %v)", cause, aws.ToString(uploadID), dst, err)
	}
	return cause
}

// partSize returns CopyPartSize, or DefaultCopyPartSize when it is zero,
// raised to the nearest MiB that copies size bytes in at most MaxParts
// parts.
func (s *Store) partSize(size int64) (int64, error) {
	partSize := s.CopyPartSize
	if partSize == 0 {
		partSize = DefaultCopyPartSize
	}
	if partSize < MinPartSize || partSize > MaxPartSize {
		return 0, fmt.Errorf("the copy part size of %d bytes is outside S3's limits of %d to %d bytes", partSize, MinPartSize, MaxPartSize)
	}
	if needed := (size + MaxParts - 1) / MaxParts; needed > partSize {
		const mib = 1 << 20
		partSize = (needed + mib - 1) / mib * mib
	}
	if partSize > MaxPartSize {
		return 0, fmt.Errorf("an object of %d bytes needs more than %d parts of %d bytes, the most S3 allows", size, MaxParts, MaxPartSize)
	}
	return partSize, nil
}
