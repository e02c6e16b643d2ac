package toxicity

import "unicode/utf8"

// MaxSegmentBytes is the maximum size of one text segment that Comprehend
// DetectToxicContent accepts: 1 KB of UTF-8.
const MaxSegmentBytes = 1024

// MaxSegmentsPerRequest is the maximum number of segments in one
// DetectToxicContent request.
const MaxSegmentsPerRequest = 10

// Split splits text into segments of at most maxBytes bytes whose
// concatenation is text. A segment ends after the last sentence end (".",
// "!" or "?" followed by white space, or a line break) that fits. A sentence
// longer than maxBytes is split after its last space that fits, and a word
// longer than maxBytes between two UTF-8 characters. Invalid UTF-8 bytes are
// treated as characters of one byte. A maxBytes below utf8.UTFMax is raised
// to utf8.UTFMax. The cost is linear in the length of text.
func Split(text string, maxBytes int) []string {
	maxBytes = max(maxBytes, utf8.UTFMax)
	var segments []string
	for len(text) > maxBytes {
		cut := lastSentenceEnd(text, maxBytes)
		if cut == 0 {
			cut = lastSpaceEnd(text, maxBytes)
		}
		if cut == 0 {
			cut = runeBoundary(text, maxBytes)
		}
		segments = append(segments, text[:cut])
		text = text[cut:]
	}
	if text != "" {
		segments = append(segments, text)
	}
	return segments
}

// lastSentenceEnd returns the largest n <= limit such that text[:n] ends a
// sentence, or 0.
func lastSentenceEnd(text string, limit int) int {
	for n := limit; n > 0; n-- {
		switch text[n-1] {
		case '\n':
			return n
		case '.', '!', '?':
			if n < len(text) && isSpaceByte(text[n]) {
				return n
			}
		}
	}
	return 0
}

// lastSpaceEnd returns the largest n <= limit such that text[:n] ends with
// white space, or 0.
func lastSpaceEnd(text string, limit int) int {
	for n := limit; n > 0; n-- {
		if isSpaceByte(text[n-1]) {
			return n
		}
	}
	return 0
}

// runeBoundary returns the largest n <= limit that does not split a UTF-8
// sequence. Continuation bytes without a start byte are invalid UTF-8, and
// the cut falls at limit after utf8.UTFMax-1 of them.
func runeBoundary(text string, limit int) int {
	for n := limit; n > limit-utf8.UTFMax && n > 0; n-- {
		if utf8.RuneStart(text[n]) {
			return n
		}
	}
	return limit
}

func isSpaceByte(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}
