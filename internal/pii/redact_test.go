package pii

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMask(t *testing.T) {
	text := "Dear Zoë, mail zoë@example.com"
	entities := []Entity{
		{Type: TypeEmail, Begin: 16, End: 32},
		{Type: TypeName, Begin: 5, End: 9},
		{Type: TypeName, Begin: 6, End: 8},    // overlaps the name: skipped
		{Type: TypeEmail, Begin: 30, End: 99}, // outside the text: skipped
	}
	assert.Equal(t, "Dear ***, mail ***************", Mask(text, entities))
	assert.Equal(t, text, Mask(text, nil))
}

func TestCodePointSpans(t *testing.T) {
	text := "é 😀 jane@example.com ñ 4111 1111 1111 1111"
	entities := NewDetector().Detect(text)
	assert.Len(t, entities, 2)
	// Out of order and out of range entities are converted as CodePoints
	// converts them.
	entities = append(entities, Entity{Begin: 0, End: 2}, Entity{Begin: -3, End: 999})

	spans := CodePointSpans(text, entities)
	for i, e := range entities {
		begin, end := CodePoints(text, e)
		assert.Equal(t, CodePointSpan{Begin: begin, End: end}, spans[i], "entity %d", i)
	}
}
