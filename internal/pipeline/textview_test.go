package pipeline

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/moderato/moderato/internal/pii"
)

func TestTextViewDecodes(t *testing.T) {
	tests := []struct {
		name     string
		original string
		view     string
	}{
		{"plain text is its own view", "mail jane@example.com", "mail jane@example.com"},
		{"decimal reference", "jane&#64;example.com", "jane@example.com"},
		{"decimal reference without semicolon", "jane&#64example.com", "jane@example.com"},
		{"hex reference", "jane&#x40;example&#X2E;com", "jane@example.com"},
		{"named references", "jane&commat;example&period;com &amp; co", "jane@example.com & co"},
		{"unknown name stays", "a &madeup; b", "a &madeup; b"},
		{"named without semicolon stays", "fish &amp chips", "fish &amp chips"},
		{"bare ampersand stays", "R&D & more &", "R&D & more &"},
		{"number too long stays", "&#1234567890;", "&#1234567890;"},
		{"zero-width space", "f\u200bu\u200cc\u200dk", "fuck"},
		{"word joiner and soft hyphen", "sh\u2060i\u00adt", "shit"},
		{"byte order mark inside", "41\ufeff11", "4111"},
		{"other non-ASCII stays", "Grüße, 世界 — ok", "Grüße, 世界 — ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.view, NewTextView(tt.original).Text)
		})
	}
}

func TestTextViewMapsEntities(t *testing.T) {
	original := "Mail j&#97;ne&#64;example.com or call 555\u200b-0100. Done"
	view := NewTextView(original)
	email := strings.Index(view.Text, "jane@example.com")
	phone := strings.Index(view.Text, "555-0100")
	entities := []pii.Entity{
		{Type: "EMAIL", Begin: email, End: email + len("jane@example.com")},
		{Type: "PHONE", Begin: phone, End: phone + len("555-0100")},
	}

	mapped := view.OriginalEntities(entities)

	assert.Equal(t, "j&#97;ne&#64;example.com", original[mapped[0].Begin:mapped[0].End])
	assert.Equal(t, "555\u200b-0100", original[mapped[1].Begin:mapped[1].End])
	assert.Equal(t, "Mail [EMAIL] or call [PHONE]. Done", pii.Redact(original, mapped))
}

func TestTextViewEntityInsideReference(t *testing.T) {
	original := "x&NotEqualTilde;y"
	view := NewTextView(original)
	// The reference decodes to two code points; an entity that starts on
	// the second one still covers the whole reference.
	second := len("x") + len("≂")

	begin := view.original(second, false)
	end := view.original(second+len("\u0338"), true)

	assert.Equal(t, 1, begin)
	assert.Equal(t, len("x&NotEqualTilde;"), end)
}

func TestTextViewIsLinear(t *testing.T) {
	original := strings.Repeat("&#", 200000) + strings.Repeat("&amp", 100000)

	view := NewTextView(original)

	assert.Equal(t, original, view.Text)
}
