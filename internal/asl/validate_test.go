package asl_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/moderato/moderato/internal/asl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateFindsEveryProblem(t *testing.T) {
	definition := `{
	  "StartAt": "P",
	  "States": {
	    "P": {"Type": "Parallel", "Branches": [{"StartAt": "In", "States": {"In": {"Type": "Pass", "Next": "Gone"}}}],
	          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Nowhere"}], "Next": "J"},
	    "J": {"Type": "Choice", "QueryLanguage": "JSONata",
	          "Choices": [{"Condition": "{% $states.input.( %}", "Next": "End"}, {"Variable": "$.a", "Next": "End"}], "Default": "End"},
	    "End": {"Type": "Succeed", "Assign": {"2bad": 1}},
	    "Loose": {"Type": "Wait", "End": true}
	  }
	}`

	got := map[string]string{}
	for _, p := range asl.Validate([]byte(definition)) {
		got[p.Path] = p.String()
	}

	for path, fragment := range map[string]string{
		"$.States.P.Branches[0].States.In.Next": `state "P/In"`,
		"$.States.P.Catch[0].Next":              `names state "Nowhere"`,
		"$.States.J.Choices[0].Condition":       "invalid JSONata expression",
		"$.States.J.Choices[1].Variable":        "is not a field of a JSONata choice rule",
		"$.States.J.Choices[1].Condition":       "missing",
		"$.States.End.Assign['2bad']":           "invalid variable name",
		"$.States.Loose":                        "unreachable",
	} {
		if assert.Contains(t, got, path) {
			assert.Contains(t, got[path], fragment)
		}
	}
}

func TestValidateAcceptsValidDefinitions(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "moderation.asl.json"))
	require.NoError(t, err)
	assert.Empty(t, asl.Validate(raw))

	jsonata := `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% $states.input.list %}","MaxConcurrency":"{% 2 %}",
	  "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Output":{"v":"{% $states.input %}"},"End":true}}},"Assign":{"n":"{% $count($states.result) %}"},"End":true}}}`
	assert.Empty(t, asl.Validate([]byte(jsonata)))
}

func TestValidateInvalidJSON(t *testing.T) {
	problems := asl.Validate([]byte(`{"StartAt":`))
	require.Len(t, problems, 1)
	assert.Equal(t, "$", problems[0].Path)
	assert.Contains(t, problems[0].Message, "invalid JSON")
}
