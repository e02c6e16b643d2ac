package nsfw

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/rekognition"
)

// TestLabelsMatchRekognitionAdapter checks that the categories of this
// model are the ones the Rekognition adapter produces for the same
// Rekognition labels, so one policy serves both engines.
func TestLabelsMatchRekognitionAdapter(t *testing.T) {
	tests := []struct {
		rekognitionLabel string
		want             string
	}{
		{rekognitionLabel: "Explicit", want: LabelExplicit},
		{rekognitionLabel: "Swimwear or Underwear", want: LabelSwimwearOrUnderwear},
	}
	for _, tt := range tests {
		t.Run(tt.rekognitionLabel, func(t *testing.T) {
			scores := rekognition.Scores([]types.ModerationLabel{{
				Name:          aws.String(tt.rekognitionLabel),
				ParentName:    aws.String(""),
				Confidence:    aws.Float32(80),
				TaxonomyLevel: aws.Int32(1),
			}})
			require.Len(t, scores, 1)
			assert.Equal(t, tt.want, scores[0].Name)
		})
	}
}
