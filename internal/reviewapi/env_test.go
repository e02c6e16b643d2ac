package reviewapi

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/review"
)

func TestSettingsFromEnv(t *testing.T) {
	env := map[string]string{
		"AUTH_MODE":          "jwt",
		"JWT_SUBJECT_CLAIM":  "email",
		"RESTRICT_QUEUES":    "true",
		"REVIEW_QUEUES":      `{"image": "visual", "video": "visual"}`,
		"ESCALATION_QUEUE":   "senior",
		"ESCALATE_AFTER":     "4h",
		"REVIEW_QUORUM":      "2",
		"IAM_QUEUES":         `{"arn:aws:iam::123456789012:role/m": ["visual"]}`,
		"QUEUE_GRANT_PREFIX": "reviews/queue",
	}
	s, err := SettingsFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, Gateway{
		Mode: ModeJWT, SubjectClaim: "email", QueueGrant: "reviews/queue", RestrictQueues: true,
		IAMQueues: map[string][]string{"arn:aws:iam::123456789012:role/m": {"visual"}},
	}, s.Auth)
	assert.Equal(t, review.Router{
		ByMediaType:     map[string]string{"image": "visual", "video": "visual"},
		EscalationQueue: "senior",
		EscalateAfter:   4 * time.Hour,
	}, s.Router)
	assert.Equal(t, 2, s.Quorum)
	assert.False(t, s.AllowOriginal)
}

func TestSettingsFromEnvDefaults(t *testing.T) {
	s, err := SettingsFromEnv(func(string) string { return "" })
	require.NoError(t, err)
	assert.Equal(t, ModeIAM, s.Auth.Mode)
	assert.False(t, s.Auth.RestrictQueues)
	assert.Equal(t, review.Router{}, s.Router)
	assert.Zero(t, s.Quorum)
}

func TestSettingsFromEnvErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"unknown auth mode", map[string]string{"AUTH_MODE": "cookie"}, "AUTH_MODE"},
		{"bad boolean", map[string]string{"RESTRICT_QUEUES": "yes please"}, "RESTRICT_QUEUES"},
		{"bad queue map", map[string]string{"REVIEW_QUEUES": "image=visual"}, "REVIEW_QUEUES"},
		{"bad duration", map[string]string{"ESCALATION_QUEUE": "senior", "ESCALATE_AFTER": "soon"}, "ESCALATE_AFTER"},
		{"queue without age", map[string]string{"ESCALATION_QUEUE": "senior"}, "set together"},
		{"zero quorum", map[string]string{"REVIEW_QUORUM": "0"}, "REVIEW_QUORUM"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SettingsFromEnv(func(k string) string { return tc.env[k] })
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
