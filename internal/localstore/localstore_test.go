package localstore

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/internal/asl/asltest"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/review"
)

func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "moderato.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestExecutionStoreConformance(t *testing.T) {
	asltest.TestStore(t, func(t *testing.T) asl.Store { return openTemp(t).Executions() })
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "moderato.db")
	db, err := Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, db.Executions().CreateExecution(ctx, asl.Execution{Name: "e1", StateMachine: "sm", Definition: []byte("{}"), Input: []byte("{}"), Status: asl.StatusRunning, StartDate: time.Now()}))
	_, err = db.Executions().Record(ctx, "e1", "k", []byte("v"))
	require.NoError(t, err)
	require.NoError(t, db.Close())

	db, err = Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	e, err := db.Executions().GetExecution(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusRunning, e.Status)
	j, err := db.Executions().Journal(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, []byte("v"), j["k"])
}

func TestTaskTokensStoredHashed(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	token := "AAAA+/token=="
	require.NoError(t, db.Executions().PutTaskToken(ctx, token, "e1", "key"))
	var n int
	require.NoError(t, db.db.QueryRowContext(ctx, `SELECT count(*) FROM task_tokens WHERE token_hash = ? OR execution = ?`, token, token).Scan(&n))
	assert.Zero(t, n, "the token must not be stored in clear")

	exec, key, err := db.Executions().LookupTaskToken(ctx, token)
	require.NoError(t, err)
	assert.Equal(t, "e1", exec)
	assert.Equal(t, "key", key)
	_, _, err = db.Executions().LookupTaskToken(ctx, "other")
	assert.ErrorIs(t, err, asl.ErrInvalidToken)
}

func newReview(id, execution string) review.Review {
	now := time.Now().UTC()
	return review.Review{
		ID: id, Execution: execution, TaskToken: "token-" + id, Status: review.StatusPending,
		Bucket: "ingest", Key: "k", VersionID: "v", MediaType: "text",
		Reasons: []string{"INSULT 0.60"}, CreatedAt: now, Deadline: now.Add(time.Hour), Details: []byte(`{}`),
	}
}

func TestReviewsCreateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	store := openTemp(t).Reviews()
	r := newReview("rv-1", "exec-1")
	require.NoError(t, store.CreateReview(ctx, r))
	r.TaskToken = "refreshed"
	require.NoError(t, store.CreateReview(ctx, r))

	got, err := store.GetReview(ctx, "rv-1")
	require.NoError(t, err)
	assert.Equal(t, "refreshed", got.TaskToken)
	assert.Equal(t, []string{"INSULT 0.60"}, got.Reasons)

	err = store.CreateReview(ctx, newReview("rv-1", "exec-2"))
	assert.ErrorContains(t, err, "belongs to execution exec-1")

	_, err = store.GetReview(ctx, "missing")
	assert.ErrorIs(t, err, review.ErrNotFound)
}

func TestReviewsKeepQueueAndEscalation(t *testing.T) {
	ctx := context.Background()
	store := openTemp(t).Reviews()
	r := newReview("rv-1-e1", "exec-1")
	r.Queue, r.EscalationLevel, r.EscalatedFrom = "senior", 1, "rv-1"
	require.NoError(t, store.CreateReview(ctx, r))

	got, err := store.GetReview(ctx, "rv-1-e1")
	require.NoError(t, err)
	assert.Equal(t, "senior", got.Queue)
	assert.Equal(t, 1, got.EscalationLevel)
	assert.Equal(t, "rv-1", got.EscalatedFrom)
}

// A database written by schema version 1 gets the queue and escalation
// columns on open, and keeps its reviews.
func TestSchemaOneUpgrades(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "moderato.db")
	db, err := Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, db.Reviews().CreateReview(ctx, newReview("rv-old", "exec-old")))
	_, err = db.db.ExecContext(ctx, `ALTER TABLE reviews DROP COLUMN queue;
		ALTER TABLE reviews DROP COLUMN escalation_level;
		ALTER TABLE reviews DROP COLUMN escalated_from;
		PRAGMA user_version = 1`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	reopened, err := Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { reopened.Close() })
	old, err := reopened.Reviews().GetReview(ctx, "rv-old")
	require.NoError(t, err)
	assert.Equal(t, "", old.Queue, "a review stored before queues has none")
	assert.Equal(t, 0, old.EscalationLevel)
	var version int
	require.NoError(t, reopened.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version))
	assert.Equal(t, schemaVersion, version)
}

func TestFinishReviewOnce(t *testing.T) {
	ctx := context.Background()
	store := openTemp(t).Reviews()
	require.NoError(t, store.CreateReview(ctx, newReview("rv-1", "exec-1")))

	// Concurrent decisions: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := store.FinishReview(ctx, "rv-1", review.StatusApproved, "mod", "ok", time.Now())
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
				return
			}
			assert.ErrorIs(t, err, review.ErrAlreadyDecided)
		}(i)
	}
	wg.Wait()
	assert.Equal(t, 1, wins)

	got, err := store.FinishReview(ctx, "rv-1", review.StatusRejected, "other", "no", time.Now())
	require.ErrorIs(t, err, review.ErrAlreadyDecided)
	assert.Equal(t, review.StatusApproved, got.Status)
	assert.Equal(t, "mod", got.DecidedBy)

	pending, err := store.ListReviews(ctx, review.StatusPending)
	require.NoError(t, err)
	assert.Empty(t, pending)
	all, err := store.ListReviews(ctx, "")
	require.NoError(t, err)
	assert.Len(t, all, 1)

	_, err = store.FinishReview(ctx, "missing", review.StatusApproved, "", "", time.Now())
	assert.True(t, errors.Is(err, review.ErrNotFound))
}

func TestOutcomeFirstWriteWins(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	first := pipeline.Outcome{Execution: "arn:e1", Bucket: "b", Key: "k", VersionID: "v", Verdict: "approved", RecordedAt: time.Now().UTC()}
	stored, err := db.PutOutcome(ctx, first)
	require.NoError(t, err)
	assert.Equal(t, first.Verdict, stored.Verdict)

	second := first
	second.Verdict = "rejected"
	stored, err = db.PutOutcome(ctx, second)
	require.NoError(t, err)
	assert.Equal(t, first.Verdict, stored.Verdict, "a retried task must not replace the outcome")

	n, err := db.CountOutcomes(ctx, "b", "k", "v")
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	_, err = db.GetOutcome(ctx, "arn:missing")
	assert.ErrorIs(t, err, ErrOutcomeNotFound)
}

func TestTwoConnectionsShareTheFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "moderato.db")
	a, err := Open(ctx, path)
	require.NoError(t, err)
	defer a.Close()
	b, err := Open(ctx, path)
	require.NoError(t, err)
	defer b.Close()

	require.NoError(t, a.Executions().CreateExecution(ctx, asl.Execution{Name: "e1", StateMachine: "sm", Definition: []byte("{}"), Input: []byte("{}"), Status: asl.StatusRunning, StartDate: time.Now()}))
	ok, err := a.Executions().Claim(ctx, "e1", "process-a", time.Now().Add(time.Minute))
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = b.Executions().Claim(ctx, "e1", "process-b", time.Now().Add(time.Minute))
	require.NoError(t, err)
	assert.False(t, ok, "a live lease must not be taken by another process")

	require.NoError(t, a.Executions().Release(ctx, "e1", "process-a"))
	ok, err = b.Executions().Claim(ctx, "e1", "process-b", time.Now().Add(time.Minute))
	require.NoError(t, err)
	assert.True(t, ok)
}
