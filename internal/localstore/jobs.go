package localstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/internal/jobs"
	"github.com/moderato/moderato/internal/pipeline"
)

// jobsSchema holds local mode's long-running jobs. jobs is the local
// counterpart of the AWS job services' own state (Rekognition Video,
// Transcribe, Textract): what runs and how it ended. job_tokens is the
// counterpart of the DynamoDB jobs table: the waiting task of each job. It
// keeps a SHA-256 digest of the task token, never the token itself, and
// the token is read back from the executor's journal when the job ends.
const jobsSchema = `
CREATE TABLE IF NOT EXISTS jobs (
	id          TEXT PRIMARY KEY,
	kind        TEXT NOT NULL,
	item        BLOB NOT NULL,
	status      TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	owner       TEXT NOT NULL DEFAULT '',
	lease_until INTEGER NOT NULL DEFAULT 0,
	output      BLOB,
	error       TEXT NOT NULL DEFAULT '',
	cause       TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, created_at);
CREATE TABLE IF NOT EXISTS job_tokens (
	job_id     TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	token_hash TEXT NOT NULL,
	item       BLOB NOT NULL,
	started_at INTEGER NOT NULL
);
`

// JobStatus is the state of a local job.
type JobStatus string

// Job statuses. A running job whose lease expired was interrupted, for
// example by a crash, and is claimed again.
const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
)

// ErrJobNotFound means no job has the ID.
var ErrJobNotFound = errors.New("job not found")

// Job is a local long-running job.
type Job struct {
	ID       string
	Kind     jobs.Kind
	Item     pipeline.Item
	Status   JobStatus
	Attempts int
	// Output is the job's JSON result when it succeeded.
	Output json.RawMessage
	// Error and Cause describe the failure when it failed.
	Error     string
	Cause     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

const jobColumns = `id, kind, item, status, attempts, output, error, cause, created_at, updated_at`

func scanJob(row interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var kind, status string
	var item, output []byte
	var created, updated int64
	if err := row.Scan(&j.ID, &kind, &item, &status, &j.Attempts, &output, &j.Error, &j.Cause, &created, &updated); err != nil {
		return Job{}, err
	}
	if err := json.Unmarshal(item, &j.Item); err != nil {
		return Job{}, fmt.Errorf("decoding the item of job %s: %w", j.ID, err)
	}
	j.Kind, j.Status = jobs.Kind(kind), JobStatus(status)
	if len(output) > 0 {
		j.Output = output
	}
	j.CreatedAt, j.UpdatedAt = fromNanos(created), fromNanos(updated)
	return j, nil
}

// SubmitJob queues a job unless one with the same ID exists, and reports
// whether it queued it. Submitting an ID twice is how a retried start
// finds the job it started before.
func (d *DB) SubmitJob(ctx context.Context, id string, kind jobs.Kind, item pipeline.Item) (bool, error) {
	raw, err := json.Marshal(item)
	if err != nil {
		return false, fmt.Errorf("encoding the item of job %s: %w", id, err)
	}
	now := d.now().UnixNano()
	res, err := d.db.ExecContext(ctx, `INSERT INTO jobs (id, kind, item, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, id, string(kind), raw, string(JobQueued), now, now)
	if err != nil {
		return false, fmt.Errorf("submitting job %s: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// GetJob returns the job, or an error wrapping ErrJobNotFound.
func (d *DB) GetJob(ctx context.Context, id string) (Job, error) {
	j, err := scanJob(d.db.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("reading job %s: %w", id, ErrJobNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("reading job %s: %w", id, err)
	}
	return j, nil
}

// ClaimJob takes the oldest queued job, or a running job whose lease
// expired, for owner until the time, and counts the attempt. It reports
// false when no job is ready.
func (d *DB) ClaimJob(ctx context.Context, owner string, until time.Time) (Job, bool, error) {
	now := d.now()
	row := d.db.QueryRowContext(ctx, `UPDATE jobs SET status = ?, owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
		WHERE id = (SELECT id FROM jobs WHERE status = ? OR (status = ? AND lease_until < ?) ORDER BY created_at, id LIMIT 1)
		RETURNING `+jobColumns,
		string(JobRunning), owner, toNanos(until), now.UnixNano(), string(JobQueued), string(JobRunning), now.UnixNano())
	j, err := scanJob(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, false, nil
	}
	if err != nil {
		return Job{}, false, fmt.Errorf("claiming a job: %w", err)
	}
	return j, true, nil
}

// RenewJob extends owner's lease on a running job. It reports false when
// the owner no longer holds the job.
func (d *DB) RenewJob(ctx context.Context, id, owner string, until time.Time) (bool, error) {
	res, err := d.db.ExecContext(ctx, `UPDATE jobs SET lease_until = ? WHERE id = ? AND owner = ? AND status = ?`,
		toNanos(until), id, owner, string(JobRunning))
	if err != nil {
		return false, fmt.Errorf("renewing the lease of job %s: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// ReleaseJob queues a job that owner holds again. uncount takes back the
// attempt that ClaimJob counted, for a job stopped because its process
// shuts down rather than because it failed.
func (d *DB) ReleaseJob(ctx context.Context, id, owner string, uncount bool) error {
	back := 0
	if uncount {
		back = 1
	}
	_, err := d.db.ExecContext(ctx, `UPDATE jobs SET status = ?, owner = '', lease_until = 0, attempts = MAX(attempts - ?, 0), updated_at = ?
		WHERE id = ? AND owner = ? AND status = ?`,
		string(JobQueued), back, d.now().UnixNano(), id, owner, string(JobRunning))
	if err != nil {
		return fmt.Errorf("releasing job %s: %w", id, err)
	}
	return nil
}

// FinishJob records the end of a job that owner holds: its output when
// errorName is empty, otherwise the failure. It reports false when the
// owner no longer holds the job, whose result then counts no more.
func (d *DB) FinishJob(ctx context.Context, id, owner string, output json.RawMessage, errorName, cause string) (bool, error) {
	status := JobSucceeded
	if errorName != "" {
		status, output = JobFailed, nil
	}
	res, err := d.db.ExecContext(ctx, `UPDATE jobs SET status = ?, output = ?, error = ?, cause = ?, owner = '', lease_until = 0, updated_at = ?
		WHERE id = ? AND owner = ? AND status = ?`,
		string(status), nullBytes(output), errorName, cause, d.now().UnixNano(), id, owner, string(JobRunning))
	if err != nil {
		return false, fmt.Errorf("finishing job %s: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// JobTokens returns the jobs.TokenStore view of the database.
func (d *DB) JobTokens() jobs.TokenStore { return jobTokenStore{d} }

type jobTokenStore struct{ d *DB }

func (s jobTokenStore) PutToken(ctx context.Context, t jobs.Token) error {
	item, err := json.Marshal(t.Item)
	if err != nil {
		return fmt.Errorf("encoding the item of job %s: %w", t.JobID, err)
	}
	_, err = s.d.db.ExecContext(ctx, `INSERT INTO job_tokens (job_id, kind, token_hash, item, started_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (job_id) DO UPDATE SET kind = excluded.kind, token_hash = excluded.token_hash, item = excluded.item, started_at = excluded.started_at`,
		t.JobID, string(t.Kind), tokenHash(t.TaskToken), item, toNanos(t.StartedAt))
	if err != nil {
		return fmt.Errorf("storing the task token of job %s: %w", t.JobID, err)
	}
	return nil
}

const jobTokenColumns = `job_id, kind, token_hash, item, started_at`

func (s jobTokenStore) GetToken(ctx context.Context, jobID string) (jobs.Token, error) {
	row := s.d.db.QueryRowContext(ctx, `SELECT `+jobTokenColumns+` FROM job_tokens WHERE job_id = ?`, jobID)
	return s.scan(ctx, row, jobID)
}

// TakeToken deletes the job's row and returns it, in one statement, so of
// concurrent callers (in this process or another) one gets it.
func (s jobTokenStore) TakeToken(ctx context.Context, jobID string) (jobs.Token, error) {
	row := s.d.db.QueryRowContext(ctx, `DELETE FROM job_tokens WHERE job_id = ? RETURNING `+jobTokenColumns, jobID)
	return s.scan(ctx, row, jobID)
}

func (s jobTokenStore) ListTokens(ctx context.Context, startedBefore time.Time) ([]jobs.Token, error) {
	rows, err := s.d.db.QueryContext(ctx, `SELECT job_id FROM job_tokens WHERE started_at < ? ORDER BY started_at`, toNanos(startedBefore))
	if err != nil {
		return nil, fmt.Errorf("listing waiting jobs: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("listing waiting jobs: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing waiting jobs: %w", err)
	}

	// The tokens are read after the rows are closed, because the database
	// has one connection.
	var out []jobs.Token
	for _, id := range ids {
		t, err := s.GetToken(ctx, id)
		if errors.Is(err, jobs.ErrTokenNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// scan reads a job_tokens row and reads the task token back from the
// journal of the execution that waits on it.
func (s jobTokenStore) scan(ctx context.Context, row *sql.Row, jobID string) (jobs.Token, error) {
	var t jobs.Token
	var kind, hash string
	var item []byte
	var started int64
	err := row.Scan(&t.JobID, &kind, &hash, &item, &started)
	if errors.Is(err, sql.ErrNoRows) {
		return jobs.Token{}, fmt.Errorf("reading job %s: %w", jobID, jobs.ErrTokenNotFound)
	}
	if err != nil {
		return jobs.Token{}, fmt.Errorf("reading the task token of job %s: %w", jobID, err)
	}
	if err := json.Unmarshal(item, &t.Item); err != nil {
		return jobs.Token{}, fmt.Errorf("decoding the item of job %s: %w", jobID, err)
	}
	t.Kind, t.StartedAt = jobs.Kind(kind), fromNanos(started)

	var execution, key string
	err = s.d.db.QueryRowContext(ctx, `SELECT execution, key FROM task_tokens WHERE token_hash = ?`, hash).Scan(&execution, &key)
	if err == nil {
		err = s.d.db.QueryRowContext(ctx, `SELECT value FROM journal WHERE execution = ? AND key = ?`, execution, asl.TaskTokenKey(key)).Scan(&t.TaskToken)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return jobs.Token{}, fmt.Errorf("reading job %s: its task is not in the executor's journal: %w", jobID, jobs.ErrTokenNotFound)
	}
	if err != nil {
		return jobs.Token{}, fmt.Errorf("reading the task token of job %s: %w", jobID, err)
	}
	return t, nil
}
