package localstore

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/internal/jobs"
	"github.com/moderato/moderato/internal/pipeline"
)

func TestJobLeaseLifecycle(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	item := pipeline.Item{Bucket: "ingest", Key: "uploads/talk.wav", MediaType: "audio"}

	created, err := db.SubmitJob(ctx, "job-1", jobs.Transcription, item)
	require.NoError(t, err)
	assert.True(t, created)
	created, err = db.SubmitJob(ctx, "job-1", jobs.Transcription, item)
	require.NoError(t, err)
	assert.False(t, created, "a second submit of the same ID finds the first job")

	job, ok, err := db.ClaimJob(ctx, "first", time.Now().Add(time.Hour))
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "job-1", job.ID)
	assert.Equal(t, item, job.Item)
	assert.Equal(t, JobRunning, job.Status)
	assert.Equal(t, 1, job.Attempts)

	_, ok, err = db.ClaimJob(ctx, "second", time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, ok, "a job under a live lease is not claimed")

	// The first owner stops renewing, as a crashed process does.
	renewed, err := db.RenewJob(ctx, "job-1", "first", time.Now().Add(-time.Second))
	require.NoError(t, err)
	assert.True(t, renewed)
	job, ok, err = db.ClaimJob(ctx, "second", time.Now().Add(time.Hour))
	require.NoError(t, err)
	require.True(t, ok, "a job whose lease expired is claimed again")
	assert.Equal(t, 2, job.Attempts)

	done, err := db.FinishJob(ctx, "job-1", "first", json.RawMessage(`{"stale":true}`), "", "")
	require.NoError(t, err)
	assert.False(t, done, "the owner that lost the lease cannot finish the job")
	done, err = db.FinishJob(ctx, "job-1", "second", json.RawMessage(`{"location":null}`), "", "")
	require.NoError(t, err)
	assert.True(t, done)

	job, err = db.GetJob(ctx, "job-1")
	require.NoError(t, err)
	assert.Equal(t, JobSucceeded, job.Status)
	assert.JSONEq(t, `{"location":null}`, string(job.Output))
	_, err = db.GetJob(ctx, "job-2")
	assert.ErrorIs(t, err, ErrJobNotFound)
}

func TestJobReleaseUncountsAttempt(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	_, err := db.SubmitJob(ctx, "job-1", jobs.DocumentText, pipeline.Item{Key: "report.pdf"})
	require.NoError(t, err)
	_, ok, err := db.ClaimJob(ctx, "first", time.Now().Add(time.Hour))
	require.NoError(t, err)
	require.True(t, ok)

	require.NoError(t, db.ReleaseJob(ctx, "job-1", "first", true))

	job, ok, err := db.ClaimJob(ctx, "second", time.Now().Add(time.Hour))
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, 1, job.Attempts, "a job stopped by a shutdown is not counted as interrupted")
}

func TestJobTokenReadFromJournal(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	store := db.JobTokens()
	const token = "AAAA-secret-task-token"
	require.NoError(t, db.Executions().PutTaskToken(ctx, token, "exec-1", "Transcribe audio#0.0"))
	_, err := db.Executions().Record(ctx, "exec-1", asl.TaskTokenKey("Transcribe audio#0.0"), []byte(token))
	require.NoError(t, err)

	started := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	item := pipeline.Item{Key: "uploads/talk.wav"}
	require.NoError(t, store.PutToken(ctx, jobs.Token{JobID: "job-1", Kind: jobs.Transcription, TaskToken: token, Item: item, StartedAt: started}))

	var stored string
	require.NoError(t, db.db.QueryRowContext(ctx, `SELECT token_hash FROM job_tokens WHERE job_id = 'job-1'`).Scan(&stored))
	assert.NotContains(t, stored, token, "the table keeps a digest, not the token")

	got, err := store.GetToken(ctx, "job-1")
	require.NoError(t, err)
	assert.Equal(t, token, got.TaskToken)
	assert.Equal(t, item, got.Item)
	assert.Equal(t, started, got.StartedAt)

	listed, err := store.ListTokens(ctx, started)
	require.NoError(t, err)
	assert.Empty(t, listed, "a job started at the cutoff is not listed")
	listed, err = store.ListTokens(ctx, started.Add(time.Second))
	require.NoError(t, err)
	assert.Len(t, listed, 1)

	taken, err := store.TakeToken(ctx, "job-1")
	require.NoError(t, err)
	assert.Equal(t, token, taken.TaskToken)
	_, err = store.TakeToken(ctx, "job-1")
	assert.ErrorIs(t, err, jobs.ErrTokenNotFound, "a token is taken once")
}

func TestJobTokenWithoutJournalNotFound(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	store := db.JobTokens()
	require.NoError(t, store.PutToken(ctx, jobs.Token{JobID: "job-1", Kind: jobs.Transcription, TaskToken: "unknown", StartedAt: time.Now()}))

	_, err := store.GetToken(ctx, "job-1")
	assert.ErrorIs(t, err, jobs.ErrTokenNotFound)
}
