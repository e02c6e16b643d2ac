// Package toxicity classifies the toxicity of text locally, with an embedded
// lexicon and no network. Its output has the shape of Amazon Comprehend
// DetectToxicContent: seven labels with scores in 0..1 and an overall
// toxicity score, so the pipeline can use either engine behind one interface.
//
// # Matching
//
// Words are compared in lowercase, with Unicode word boundaries. Each word
// is also tried with common obfuscations undone: leetspeak ("1d10t", "a$$"),
// letters repeated three times or more ("fuuuck"), accented and Cyrillic or
// Greek lookalike letters, '*' for hidden letters ("f*ck", used only when
// exactly one term fits) and letters spelled out one by one ("f.u.c.k").
// Contractions are expanded ("you're" to "you are"). Allowlisted words such
// as "Scunthorpe" and "sniggered" never match.
//
// # Scores
//
// The scores are calibrated heuristics, not probabilities. Each lexicon
// entry has a weight, the score that one plain occurrence contributes to its
// label. Context changes the contribution:
//
//   - Directed: an INSULT or PROFANITY term within three words after "you"
//     or "your", or followed by "you" ("fuck you"), in the same sentence.
//     The INSULT weight w rises to w + 0.4(1-w), and the match also adds
//     0.6w to HARASSMENT_OR_ABUSE (and to INSULT for profanity).
//   - Negated: "not", "never", "no", "hardly" or "nor" within the three
//     words before the term, in the same sentence ("he is not an idiot").
//     The contribution is multiplied by 0.35.
//   - Quoted: the term sits inside a quotation of at most eight words
//     (`he called me an "idiot"`). The contribution is multiplied by 0.6.
//
// A match inside a longer match of the same label ("kill you" inside "i
// will kill you") does not count, and of the matches that start at the same
// word only the largest contribution per label counts.
//
// Contributions to one label combine as a noisy OR, 1 - Π(1 - c), so one
// mild insult (weight 0.55 to 0.65) scores about that much, and several
// insults or one strong term score higher. Scores are capped at 0.99. Text
// without a match scores 0.
//
// The overall toxicity is the highest label score m plus half of the
// remaining distance times the noisy OR of the other labels:
// m + 0.5(1-m)·OR(others), capped at 0.99.
//
// # Segments
//
// Like Comprehend, the classifier scores segments of at most
// MaxSegmentBytes bytes, split at sentence boundaries by Split, and reports
// the maximum of each score over the segments.
package toxicity

import (
	"math"
	"unicode/utf8"
)

// Label names, as Comprehend DetectToxicContent reports them.
const (
	LabelProfanity         = "PROFANITY"
	LabelHateSpeech        = "HATE_SPEECH"
	LabelInsult            = "INSULT"
	LabelGraphic           = "GRAPHIC"
	LabelHarassmentOrAbuse = "HARASSMENT_OR_ABUSE"
	LabelSexual            = "SEXUAL"
	LabelViolenceOrThreat  = "VIOLENCE_OR_THREAT"
)

// labelNames is the fixed order of Result.Labels.
var labelNames = [...]string{
	LabelProfanity,
	LabelHateSpeech,
	LabelInsult,
	LabelGraphic,
	LabelHarassmentOrAbuse,
	LabelSexual,
	LabelViolenceOrThreat,
}

const numLabels = len(labelNames)

// Indexes into labelNames for the labels that context rules change.
const (
	indexProfanity  = 0
	indexInsult     = 2
	indexHarassment = 4
)

// LabelNames returns the seven label names in the order of Result.Labels.
func LabelNames() []string {
	return append([]string(nil), labelNames[:]...)
}

func labelIndex(name string) int {
	for i, n := range labelNames {
		if n == name {
			return i
		}
	}
	return -1
}

// Score rules, described in the package documentation.
const (
	contextWords       = 3
	directedBoost      = 0.4
	directedSpillover  = 0.6
	negationFactor     = 0.35
	quotationFactor    = 0.6
	maxScore           = 0.99
	toxicityOtherShare = 0.5
)

var (
	secondPerson = map[string]bool{"you": true, "your": true, "yourself": true, "yourselves": true, "thou": true, "thee": true}
	negators     = map[string]bool{"not": true, "never": true, "no": true, "hardly": true, "nor": true}
)

// Label is one toxicity label and its score in 0..1.
type Label struct {
	Name  string
	Score float64
}

// Result is the classification of one text: the overall toxicity score and
// all seven labels in the order of LabelNames.
type Result struct {
	Toxicity float64
	Labels   []Label
}

// Score returns the score of the named label, or 0 for an unknown name.
func (r Result) Score(name string) float64 {
	for _, l := range r.Labels {
		if l.Name == name {
			return l.Score
		}
	}
	return 0
}

// Classifier scores text against a lexicon. It is read-only after New, so
// one Classifier is safe for concurrent use.
type Classifier struct {
	lexicon         *Lexicon
	maxSegmentBytes int
}

// Option configures a Classifier.
type Option func(*Classifier)

// WithLexicon replaces the embedded lexicon.
func WithLexicon(lex *Lexicon) Option {
	return func(c *Classifier) {
		if lex != nil {
			c.lexicon = lex
		}
	}
}

// WithMaxSegmentBytes sets the maximum segment size in bytes. Values below
// utf8.UTFMax are ignored, so that every segment holds a whole character.
func WithMaxSegmentBytes(n int) Option {
	return func(c *Classifier) {
		if n >= utf8.UTFMax {
			c.maxSegmentBytes = n
		}
	}
}

// New returns a classifier that uses the embedded lexicon unless an option
// replaces it. It panics only if the embedded lexicon is invalid, which is a
// defect of the build that the package tests catch.
func New(opts ...Option) *Classifier {
	c := &Classifier{maxSegmentBytes: MaxSegmentBytes}
	for _, opt := range opts {
		opt(c)
	}
	if c.lexicon == nil {
		lex, err := defaultLexicon()
		if err != nil {
			panic("toxicity: embedded lexicon: " + err.Error())
		}
		c.lexicon = lex
	}
	return c
}

// Classify scores text. Any input is accepted, including invalid UTF-8 and
// text without spaces, and the cost is linear in its length. Long text is
// split by Split, and each score is the maximum over the segments.
func (c *Classifier) Classify(text string) Result {
	var labels [numLabels]float64
	var toxicity float64
	for _, segment := range Split(text, c.maxSegmentBytes) {
		scores, segmentToxicity := c.classifySegment(segment)
		for i, s := range scores {
			labels[i] = math.Max(labels[i], s)
		}
		toxicity = math.Max(toxicity, segmentToxicity)
	}

	result := Result{Toxicity: toxicity, Labels: make([]Label, numLabels)}
	for i, name := range labelNames {
		result.Labels[i] = Label{Name: name, Score: labels[i]}
	}
	return result
}

// contributionKey identifies the contribution of the matches that start at
// one token to one label. Only the largest counts, so that a word matched
// by two spellings or by an exact and a prefix term counts once.
type contributionKey struct {
	start int
	label int
}

func (c *Classifier) classifySegment(segment string) ([numLabels]float64, float64) {
	lex := c.lexicon
	tokens := lex.tokenize(segment)
	matches := lex.findMatches(tokens)

	contributions := map[contributionKey]float64{}
	add := func(start, label int, value float64) {
		key := contributionKey{start, label}
		contributions[key] = math.Max(contributions[key], value)
	}
	for k, m := range matches {
		if lex.isCovered(matches, k) {
			continue
		}
		e := lex.entries[m.entry]
		weight := e.weight
		factor := 1.0
		if hasContext(tokens, m.start, negators) {
			factor *= negationFactor
		}
		if tokens[m.start].quoted {
			factor *= quotationFactor
		}

		if (e.label == indexInsult || e.label == indexProfanity) && isDirected(tokens, m, e) {
			if e.label == indexInsult {
				weight += (1 - weight) * directedBoost
			} else {
				add(m.start, indexInsult, directedSpillover*e.weight*factor)
			}
			add(m.start, indexHarassment, directedSpillover*e.weight*factor)
		}
		add(m.start, e.label, weight*factor)
	}

	var remaining [numLabels]float64
	for i := range remaining {
		remaining[i] = 1
	}
	for key, value := range contributions {
		remaining[key.label] *= 1 - value
	}
	var scores [numLabels]float64
	for i, r := range remaining {
		scores[i] = math.Min(1-r, maxScore)
	}
	return scores, overallToxicity(scores)
}

// overallToxicity combines label scores as the package documentation describes.
func overallToxicity(scores [numLabels]float64) float64 {
	top := 0
	for i, s := range scores {
		if s > scores[top] {
			top = i
		}
	}
	othersRemaining := 1.0
	for i, s := range scores {
		if i != top {
			othersRemaining *= 1 - s
		}
	}
	m := scores[top]
	return math.Min(m+toxicityOtherShare*(1-m)*(1-othersRemaining), maxScore)
}

// hasContext reports whether one of the words before tokens[start], in the
// same sentence, is in words.
func hasContext(tokens []token, start int, words map[string]bool) bool {
	for i := start - 1; i >= 0 && i >= start-contextWords; i-- {
		if tokens[i].sentence != tokens[start].sentence {
			return false
		}
		for _, form := range tokens[i].forms {
			if words[form] {
				return true
			}
		}
	}
	return false
}

// isDirected reports whether a match is aimed at the reader: "you" or "your"
// shortly before it, or "you" right after it. A term that already contains
// "you" is not counted twice.
func isDirected(tokens []token, m match, e entry) bool {
	for _, word := range e.words {
		if secondPerson[word.text] {
			return false
		}
	}
	if hasContext(tokens, m.start, secondPerson) {
		return true
	}
	if m.end < len(tokens) && tokens[m.end].sentence == tokens[m.start].sentence {
		for _, form := range tokens[m.end].forms {
			if form == "you" || form == "yourself" {
				return true
			}
		}
	}
	return false
}
