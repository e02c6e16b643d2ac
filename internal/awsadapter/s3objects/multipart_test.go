package s3objects

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/mototest"
	"github.com/moderato/moderato/internal/objects"
)

// recordingAPI passes calls to a real client, counts them by operation and
// fails the UploadPartCopy call with the number failPart.
type recordingAPI struct {
	API
	failPart int32

	mu    sync.Mutex
	calls map[string]int
	parts []string // CopySourceRange of each UploadPartCopy
}

func (r *recordingAPI) count(op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[op]++
}

func (r *recordingAPI) CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	r.count("CopyObject")
	return r.API.CopyObject(ctx, in, opts...)
}

func (r *recordingAPI) UploadPartCopy(ctx context.Context, in *s3.UploadPartCopyInput, opts ...func(*s3.Options)) (*s3.UploadPartCopyOutput, error) {
	r.count("UploadPartCopy")
	r.mu.Lock()
	r.parts = append(r.parts, aws.ToString(in.CopySourceRange))
	r.mu.Unlock()
	if aws.ToInt32(in.PartNumber) == r.failPart {
		return nil, errors.New("injected part failure")
	}
	return r.API.UploadPartCopy(ctx, in, opts...)
}

func (r *recordingAPI) AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, opts ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error) {
	r.count("AbortMultipartUpload")
	return r.API.AbortMultipartUpload(ctx, in, opts...)
}

// copyThreshold is lowered from 5 GiB so that the test moves a few MiB.
const copyThreshold = 6 << 20

// newMultipartStore returns a store over moto whose destination bucket
// "approved" encrypts by default with a KMS key, and that key's ARN.
func newMultipartStore(t *testing.T) (*Store, *recordingAPI, *s3.Client, string) {
	t.Helper()
	server := mototest.Start(t)
	ctx := context.Background()
	client := s3.NewFromConfig(server.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	for _, bucket := range []string{"ingest", "approved"} {
		_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
		require.NoError(t, err)
		_, err = client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
			Bucket:                  aws.String(bucket),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
		})
		require.NoError(t, err)
	}
	// moto records the key of the bucket's default encryption without
	// looking it up in KMS.
	keyARN := "arn:aws:kms:" + mototest.Region + ":" + mototest.AccountID + ":key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	_, err := client.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
		Bucket: aws.String("approved"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(keyARN)},
			BucketKeyEnabled:                   aws.Bool(true),
		}}},
	})
	require.NoError(t, err)

	api := &recordingAPI{API: client}
	store := &Store{client: api, MultipartCopyThreshold: copyThreshold, CopyPartSize: MinPartSize}
	return store, api, client, keyARN
}

// patterned returns n bytes that differ at every offset within a part, so
// a part copied from the wrong range changes the result.
func patterned(n int) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7 + i>>13)
	}
	return data
}

func TestCopyAroundMultipartThreshold(t *testing.T) {
	tests := []struct {
		name      string
		size      int
		copies    int
		partCalls int
	}{
		{"at the threshold", copyThreshold, 1, 0},
		{"one byte past the threshold", copyThreshold + 1, 0, 2},
		{"three parts", 2*MinPartSize + 3, 0, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store, api, client, keyARN := newMultipartStore(t)
			ctx := context.Background()
			data := patterned(tc.size)
			src := objects.Location{Bucket: "ingest", Key: "uploads/big file+1.bin"}
			_, err := client.PutObject(ctx, &s3.PutObjectInput{
				Bucket:       aws.String(src.Bucket),
				Key:          aws.String(src.Key),
				Body:         bytes.NewReader(data),
				ContentType:  aws.String("video/mp4"),
				CacheControl: aws.String("no-store"),
				Metadata:     map[string]string{"uploader": "test"},
			})
			require.NoError(t, err)
			dst := objects.Location{Bucket: "approved", Key: src.Key}

			info, err := store.Copy(ctx, src, dst)

			require.NoError(t, err)
			assert.Equal(t, tc.copies, api.calls["CopyObject"])
			assert.Equal(t, tc.partCalls, api.calls["UploadPartCopy"])
			assert.Zero(t, api.calls["AbortMultipartUpload"])
			assert.Equal(t, int64(tc.size), info.Size)
			assert.NotEmpty(t, info.VersionID)

			got, err := objects.ReadAll(ctx, store, dst, int64(tc.size)+1)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(data, got), "the copy has the source's bytes")
			head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(dst.Bucket), Key: aws.String(dst.Key)})
			require.NoError(t, err)
			assert.Equal(t, "video/mp4", aws.ToString(head.ContentType))
			assert.Equal(t, "no-store", aws.ToString(head.CacheControl))
			assert.Equal(t, map[string]string{"uploader": "test"}, head.Metadata)
			assert.Equal(t, types.ServerSideEncryptionAwsKms, head.ServerSideEncryption)
			assert.Equal(t, keyARN, aws.ToString(head.SSEKMSKeyId))
		})
	}
}

func TestCopyPartsCoverObject(t *testing.T) {
	store, api, client, _ := newMultipartStore(t)
	ctx := context.Background()
	size := 2*MinPartSize + 3
	src := objects.Location{Bucket: "ingest", Key: "parts.bin"}
	_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(src.Key), Body: bytes.NewReader(patterned(size))})
	require.NoError(t, err)

	_, err = store.Copy(ctx, src, objects.Location{Bucket: "approved", Key: "parts.bin"})

	require.NoError(t, err)
	assert.Equal(t, []string{"bytes=0-5242879", "bytes=5242880-10485759", "bytes=10485760-10485762"}, api.parts)
}

func TestCopyPartsCopyRequestedVersion(t *testing.T) {
	store, _, client, _ := newMultipartStore(t)
	ctx := context.Background()
	first := patterned(copyThreshold + 10)
	src := objects.Location{Bucket: "ingest", Key: "versioned.bin"}
	put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(src.Key), Body: bytes.NewReader(first)})
	require.NoError(t, err)
	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(src.Key), Body: bytes.NewReader([]byte("second"))})
	require.NoError(t, err)
	src.VersionID = aws.ToString(put.VersionId)
	dst := objects.Location{Bucket: "approved", Key: "versioned.bin"}

	_, err = store.Copy(ctx, src, dst)

	require.NoError(t, err)
	got, err := objects.ReadAll(ctx, store, dst, int64(len(first))+1)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(first, got), "the copy is of the requested version")
}

func TestCopyPartsAbortOnFailure(t *testing.T) {
	store, api, client, _ := newMultipartStore(t)
	api.failPart = 2
	ctx := context.Background()
	src := objects.Location{Bucket: "ingest", Key: "fails.bin"}
	_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(src.Key), Body: bytes.NewReader(patterned(copyThreshold + 1))})
	require.NoError(t, err)
	dst := objects.Location{Bucket: "approved", Key: "fails.bin"}

	_, err = store.Copy(ctx, src, dst)

	require.Error(t, err)
	assert.Contains(t, err.Error(), "copying part 2")
	assert.Equal(t, 1, api.calls["AbortMultipartUpload"])
	uploads, err := client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("approved")})
	require.NoError(t, err)
	assert.Empty(t, uploads.Uploads, "the failed upload is aborted")
	_, err = store.Head(ctx, dst)
	assert.True(t, errors.Is(err, objects.ErrNotFound), "no object is written: %v", err)
}

func TestPartSize(t *testing.T) {
	tests := []struct {
		name       string
		configured int64
		size       int64
		want       int64
		wantErr    bool
	}{
		{"default", 0, 6 << 30, DefaultCopyPartSize, false},
		{"configured minimum", MinPartSize, 40 << 20, MinPartSize, false},
		{"raised to fit the part count", MinPartSize, MaxParts*MinPartSize + 1, MinPartSize + 1<<20, false},
		{"exactly the part count", MinPartSize, MaxParts * MinPartSize, MinPartSize, false},
		{"largest object", 0, 5 << 40, 525 << 20, false},
		{"below the minimum", MinPartSize - 1, 6 << 30, 0, true},
		{"above the maximum", MaxPartSize + 1, 6 << 30, 0, true},
		{"too large for any part size", 0, MaxParts*MaxPartSize + 1, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := &Store{CopyPartSize: tc.configured}

			got, err := store.partSize(tc.size)

			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.LessOrEqual(t, (tc.size+got-1)/got, int64(MaxParts))
		})
	}
}

// sizedSourceAPI reports a source object of a given size without storing
// it, so that Copy's choice at S3's 5 GiB CopyObject limit can be tested
// without moving 5 GiB through moto. It records the calls Copy makes.
type sizedSourceAPI struct {
	API
	size int64

	mu     sync.Mutex
	calls  map[string]int
	ranges []string
}

func (f *sizedSourceAPI) count(op string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
}

func (f *sizedSourceAPI) HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	f.count("HeadObject")
	return &s3.HeadObjectOutput{ContentLength: aws.Int64(f.size), VersionId: aws.String("v1"), ETag: aws.String(`"e"`)}, nil
}

func (f *sizedSourceAPI) CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	f.count("CopyObject")
	return &s3.CopyObjectOutput{VersionId: aws.String("v2"), CopyObjectResult: &types.CopyObjectResult{ETag: aws.String(`"e"`)}}, nil
}

func (f *sizedSourceAPI) CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error) {
	f.count("CreateMultipartUpload")
	return &s3.CreateMultipartUploadOutput{UploadId: aws.String("upload-1")}, nil
}

func (f *sizedSourceAPI) UploadPartCopy(ctx context.Context, in *s3.UploadPartCopyInput, opts ...func(*s3.Options)) (*s3.UploadPartCopyOutput, error) {
	f.count("UploadPartCopy")
	f.mu.Lock()
	f.ranges = append(f.ranges, aws.ToString(in.CopySourceRange))
	f.mu.Unlock()
	return &s3.UploadPartCopyOutput{CopyPartResult: &types.CopyPartResult{ETag: aws.String(`"p"`)}}, nil
}

func (f *sizedSourceAPI) CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error) {
	f.count("CompleteMultipartUpload")
	return &s3.CompleteMultipartUploadOutput{VersionId: aws.String("v2"), ETag: aws.String(`"e-2"`)}, nil
}

func TestCopyAtCopyObjectLimit(t *testing.T) {
	tests := []struct {
		name          string
		size          int64
		wantCopies    int
		wantPartCalls int
	}{
		{"at 5 GiB", MaxCopyObjectSize, 1, 0},
		{"one byte past 5 GiB", MaxCopyObjectSize + 1, 0, int((MaxCopyObjectSize + DefaultCopyPartSize) / DefaultCopyPartSize)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := &sizedSourceAPI{size: tc.size, calls: map[string]int{}}
			store := &Store{client: api} // the default threshold

			info, err := store.Copy(context.Background(), objects.Location{Bucket: "ingest", Key: "big.mp4"}, objects.Location{Bucket: "approved", Key: "big.mp4"})

			require.NoError(t, err)
			assert.Equal(t, tc.size, info.Size)
			assert.Equal(t, tc.wantCopies, api.calls["CopyObject"])
			assert.Equal(t, tc.wantPartCalls, api.calls["UploadPartCopy"])
			if tc.wantPartCalls > 0 {
				assert.Equal(t, 1, api.calls["CompleteMultipartUpload"])
				assert.Equal(t, "bytes=0-"+strconv.FormatInt(DefaultCopyPartSize-1, 10), api.ranges[0])
				assert.Equal(t, "bytes="+strconv.FormatInt(MaxCopyObjectSize/DefaultCopyPartSize*DefaultCopyPartSize, 10)+"-"+strconv.FormatInt(MaxCopyObjectSize, 10), api.ranges[len(api.ranges)-1], "the last part ends at the last byte")
			}
		})
	}
}
