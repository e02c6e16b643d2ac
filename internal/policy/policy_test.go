package policy

import (
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func loadTestPolicy(t *testing.T, name string) *Policy {
	t.Helper()
	p, err := Load(filepath.Join("testdata", name))
	require.NoError(t, err)
	return p
}

func TestDefault(t *testing.T) {
	p := Default()

	assert.Same(t, p, Default(), "the default policy is parsed once")
	assert.Equal(t, "2026-12-01", p.Version())
	assert.Equal(t, Thresholds{ReviewAt: 0.5, RejectAt: 0.9}, p.Thresholds("VIOLENCE_OR_THREAT"))
	assert.Equal(t, Thresholds{ReviewAt: 0.6, RejectAt: 0.95}, p.Thresholds("INSULT"))
	assert.Equal(t, 24*time.Hour, p.ReviewTimeout())
	assert.Equal(t, Rejected, p.OnTimeout())
	for _, piiType := range []string{"EMAIL", "AWS_SECRET_KEY", "CREDIT_DEBIT_NUMBER"} {
		assert.Equal(t, ActionRedact, p.PIIAction(piiType), piiType)
	}

	d := p.Decide(Input{PII: []PIICount{{Type: "AWS_SECRET_KEY", Count: 1}, {Type: "EMAIL", Count: 3}}})
	assert.Equal(t, Approved, d.Verdict, "the default policy does not block on PII")
}

func TestParseFullFile(t *testing.T) {
	p := loadTestPolicy(t, "full.json")

	assert.Equal(t, "team-a-7", p.Version())
	assert.Equal(t, Thresholds{ReviewAt: 0.4, RejectAt: 0.8}, p.Thresholds("GRAPHIC"))
	assert.Equal(t, Thresholds{ReviewAt: 0.6, RejectAt: 0.95}, p.Thresholds("INSULT"))
	assert.Equal(t, Thresholds{ReviewAt: 0.7, RejectAt: 0.8}, p.Thresholds("PROFANITY"), "reject_at comes from default")
	assert.Equal(t, Thresholds{ReviewAt: 0.2, RejectAt: 0.5}, p.Thresholds("Explicit Nudity"))
	assert.Equal(t, Thresholds{ReviewAt: 0.4, RejectAt: 0.8}, p.Thresholds("explicit nudity"), "names match exactly")
	assert.Equal(t, ActionReject, p.PIIAction("AWS_SECRET_KEY"))
	assert.Equal(t, ActionReview, p.PIIAction("CREDIT_DEBIT_NUMBER"))
	assert.Equal(t, ActionAllow, p.PIIAction("NAME"))
	assert.Equal(t, ActionRedact, p.PIIAction("EMAIL"))
	assert.Equal(t, time.Hour, p.ReviewTimeout())
	assert.Equal(t, Approved, p.OnTimeout())
}

func TestParseDefaultsFilled(t *testing.T) {
	tests := []struct {
		name string
		file string
	}{
		{"empty object", "empty.json"},
		{"partial", "partial.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadTestPolicy(t, tt.file)

			assert.Equal(t, Thresholds{ReviewAt: DefaultReviewAt, RejectAt: DefaultRejectAt}, p.Thresholds("INSULT"))
			assert.Equal(t, DefaultPIIAction, p.PIIAction("EMAIL"))
			assert.Equal(t, DefaultReviewTimeout, p.ReviewTimeout())
			assert.Equal(t, DefaultOnTimeout, p.OnTimeout())
			assert.Regexp(t, `^sha256:[0-9a-f]{12}$`, p.Version())
		})
	}

	p := loadTestPolicy(t, "partial.json")
	assert.Equal(t, Thresholds{ReviewAt: 0.3, RejectAt: DefaultRejectAt}, p.Thresholds("HATE_SPEECH"))
}

func TestParseNullTakesDefault(t *testing.T) {
	p, err := Parse([]byte(`{"version": null, "categories": {"default": {"review_at": null}}, "review": null}`))
	require.NoError(t, err)

	assert.Equal(t, DefaultReviewAt, p.Thresholds(DefaultCategory).ReviewAt)
	assert.Equal(t, DefaultReviewTimeout, p.ReviewTimeout())
	assert.Regexp(t, `^sha256:`, p.Version())
}

func TestDerivedVersion(t *testing.T) {
	partial := loadTestPolicy(t, "partial.json")
	reordered := loadTestPolicy(t, "reordered.json")
	empty := loadTestPolicy(t, "empty.json")

	assert.Equal(t, partial.Version(), reordered.Version(), "layout and explicit defaults do not change the version")
	assert.NotEqual(t, partial.Version(), empty.Version(), "a different threshold changes the version")

	again, err := Parse([]byte("{ }"))
	require.NoError(t, err)
	assert.Equal(t, empty.Version(), again.Version())

	for _, data := range []string{
		`{"review": {"on_timeout": "approve"}}`,
		`{"review": {"timeout_seconds": 60}}`,
		`{"pii": {"action": "review"}}`,
		`{"pii": {"types": {"EMAIL": "allow"}}}`,
		`{"categories": {"INSULT": {"reject_at": 0.95}}}`,
	} {
		p, err := Parse([]byte(data))
		require.NoError(t, err, data)
		assert.NotEqual(t, empty.Version(), p.Version(), data)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		field   string
		problem string
	}{
		{"truncated JSON", `{"version": `, "version", "invalid JSON"},
		{"not JSON", `policy`, "", "invalid JSON"},
		{"array", `[]`, "", "expected a JSON object, got an array"},
		{"trailing data", `{} {}`, "", "unexpected data after the JSON object"},
		{"unknown top-level field", `{"verison": "1"}`, "verison", "unknown field"},
		{"unknown category field", `{"categories": {"INSULT": {"block_at": 0.9}}}`, "categories.INSULT.block_at", "unknown field"},
		{"unknown pii field", `{"pii": {"mode": "redact"}}`, "pii.mode", "unknown field"},
		{"unknown review field", `{"review": {"sla": 5}}`, "review.sla", "unknown field"},
		{"duplicate key", `{"version": "a", "version": "b"}`, "version", "duplicate key"},
		{"version number", `{"version": 3}`, "version", "expected a string"},
		{"version empty", `{"version": " "}`, "version", "empty"},
		{"version control character", `{"version": "a\nb"}`, "version", "control character"},
		{"categories array", `{"categories": []}`, "categories", "expected a JSON object"},
		{"category not object", `{"categories": {"INSULT": 0.5}}`, "categories.INSULT", "expected a JSON object, got a number"},
		{"empty category name", `{"categories": {"": {"review_at": 0.5}}}`, "categories.", "empty category name"},
		{"threshold string", `{"categories": {"default": {"review_at": "0.5"}}}`, "categories.default.review_at", "expected a number"},
		{"threshold negative", `{"categories": {"default": {"review_at": -0.1}}}`, "categories.default.review_at", "outside 0..1"},
		{"threshold above one", `{"categories": {"INSULT": {"reject_at": 1.01}}}`, "categories.INSULT.reject_at", "outside 0..1"},
		{"review above reject", `{"categories": {"INSULT": {"review_at": 0.8, "reject_at": 0.7}}}`, "categories.INSULT.review_at", "above reject_at"},
		{"review above inherited reject", `{"categories": {"INSULT": {"review_at": 0.95}}}`, "categories.INSULT.review_at", "above reject_at 0.9"},
		{"default review above reject", `{"categories": {"default": {"review_at": 0.95}}}`, "categories.default.review_at", "above reject_at"},
		{"unknown pii action", `{"pii": {"action": "block"}}`, "pii.action", `unknown action "block"`},
		{"unknown pii type action", `{"pii": {"types": {"EMAIL": "mask"}}}`, "pii.types.EMAIL", `unknown action "mask"`},
		{"pii action wrong type", `{"pii": {"action": true}}`, "pii.action", "expected a string"},
		{"pii types array", `{"pii": {"types": ["EMAIL"]}}`, "pii.types", "expected a JSON object"},
		{"empty pii type", `{"pii": {"types": {"": "review"}}}`, "pii.types.", "empty PII type"},
		{"timeout zero", `{"review": {"timeout_seconds": 0}}`, "review.timeout_seconds", "outside 1..31536000"},
		{"timeout too long", `{"review": {"timeout_seconds": 31536001}}`, "review.timeout_seconds", "outside 1..31536000"},
		{"timeout fraction", `{"review": {"timeout_seconds": 1.5}}`, "review.timeout_seconds", "whole number"},
		{"timeout string", `{"review": {"timeout_seconds": "1h"}}`, "review.timeout_seconds", "whole number"},
		{"on_timeout unknown", `{"review": {"on_timeout": "approved"}}`, "review.on_timeout", `unknown action "approved"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.data))
			require.Error(t, err)
			assert.Nil(t, p)

			var fieldErr *FieldError
			require.ErrorAs(t, err, &fieldErr)
			assert.Equal(t, tt.field, fieldErr.Field)
			assert.Contains(t, fieldErr.Problem, tt.problem)
			if tt.field != "" {
				assert.Contains(t, err.Error(), "invalid policy field "+tt.field+": ")
			}
		})
	}
}

func TestLoadInvalidFiles(t *testing.T) {
	tests := []struct {
		file  string
		field string
	}{
		{"unknown_field.json", "categories.INSULT.block_at"},
		{"review_above_reject.json", "categories.INSULT.review_at"},
		{"threshold_out_of_range.json", "categories.default.reject_at"},
		{"unknown_pii_action.json", "pii.types.EMAIL"},
		{"timeout_too_long.json", "review.timeout_seconds"},
		{"wrong_type.json", "review.timeout_seconds"},
	}
	files, err := filepath.Glob("testdata/invalid/*.json")
	require.NoError(t, err)
	require.Len(t, files, len(tests), "every invalid fixture has a case")

	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "invalid", tt.file)
			p, err := Load(path)
			require.Error(t, err)
			assert.Nil(t, p)

			assert.Contains(t, err.Error(), "parsing policy "+path+": ")
			var fieldErr *FieldError
			require.ErrorAs(t, err, &fieldErr)
			assert.Equal(t, tt.field, fieldErr.Field)
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.json")
	_, err := Load(path)
	require.Error(t, err)
	assert.True(t, errors.Is(err, fs.ErrNotExist))
	assert.Contains(t, err.Error(), "reading policy "+path)
}

func TestLoadDefaultFileMatchesDefault(t *testing.T) {
	data, err := os.ReadFile("default.json")
	require.NoError(t, err)
	p, err := Parse(data)
	require.NoError(t, err)
	assert.Equal(t, Default(), p)
}

func TestDecide(t *testing.T) {
	p := loadTestPolicy(t, "full.json")
	tests := []struct {
		name       string
		in         Input
		verdict    Verdict
		reasons    []string
		categories []Score
	}{
		{
			name:    "nothing found",
			in:      Input{MediaType: "text"},
			verdict: Approved,
		},
		{
			name:    "scores below thresholds",
			in:      Input{Categories: []Score{{"INSULT", 0.59}, {"GRAPHIC", 0.39}}},
			verdict: Approved,
		},
		{
			name:       "default review threshold",
			in:         Input{Categories: []Score{{"GRAPHIC", 0.5}}},
			verdict:    Review,
			reasons:    []string{"GRAPHIC score 0.50 reached review_at 0.40"},
			categories: []Score{{"GRAPHIC", 0.5}},
		},
		{
			name:       "score equal to threshold",
			in:         Input{Categories: []Score{{"GRAPHIC", 0.4}}},
			verdict:    Review,
			reasons:    []string{"GRAPHIC score 0.40 reached review_at 0.40"},
			categories: []Score{{"GRAPHIC", 0.4}},
		},
		{
			name:       "default reject threshold",
			in:         Input{Categories: []Score{{"GRAPHIC", 0.8}}},
			verdict:    Rejected,
			reasons:    []string{"GRAPHIC score 0.80 reached reject_at 0.80"},
			categories: []Score{{"GRAPHIC", 0.8}},
		},
		{
			name:       "own thresholds",
			in:         Input{Categories: []Score{{"INSULT", 0.9}}},
			verdict:    Review,
			reasons:    []string{"INSULT score 0.90 reached review_at 0.60"},
			categories: []Score{{"INSULT", 0.9}},
		},
		{
			name:       "inherited reject threshold",
			in:         Input{Categories: []Score{{"PROFANITY", 0.85}}},
			verdict:    Rejected,
			reasons:    []string{"PROFANITY score 0.85 reached reject_at 0.80"},
			categories: []Score{{"PROFANITY", 0.85}},
		},
		{
			name:    "own review threshold above default",
			in:      Input{Categories: []Score{{"PROFANITY", 0.65}}},
			verdict: Approved,
		},
		{
			name:    "pii redacted",
			in:      Input{PII: []PIICount{{"EMAIL", 2}}},
			verdict: Approved,
			reasons: []string{"PII redacted: EMAIL (2)"},
		},
		{
			name:    "pii type review",
			in:      Input{PII: []PIICount{{"CREDIT_DEBIT_NUMBER", 1}}},
			verdict: Review,
			reasons: []string{"PII needs review: CREDIT_DEBIT_NUMBER (1)"},
		},
		{
			name:    "pii type reject",
			in:      Input{PII: []PIICount{{"AWS_SECRET_KEY", 1}}},
			verdict: Rejected,
			reasons: []string{"PII rejected: AWS_SECRET_KEY (1)"},
		},
		{
			name:    "pii type allowed",
			in:      Input{PII: []PIICount{{"NAME", 4}}},
			verdict: Approved,
		},
		{
			name:    "pii counts summed and sorted",
			in:      Input{PII: []PIICount{{"PHONE", 1}, {"EMAIL", 1}, {"PHONE", 2}, {"SSN", 0}}},
			verdict: Approved,
			reasons: []string{"PII redacted: EMAIL (1)", "PII redacted: PHONE (3)"},
		},
		{
			name:    "unscored",
			in:      Input{Unscored: []string{"image engine missing"}},
			verdict: Review,
			reasons: []string{"not scored: image engine missing"},
		},
		{
			name:    "invalid score",
			in:      Input{Categories: []Score{{"INSULT", math.NaN()}, {"GRAPHIC", 1.5}}},
			verdict: Review,
			reasons: []string{"INSULT: invalid score NaN (expected 0..1)", "GRAPHIC: invalid score 1.5 (expected 0..1)"},
		},
		{
			name:       "unnamed category uses default",
			in:         Input{Categories: []Score{{"", 0.45}}},
			verdict:    Review,
			reasons:    []string{"unnamed category score 0.45 reached review_at 0.40"},
			categories: []Score{{"", 0.45}},
		},
		{
			name: "reject beats review",
			in: Input{
				Categories: []Score{{"INSULT", 0.7}},
				PII:        []PIICount{{"AWS_SECRET_KEY", 1}},
				Unscored:   []string{"page 3 not scanned"},
			},
			verdict: Rejected,
			reasons: []string{
				"PII rejected: AWS_SECRET_KEY (1)", // the cause of the verdict comes first
				"INSULT score 0.70 reached review_at 0.60",
				"not scored: page 3 not scanned",
			},
			categories: []Score{{"INSULT", 0.7}},
		},
		{
			name: "review beats approved",
			in: Input{
				Categories: []Score{{"INSULT", 0.1}},
				PII:        []PIICount{{"EMAIL", 1}, {"CREDIT_DEBIT_NUMBER", 2}},
			},
			verdict: Review,
			reasons: []string{
				"PII needs review: CREDIT_DEBIT_NUMBER (2)",
				"PII redacted: EMAIL (1)",
			},
		},
		{
			name: "every cause listed",
			in: Input{
				Categories: []Score{{"GRAPHIC", 0.9}, {"Explicit Nudity", 0.3}, {"INSULT", 0.2}},
				Unscored:   []string{"audio not transcribed", "frame 12 unreadable"},
			},
			verdict: Rejected,
			reasons: []string{
				"GRAPHIC score 0.90 reached reject_at 0.80",
				"Explicit Nudity score 0.30 reached review_at 0.20",
				"not scored: audio not transcribed",
				"not scored: frame 12 unreadable",
			},
			categories: []Score{{"GRAPHIC", 0.9}, {"Explicit Nudity", 0.3}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(tt.in)

			wantReasons := tt.reasons
			if wantReasons == nil {
				wantReasons = []string{}
			}
			wantCategories := tt.categories
			if wantCategories == nil {
				wantCategories = []Score{}
			}
			assert.Equal(t, tt.verdict, d.Verdict)
			assert.Equal(t, wantReasons, d.Reasons)
			assert.Equal(t, wantCategories, d.Categories)
			assert.Equal(t, "team-a-7", d.PolicyVersion)
		})
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestDecisionJSON(t *testing.T) {
	tests := []struct {
		name   string
		in     Input
		golden string
	}{
		{"approved", Input{MediaType: "text"}, "decision_approved.json"},
		{"rejected", Input{
			Categories: []Score{{"INSULT", 0.97}, {"GRAPHIC", 0.1}},
			PII:        []PIICount{{"EMAIL", 2}},
		}, "decision_rejected.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Default().Decide(tt.in)
			got, err := json.MarshalIndent(d, "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')

			path := filepath.Join("testdata", tt.golden)
			if *update {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(got))

			var decoded Decision
			require.NoError(t, json.Unmarshal(got, &decoded))
			assert.Equal(t, d, decoded)
		})
	}
}

func TestDecideNamesDerivedVersion(t *testing.T) {
	p := loadTestPolicy(t, "empty.json")
	d := p.Decide(Input{Categories: []Score{{"INSULT", 0.95}}})

	assert.Equal(t, Rejected, d.Verdict)
	assert.Equal(t, p.Version(), d.PolicyVersion)
	assert.Regexp(t, `^sha256:[0-9a-f]{12}$`, d.PolicyVersion)
}

func TestDecideOnlyDecisionVerdicts(t *testing.T) {
	p := Default()
	inputs := []Input{
		{},
		{Categories: []Score{{"INSULT", 1}}},
		{Categories: []Score{{"INSULT", math.Inf(1)}}},
		{PII: []PIICount{{"EMAIL", -3}}},
		{Unscored: []string{""}},
	}
	for _, in := range inputs {
		d := p.Decide(in)
		assert.Contains(t, []Verdict{Approved, Review, Rejected}, d.Verdict)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"full.json", "empty.json", "partial.json", "reordered.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`{"categories": {"default": {"review_at": 1e400}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			var fieldErr *FieldError
			if !errors.As(err, &fieldErr) {
				t.Fatalf("error %v is not a *FieldError", err)
			}
			return
		}
		if p.Version() == "" {
			t.Fatal("parsed policy has no version")
		}
		p.Decide(Input{Categories: []Score{{"INSULT", 0.5}}, PII: []PIICount{{"EMAIL", 1}}})
	})
}
