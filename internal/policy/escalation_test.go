package policy

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEscalationParse(t *testing.T) {
	p, err := Parse([]byte(`{"review": {"timeout_seconds": 3600, "escalation": {"queue": "senior-mods", "timeout_seconds": 7200}}}`))
	require.NoError(t, err)

	e, ok := p.Escalation()
	require.True(t, ok)
	assert.Equal(t, "senior-mods", e.Queue)
	assert.Equal(t, 2*time.Hour, e.Timeout)
	assert.Equal(t, time.Hour, p.ReviewTimeout(), "the first review keeps its own timeout")
}

func TestEscalationUnset(t *testing.T) {
	for _, doc := range []string{`{}`, `{"review": {"escalation": null}}`} {
		p, err := Parse([]byte(doc))
		require.NoError(t, err, doc)
		_, ok := p.Escalation()
		assert.False(t, ok, doc)
	}
	_, ok := Default().Escalation()
	assert.False(t, ok, "the default policy does not escalate")
}

func TestEscalationErrors(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		field string
		text  string
	}{
		{"empty object", `{"review": {"escalation": {}}}`, "review.escalation.queue", "missing"},
		{"no timeout", `{"review": {"escalation": {"queue": "senior"}}}`, "review.escalation.timeout_seconds", "missing"},
		{"no queue", `{"review": {"escalation": {"timeout_seconds": 60}}}`, "review.escalation.queue", "missing"},
		{"empty queue", `{"review": {"escalation": {"queue": "", "timeout_seconds": 60}}}`, "review.escalation.queue", "invalid queue name"},
		{"queue with space", `{"review": {"escalation": {"queue": "senior mods", "timeout_seconds": 60}}}`, "review.escalation.queue", "invalid queue name"},
		{"queue with colon", `{"review": {"escalation": {"queue": "a:b", "timeout_seconds": 60}}}`, "review.escalation.queue", "invalid queue name"},
		{"long queue", `{"review": {"escalation": {"queue": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "timeout_seconds": 60}}}`, "review.escalation.queue", "longer than 64 bytes"},
		{"queue number", `{"review": {"escalation": {"queue": 7, "timeout_seconds": 60}}}`, "review.escalation.queue", "expected a string"},
		{"zero timeout", `{"review": {"escalation": {"queue": "senior", "timeout_seconds": 0}}}`, "review.escalation.timeout_seconds", "outside 1..31536000"},
		{"fractional timeout", `{"review": {"escalation": {"queue": "senior", "timeout_seconds": 1.5}}}`, "review.escalation.timeout_seconds", "whole number"},
		{"unknown field", `{"review": {"escalation": {"queue": "senior", "timeout_seconds": 60, "after": 5}}}`, "review.escalation.after", "unknown field"},
		{"not an object", `{"review": {"escalation": "senior"}}`, "review.escalation", "expected a JSON object"},
		{"total above a year", `{"review": {"timeout_seconds": 31536000, "escalation": {"queue": "senior", "timeout_seconds": 1}}}`, "review.escalation.timeout_seconds", "longest that an execution can wait"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			require.Error(t, err)
			var fieldErr *FieldError
			require.True(t, errors.As(err, &fieldErr), "%v", err)
			assert.Equal(t, tc.field, fieldErr.Field)
			assert.Contains(t, fieldErr.Problem, tc.text)
		})
	}
}

func TestEscalationVersion(t *testing.T) {
	plain, err := Parse([]byte(`{}`))
	require.NoError(t, err)
	nullEscalation, err := Parse([]byte(`{"review": {"escalation": null}}`))
	require.NoError(t, err)
	senior, err := Parse([]byte(`{"review": {"escalation": {"queue": "senior", "timeout_seconds": 60}}}`))
	require.NoError(t, err)
	longer, err := Parse([]byte(`{"review": {"escalation": {"queue": "senior", "timeout_seconds": 120}}}`))
	require.NoError(t, err)

	assert.Equal(t, plain.Version(), nullEscalation.Version(), "no escalation keeps the derived version")
	assert.NotEqual(t, plain.Version(), senior.Version(), "an escalation changes the derived version")
	assert.NotEqual(t, senior.Version(), longer.Version(), "the escalation timeout is part of the derived version")
}
