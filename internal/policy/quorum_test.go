package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReviewQuorum(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want int
	}{
		{"unset", `{}`, 1},
		{"one", `{"review": {"quorum": 1}}`, 1},
		{"three", `{"review": {"quorum": 3}}`, 3},
		{"null takes default", `{"review": {"quorum": null}}`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.doc))
			require.NoError(t, err)
			assert.Equal(t, tc.want, p.ReviewQuorum())
		})
	}
}

func TestReviewQuorumErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"zero", `{"review": {"quorum": 0}}`},
		{"too many", `{"review": {"quorum": 11}}`},
		{"fraction", `{"review": {"quorum": 1.5}}`},
		{"string", `{"review": {"quorum": "two"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "review.quorum")
		})
	}
}

func TestReviewQuorumVersion(t *testing.T) {
	plain, err := Parse([]byte(`{}`))
	require.NoError(t, err)
	one, err := Parse([]byte(`{"review": {"quorum": 1}}`))
	require.NoError(t, err)
	two, err := Parse([]byte(`{"review": {"quorum": 2}}`))
	require.NoError(t, err)

	assert.Equal(t, plain.Version(), one.Version(), "the default quorum keeps the derived version")
	assert.NotEqual(t, plain.Version(), two.Version(), "a quorum changes the derived version")
}
