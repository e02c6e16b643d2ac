package reviewapi

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/localstore"
	"github.com/moderato/moderato/internal/review"
)

// recorder is a Publisher that keeps the messages, for unit tests.
type recorder struct {
	messages []Message
	err      error
}

func (r *recorder) Publish(_ context.Context, m Message) error {
	if r.err != nil {
		return r.err
	}
	r.messages = append(r.messages, m)
	return nil
}

func TestNotifierReviewCreated(t *testing.T) {
	pub := &recorder{}
	n := Notifier{Publisher: pub, PageURL: "https://reviews.example.com/"}
	reasons := []string{"PII needs review: EMAIL (1)", "toxicity 0.62 is between the thresholds"}
	require.NoError(t, n.ReviewCreated(context.Background(), review.Review{ID: "rv-0123", Queue: "text", Reasons: reasons}))

	require.Len(t, pub.messages, 1)
	m := pub.messages[0]
	assert.Contains(t, m.Body, "rv-0123")
	assert.Contains(t, m.Body, "https://reviews.example.com/#review=rv-0123")
	assert.Contains(t, m.Body, "2 reasons")
	assert.NotContains(t, m.Body, "EMAIL", "reason texts stay out of notifications")
	assert.LessOrEqual(t, len(m.Subject), 100, "SNS subjects are at most 100 characters")
	assert.Equal(t, "review_created", m.Attributes["event"])
	assert.Equal(t, "text", m.Attributes["queue"])
	assert.Equal(t, "0", m.Attributes["escalation_level"])

	failing := Notifier{Publisher: &recorder{err: errors.New("topic not found")}}
	err := failing.ReviewCreated(context.Background(), review.Review{ID: "rv-0123"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rv-0123")
}

func TestNotifierReviewEscalated(t *testing.T) {
	pub := &recorder{}
	n := Notifier{Publisher: pub, PageURL: "https://reviews.example.com/"}
	escalated := review.Review{ID: "rv-0123-e1", Queue: "senior", EscalationLevel: 1, EscalatedFrom: "rv-0123", Reasons: []string{"PII needs review: EMAIL (1)"}}
	require.NoError(t, n.ReviewCreated(context.Background(), escalated))

	require.Len(t, pub.messages, 1)
	m := pub.messages[0]
	assert.Equal(t, "review_escalated", m.Attributes["event"])
	assert.Equal(t, "senior", m.Attributes["queue"])
	assert.Equal(t, "1", m.Attributes["escalation_level"])
	assert.Contains(t, m.Subject, "escalated")
	assert.Contains(t, m.Body, "rv-0123 was not decided in time")
	assert.Contains(t, m.Body, "https://reviews.example.com/#review=rv-0123-e1")
	assert.NotContains(t, m.Body, "EMAIL", "reason texts stay out of notifications")
	assert.LessOrEqual(t, len(m.Subject), 100, "SNS subjects are at most 100 characters")
}

func TestReminderRun(t *testing.T) {
	ctx := context.Background()
	db, err := localstore.Open(ctx, filepath.Join(t.TempDir(), "moderato.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	store := db.Reviews()

	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	add := func(id, mediaType string, age, sla time.Duration) {
		created := now.Add(-age)
		require.NoError(t, store.CreateReview(ctx, review.Review{
			ID: id, Execution: "exec-" + id, TaskToken: "token-" + id, MediaType: mediaType,
			Key: "uploads/secret-name-" + id, CreatedAt: created, Deadline: created.Add(sla),
		}))
	}
	add("rv-fresh", "image", 10*time.Minute, 24*time.Hour)
	add("rv-old-image", "image", 3*time.Hour, 24*time.Hour)
	add("rv-old-text", "text", 5*time.Hour, 24*time.Hour)
	add("rv-expired", "text", 30*time.Hour, 24*time.Hour)
	add("rv-decided", "text", 6*time.Hour, 24*time.Hour)
	_, err = store.FinishReview(ctx, "rv-decided", review.StatusApproved, "alice", "", now)
	require.NoError(t, err)

	pub := &recorder{}
	ages := &ageRecorder{}
	reminder := Reminder{
		Store: store, Publisher: pub, Ages: ages, After: 2 * time.Hour, PageURL: "https://reviews.example.com/",
		Router: review.Router{ByMediaType: map[string]string{"image": "visual"}},
		Now:    func() time.Time { return now },
	}
	res, err := reminder.Run(ctx)
	require.NoError(t, err)
	assert.Equal(t, RemindResult{Overdue: 2, Messages: 2, OldestPendingSeconds: 30 * 3600}, res)
	assert.Equal(t, []time.Duration{30 * time.Hour}, ages.ages, "a review stuck past its deadline is the oldest pending one")

	require.Len(t, pub.messages, 2)
	assert.Equal(t, "default", pub.messages[0].Attributes["queue"])
	assert.Contains(t, pub.messages[0].Body, "rv-old-text: waiting 5h0m0s, 19h0m0s left")
	assert.Equal(t, "visual", pub.messages[1].Attributes["queue"])
	assert.Contains(t, pub.messages[1].Body, "#review=rv-old-image")
	for _, m := range pub.messages {
		assert.NotContains(t, m.Body, "rv-fresh")
		assert.NotContains(t, m.Body, "rv-expired", "an expired review gets its timeout action, not a reminder")
		assert.NotContains(t, m.Body, "rv-decided")
		assert.NotContains(t, m.Body, "secret-name", "object keys stay out of notifications")
	}
}

// ageRecorder is an AgeRecorder that keeps the ages, for unit tests.
type ageRecorder struct {
	ages []time.Duration
	err  error
}

func (a *ageRecorder) RecordOldestPendingAge(_ context.Context, age time.Duration) error {
	a.ages = append(a.ages, age)
	return a.err
}

func TestReminderOldestAge(t *testing.T) {
	ctx := context.Background()
	db, err := localstore.Open(ctx, filepath.Join(t.TempDir(), "moderato.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	ages := &ageRecorder{}
	reminder := Reminder{Store: db.Reviews(), Publisher: &recorder{}, Ages: ages, After: time.Hour, Now: func() time.Time { return now }}
	res, err := reminder.Run(ctx)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{0}, ages.ages, "no pending review publishes 0, so the alarm returns to OK")
	assert.Zero(t, res.OldestPendingSeconds)

	require.NoError(t, db.Reviews().CreateReview(ctx, review.Review{
		ID: "rv-1", Execution: "exec-1", TaskToken: "t", CreatedAt: now.Add(-3 * time.Hour), Deadline: now.Add(time.Hour),
	}))
	pub := &recorder{}
	failing := Reminder{Store: db.Reviews(), Publisher: pub, Ages: &ageRecorder{err: errors.New("access denied")}, After: time.Hour, Now: func() time.Time { return now }}
	res, err = failing.Run(ctx)
	require.Error(t, err, "a failed metric fails the run, so the function's error alarm fires")
	assert.Contains(t, err.Error(), "oldest pending review age")
	assert.Len(t, pub.messages, 1, "the reminders go out even when the metric fails")
	assert.EqualValues(t, 3*3600, res.OldestPendingSeconds)
}

func TestReminderErrors(t *testing.T) {
	ctx := context.Background()
	db, err := localstore.Open(ctx, filepath.Join(t.TempDir(), "moderato.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	now := time.Now()
	require.NoError(t, db.Reviews().CreateReview(ctx, review.Review{
		ID: "rv-1", Execution: "exec-1", TaskToken: "t", CreatedAt: now.Add(-3 * time.Hour), Deadline: now.Add(time.Hour),
	}))

	_, err = Reminder{Store: db.Reviews(), Publisher: &recorder{}}.Run(ctx)
	require.Error(t, err, "a reminder without an age is a configuration error")

	_, err = Reminder{Store: db.Reviews(), Publisher: &recorder{err: errors.New("throttled")}, After: time.Hour}.Run(ctx)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "queue default"), err.Error())
}

func TestReminderCapsLinks(t *testing.T) {
	reviews := make([]review.Review, maxLinksPerReminder+5)
	now := time.Now()
	for i := range reviews {
		reviews[i] = review.Review{ID: "rv", CreatedAt: now.Add(-time.Hour), Deadline: now.Add(time.Hour)}
	}
	m := Reminder{After: time.Minute}.message("default", reviews, now)
	assert.Equal(t, maxLinksPerReminder, strings.Count(m.Body, "- rv:"))
	assert.Contains(t, m.Body, "and 5 more")
}
