// Package textchunk splits long text into overlapping chunks that fit a
// service's size limit, such as the 100 KB per call of Amazon Comprehend
// DetectPiiEntities, so that a value on a chunk boundary appears whole in at
// least one chunk.
package textchunk

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// MinMaxBytes is the smallest chunk size that Split accepts, because one
// UTF-8 encoded rune takes up to 4 bytes.
const MinMaxBytes = utf8.UTFMax

// ErrInvalidSize is returned by Split for a chunk size or overlap it cannot
// honour.
var ErrInvalidSize = errors.New("textchunk: invalid chunk size")

// Chunk is a byte range [Begin, End) of the text passed to Split.
type Chunk struct {
	Begin int
	End   int
}

// Split splits text into chunks of at most maxBytes bytes. Every chunk
// starts and ends on a UTF-8 rune boundary, as Go's decoder counts runes,
// and ends after a whitespace byte when one lies in the second half of the
// bytes the chunk adds. Consecutive chunks overlap by at least overlap bytes
// whenever maxBytes-overlap is 8 or more. Below that a rune boundary may lie
// out of reach, and Split then keeps the boundary and overlaps less. Split
// returns no chunks for empty text and rejects a maxBytes smaller than
// MinMaxBytes, a negative overlap and an overlap of maxBytes or more.
//
// A chunk advances by at least (maxBytes-overlap)/2-3 bytes, so
// the number of chunks is at most about 2*len(text)/(maxBytes-overlap).
func Split(text string, maxBytes, overlap int) ([]Chunk, error) {
	if maxBytes < MinMaxBytes {
		return nil, fmt.Errorf("%w: max bytes %d is smaller than %d", ErrInvalidSize, maxBytes, MinMaxBytes)
	}
	if overlap < 0 || overlap >= maxBytes {
		return nil, fmt.Errorf("%w: overlap %d must be at least 0 and smaller than max bytes %d", ErrInvalidSize, overlap, maxBytes)
	}

	var chunks []Chunk
	begin := 0
	for begin < len(text) {
		limit := begin + maxBytes
		if limit >= len(text) {
			chunks = append(chunks, Chunk{Begin: begin, End: len(text)})
			break
		}
		end := chunkEnd(text, begin, limit, overlap)
		chunks = append(chunks, Chunk{Begin: begin, End: end})
		begin = nextBegin(text, begin, end, overlap)
	}
	return chunks, nil
}

// chunkEnd picks the end of a chunk that may reach at most limit: after the
// last whitespace in the upper half of the new bytes, else on the last rune
// boundary at or below limit. It stays above begin+overlap when a boundary
// lies there, so that the next chunk can start after begin and still
// overlap by overlap bytes.
func chunkEnd(text string, begin, limit, overlap int) int {
	step := limit - begin - overlap
	floor := begin + overlap + 1
	for i := limit - 1; i >= limit-step/2 && i >= floor; i-- {
		if isSpace(text[i]) {
			return i + 1
		}
	}
	// One of any 4 consecutive offsets is a boundary, and begin is one, so
	// this loop always returns.
	for end := limit; end > begin; end-- {
		if IsBoundary(text, end) {
			return end
		}
	}
	return limit
}

// nextBegin returns the start of the chunk after [begin, end): on a rune
// boundary after begin, and at least overlap bytes before end when such a
// boundary exists.
func nextBegin(text string, begin, end, overlap int) int {
	next := end - overlap
	for p := next; p > begin; p-- {
		if IsBoundary(text, p) {
			return p
		}
	}
	for p := max(next+1, begin+1); p < end; p++ {
		if IsBoundary(text, p) {
			return p
		}
	}
	return end
}

// IsBoundary reports whether byte offset p of text lies between two runes
// as Go's UTF-8 decoder reads text from the start: invalid bytes count as
// runes of one byte, so every offset outside a valid multi-byte sequence is
// a boundary.
func IsBoundary(text string, p int) bool {
	if p <= 0 || p >= len(text) {
		return p == 0 || p == len(text)
	}
	for q := p - 1; q >= 0 && q >= p-utf8.UTFMax+1; q-- {
		if utf8.RuneStart(text[q]) {
			_, size := utf8.DecodeRuneInString(text[q:])
			return q+size <= p
		}
	}
	return true
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\n' || b == '\t' || b == '\r' || b == '\f' || b == '\v'
}
