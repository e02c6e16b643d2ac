package asl

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEndlessLoopStopsAtHistoryLimit(t *testing.T) {
	def := []byte(`{"StartAt": "Again", "States": {"Again": {"Type": "Pass", "Next": "Again"}}}`)
	exec, history, err := Run(context.Background(), def, []byte(`{}`), Functions{})
	require.NoError(t, err)
	assert.Equal(t, StatusFailed, exec.Status)
	assert.Equal(t, ErrorRuntime, exec.Error)
	assert.Contains(t, exec.Cause, "25000")
	assert.LessOrEqual(t, len(history), maxHistoryEvents+2)
}
