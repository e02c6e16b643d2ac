package s3objects

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/mototest"
	"github.com/moderato/moderato/internal/objects"
)

// hardKeys are keys that break naive encoding: spaces, "+", "%", query
// characters and non-ASCII letters.
var hardKeys = []string{
	"uploads/plain.txt",
	"uploads/with space.txt",
	"uploads/a+b=c&d.txt",
	"uploads/100%/done%20.txt",
	"uploads/Zoë/日本語 ファイル.txt",
	"uploads/question?mark#hash.txt",
}

func newStore(t *testing.T) (*Store, *s3.Client) {
	t.Helper()
	server := mototest.Start(t)
	client := s3.NewFromConfig(server.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	for _, bucket := range []string{"ingest", "approved"} {
		_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
		require.NoError(t, err)
		_, err = client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
			Bucket:                  aws.String(bucket),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
		})
		require.NoError(t, err)
	}
	return New(client), client
}

func TestStoreAgainstMoto(t *testing.T) {
	store, _ := newStore(t)
	ctx := context.Background()

	for _, key := range hardKeys {
		t.Run(key, func(t *testing.T) {
			loc := objects.Location{Bucket: "ingest", Key: key}
			first, err := store.Put(ctx, loc, bytes.NewReader([]byte("first version of "+key)), "text/plain")
			require.NoError(t, err)
			second, err := store.Put(ctx, loc, bytes.NewReader([]byte("second")), "text/plain")
			require.NoError(t, err)
			require.NotEmpty(t, first.VersionID)
			require.NotEqual(t, first.VersionID, second.VersionID)

			v1 := objects.Location{Bucket: "ingest", Key: key, VersionID: first.VersionID}
			info, err := store.Head(ctx, v1)
			require.NoError(t, err)
			assert.Equal(t, int64(len("first version of "+key)), info.Size)
			assert.Equal(t, first.VersionID, info.VersionID)
			assert.Equal(t, first.ETag, info.ETag)
			assert.NotContains(t, info.ETag, `"`)

			head, err := store.ReadRange(ctx, v1, 0, 5)
			require.NoError(t, err)
			assert.Equal(t, "first", string(head))

			rc, err := store.Open(ctx, loc)
			require.NoError(t, err)
			latest, err := io.ReadAll(rc)
			require.NoError(t, err)
			rc.Close()
			assert.Equal(t, "second", string(latest))

			dst := objects.Location{Bucket: "approved", Key: key}
			_, err = store.Copy(ctx, v1, dst)
			require.NoError(t, err)
			copied, err := objects.ReadAll(ctx, store, dst, 1024)
			require.NoError(t, err)
			assert.Equal(t, "first version of "+key, string(copied), "the copy is of the requested version")
		})
	}
}

func TestStoreRangePastEnd(t *testing.T) {
	store, _ := newStore(t)
	ctx := context.Background()
	empty := objects.Location{Bucket: "ingest", Key: "empty"}
	_, err := store.Put(ctx, empty, bytes.NewReader(nil), "")
	require.NoError(t, err)
	short := objects.Location{Bucket: "ingest", Key: "short"}
	_, err = store.Put(ctx, short, bytes.NewReader([]byte("abc")), "")
	require.NoError(t, err)

	got, err := store.ReadRange(ctx, empty, 0, 512)
	require.NoError(t, err)
	assert.Empty(t, got)

	got, err = store.ReadRange(ctx, short, 0, 512)
	require.NoError(t, err)
	assert.Equal(t, "abc", string(got))
}

func TestStoreNotFound(t *testing.T) {
	store, _ := newStore(t)
	ctx := context.Background()
	_, err := store.Put(ctx, objects.Location{Bucket: "ingest", Key: "exists"}, bytes.NewReader([]byte("x")), "")
	require.NoError(t, err)

	tests := []struct {
		name string
		loc  objects.Location
	}{
		{"missing key", objects.Location{Bucket: "ingest", Key: "missing"}},
		{"missing bucket", objects.Location{Bucket: "no-such-bucket", Key: "exists"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := store.Head(ctx, tc.loc)
			assert.True(t, errors.Is(err, objects.ErrNotFound), "head: %v", err)

			_, err = store.Open(ctx, tc.loc)
			assert.True(t, errors.Is(err, objects.ErrNotFound), "open: %v", err)

			_, err = store.Copy(ctx, tc.loc, objects.Location{Bucket: "approved", Key: "x"})
			assert.True(t, errors.Is(err, objects.ErrNotFound), "copy: %v", err)
		})
	}
}

func TestCopySource(t *testing.T) {
	tests := []struct {
		name string
		loc  objects.Location
		want string
	}{
		{"plain", objects.Location{Bucket: "b", Key: "a/b.txt"}, "b/a/b.txt"},
		{"space", objects.Location{Bucket: "b", Key: "a b"}, "b/a%20b"},
		{"plus", objects.Location{Bucket: "b", Key: "a+b"}, "b/a%2Bb"},
		{"percent", objects.Location{Bucket: "b", Key: "100%"}, "b/100%25"},
		{"query characters", objects.Location{Bucket: "b", Key: "a?b&c=d#e"}, "b/a%3Fb%26c%3Dd%23e"},
		{"non-ASCII", objects.Location{Bucket: "b", Key: "Zoë"}, "b/Zo%C3%AB"},
		{"version", objects.Location{Bucket: "b", Key: "k", VersionID: "3/L4kqtJl+cN="}, "b/k?versionId=3%2FL4kqtJl%2BcN%3D"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, CopySource(tc.loc))
		})
	}
}
