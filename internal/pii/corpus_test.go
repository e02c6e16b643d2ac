package pii

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// defaultCorpusPath is where the team's labelled corpus sits relative to
// this package. PII_CORPUS overrides it.
const defaultCorpusPath = "../../../shared/pii-corpus/corpus.jsonl"

type corpusEntity struct {
	Type  string `json:"type"`
	Begin int    `json:"begin"`
	End   int    `json:"end"`
}

type corpusDocument struct {
	ID       string         `json:"id"`
	Text     string         `json:"text"`
	Entities []corpusEntity `json:"entities"`
}

type typeTally struct{ truePositives, falsePositives, falseNegatives int }

func (t typeTally) scores() (precision, recall, f1 float64) {
	if t.truePositives+t.falsePositives > 0 {
		precision = float64(t.truePositives) / float64(t.truePositives+t.falsePositives)
	}
	if t.truePositives+t.falseNegatives > 0 {
		recall = float64(t.truePositives) / float64(t.truePositives+t.falseNegatives)
	}
	if precision+recall > 0 {
		f1 = 2 * precision * recall / (precision + recall)
	}
	return precision, recall, f1
}

// corpusReport is the outcome of running Detect over a labelled corpus.
type corpusReport struct {
	documents int
	tallies   map[string]*typeTally
	// goldChars and coveredChars count the code points inside gold
	// entities and those of them that a prediction of any type covers.
	goldChars, coveredChars int
	// predictedChars and predictedGold count the code points inside
	// predictions and those of them inside a gold entity.
	predictedChars, predictedGold int
}

func (r corpusReport) micro() typeTally {
	var total typeTally
	for _, tt := range r.tallies {
		total.truePositives += tt.truePositives
		total.falsePositives += tt.falsePositives
		total.falseNegatives += tt.falseNegatives
	}
	return total
}

func (r corpusReport) coverageRecall() float64 {
	return float64(r.coveredChars) / float64(max(r.goldChars, 1))
}

func (r corpusReport) coveragePrecision() float64 {
	return float64(r.predictedGold) / float64(max(r.predictedChars, 1))
}

func (r corpusReport) String() string {
	types := make([]string, 0, len(r.tallies))
	for typ := range r.tallies {
		types = append(types, typ)
	}
	slices.Sort(types)
	var table strings.Builder
	fmt.Fprintf(&table, "%-36s %5s %6s %6s %6s\n", "type", "gold", "P", "R", "F1")
	for _, typ := range append(types, "micro") {
		tt := r.micro()
		if typ != "micro" {
			tt = *r.tallies[typ]
		}
		p, rec, f1 := tt.scores()
		fmt.Fprintf(&table, "%-36s %5d %6.3f %6.3f %6.3f\n", typ, tt.truePositives+tt.falseNegatives, p, rec, f1)
	}
	fmt.Fprintf(&table, "redaction coverage: recall %.4f, precision %.4f over %d documents",
		r.coverageRecall(), r.coveragePrecision(), r.documents)
	return table.String()
}

// scoreCorpus runs Detect over the corpus at path and scores it strictly:
// a prediction counts only with the same type and the exact span in code
// points. With PII_PREDICTIONS set it also writes the predictions in the
// format that the corpus's score.py reads, and with PII_CORPUS_ERRORS set
// and -v it logs every miss and false positive by id, type and offsets.
func scoreCorpus(t *testing.T, path string) corpusReport {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("corpus %s not found; set PII_CORPUS to a corpus.jsonl file to run this test", path)
	}
	require.NoError(t, err)
	defer f.Close()

	var predictions *os.File
	if out := os.Getenv("PII_PREDICTIONS"); out != "" {
		predictions, err = os.Create(out)
		require.NoError(t, err)
		defer predictions.Close()
	}
	logErrors := testing.Verbose() && os.Getenv("PII_CORPUS_ERRORS") != ""

	detector := NewDetector()
	report := corpusReport{tallies: map[string]*typeTally{}}
	tally := func(typ string) *typeTally {
		if report.tallies[typ] == nil {
			report.tallies[typ] = &typeTally{}
		}
		return report.tallies[typ]
	}

	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 0, 1<<20), 1<<24)
	for scanner.Scan() {
		var doc corpusDocument
		require.NoError(t, json.Unmarshal(scanner.Bytes(), &doc), "decoding corpus line %d", report.documents+1)
		report.documents++

		var predicted []corpusEntity
		for _, e := range detector.DetectLong(doc.Text) {
			b, en := CodePoints(doc.Text, e)
			predicted = append(predicted, corpusEntity{Type: e.Type, Begin: b, End: en})
		}
		for _, p := range predicted {
			if slices.Contains(doc.Entities, p) {
				tally(p.Type).truePositives++
				continue
			}
			tally(p.Type).falsePositives++
			if logErrors {
				t.Logf("%s: unexpected %s %q", doc.ID, p.Type, codePointSlice(doc.Text, p))
			}
		}
		for _, g := range doc.Entities {
			if !slices.Contains(predicted, g) {
				tally(g.Type).falseNegatives++
				if logErrors {
					t.Logf("%s: missed %s %q", doc.ID, g.Type, codePointSlice(doc.Text, g))
				}
			}
		}
		gold, covered := coverage(doc.Entities, predicted)
		report.goldChars += gold
		report.coveredChars += covered
		inPredictions, inBoth := coverage(predicted, doc.Entities)
		report.predictedChars += inPredictions
		report.predictedGold += inBoth

		if predictions != nil {
			line, err := json.Marshal(map[string]any{"id": doc.ID, "entities": predicted})
			require.NoError(t, err)
			_, err = predictions.Write(append(line, '\n'))
			require.NoError(t, err)
		}
	}
	require.NoError(t, scanner.Err())
	require.Positive(t, report.documents, "corpus %s has no documents", path)
	return report
}

func codePointSlice(text string, e corpusEntity) string {
	runes := []rune(text)
	return string(runes[max(0, e.Begin):min(len(runes), e.End)])
}

// assertTargets checks a corpus report against the accuracy targets:
// redaction coverage recall of at least 0.995 and precision of at least
// 0.97, strict micro F1 of at least 0.95, strict F1 of at least 0.99 for
// every type with a checksum or a fixed format, and at least 0.90 for
// NAME and ADDRESS.
func assertTargets(t *testing.T, report corpusReport) {
	t.Helper()
	t.Log("\n" + report.String())

	assert.GreaterOrEqual(t, report.coverageRecall(), 0.995, "redaction coverage recall")
	assert.GreaterOrEqual(t, report.coveragePrecision(), 0.97, "redaction coverage precision")
	_, _, micro := report.micro().scores()
	assert.GreaterOrEqual(t, micro, 0.95, "strict micro F1")
	for typ, tt := range report.tallies {
		floor := 0.99
		if typ == TypeName || typ == TypeAddress {
			floor = 0.90
		}
		_, _, f1 := tt.scores()
		assert.GreaterOrEqual(t, f1, floor, "strict F1 of %s", typ)
	}
}

// TestCorpus scores Detect on the team's labelled corpus against the
// accuracy targets.
func TestCorpus(t *testing.T) {
	path := os.Getenv("PII_CORPUS")
	if path == "" {
		path = defaultCorpusPath
	}
	assertTargets(t, scoreCorpus(t, path))
}

// TestHeldOut scores Detect on testdata/heldout.jsonl, texts written with
// other people, places, templates, languages and OCR damage than the
// team's corpus, against the same targets.
func TestHeldOut(t *testing.T) {
	assertTargets(t, scoreCorpus(t, "testdata/heldout.jsonl"))
}

// TestFresh scores Detect on testdata/fresh.jsonl, a second set of texts
// with yet other people, places and templates, against the same targets.
func TestFresh(t *testing.T) {
	assertTargets(t, scoreCorpus(t, "testdata/fresh.jsonl"))
}

// coverage returns the number of code points inside gold entities and how
// many of them a predicted entity of any type covers.
func coverage(gold, predicted []corpusEntity) (goldChars, covered int) {
	inGold := map[int]bool{}
	for _, g := range gold {
		for i := g.Begin; i < g.End; i++ {
			inGold[i] = true
		}
	}
	hit := map[int]bool{}
	for _, p := range predicted {
		for i := p.Begin; i < p.End; i++ {
			if inGold[i] {
				hit[i] = true
			}
		}
	}
	return len(inGold), len(hit)
}
