// Package pii finds personally identifiable information (PII) in text with
// local recognizers and redacts it. Its output mirrors Amazon Comprehend
// DetectPiiEntities: the same entity type names, byte offsets that callers
// can convert to code points with CodePoints, and a confidence score per
// entity.
//
// Each recognizer pairs a pattern with a validator (a checksum, phone
// number metadata, a country's length) and context words, so that a value
// that only looks like PII is not reported. Before the recognizers run,
// letters that OCR reads for digits (O, l, I) and line breaks inside
// numbers are read back, byte for byte, and checksums then decide. A text
// with wider gaps inside numbers, such as two spaces, a tab, a no-break
// space or a line break after a hyphen, is scanned a second time with each
// gap read as one space. Names
// and addresses come from general rules of English and Spanish text: cue
// words, runs of capitalized words missing from an embedded English word
// list, and address forms of several countries. Detection runs in time
// linear in the length of the text.
package pii

import (
	"cmp"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/moderato/moderato/internal/textchunk"
)

// Entity types, named as Amazon Comprehend DetectPiiEntities names them.
const (
	TypeEmail            = "EMAIL"
	TypePhone            = "PHONE"
	TypeCreditCardNumber = "CREDIT_DEBIT_NUMBER"
	TypeSSN              = "SSN"
	TypeIBAN             = "INTERNATIONAL_BANK_ACCOUNT_NUMBER"
	TypeIPAddress        = "IP_ADDRESS"
	TypeAWSAccessKey     = "AWS_ACCESS_KEY"
	TypeAWSSecretKey     = "AWS_SECRET_KEY"
	TypeURL              = "URL"
	TypeMACAddress       = "MAC_ADDRESS"
	TypeCreditCardCVV    = "CREDIT_DEBIT_CVV"
	TypeCreditCardExpiry = "CREDIT_DEBIT_EXPIRY"
	TypeUKNHSNumber      = "UK_NATIONAL_HEALTH_SERVICE_NUMBER"
	TypeUKNINumber       = "UK_NATIONAL_INSURANCE_NUMBER"
	TypeCASIN            = "CA_SOCIAL_INSURANCE_NUMBER"
	TypeBankRouting      = "BANK_ROUTING"
	TypeVIN              = "VEHICLE_IDENTIFICATION_NUMBER"
)

// MaxChunkBytes is the largest text that DetectLong passes to Detect at
// once: Comprehend DetectPiiEntities accepts at most 100 KB of UTF-8 per
// call, read here as 100,000 bytes.
const MaxChunkBytes = 100_000

// ChunkOverlap is the overlap in bytes between the chunks of DetectLong. It
// exceeds the longest entity a recognizer reports (a URL of maxURLBytes)
// plus its context window, so every entity lies whole, with its context, in
// at least one chunk.
const ChunkOverlap = 4096

// DefaultMinScore is the score below which Detect drops a candidate unless
// WithMinScore sets another threshold.
const DefaultMinScore = 0.5

// Entity is one PII value found in a text.
type Entity struct {
	// Type is the Comprehend entity type name, such as "EMAIL".
	Type string
	// Begin is the byte offset of the first byte of the value.
	Begin int
	// End is the byte offset just after the value.
	End int
	// Score is the confidence from 0 to 1: a value that passes a checksum
	// and has context words scores higher than a value that only matches
	// a format.
	Score float64
}

// Detector finds PII entities in text. Its methods are safe for concurrent
// use because a Detector is not changed after NewDetector returns it.
type Detector struct {
	minScore float64
	types    map[string]bool
}

// Option configures a Detector.
type Option func(*Detector)

// WithMinScore makes the Detector drop candidates that score below min,
// which ranges from 0 to 1.
func WithMinScore(min float64) Option {
	return func(d *Detector) { d.minScore = min }
}

// WithTypes limits the Detector to the given entity types. Without it the
// Detector reports every type it supports.
func WithTypes(types ...string) Option {
	return func(d *Detector) {
		d.types = make(map[string]bool, len(types))
		for _, t := range types {
			d.types[t] = true
		}
	}
}

// NewDetector returns a Detector configured by opts.
func NewDetector(opts ...Option) *Detector {
	d := &Detector{minScore: DefaultMinScore}
	for _, opt := range opts {
		opt(d)
	}
	return d
}

// SupportedTypes returns the entity types that a Detector can report, in
// the order of priority used when two candidates with equal score and
// length overlap.
func SupportedTypes() []string {
	types := make([]string, 0, len(recognizers))
	for _, r := range recognizers {
		types = append(types, r.entityType)
	}
	return types
}

// Detect returns the PII entities in text, sorted by Begin and without
// overlaps. Offsets are byte offsets on UTF-8 rune boundaries. Detect scans
// text longer than MaxChunkBytes whole, and DetectLong splits it instead.
func (d *Detector) Detect(text string) []Entity {
	s := newScan(text)
	d.runRecognizers(s)
	d.findAcrossGaps(s, text)

	kept := s.candidates[:0]
	for _, c := range s.candidates {
		if c.Score >= d.minScore && (d.types == nil || d.types[c.Type]) {
			kept = append(kept, c)
		}
	}
	if cap(s.taken) < len(text) {
		s.taken = make([]bool, len(text))
	}
	entities := resolve(s.text, kept, s.taken[:len(text)])
	s.release()
	return keepMarksWhole(text, entities)
}

// keepMarksWhole moves each entity's end past the combining marks that
// follow it, and its begin past those it starts with, so that no entity
// splits a letter from its accents in decomposed (NFD) text. A begin moves
// forward and an end moves past marks only, so entities still do not
// overlap. An entity of marks alone is dropped.
func keepMarksWhole(text string, entities []Entity) []Entity {
	kept := entities[:0]
	for _, e := range entities {
		e.Begin = skipMarks(text, e.Begin)
		e.End = skipMarks(text, e.End)
		if e.Begin < e.End {
			kept = append(kept, e)
		}
	}
	return kept
}

// skipMarks returns the offset after the combining marks at i.
func skipMarks(text string, i int) int {
	for i < len(text) && text[i] >= utf8.RuneSelf {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.Is(unicode.M, r) {
			break
		}
		i += size
	}
	return i
}

// runRecognizers adds to s the candidates of the recognizers that d
// reports or that those consult.
func (d *Detector) runRecognizers(s *scan) {
	for i, r := range recognizers {
		if d.types != nil && !d.types[r.entityType] && !r.neededBy(d.types) {
			continue
		}
		s.priority, s.priorityType = i, r.entityType
		r.find(s)
		s.sortSpans(i)
	}
}

// DetectLong detects entities in text of any length. It splits text into
// chunks of at most MaxChunkBytes that overlap by ChunkOverlap bytes,
// detects in each, maps offsets back to text and merges the duplicates that
// the overlaps produce, so an entity across a chunk boundary is found once.
func (d *Detector) DetectLong(text string) []Entity {
	if len(text) <= MaxChunkBytes {
		return d.Detect(text)
	}

	chunks, err := textchunk.Split(text, MaxChunkBytes, ChunkOverlap)
	if err != nil {
		// Split rejects only invalid sizes, and these are valid constants,
		// so this branch is unreachable. Scanning whole is still correct.
		return d.Detect(text)
	}

	var all []candidate
	for _, c := range chunks {
		for _, e := range d.Detect(text[c.Begin:c.End]) {
			// An entity that touches a cut may be a truncated value, and
			// the neighbouring chunk contains the whole value.
			if (e.Begin == 0 && c.Begin > 0) || (e.End == c.End-c.Begin && c.End < len(text)) {
				continue
			}
			e.Begin += c.Begin
			e.End += c.Begin
			all = append(all, candidate{Entity: e, priority: priorityOf(e.Type)})
		}
	}
	return resolve(text, all, make([]bool, len(text)))
}

// candidate is an entity that a recognizer found, before overlaps are
// resolved.
type candidate struct {
	Entity
	priority int
}

// resolve keeps the best of overlapping candidates: the higher score, then
// the longer span, then the type earlier in recognizers. A candidate that
// loses an overlap keeps the parts that no better candidate covers, as
// entities of its own type, so the kept entities cover every byte of every
// candidate. A URL that contains a phone number thus becomes the URL up to
// the number, and the number. It returns the kept entities sorted by
// Begin. taken has a false element for each byte of text, the text the
// candidates were found in, and resolve leaves it so.
func resolve(text string, candidates []candidate, taken []bool) []Entity {
	textLen := len(taken)
	slices.SortFunc(candidates, func(a, b candidate) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(b.End-b.Begin, a.End-a.Begin); c != 0 {
			return c
		}
		if c := cmp.Compare(a.priority, b.priority); c != 0 {
			return c
		}
		return cmp.Compare(a.Begin, b.Begin)
	})

	// taken marks the bytes covered by kept entities. Every candidate is
	// checked once over its own length, so resolve runs in time linear in
	// the total length of the candidates.
	entities := make([]Entity, 0, len(candidates))
	for _, c := range candidates {
		if c.Begin < 0 || c.End > textLen || c.Begin >= c.End {
			continue
		}
		if !slices.Contains(taken[c.Begin:c.End], true) {
			for i := c.Begin; i < c.End; i++ {
				taken[i] = true
			}
			entities = append(entities, c.Entity)
			continue
		}
		entities = appendUncovered(entities, c.Entity, text, taken)
	}

	for _, e := range entities {
		clear(taken[e.Begin:e.End])
	}
	slices.SortFunc(entities, func(a, b Entity) int { return cmp.Compare(a.Begin, b.Begin) })
	return entities
}

// appendUncovered appends to entities each maximal part of e that taken
// does not cover, without the white space at its ends, and marks it taken.
// Kept entities start and end on rune boundaries, so the parts do too. A
// part without a letter or digit, such as the ", " between two kept
// entities, carries no value and is skipped. Only names, addresses and
// URLs keep such parts: a part of a number or a key is no value of its
// type, as " 2792" left of "+44 129 195 35 2792" is no SSN.
func appendUncovered(entities []Entity, e Entity, text string, taken []bool) []Entity {
	if e.Type != TypeName && e.Type != TypeAddress && e.Type != TypeURL {
		return entities
	}
	for i := e.Begin; i < e.End; {
		if taken[i] {
			i++
			continue
		}
		b := i
		for i < e.End && !taken[i] {
			i++
		}
		begin, end := b, i
		for begin < end && isSpaceByte(text[begin]) {
			begin++
		}
		for end > begin && isSpaceByte(text[end-1]) {
			end--
		}
		if !hasWordByte(text[begin:end]) {
			continue
		}
		for k := begin; k < end; k++ {
			taken[k] = true
		}
		part := e
		part.Begin, part.End = begin, end
		entities = append(entities, part)
	}
	return entities
}

// hasWordByte reports whether s contains an ASCII letter or digit or a
// byte of a multibyte rune.
func hasWordByte(s string) bool {
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) || s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}
