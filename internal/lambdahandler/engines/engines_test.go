package engines

import (
	"context"
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		value string
		want  Kind
	}{
		{"", AWS},
		{"aws", AWS},
		{" Local ", Local},
		{"local", Local},
	}
	for _, tc := range tests {
		got, err := FromEnv(func(string) string { return tc.value })
		require.NoError(t, err, "value %q", tc.value)
		assert.Equal(t, tc.want, got, "value %q", tc.value)
	}
}

func TestFromEnvRejectsUnknown(t *testing.T) {
	_, err := FromEnv(func(string) string { return "gcp" })

	require.Error(t, err)
	assert.Contains(t, err.Error(), "MODERATO_ENGINES")
	assert.Contains(t, err.Error(), `"gcp"`)
}

func TestKindSelectsEngines(t *testing.T) {
	cfg := aws.Config{Region: "us-east-1"}
	logger := slog.New(slog.DiscardHandler)

	assert.Equal(t, "local-lexicon", Local.TextModerator(cfg, logger).Name())
	assert.Equal(t, "local-patterns", Local.PIIDetector(cfg, logger).Name())
	assert.NotContains(t, AWS.TextModerator(cfg, logger).Name(), "local")
	assert.NotContains(t, AWS.PIIDetector(cfg, logger).Name(), "local")
	assert.NotContains(t, AWS.ImageModerator(cfg, logger).Name(), "local")
	require.NotNil(t, AWS.TextRecognizer(cfg))
	assert.Equal(t, "amazon-textract", AWS.TextRecognizer(cfg).Name())
	assert.Nil(t, Local.TextRecognizer(cfg), "no OCR program in the Lambda runtime")
}

func TestLocalEnginesAnalyseText(t *testing.T) {
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1"}
	logger := slog.New(slog.DiscardHandler)

	entities, err := Local.PIIDetector(cfg, logger).DetectPII(ctx, "Write to jane.doe@example.com today.")
	require.NoError(t, err)
	require.NotEmpty(t, entities, "the local detector finds the email address")
	assert.Equal(t, "EMAIL", string(entities[0].Type))

	scores, err := Local.TextModerator(cfg, logger).ModerateText(ctx, "You are an idiot.")
	require.NoError(t, err)
	assert.NotEmpty(t, scores, "the local moderator scores an insult")
}
