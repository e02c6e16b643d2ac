package pii

import (
	"sort"
	"unicode/utf8"
)

// maxGapRunes is the most white-space runes that a wide gap between two
// digits of one number may have: a CRLF line break and a space, or three
// spaces. More, or two line breaks, separate two numbers.
const maxGapRunes = 3

// gap is a wide gap inside a number, as compactGaps replaced it.
type gap struct {
	// at is the offset of the replacement in the compact text, and width
	// its length: 1 for a space, 0 after a hyphen.
	at, width int
	// removed is how many bytes fewer the compact text has than the
	// original up to the end of this gap.
	removed int
}

// compactGaps finds the wide gaps between two digits of text, reading the
// digits in normalized, the normalized form of text. A gap follows the
// last digit of a run, so it tries only those: the run of digits that
// starts at starts[k] has groups[k] of them. A wide gap is white
// space other than one space or one LF, such as two spaces, a tab, a
// no-break space or a CRLF line break, or a line break after a hyphen. It
// returns text with each such gap replaced by one space, or with the white
// space after the hyphen removed, and the gaps in order, or text and no
// gaps.
func compactGaps(text, normalized string, starts, groups []int) (string, []gap) {
	var compact []byte
	var gaps []gap
	copied, next := 0, 0
	for k, start := range starts {
		i := start + groups[k] - 1
		if i < next || i+1 >= len(text) {
			continue
		}
		start := i + 1
		hyphen := text[start] == '-'
		if hyphen {
			start++
		}
		end, runes, breaks := start, 0, 0
		for end < len(text) && runes <= maxGapRunes {
			size := gapSpaceAt(text, end)
			if size == 0 {
				break
			}
			// CRLF counts as one line break.
			if text[end] == '\n' || (text[end] == '\r' && !(end+1 < len(text) && text[end+1] == '\n')) {
				breaks++
			}
			end += size
			runes++
		}
		if runes == 0 || runes > maxGapRunes || breaks > 1 || end >= len(text) || !isDigit(normalized[end]) {
			continue
		}
		// One space or LF between groups is read in the first run
		// already, after normalize.
		wide := !(runes == 1 && (text[start] == ' ' || text[start] == '\n'))
		if hyphen {
			wide = breaks == 1
		}
		if !wide {
			continue
		}

		compact = append(compact, text[copied:start]...)
		g := gap{at: len(compact)}
		if !hyphen {
			compact = append(compact, ' ')
			g.width = 1
		}
		g.removed = end - start - g.width
		if len(gaps) > 0 {
			g.removed += gaps[len(gaps)-1].removed
		}
		gaps = append(gaps, g)
		copied, next = end, end
	}
	if gaps == nil {
		return text, nil
	}
	compact = append(compact, text[copied:]...)
	return string(compact), gaps
}

// gapSpaceAt returns the length of the white-space rune at i that may
// separate the groups of a number, or 0: a space, tab, CR or LF, or a
// no-break, figure, narrow no-break or thin space.
func gapSpaceAt(text string, i int) int {
	switch text[i] {
	case ' ', '\t', '\r', '\n':
		return 1
	}
	if text[i] < utf8.RuneSelf {
		return 0
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	switch r {
	case '\u00a0', '\u2007', '\u202f', '\u2009':
		return size
	}
	return 0
}

// originalOffset maps offset p of the compact text that compactGaps
// returned with gaps to the offset in the original text.
func originalOffset(gaps []gap, p int) int {
	// n is the number of gaps that end at or before p.
	n := sort.Search(len(gaps), func(k int) bool { return gaps[k].at+gaps[k].width > p })
	if n == 0 {
		return p
	}
	return p + gaps[n-1].removed
}

// findAcrossGaps runs the recognizers again on the compact form of text
// when it has wide gaps inside numbers. It adds to s the candidates that
// span a gap, with offsets in text, so "4111  1111  1111  1111" is read as
// one card number. Checksums decide as
// for any other number. The second run happens only for texts with such
// gaps, and its text has none, so Detect stays linear.
func (d *Detector) findAcrossGaps(s *scan, text string) {
	compact, gaps := compactGaps(text, s.text, s.numberStarts(), s.numberGroups())
	if gaps == nil {
		return
	}
	inner := newScan(compact)
	d.runRecognizers(inner)
	for _, c := range inner.candidates {
		if !spansGap(gaps, c.Begin, c.End) {
			continue
		}
		c.Begin = originalOffset(gaps, c.Begin)
		c.End = originalOffset(gaps, c.End)
		s.candidates = append(s.candidates, c)
	}
	inner.release()
}

// spansGap reports whether [b, e) of the compact text contains a gap with
// a digit on each side inside it.
func spansGap(gaps []gap, b, e int) bool {
	k := sort.Search(len(gaps), func(k int) bool { return gaps[k].at > b })
	return k < len(gaps) && gaps[k].at+gaps[k].width < e
}
