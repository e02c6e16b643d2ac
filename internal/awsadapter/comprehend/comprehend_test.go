package comprehend

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/comprehend"
	"github.com/aws/aws-sdk-go-v2/service/comprehend/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/pii"
	"github.com/moderato/moderato/internal/pipeline"
)

// fakeComprehend serves the Comprehend JSON protocol with the response
// shapes of the API reference, enforces the documented request limits, and
// records every request.
type fakeComprehend struct {
	t        *testing.T
	language string // the dominant language it reports
	throttle bool   // fail every call with TooManyRequestsException

	mu       sync.Mutex
	toxic    [][]string // the segments of each DetectToxicContent call
	piiTexts []string   // the text of each DetectPiiEntities call
	langs    int
}

var emailPattern = regexp.MustCompile(`[a-z]+@example\.com`)

func (f *fakeComprehend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Comprehend_20171127.")
	var body map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.fail(w, "InvalidRequestException", "invalid JSON")
		return
	}
	if f.throttle {
		f.fail(w, "TooManyRequestsException", "Rate exceeded")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()

	switch target {
	case "DetectDominantLanguage":
		f.langs++
		f.reply(w, map[string]any{"Languages": []map[string]any{{"LanguageCode": f.language, "Score": 0.98}, {"LanguageCode": "en", "Score": 0.01}}})

	case "DetectToxicContent":
		var segments []struct{ Text string }
		require.NoError(f.t, json.Unmarshal(body["TextSegments"], &segments))
		var lang string
		require.NoError(f.t, json.Unmarshal(body["LanguageCode"], &lang))
		total := 0
		var texts []string
		for _, s := range segments {
			if len(s.Text) > MaxSegmentBytes || !utf8.ValidString(s.Text) {
				f.fail(w, "TextSizeLimitExceededException", "segment too large")
				return
			}
			total += len(s.Text)
			texts = append(texts, s.Text)
		}
		if len(segments) == 0 || len(segments) > 10 || total > 10_000 || lang != "en" {
			f.fail(w, "InvalidRequestException", "invalid segments or language")
			return
		}
		f.toxic = append(f.toxic, texts)
		var results []map[string]any
		for _, text := range texts {
			insult := 0.02
			if strings.Contains(text, "idiot") {
				insult = 0.91
			}
			results = append(results, map[string]any{
				"Labels":   []map[string]any{{"Name": "INSULT", "Score": insult}, {"Name": "PROFANITY", "Score": 0.01}},
				"Toxicity": insult,
			})
		}
		f.reply(w, map[string]any{"ResultList": results})

	case "DetectPiiEntities":
		var text, lang string
		require.NoError(f.t, json.Unmarshal(body["Text"], &text))
		require.NoError(f.t, json.Unmarshal(body["LanguageCode"], &lang))
		if len(text) > MaxPIIBytes {
			f.fail(w, "TextSizeLimitExceededException", "text too large")
			return
		}
		if !utf8.ValidString(text) || (lang != "en" && lang != "es") {
			f.fail(w, "InvalidRequestException", "invalid text or language")
			return
		}
		f.piiTexts = append(f.piiTexts, text)
		var entities []map[string]any
		for _, m := range emailPattern.FindAllStringIndex(text, -1) {
			// Offsets in characters, as the service reports them.
			entities = append(entities, map[string]any{
				"Type":        "EMAIL",
				"Score":       0.99,
				"BeginOffset": utf8.RuneCountInString(text[:m[0]]),
				"EndOffset":   utf8.RuneCountInString(text[:m[1]]),
			})
		}
		f.reply(w, map[string]any{"Entities": entities})

	default:
		f.fail(w, "InvalidRequestException", "unknown target "+target)
	}
}

func (f *fakeComprehend) reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeComprehend) fail(w http.ResponseWriter, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "Message": message})
}

func newFake(t *testing.T, language string) (*fakeComprehend, *comprehend.Client) {
	t.Helper()
	fake := &fakeComprehend{t: t, language: language}
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)
	client := comprehend.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint:     aws.String(server.URL),
		RetryMaxAttempts: 1,
	})
	return fake, client
}

// sentence is 50 bytes of plain English.
const sentence = "The quick brown fox jumps over the lazy sleepy dog"

func TestModerateTextChunksAtLimits(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		wantCalls int
	}{
		{"one segment", pad(sentence+" ", MaxSegmentBytes), 1},
		{"just past one segment", pad(sentence+" ", MaxSegmentBytes+1), 1},
		{"nine segments in one call", pad(sentence+" ", 8_000), 1},
		{"more segments than one call", pad(sentence+" ", 12_000), 2},
		{"multi-byte text", strings.Repeat("Zoë spricht über Straßenbahnen ", 1000), 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake, client := newFake(t, "en")
			m := &Moderator{API: client}

			_, err := m.ModerateText(context.Background(), tc.text)

			require.NoError(t, err)
			assert.Len(t, fake.toxic, tc.wantCalls)
			covered := 0
			for _, call := range fake.toxic {
				assert.LessOrEqual(t, len(call), MaxSegmentsPerCall)
				for _, s := range call {
					assert.LessOrEqual(t, len(s), MaxSegmentBytes)
					assert.True(t, utf8.ValidString(s))
					covered += len(s)
				}
			}
			assert.GreaterOrEqual(t, covered, len(tc.text), "every byte is in a segment")
		})
	}
}

func TestModerateTextKeepsMaxScore(t *testing.T) {
	_, client := newFake(t, "en")
	m := &Moderator{API: client}
	text := strings.Repeat(sentence+". ", 60) + "You are an idiot. " + strings.Repeat(sentence+". ", 60)

	scores, err := m.ModerateText(context.Background(), text)

	require.NoError(t, err)
	assert.Equal(t, []pipeline.Score{{Name: "INSULT", Score: float64(float32(0.91))}, {Name: "PROFANITY", Score: float64(float32(0.01))}}, scores)
}

func TestToxicCallsAtSegmentLimit(t *testing.T) {
	tests := []struct {
		name         string
		text         string
		wantSegments int
	}{
		{"empty", "", 0},
		{"whitespace only", "   \n\t ", 0},
		{"exactly one segment", strings.Repeat("a", MaxSegmentBytes), 1},
		{"one byte more", strings.Repeat("a", MaxSegmentBytes+1), 2},
		{"four-byte runes at the edge", strings.Repeat("😀", MaxSegmentBytes/4+1), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls, err := ToxicCalls(tc.text)
			require.NoError(t, err)
			n := 0
			for _, call := range calls {
				n += len(call)
				for _, s := range call {
					assert.LessOrEqual(t, len(aws.ToString(s.Text)), MaxSegmentBytes)
					assert.True(t, utf8.ValidString(aws.ToString(s.Text)))
				}
			}
			assert.Equal(t, tc.wantSegments, n)
		})
	}
}

func TestToxicCallsAtCallLimits(t *testing.T) {
	// Segments overlap by segmentOverlapBytes, so each segment after the
	// first adds MaxSegmentBytes-segmentOverlapBytes bytes of new text.
	tenFullSegments := MaxSegmentBytes + (MaxSegmentsPerCall-1)*(MaxSegmentBytes-segmentOverlapBytes)

	atLimit, err := ToxicCalls(strings.Repeat("a", tenFullSegments))
	require.NoError(t, err)
	require.Len(t, atLimit, 1, "ten full segments fit one call")
	assert.Len(t, atLimit[0], MaxSegmentsPerCall)
	assert.Equal(t, MaxToxicCallBytes, segmentBytes(atLimit[0]), "the call carries exactly the per-call byte limit")

	pastLimit, err := ToxicCalls(strings.Repeat("a", tenFullSegments+1))
	require.NoError(t, err)
	require.Len(t, pastLimit, 2, "an eleventh segment starts a second call")
	assert.Len(t, pastLimit[0], MaxSegmentsPerCall)
	assert.Len(t, pastLimit[1], 1)
	for _, call := range pastLimit {
		assert.LessOrEqual(t, segmentBytes(call), MaxToxicCallBytes)
	}
}

func segmentBytes(call []types.TextSegment) int {
	n := 0
	for _, s := range call {
		n += len(aws.ToString(s.Text))
	}
	return n
}

func TestDetectPIIRemapsOffsets(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		wantCalls int
	}{
		{"short ASCII", "Write to ana@example.com or bob@example.com today, please.", 1},
		{"non-ASCII before the value", "Schreib an Zoë über zoe@example.com, danke schön für alles.", 1},
		{"at the per-call limit", pad("x@example.com ", MaxPIIBytes), 1},
		{"just past the per-call limit", pad("x@example.com ", MaxPIIBytes+1), 2},
		{"value on a chunk boundary", strings.Repeat("é", (MaxPIIBytes-6)/2) + " ana@example.com " + strings.Repeat("b ", 100), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake, client := newFake(t, "en")
			d := &PIIDetector{API: client}

			entities, err := d.DetectPII(context.Background(), tc.text)

			require.NoError(t, err)
			assert.Len(t, fake.piiTexts, tc.wantCalls)
			for _, text := range fake.piiTexts {
				assert.LessOrEqual(t, len(text), MaxPIIBytes)
			}
			want := emailPattern.FindAllStringIndex(tc.text, -1)
			require.Len(t, entities, len(want), "each value once, overlaps merged")
			for i, e := range entities {
				assert.Equal(t, "EMAIL", e.Type)
				assert.Equal(t, want[i][0], e.Begin)
				assert.Equal(t, want[i][1], e.End)
			}
		})
	}
}

// pad repeats unit and fills with spaces to exactly n bytes.
func pad(unit string, n int) string {
	s := strings.Repeat(unit, n/len(unit))
	return s + strings.Repeat(" ", n-len(s))
}

func TestUnsupportedLanguage(t *testing.T) {
	text := "Ceci est un texte assez long en français, écrit à ana@example.com."

	t.Run("without fallback goes to review", func(t *testing.T) {
		fake, client := newFake(t, "fr")
		_, err := (&Moderator{API: client}).ModerateText(context.Background(), text)
		assert.True(t, errors.Is(err, pipeline.ErrEngineUnavailable), "moderate: %v", err)
		assert.Contains(t, err.Error(), `"fr"`)

		_, err = (&PIIDetector{API: client}).DetectPII(context.Background(), text)
		assert.True(t, errors.Is(err, pipeline.ErrEngineUnavailable), "pii: %v", err)
		assert.Empty(t, fake.toxic)
		assert.Empty(t, fake.piiTexts)
	})

	t.Run("with fallback uses the local engine", func(t *testing.T) {
		fake, client := newFake(t, "fr")
		local := localPII{}
		entities, err := (&PIIDetector{API: client, Fallback: local}).DetectPII(context.Background(), text)
		require.NoError(t, err)
		assert.Len(t, entities, 1)
		assert.Empty(t, fake.piiTexts)
	})

	t.Run("Spanish is sent to PII detection", func(t *testing.T) {
		fake, client := newFake(t, "es")
		entities, err := (&PIIDetector{API: client}).DetectPII(context.Background(), "Escribe a ana@example.com mañana por la tarde, gracias.")
		require.NoError(t, err)
		assert.Len(t, entities, 1)
		assert.Len(t, fake.piiTexts, 1)
	})
}

// localPII is the repository's pattern detector, the fallback engine of
// local mode.
type localPII struct{}

func (localPII) Name() string { return "local-patterns" }

func (localPII) DetectPII(ctx context.Context, text string) ([]pii.Entity, error) {
	return pii.NewDetector().DetectLong(text), nil
}

func TestShortTextSkipsLanguageDetection(t *testing.T) {
	fake, client := newFake(t, "fr")

	_, err := (&Moderator{API: client}).ModerateText(context.Background(), "you idiot")

	require.NoError(t, err)
	assert.Zero(t, fake.langs)
	assert.Len(t, fake.toxic, 1)
}

func TestThrottlingIsTransient(t *testing.T) {
	fake, client := newFake(t, "en")
	fake.throttle = true

	_, err := (&Moderator{API: client}).ModerateText(context.Background(), strings.Repeat(sentence+" ", 3))

	var transient *pipeline.TransientError
	assert.True(t, errors.As(err, &transient), "%v", err)
}

func TestMergeEntities(t *testing.T) {
	tests := []struct {
		name string
		in   []pii.Entity
		want []pii.Entity
	}{
		{"duplicate keeps higher score",
			[]pii.Entity{{Type: "EMAIL", Begin: 5, End: 10, Score: 0.5}, {Type: "EMAIL", Begin: 5, End: 10, Score: 0.9}},
			[]pii.Entity{{Type: "EMAIL", Begin: 5, End: 10, Score: 0.9}}},
		{"cut value absorbed",
			[]pii.Entity{{Type: "ADDRESS", Begin: 20, End: 30}, {Type: "ADDRESS", Begin: 10, End: 30}},
			[]pii.Entity{{Type: "ADDRESS", Begin: 10, End: 30}}},
		{"other type kept",
			[]pii.Entity{{Type: "NAME", Begin: 10, End: 15}, {Type: "ADDRESS", Begin: 10, End: 30}},
			[]pii.Entity{{Type: "ADDRESS", Begin: 10, End: 30}, {Type: "NAME", Begin: 10, End: 15}}},
		{"disjoint kept in order",
			[]pii.Entity{{Type: "EMAIL", Begin: 50, End: 60}, {Type: "EMAIL", Begin: 1, End: 9}},
			[]pii.Entity{{Type: "EMAIL", Begin: 1, End: 9}, {Type: "EMAIL", Begin: 50, End: 60}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, MergeEntities(tc.in))
		})
	}
}
