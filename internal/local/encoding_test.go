package local

import (
	"encoding/binary"
	"os"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/policy"
)

// TestTextEncodingsModerated runs text in each supported encoding through
// the whole pipeline: each is moderated and redacted, none is unsupported.
func TestTextEncodingsModerated(t *testing.T) {
	h := newHarness(t, Config{})
	utf16le := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = binary.LittleEndian.AppendUint16(b, u)
		}
		return b
	}
	tests := []struct {
		name    string
		content []byte
	}{
		{"latin1.txt", []byte("Caf\xe9 cr\xe8me: write to jordan.reyes@example.com, na\xefve.\n")},
		{"utf16.txt", utf16le("Write to jordan.reyes@example.com please.\r\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.process(tt.name, tt.content)

			assert.Equal(t, "text", res.MediaType, "reasons: %v", res.Reasons)
			assert.Equal(t, policy.Approved, res.Verdict, "reasons: %v", res.Reasons)
			require.NotNil(t, res.Redacted)
			redacted, err := os.ReadFile(*res.Redacted)
			require.NoError(t, err)
			assert.Contains(t, string(redacted), "[EMAIL]")
			assert.NotContains(t, string(redacted), "jordan.reyes")
		})
	}
}

// TestObfuscatedTextCaught checks that HTML character references and
// invisible characters hide neither PII nor abuse from the engines, and
// that the redacted copy replaces the whole obfuscated value.
func TestObfuscatedTextCaught(t *testing.T) {
	h := newHarness(t, Config{})

	pii := h.process("refs.txt", []byte("Mail jordan.reyes&#64;example&#46;com or card 4111&#32;1111\u200b 1111 1111.\n"))

	assert.Equal(t, policy.Approved, pii.Verdict, "reasons: %v", pii.Reasons)
	require.NotNil(t, pii.Redacted)
	redacted, err := os.ReadFile(*pii.Redacted)
	require.NoError(t, err)
	assert.Equal(t, "Mail [EMAIL] or card [CREDIT_DEBIT_NUMBER].\n", string(redacted))

	plain := h.process("plain-abuse.txt", []byte("You fucking moron, shut up.\n"))
	hidden := h.process("hidden-abuse.txt", []byte("You f\u200bu\u200bc\u200bk&#105;ng m&#111;ron, shut up.\n"))

	assert.NotEqual(t, policy.Approved, plain.Verdict, "reasons: %v", plain.Reasons)
	assert.Equal(t, plain.Verdict, hidden.Verdict, "reasons: %v", hidden.Reasons)
	assert.Equal(t, plain.Reasons, hidden.Reasons)
}
