package objects

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFolderPutHeadRead(t *testing.T) {
	ctx := context.Background()
	f := &Folder{Root: t.TempDir()}
	keys := []string{
		"plain.txt",
		"nested/dir/file.txt",
		"with spaces + plus %25 percent ü.txt",
		"../escape",
		"a//b/./c",
		"%2E%2E",
	}
	for _, key := range keys {
		t.Run(key, func(t *testing.T) {
			loc := Location{Bucket: "ingest", Key: key}
			info, err := f.Put(ctx, loc, strings.NewReader("content of "+key), "text/plain")
			require.NoError(t, err)
			assert.Equal(t, int64(len("content of "+key)), info.Size)

			path, err := f.Path(loc)
			require.NoError(t, err)
			rel, err := filepath.Rel(filepath.Join(f.Root, "ingest"), path)
			require.NoError(t, err)
			assert.False(t, strings.HasPrefix(rel, ".."), "key %q escaped the bucket: %s", key, path)

			head, err := f.Head(ctx, Location{Bucket: "ingest", Key: key, VersionID: info.VersionID})
			require.NoError(t, err)
			assert.Equal(t, info.ETag, head.ETag)

			rc, err := f.Open(ctx, loc)
			require.NoError(t, err)
			data, err := io.ReadAll(rc)
			require.NoError(t, rc.Close())
			require.NoError(t, err)
			assert.Equal(t, "content of "+key, string(data))
		})
	}
}

func TestFolderDistinctKeysDistinctFiles(t *testing.T) {
	f := &Folder{Root: "/data"}
	seen := map[string]string{}
	for _, key := range []string{"..", "%2E%2E", ".", "%2E", "a%", "a%25"} {
		p, err := f.Path(Location{Bucket: "b", Key: key})
		require.NoError(t, err)
		if other, ok := seen[p]; ok {
			t.Errorf("keys %q and %q map to the same file %s", key, other, p)
		}
		seen[p] = key
	}
}

func TestFolderErrors(t *testing.T) {
	ctx := context.Background()
	f := &Folder{Root: t.TempDir()}
	_, err := f.Head(ctx, Location{Bucket: "ingest", Key: "missing"})
	assert.ErrorIs(t, err, ErrNotFound)

	_, err = f.Put(ctx, Location{Bucket: "ingest", Key: ""}, strings.NewReader("x"), "")
	assert.ErrorIs(t, err, ErrInvalidKey)
	_, err = f.Put(ctx, Location{Bucket: "../etc", Key: "x"}, strings.NewReader("x"), "")
	assert.ErrorIs(t, err, ErrInvalidKey)
	_, err = f.Put(ctx, Location{Bucket: "ingest", Key: strings.Repeat("k", MaxKeyBytes+1)}, strings.NewReader("x"), "")
	assert.ErrorIs(t, err, ErrInvalidKey)

	info, err := f.Put(ctx, Location{Bucket: "ingest", Key: "k"}, strings.NewReader("v1"), "")
	require.NoError(t, err)
	_, err = f.Put(ctx, Location{Bucket: "ingest", Key: "k"}, strings.NewReader("v2"), "")
	require.NoError(t, err)
	_, err = f.Head(ctx, Location{Bucket: "ingest", Key: "k", VersionID: info.VersionID})
	assert.ErrorIs(t, err, ErrNotFound, "an overwritten version must read as missing")
}

func TestReadAllLimit(t *testing.T) {
	ctx := context.Background()
	f := &Folder{Root: t.TempDir()}
	loc := Location{Bucket: "b", Key: "big"}
	_, err := f.Put(ctx, loc, strings.NewReader(strings.Repeat("x", 100)), "")
	require.NoError(t, err)

	_, err = ReadAll(ctx, f, loc, 99)
	assert.ErrorContains(t, err, "larger than the limit")
	data, err := ReadAll(ctx, f, loc, 100)
	require.NoError(t, err)
	assert.Len(t, data, 100)
}

func TestReadRange(t *testing.T) {
	ctx := context.Background()
	f := &Folder{Root: t.TempDir()}
	loc := Location{Bucket: "b", Key: "k"}
	_, err := f.Put(ctx, loc, strings.NewReader("0123456789"), "")
	require.NoError(t, err)

	got, err := f.ReadRange(ctx, loc, 2, 3)
	require.NoError(t, err)
	assert.Equal(t, "234", string(got))
	got, err = f.ReadRange(ctx, loc, 8, 100)
	require.NoError(t, err)
	assert.Equal(t, "89", string(got))
	_, err = f.ReadRange(ctx, loc, -1, 3)
	assert.Error(t, err)
}
