package pii

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Redact returns text with each entity replaced by its type in brackets,
// such as "[EMAIL]". It skips entities whose offsets lie outside text or
// overlap an earlier entity, so any slice of entities is safe to pass.
func Redact(text string, entities []Entity) string {
	sorted := slices.Clone(entities)
	slices.SortFunc(sorted, func(a, b Entity) int { return cmp.Compare(a.Begin, b.Begin) })

	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, e := range sorted {
		if e.Begin < last || e.End > len(text) || e.Begin >= e.End {
			continue
		}
		b.WriteString(text[last:e.Begin])
		b.WriteString("[" + e.Type + "]")
		last = e.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// Mask returns text with every code point of each entity replaced by '*',
// so the redacted text keeps its length in code points and its layout. It
// skips entities as Redact does.
func Mask(text string, entities []Entity) string {
	sorted := slices.Clone(entities)
	slices.SortFunc(sorted, func(a, b Entity) int { return cmp.Compare(a.Begin, b.Begin) })

	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, e := range sorted {
		if e.Begin < last || e.End > len(text) || e.Begin >= e.End {
			continue
		}
		b.WriteString(text[last:e.Begin])
		b.WriteString(strings.Repeat("*", utf8.RuneCountInString(text[e.Begin:e.End])))
		last = e.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// TypeCount is the number of entities of one type.
type TypeCount struct {
	Type  string
	Count int
}

// Summarize counts entities per type, sorted by Type. It never copies a
// value, so its result is safe to log.
func Summarize(entities []Entity) []TypeCount {
	counts := map[string]int{}
	for _, e := range entities {
		counts[e.Type]++
	}

	summary := make([]TypeCount, 0, len(counts))
	for t, n := range counts {
		summary = append(summary, TypeCount{Type: t, Count: n})
	}
	slices.SortFunc(summary, func(a, b TypeCount) int { return cmp.Compare(a.Type, b.Type) })
	return summary
}

// CodePointSpan is an entity's span in code points.
type CodePointSpan struct {
	Begin, End int
}

// CodePointSpans converts the byte offsets of entities, sorted by Begin as
// Detect returns them, into code point offsets of text in one pass, where
// calling CodePoints per entity would count from the start each time.
// Entities out of order or outside text are converted as CodePoints does.
func CodePointSpans(text string, entities []Entity) []CodePointSpan {
	spans := make([]CodePointSpan, len(entities))
	bytePos, runePos := 0, 0
	advance := func(to int) int {
		to = min(max(to, 0), len(text))
		if to < bytePos {
			bytePos, runePos = 0, 0
		}
		runePos += utf8.RuneCountInString(text[bytePos:to])
		bytePos = to
		return runePos
	}
	for i, e := range entities {
		spans[i].Begin = advance(e.Begin)
		spans[i].End = advance(max(e.End, e.Begin))
	}
	return spans
}

// CodePoints converts the byte offsets of e into offsets in code points
// (runes) of text, the unit of Comprehend's BeginOffset and EndOffset.
// Offsets outside text are clamped to it. An invalid byte counts as one
// code point, as Go's UTF-8 decoder reads it.
func CodePoints(text string, e Entity) (begin, end int) {
	b := min(max(e.Begin, 0), len(text))
	en := min(max(e.End, b), len(text))
	begin = utf8.RuneCountInString(text[:b])
	end = begin + utf8.RuneCountInString(text[b:en])
	return begin, end
}
