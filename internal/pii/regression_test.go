package pii

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// coveredBytes returns, for each byte of text, whether an entity that
// Detect reports covers it.
func coveredBytes(text string, entities []Entity) []bool {
	covered := make([]bool, len(text))
	for _, e := range entities {
		for i := e.Begin; i < e.End; i++ {
			covered[i] = true
		}
	}
	return covered
}

// assertCovered checks that every byte of each value in text lies inside
// a detected entity.
func assertCovered(t *testing.T, text string, values ...string) {
	t.Helper()
	covered := coveredBytes(text, NewDetector().Detect(text))
	for _, v := range values {
		b := strings.Index(text, v)
		require.GreaterOrEqual(t, b, 0, "%q not in %q", v, text)
		for i := b; i < b+len(v); i++ {
			if !assert.True(t, covered[i], "byte %d of %q is left in clear in %q", i-b, v, text) {
				break
			}
		}
	}
}

func TestOverlapKeepsUnionCovered(t *testing.T) {
	tests := []struct {
		name, text string
		values     []string
	}{
		{name: "email and phone in url", text: "link https://corp.com/?e=jane.doe@corp.com&phone=212-555-0187\n",
			values: []string{"https://corp.com/?e=jane.doe@corp.com&phone=212-555-0187"}},
		{name: "email and ssn in url", text: "see https://example.com/a?q=xxxxxxxxxx&mail=john.smith@corp.com&ssn=536-22-1234 end\n",
			values: []string{"https://example.com/a?q=xxxxxxxxxx&mail=john.smith@corp.com&ssn=536-22-1234"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertCovered(t, tt.text, tt.values...)
		})
	}
}

func TestOverlapKeepsInnerType(t *testing.T) {
	text := "link https://corp.com/?e=jane.doe@corp.com&phone=212-555-0187\n"
	assert.Equal(t, []string{"212-555-0187"}, valuesOf(t, text, TypePhone))
}
