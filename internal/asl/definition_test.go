package asl_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/moderato/moderato/internal/asl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name       string
		definition string
		wantErr    string
	}{
		{"not JSON", `{`, "invalid JSON"},
		{"missing StartAt", `{"States":{"A":{"Type":"Succeed"}}}`, "field StartAt: missing"},
		{"unknown StartAt", `{"StartAt":"B","States":{"A":{"Type":"Succeed"}}}`, `field StartAt: names state "B"`},
		{"unknown Next", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}`, `state "A": field Next: names state "B"`},
		{"no Next or End", `{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`, `state "A": field Next: missing`},
		{"Next and End", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A","End":true}}}`, "mutually exclusive"},
		{"unknown type", `{"StartAt":"A","States":{"A":{"Type":"Loop","End":true}}}`, `unknown state type "Loop"`},
		{"task without resource", `{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}}`, `state "A": field Resource: missing`},
		{"choice without choices", `{"StartAt":"A","States":{"A":{"Type":"Choice"}}}`, `field Choices: missing`},
		{"choice unknown default", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsNull":true,"Next":"A"}],"Default":"Z"}}}`, `field Default: names state "Z"`},
		{"wait two fields", `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}}}`, "exactly one"},
		{"States.ALL not last", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}],"End":true}}}`, "States.ALL must appear alone"},
		{"States.ALL not alone", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["States.ALL","X"],"Next":"A"}],"End":true}}}`, "States.ALL must appear alone"},
		{"catch without next", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["X"]}],"End":true}}}`, "Catch[0]: field Next: missing"},
		{"bad jitter", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":["X"],"JitterStrategy":"SOME"}],"End":true}}}`, "JitterStrategy"},
		{"heartbeat not below timeout", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","TimeoutSeconds":5,"HeartbeatSeconds":5,"End":true}}}`, "smaller than TimeoutSeconds"},
		{"parallel branch invalid", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"Y":{"Type":"Succeed"}}}],"End":true}}}`, `names state "X"`},
		{"map without processor", `{"StartAt":"M","States":{"M":{"Type":"Map","End":true}}}`, "ItemProcessor: missing"},
		{"distributed map", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"X","States":{"X":{"Type":"Succeed"}}},"End":true}}}`, "not supported yet"},
		{"unknown query language", `{"QueryLanguage":"XPath","StartAt":"A","States":{"A":{"Type":"Succeed"}}}`, "must be JSONPath or JSONata"},
		{"JSONPath field in JSONata", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.a","End":true}}}`, `state "A": field InputPath: is a JSONPath field`},
		{"JSONata field in JSONPath", `{"StartAt":"A","States":{"A":{"Type":"Pass","Output":{},"End":true}}}`, `state "A": field Output: is a JSONata field`},
		{"invalid JSONata", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $states.input.( %}","End":true}}}`, "invalid JSONata expression"},
		{"bad variable name", `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"1x":1},"End":true}}}`, `invalid variable name "1x"`},
		{"assign not object", `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":[1],"End":true}}}`, "field Assign: expected an object"},
		{"JSONata condition not expression", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Condition":"yes","Next":"B"}]},"B":{"Type":"Succeed"}}}`, "field Condition"},
		{"ResultPath to variable", `{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$x","End":true}}}`, "ResultPath"},
		{"unreachable state", `{"StartAt":"A","States":{"A":{"Type":"Succeed"},"B":{"Type":"Succeed"}}}`, `state "B": no transition from StartAt reaches it`},
		{"bad input path", `{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"x","End":true}}}`, `state "A": field InputPath`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := asl.Parse([]byte(tt.definition))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestParseModerationMachine(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "moderation.asl.json"))
	require.NoError(t, err)
	_, err = asl.Parse(raw)
	assert.NoError(t, err)
}

func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		raw, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"StartAt":"A","States":{"A":{"Type":"Map","Iterator":{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}},"End":true}}}`))
	f.Add([]byte(`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.a","IsPresent":true},"Next":"A"}]}}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = asl.Parse(data)
	})
}
