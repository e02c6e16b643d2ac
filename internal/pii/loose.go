package pii

import "sort"

// looseNumbers returns the loosely grouped numbers in the text, found once
// per scan and shared by the recognizers that consult them. A loosely
// grouped number has 9 to 23 digits with at most one space or dash between
// any two of them, as OCR and hand typing leave numbers whose groups are
// not the standard ones, such as "4 233 5516 2976 1324".
func (s *scan) looseNumbers() [][2]int {
	if !s.looseDone {
		s.looseDone = true
		for _, m := range s.findNumbers(looseGroups) {
			if numberBounded(s.text, m[0], m[1]) {
				s.loose = append(s.loose, m)
				s.looseDigits = append(s.looseDigits, digitsOf(s.text[m[0]:m[1]]))
			}
		}
	}
	return s.loose
}

// findLoose reports the loosely grouped numbers that have want digits
// (or, for cards, 13 to 19), pass valid, and follow a context word of
// rule. The standard groupings score higher in their own recognizers, so
// these candidates only win where no standard form matched.
func findLoose(s *scan, entityType string, rule *context, valid func(digits string) bool) {
	// strict holds the candidates of the standard forms, in ascending
	// order, as the recognizer found them before calling findLoose.
	strict := s.spansOf(entityType)
	for i, m := range s.looseNumbers() {
		b, e := m[0], m[1]
		if overlapsAny(strict, b, e) || !valid(s.looseDigits[i]) || !s.hasContext(b, rule) {
			continue
		}
		score := 0.8
		score = lowerForNegativeContext(s.text, b, e, score, 0.3)
		s.add(entityType, b, e, score)
	}
}

// overlapsAny reports whether one of spans, sorted by position and not
// overlapping each other, overlaps [b, e).
func overlapsAny(spans [][2]int, b, e int) bool {
	i := sort.Search(len(spans), func(i int) bool { return spans[i][1] > b })
	return i < len(spans) && spans[i][0] < e
}

func looseCardValid(digits string) bool {
	return len(digits) >= 13 && len(digits) <= 19 && luhnValid(digits) && cardIssuerValid(digits)
}
