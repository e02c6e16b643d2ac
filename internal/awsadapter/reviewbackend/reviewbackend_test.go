package reviewbackend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/dynamostore"
	"github.com/moderato/moderato/internal/awsadapter/mototest"
	"github.com/moderato/moderato/internal/awsadapter/sfnexec"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/internal/reviewapi"
)

// onceTasks is a unit-test fake of Step Functions' token handling: each
// token is accepted once, and tokens listed in timedOut are closed.
type onceTasks struct {
	used     map[string][]byte
	timedOut map[string]bool
}

func (o *onceTasks) SendTaskSuccess(ctx context.Context, token string, output []byte) error {
	if _, ok := o.used[token]; ok || o.timedOut[token] {
		return fmt.Errorf("sending task success: %w", sfnexec.ErrTaskClosed)
	}
	o.used[token] = output
	return nil
}

var now = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

func newBackend(t *testing.T) (*Backend, *onceTasks) {
	t.Helper()
	server := mototest.Start(t)
	client := dynamodb.NewFromConfig(server.Config())
	require.NoError(t, dynamostore.CreateTables(context.Background(), client, dynamostore.TableNames{Reviews: "reviews"}))
	tasks := &onceTasks{used: map[string][]byte{}, timedOut: map[string]bool{}}
	b := &Backend{Store: dynamostore.NewReviews(client, "reviews"), Tasks: tasks, Now: func() time.Time { return now }}

	ctx := context.Background()
	for _, r := range []struct {
		id       string
		deadline time.Time
	}{
		{"rv-open", now.Add(time.Hour)},
		{"rv-late", now.Add(-time.Minute)},
		{"rv-timed-out", now.Add(time.Hour)},
	} {
		require.NoError(t, b.Store.CreateReview(ctx, review.Review{
			ID: r.id, Execution: "exec-" + r.id, TaskToken: "token-" + r.id, Status: review.StatusPending,
			CreatedAt: now.Add(-2 * time.Hour), Deadline: r.deadline,
		}))
	}
	tasks.timedOut["token-rv-timed-out"] = true
	return b, tasks
}

func decision(id, verdict, reviewer string) pipeline.ReviewResult {
	return pipeline.ReviewResult{ReviewID: id, Decision: verdict, Reviewer: reviewer, Reason: "checked", DecidedAt: now}
}

func TestResumeAgainstMoto(t *testing.T) {
	b, tasks := newBackend(t)
	ctx := context.Background()

	t.Run("first decision resumes the execution", func(t *testing.T) {
		out, err := b.Resume(ctx, "rv-open", decision("rv-open", review.Approve, "alice"))
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"execution": "exec-rv-open"}, out)

		var sent pipeline.ReviewResult
		require.NoError(t, json.Unmarshal(tasks.used["token-rv-open"], &sent))
		assert.Equal(t, "approve", sent.Decision)
		assert.Equal(t, "alice", sent.Reviewer)

		stored, err := b.Store.GetReview(ctx, "rv-open")
		require.NoError(t, err)
		assert.Equal(t, review.StatusApproved, stored.Status)
		assert.Equal(t, "alice", stored.DecidedBy)
	})

	t.Run("second decision conflicts", func(t *testing.T) {
		_, err := b.Resume(ctx, "rv-open", decision("rv-open", review.Reject, "bob"))
		assert.True(t, errors.Is(err, review.ErrAlreadyDecided), "%v", err)
		stored, err := b.Store.GetReview(ctx, "rv-open")
		require.NoError(t, err)
		assert.Equal(t, "alice", stored.DecidedBy, "the first decision stays")
	})

	t.Run("racing decision loses at the token", func(t *testing.T) {
		// Another process used the token after this one read the review,
		// and has not finished the review yet.
		require.NoError(t, b.Store.CreateReview(ctx, review.Review{ID: "rv-race", Execution: "exec-race", TaskToken: "token-rv-race",
			Status: review.StatusPending, CreatedAt: now, Deadline: now.Add(time.Hour)}))
		tasks.used["token-rv-race"] = []byte(`{}`)

		_, err := b.Resume(ctx, "rv-race", decision("rv-race", review.Reject, "bob"))

		assert.True(t, errors.Is(err, review.ErrAlreadyDecided), "%v", err)
	})

	t.Run("after the deadline", func(t *testing.T) {
		_, err := b.Resume(ctx, "rv-late", decision("rv-late", review.Approve, "alice"))
		assert.True(t, errors.Is(err, review.ErrExpired), "%v", err)
		assert.NotContains(t, tasks.used, "token-rv-late", "no decision is sent after the deadline")
	})

	t.Run("task timed out at the deadline", func(t *testing.T) {
		b.Now = func() time.Time { return now.Add(2 * time.Hour) }
		defer func() { b.Now = func() time.Time { return now } }()
		// The review is read as open a moment before its deadline, and the
		// task times out before the decision arrives.
		closedAt := &Backend{Store: b.Store, Tasks: tasks, Now: func() time.Time { return now }}
		r, err := b.Store.GetReview(ctx, "rv-timed-out")
		require.NoError(t, err)
		require.NoError(t, closed(r, closedAt.now()))

		_, err = (&Backend{Store: b.Store, Tasks: tasks, Now: b.Now}).resumeOpen(ctx, r, decision("rv-timed-out", review.Approve, "alice"))

		assert.True(t, errors.Is(err, review.ErrExpired), "%v", err)
	})

	t.Run("unknown review", func(t *testing.T) {
		_, err := b.Resume(ctx, "rv-missing", decision("rv-missing", review.Approve, "alice"))
		assert.True(t, errors.Is(err, review.ErrNotFound), "%v", err)
	})

	t.Run("invalid decision", func(t *testing.T) {
		_, err := b.Resume(ctx, "rv-timed-out", decision("rv-timed-out", "maybe", "alice"))
		assert.Error(t, err)
	})
}

func TestDecisionOnStoppedExecutionClosesReview(t *testing.T) {
	server := mototest.Start(t)
	client := dynamodb.NewFromConfig(server.Config())
	ctx := context.Background()
	require.NoError(t, dynamostore.CreateTables(ctx, client, dynamostore.TableNames{Reviews: "reviews", Audit: "audit"}))
	tasks := &onceTasks{used: map[string][]byte{}, timedOut: map[string]bool{"token-rv-stopped": true}}
	b := &Backend{Store: dynamostore.NewReviews(client, "reviews"), Tasks: tasks, Now: func() time.Time { return now }}
	// Each audit entry gets its own time, because the audit trail is keyed
	// by it.
	clock := now
	tick := func() time.Time { clock = clock.Add(time.Second); return clock }
	svc, err := reviewapi.NewService(reviewapi.Config{Backend: b, Audit: dynamostore.NewAudit(client, "audit"), Now: tick})
	require.NoError(t, err)
	// Step Functions closed the token long before the deadline, because an
	// operator stopped the execution.
	require.NoError(t, b.Store.CreateReview(ctx, review.Review{
		ID: "rv-stopped", Execution: "exec-stopped", TaskToken: "token-rv-stopped", Status: review.StatusPending,
		Queue: review.DefaultQueue, CreatedAt: now.Add(-time.Hour), Deadline: now.Add(23 * time.Hour),
	}))
	alice := review.Moderator{ID: "alice", AllQueues: true}

	_, err = svc.Decide(ctx, alice, "rv-stopped", reviewapi.DecisionRequest{Decision: review.Approve})

	require.ErrorIs(t, err, review.ErrExpired)
	assert.Equal(t, "review rv-stopped is closed: its execution no longer waits for a decision, because it was stopped or it failed", err.Error())
	stored, err := b.Store.GetReview(ctx, "rv-stopped")
	require.NoError(t, err)
	assert.Equal(t, review.StatusExpired, stored.Status, "the review leaves the pending queue")
	pending, err := b.Store.ListReviews(ctx, review.StatusPending)
	require.NoError(t, err)
	assert.Empty(t, pending)

	started := time.Now()
	_, err = svc.Decide(ctx, alice, "rv-stopped", reviewapi.DecisionRequest{Decision: review.Reject})
	require.ErrorIs(t, err, review.ErrExpired)
	assert.Contains(t, err.Error(), "no longer waits", "a later decision gets the same message")
	assert.NotContains(t, err.Error(), now.Add(23*time.Hour).Format(time.RFC3339), "no deadline in the message")
	assert.Less(t, time.Since(started), time.Second, "a later decision does not wait for the token")
}

func TestDecisionNearDeadlineOnClosedTokenExpires(t *testing.T) {
	server := mototest.Start(t)
	client := dynamodb.NewFromConfig(server.Config())
	ctx := context.Background()
	require.NoError(t, dynamostore.CreateTables(ctx, client, dynamostore.TableNames{Reviews: "reviews", Audit: "audit"}))
	tasks := &onceTasks{used: map[string][]byte{}, timedOut: map[string]bool{"token-rv-due": true}}
	b := &Backend{Store: dynamostore.NewReviews(client, "reviews"), Tasks: tasks, Now: func() time.Time { return now }}
	svc, err := reviewapi.NewService(reviewapi.Config{Backend: b, Audit: dynamostore.NewAudit(client, "audit"), Now: func() time.Time { return now }})
	require.NoError(t, err)
	// The task started before the review was created, so it timed out
	// seconds before the review's deadline.
	require.NoError(t, b.Store.CreateReview(ctx, review.Review{
		ID: "rv-due", Execution: "exec-due", TaskToken: "token-rv-due", Status: review.StatusPending,
		Queue: review.DefaultQueue, CreatedAt: now.Add(-24 * time.Hour), Deadline: now.Add(5 * time.Second),
	}))

	_, err = svc.Decide(ctx, review.Moderator{ID: "alice", AllQueues: true}, "rv-due", reviewapi.DecisionRequest{Decision: review.Approve})

	require.ErrorIs(t, err, review.ErrExpired)
	assert.Contains(t, err.Error(), "the policy's timeout action applies")
	stored, err := b.Store.GetReview(ctx, "rv-due")
	require.NoError(t, err)
	assert.Equal(t, review.StatusPending, stored.Status, "the state machine's timeout path finishes the review")
}
