package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/objects"
)

func TestExtractionReasonsKept(t *testing.T) {
	const partial = "Amazon Textract could not read pages 2 of the document"
	ctx := context.Background()
	tasks := newTasks(t)
	tasks.TextModerator = fakeModerator{scores: map[string][]Score{"Call 212-555-0187": {{Name: "INSULT", Score: 0.1}}}}
	tasks.PIIDetector = phoneDetector{}
	loc := objects.Location{Bucket: "work", Key: "text/job.txt"}
	_, err := tasks.Objects.Put(ctx, loc, strings.NewReader("Call 212-555-0187"), "text/plain")
	require.NoError(t, err)
	in := AnalyzeTextInput{
		Item: Item{Bucket: "ingest", Key: "scan.pdf", MediaType: "document", Format: "pdf"},
		Text: &TextRef{Location: &loc, Unscored: []string{partial}},
	}

	moderation, err := tasks.ModerateText(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, []Score{{Name: "INSULT", Score: 0.1}}, moderation.Categories, "the text read is still scored")
	assert.Equal(t, []string{partial}, moderation.Unscored)

	piiOut, err := tasks.DetectPIIText(ctx, in)
	require.NoError(t, err)
	assert.NotEmpty(t, piiOut.PII, "the text read is still scanned")
	assert.Equal(t, []string{partial}, piiOut.Unscored)
}

func TestExtractionResultsMerged(t *testing.T) {
	ctx := context.Background()
	tasks := newTasks(t)
	transcript := "Call 212-555-0187, my name is [PII]"
	tasks.TextModerator = fakeModerator{scores: map[string][]Score{transcript: {{Name: "INSULT", Score: 0.4}, {Name: "PROFANITY", Score: 0.7}}}}
	tasks.PIIDetector = phoneDetector{}
	loc := objects.Location{Bucket: "work", Key: "text/job.txt"}
	_, err := tasks.Objects.Put(ctx, loc, strings.NewReader(transcript), "text/plain")
	require.NoError(t, err)
	in := AnalyzeTextInput{
		Item: Item{Bucket: "ingest", Key: "call.mp3", MediaType: "audio", Format: "mp3"},
		Text: &TextRef{
			Location: &loc,
			Scores:   []Score{{Name: "INSULT", Score: 0.9}, {Name: "PROFANITY", Score: 0.2}, {Name: "HATE_SPEECH", Score: 0.3}},
			PII:      []TypeCount{{Type: "NAME", Count: 1}, {Type: "PHONE", Count: 2}},
		},
	}

	moderation, err := tasks.ModerateText(ctx, in)
	require.NoError(t, err)
	assert.ElementsMatch(t, []Score{{Name: "INSULT", Score: 0.9}, {Name: "PROFANITY", Score: 0.7}, {Name: "HATE_SPEECH", Score: 0.3}}, moderation.Categories,
		"each category keeps the higher of the two engines' scores")

	piiOut, err := tasks.DetectPIIText(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, []TypeCount{{Type: "NAME", Count: 1}, {Type: "PHONE", Count: 3}}, piiOut.PII,
		"values the extraction engine redacted count with those found in the text")
}
