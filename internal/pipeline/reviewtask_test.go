package pipeline_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/localstore"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
)

// notices is a pipeline.Notifier that keeps the reviews it was told of.
type notices []review.Review

func (n *notices) ReviewCreated(_ context.Context, r review.Review) error {
	*n = append(*n, r)
	return nil
}

func newReviewTasks(t *testing.T) (*pipeline.Tasks, review.AuditLog, *notices) {
	t.Helper()
	ctx := context.Background()
	db, err := localstore.Open(ctx, filepath.Join(t.TempDir(), "moderato.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	audit, err := db.Audit(ctx)
	require.NoError(t, err)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	sent := &notices{}
	tasks := &pipeline.Tasks{
		Policy:   policy.Default(),
		Reviews:  db.Reviews(),
		Queues:   review.Router{ByMediaType: map[string]string{"text": "text"}},
		Audit:    audit,
		Notifier: sent,
		Now:      func() time.Time { return now },
	}
	return tasks, audit, sent
}

func reviewRequest(token string, level int) pipeline.ReviewRequest {
	return pipeline.ReviewRequest{
		TaskToken: token,
		Execution: "arn:aws:states:eu-west-1:123456789012:execution:moderato-moderation:run-1",
		Item:      pipeline.Item{Bucket: "ingest", Key: "uploads/post.txt", MediaType: "text"},
		Decision: pipeline.Decision{
			Verdict: policy.Review, Reasons: []string{"PII needs review: EMAIL (1)"}, PolicyVersion: "v-esc",
			ReviewTimeoutSeconds: 3600,
			Escalation:           &pipeline.Escalation{Queue: "senior", TimeoutSeconds: 7200},
		},
		EscalationLevel: level,
	}
}

func TestRequestReviewEscalates(t *testing.T) {
	ctx := context.Background()
	tasks, audit, sent := newReviewTasks(t)

	first, err := tasks.RequestReview(ctx, reviewRequest("token-0", 0))
	require.NoError(t, err)
	escalated, err := tasks.RequestReview(ctx, reviewRequest("token-1", 1))
	require.NoError(t, err)
	assert.Equal(t, first.ReviewID+"-e1", escalated.ReviewID)

	// A retried request, as the state machine's Retry sends it, creates
	// no second review and no second audit entry.
	_, err = tasks.RequestReview(ctx, reviewRequest("token-1-retry", 1))
	require.NoError(t, err)

	r, err := tasks.Reviews.GetReview(ctx, escalated.ReviewID)
	require.NoError(t, err)
	assert.Equal(t, "senior", r.Queue)
	assert.Equal(t, 1, r.EscalationLevel)
	assert.Equal(t, "token-1-retry", r.TaskToken, "the retry refreshes the token")
	assert.Equal(t, 2*time.Hour, r.Deadline.Sub(r.CreatedAt))

	previous, err := tasks.Reviews.GetReview(ctx, first.ReviewID)
	require.NoError(t, err)
	assert.Equal(t, "text", previous.Queue)
	assert.Equal(t, review.StatusEscalated, previous.Status)

	history, err := audit.History(ctx, first.ReviewID)
	require.NoError(t, err)
	require.Len(t, history, 1)
	assert.Equal(t, review.ResultEscalated, history[0].Result)
	assert.Equal(t, escalated.ReviewID, history[0].EscalatedTo)
	assert.Equal(t, "v-esc", history[0].PolicyVersion)

	require.Len(t, *sent, 3)
	assert.Equal(t, "text", (*sent)[0].Queue)
	assert.Equal(t, "senior", (*sent)[1].Queue)
	assert.Equal(t, first.ReviewID, (*sent)[1].EscalatedFrom)
}

func TestRequestReviewEscalationErrors(t *testing.T) {
	ctx := context.Background()
	tasks, _, _ := newReviewTasks(t)

	noEscalation := reviewRequest("token", 1)
	noEscalation.Decision.Escalation = nil
	_, err := tasks.RequestReview(ctx, noEscalation)
	assert.ErrorContains(t, err, "no escalation queue")

	tooHigh := reviewRequest("token", 2)
	_, err = tasks.RequestReview(ctx, tooHigh)
	assert.ErrorContains(t, err, "invalid escalation level 2")
}

func TestDecideCarriesEscalation(t *testing.T) {
	pol, err := policy.Parse([]byte(`{"review": {"timeout_seconds": 600, "escalation": {"queue": "senior", "timeout_seconds": 900}}}`))
	require.NoError(t, err)
	tasks := &pipeline.Tasks{Policy: pol}
	d, err := tasks.Decide(context.Background(), pipeline.DecideInput{Item: pipeline.Item{MediaType: "text"}})
	require.NoError(t, err)
	require.NotNil(t, d.Escalation)
	assert.Equal(t, pipeline.Escalation{Queue: "senior", TimeoutSeconds: 900}, *d.Escalation)
	assert.EqualValues(t, 600, d.ReviewTimeoutSeconds)

	plain, err := (&pipeline.Tasks{Policy: policy.Default()}).Decide(context.Background(), pipeline.DecideInput{})
	require.NoError(t, err)
	assert.Nil(t, plain.Escalation, "a policy without escalation adds none, so Escalate? goes to Record outcome")
}
