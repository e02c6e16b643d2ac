package pipeline

import (
	"context"
	"io"
	"sync"

	"github.com/moderato/moderato/internal/objects"
)

// Block size and count of objectReaderAt's cache: the PDF library reads
// the cross-reference data in small pieces, and each range read is a
// request to S3.
const (
	readerBlockSize = 64 << 10
	readerMaxBlocks = 32
)

// objectReaderAt reads an object version through range reads, keeping the
// blocks it read.
type objectReaderAt struct {
	ctx   context.Context
	store objects.Store
	loc   objects.Location

	mu     sync.Mutex
	blocks map[int64][]byte
}

func (r *objectReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		block, err := r.block(pos / readerBlockSize)
		if err != nil {
			return n, err
		}
		start := pos % readerBlockSize
		if start >= int64(len(block)) {
			return n, io.EOF
		}
		n += copy(p[n:], block[start:])
		if int64(len(block)) < readerBlockSize && n < len(p) {
			return n, io.EOF
		}
	}
	return n, nil
}

func (r *objectReaderAt) block(i int64) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.blocks[i]; ok {
		return b, nil
	}
	b, err := r.store.ReadRange(r.ctx, r.loc, i*readerBlockSize, readerBlockSize)
	if err != nil {
		return nil, err
	}
	if r.blocks == nil || len(r.blocks) >= readerMaxBlocks {
		r.blocks = map[int64][]byte{}
	}
	r.blocks[i] = b
	return b, nil
}
