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

// corpusFloors are the minimum F1 per type for the types with a checksum
// or a fixed format, measured on the labelled corpus and rounded down, so
// that a change that breaks a recognizer fails the test.
var corpusFloors = map[string]float64{
	TypeEmail:            0.99,
	TypePhone:            0.99,
	TypeCreditCardNumber: 0.99,
	TypeSSN:              0.99,
	TypeIBAN:             0.99,
	TypeIPAddress:        0.99,
	TypeAWSAccessKey:     0.99,
	TypeAWSSecretKey:     0.99,
	TypeURL:              0.99,
	TypeMACAddress:       0.99,
	TypeCreditCardCVV:    0.99,
	TypeCreditCardExpiry: 0.99,
	TypeUKNHSNumber:      0.99,
	TypeUKNINumber:       0.99,
	TypeCASIN:            0.99,
	TypeBankRouting:      0.99,
	TypeVIN:              0.99,
}

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

// TestCorpus runs Detect over the labelled corpus, logs strict precision,
// recall and F1 per type (same type and exact span in code points) and
// checks them against corpusFloors. With PII_PREDICTIONS set it also writes
// the predictions in the format that the corpus's score.py reads.
func TestCorpus(t *testing.T) {
	path := os.Getenv("PII_CORPUS")
	if path == "" {
		path = defaultCorpusPath
	}
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

	detector := NewDetector()
	tallies := map[string]*typeTally{}
	tally := func(typ string) *typeTally {
		if tallies[typ] == nil {
			tallies[typ] = &typeTally{}
		}
		return tallies[typ]
	}
	goldChars, coveredChars := 0, 0

	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 0, 1<<20), 1<<24)
	documents := 0
	for scanner.Scan() {
		var doc corpusDocument
		require.NoError(t, json.Unmarshal(scanner.Bytes(), &doc), "decoding corpus line %d", documents+1)
		documents++

		var predicted []corpusEntity
		for _, e := range detector.Detect(doc.Text) {
			b, en := CodePoints(doc.Text, e)
			predicted = append(predicted, corpusEntity{Type: e.Type, Begin: b, End: en})
		}
		for _, p := range predicted {
			if slices.Contains(doc.Entities, p) {
				tally(p.Type).truePositives++
			} else {
				tally(p.Type).falsePositives++
				if testing.Verbose() && os.Getenv("PII_CORPUS_ERRORS") != "" {
					t.Logf("%s: unexpected %s at %d-%d", doc.ID, p.Type, p.Begin, p.End)
				}
			}
		}
		for _, g := range doc.Entities {
			if !slices.Contains(predicted, g) {
				tally(g.Type).falseNegatives++
				if testing.Verbose() && os.Getenv("PII_CORPUS_ERRORS") != "" {
					t.Logf("%s: missed %s at %d-%d", doc.ID, g.Type, g.Begin, g.End)
				}
			}
		}
		gold, covered := coverage(doc.Entities, predicted)
		goldChars += gold
		coveredChars += covered

		if predictions != nil {
			line, err := json.Marshal(map[string]any{"id": doc.ID, "entities": predicted})
			require.NoError(t, err)
			_, err = predictions.Write(append(line, '\n'))
			require.NoError(t, err)
		}
	}
	require.NoError(t, scanner.Err())
	require.Positive(t, documents, "corpus %s has no documents", path)

	types := make([]string, 0, len(tallies))
	for typ := range tallies {
		types = append(types, typ)
	}
	slices.Sort(types)
	var table strings.Builder
	fmt.Fprintf(&table, "%-36s %5s %6s %6s %6s\n", "type", "gold", "P", "R", "F1")
	for _, typ := range types {
		tt := tallies[typ]
		p, r, f1 := tt.scores()
		fmt.Fprintf(&table, "%-36s %5d %6.3f %6.3f %6.3f\n", typ, tt.truePositives+tt.falseNegatives, p, r, f1)
	}
	fmt.Fprintf(&table, "redaction coverage recall %.4f over %d documents", float64(coveredChars)/float64(max(goldChars, 1)), documents)
	t.Log("\n" + table.String())

	for typ, floor := range corpusFloors {
		tt, ok := tallies[typ]
		if !ok {
			continue
		}
		_, _, f1 := tt.scores()
		assert.GreaterOrEqual(t, f1, floor, "F1 of %s", typ)
	}
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
