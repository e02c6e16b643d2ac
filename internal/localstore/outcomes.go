package localstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/moderato/moderato/internal/pipeline"
)

// ErrOutcomeNotFound means no outcome is recorded for the execution.
var ErrOutcomeNotFound = errors.New("outcome not found")

// PutOutcome implements pipeline.OutcomeStore: the first outcome of an
// execution wins.
func (d *DB) PutOutcome(ctx context.Context, o pipeline.Outcome) (pipeline.Outcome, error) {
	body, err := json.Marshal(o)
	if err != nil {
		return pipeline.Outcome{}, fmt.Errorf("encoding outcome of %s: %w", o.Execution, err)
	}
	if _, err := d.db.ExecContext(ctx, `INSERT INTO outcomes (execution, bucket, key, version_id, verdict, recorded_at, body)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (execution) DO NOTHING`,
		o.Execution, o.Bucket, o.Key, o.VersionID, string(o.Verdict), toNanos(o.RecordedAt), body); err != nil {
		return pipeline.Outcome{}, fmt.Errorf("storing outcome of %s: %w", o.Execution, err)
	}
	return d.GetOutcome(ctx, o.Execution)
}

// GetOutcome returns the outcome of an execution, or an error wrapping
// ErrOutcomeNotFound.
func (d *DB) GetOutcome(ctx context.Context, execution string) (pipeline.Outcome, error) {
	var body []byte
	err := d.db.QueryRowContext(ctx, `SELECT body FROM outcomes WHERE execution = ?`, execution).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return pipeline.Outcome{}, fmt.Errorf("getting outcome of %s: %w", execution, ErrOutcomeNotFound)
	}
	if err != nil {
		return pipeline.Outcome{}, fmt.Errorf("getting outcome of %s: %w", execution, err)
	}
	var o pipeline.Outcome
	if err := json.Unmarshal(body, &o); err != nil {
		return pipeline.Outcome{}, fmt.Errorf("decoding outcome of %s: %w", execution, err)
	}
	return o, nil
}

// CountOutcomes returns how many outcomes exist for one object version, so
// tests can prove that a duplicate event produced no second outcome.
func (d *DB) CountOutcomes(ctx context.Context, bucket, key, versionID string) (int, error) {
	var n int
	err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM outcomes WHERE bucket = ? AND key = ? AND version_id = ?`,
		bucket, key, versionID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting outcomes of s3://%s/%s: %w", bucket, key, err)
	}
	return n, nil
}
