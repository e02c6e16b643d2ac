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

func TestNegativeWordKeepsValidNumber(t *testing.T) {
	tests := []struct {
		name, text, typ, want string
	}{
		{name: "test before ssn", text: "Lab test results, SSN 536 22 1234", typ: TypeSSN, want: "536 22 1234"},
		{name: "sample after ssn", text: "SSN 536 22 1234 (blood sample taken)", typ: TypeSSN, want: "536 22 1234"},
		{name: "example before card", text: "For example, card 4111 1111 1111 1111 was charged", typ: TypeCreditCardNumber, want: "4111 1111 1111 1111"},
		{name: "sample before sin", text: "Sample taken, SIN 130 692 544", typ: TypeCASIN, want: "130 692 544"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, []string{tt.want}, valuesOf(t, tt.text, tt.typ))
		})
	}
}

func TestNegativeWordInDomainIgnored(t *testing.T) {
	score := func(text string) float64 {
		entities := NewDetector(WithTypes(TypeCreditCardNumber)).Detect(text)
		require.Len(t, entities, 1, text)
		return entities[0].Score
	}
	plain := score("Card 4111 1111 1111 1111, contact bob@gmail.com")
	assert.Equal(t, plain, score("Card 4111 1111 1111 1111, contact bob@example.com"))
	assert.Equal(t, plain, score("Card 4111 1111 1111 1111, see https://test.example.org/x"))
	assert.Less(t, score("Card 4111 1111 1111 1111, an example only"), plain)
}

func TestDottedCardNotMAC(t *testing.T) {
	text := "Card 4111.1111.1111.1111\n"
	assert.Equal(t, []string{"4111.1111.1111.1111"}, valuesOf(t, text, TypeCreditCardNumber))
	assert.Empty(t, valuesOf(t, text, TypeMACAddress))
	assert.Empty(t, valuesOf(t, "Id 0a1b.2c3d.4e5f.6a7b here", TypeMACAddress), "four dotted groups are not a MAC address")
	assert.Equal(t, []string{"0a1b.2c3d.4e5f"}, valuesOf(t, "MAC 0a1b.2c3d.4e5f here", TypeMACAddress))
}
