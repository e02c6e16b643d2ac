package localstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/moderato/moderato/internal/asl"
)

// Executions returns the asl.Store view of the database.
func (d *DB) Executions() asl.Store { return executionStore{d} }

type executionStore struct{ d *DB }

const executionColumns = `name, state_machine, definition, input, status, output, error, cause, start_date, stop_date`

func scanExecution(row interface{ Scan(...any) error }) (asl.Execution, error) {
	var e asl.Execution
	var status string
	var start, stop int64
	var output []byte
	if err := row.Scan(&e.Name, &e.StateMachine, &e.Definition, &e.Input, &status, &output, &e.Error, &e.Cause, &start, &stop); err != nil {
		return asl.Execution{}, err
	}
	e.Status = asl.Status(status)
	e.Output = output
	e.StartDate, e.StopDate = fromNanos(start), fromNanos(stop)
	return e, nil
}

func (s executionStore) CreateExecution(ctx context.Context, e asl.Execution) error {
	res, err := s.d.db.ExecContext(ctx, `INSERT INTO executions (`+executionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		e.Name, e.StateMachine, e.Definition, []byte(e.Input), string(e.Status), nullBytes(e.Output), e.Error, e.Cause, toNanos(e.StartDate), toNanos(e.StopDate))
	if err != nil {
		return fmt.Errorf("creating execution %s: %w", e.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("creating execution %s: %w", e.Name, asl.ErrExecutionAlreadyExists)
	}
	return nil
}

func (s executionStore) GetExecution(ctx context.Context, name string) (asl.Execution, error) {
	row := s.d.db.QueryRowContext(ctx, `SELECT `+executionColumns+` FROM executions WHERE name = ?`, name)
	e, err := scanExecution(row)
	if errors.Is(err, sql.ErrNoRows) {
		return asl.Execution{}, fmt.Errorf("getting execution %s: %w", name, asl.ErrExecutionDoesNotExist)
	}
	if err != nil {
		return asl.Execution{}, fmt.Errorf("getting execution %s: %w", name, err)
	}
	return e, nil
}

func (s executionStore) UpdateExecution(ctx context.Context, e asl.Execution) error {
	res, err := s.d.db.ExecContext(ctx, `UPDATE executions SET state_machine = ?, definition = ?, input = ?,
		status = ?, output = ?, error = ?, cause = ?, start_date = ?, stop_date = ? WHERE name = ?`,
		e.StateMachine, e.Definition, []byte(e.Input), string(e.Status), nullBytes(e.Output), e.Error, e.Cause, toNanos(e.StartDate), toNanos(e.StopDate), e.Name)
	if err != nil {
		return fmt.Errorf("updating execution %s: %w", e.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("updating execution %s: %w", e.Name, asl.ErrExecutionDoesNotExist)
	}
	return nil
}

func (s executionStore) ListExecutions(ctx context.Context, status asl.Status) ([]asl.Execution, error) {
	rows, err := s.d.db.QueryContext(ctx, `SELECT `+executionColumns+` FROM executions
		WHERE ? = '' OR status = ? ORDER BY name`, string(status), string(status))
	if err != nil {
		return nil, fmt.Errorf("listing executions: %w", err)
	}
	defer rows.Close()
	var out []asl.Execution
	for rows.Next() {
		e, err := scanExecution(rows)
		if err != nil {
			return nil, fmt.Errorf("listing executions: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing executions: %w", err)
	}
	return out, nil
}

func (s executionStore) Record(ctx context.Context, execution, key string, value []byte) ([]byte, error) {
	if _, err := s.d.db.ExecContext(ctx, `INSERT INTO journal (execution, key, value) VALUES (?, ?, ?)
		ON CONFLICT (execution, key) DO NOTHING`, execution, key, value); err != nil {
		return nil, fmt.Errorf("recording %s of execution %s: %w", key, execution, err)
	}
	var stored []byte
	if err := s.d.db.QueryRowContext(ctx, `SELECT value FROM journal WHERE execution = ? AND key = ?`, execution, key).Scan(&stored); err != nil {
		return nil, fmt.Errorf("recording %s of execution %s: %w", key, execution, err)
	}
	return stored, nil
}

func (s executionStore) Journal(ctx context.Context, execution string) (map[string][]byte, error) {
	rows, err := s.d.db.QueryContext(ctx, `SELECT key, value FROM journal WHERE execution = ?`, execution)
	if err != nil {
		return nil, fmt.Errorf("reading journal of execution %s: %w", execution, err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var key string
		var value []byte
		if err := rows.Scan(&key, &value); err != nil {
			return nil, fmt.Errorf("reading journal of execution %s: %w", execution, err)
		}
		out[key] = value
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading journal of execution %s: %w", execution, err)
	}
	return out, nil
}

// Task tokens are stored as SHA-256 digests, so the table never holds a
// usable token.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s executionStore) PutTaskToken(ctx context.Context, token, execution, key string) error {
	if _, err := s.d.db.ExecContext(ctx, `INSERT INTO task_tokens (token_hash, execution, key) VALUES (?, ?, ?)
		ON CONFLICT (token_hash) DO UPDATE SET execution = excluded.execution, key = excluded.key`,
		tokenHash(token), execution, key); err != nil {
		return fmt.Errorf("storing task token of execution %s: %w", execution, err)
	}
	return nil
}

func (s executionStore) LookupTaskToken(ctx context.Context, token string) (string, string, error) {
	var execution, key string
	err := s.d.db.QueryRowContext(ctx, `SELECT execution, key FROM task_tokens WHERE token_hash = ?`, tokenHash(token)).Scan(&execution, &key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", asl.ErrInvalidToken
	}
	if err != nil {
		return "", "", fmt.Errorf("looking up task token: %w", err)
	}
	return execution, key, nil
}

func (s executionStore) Claim(ctx context.Context, execution, owner string, until time.Time) (bool, error) {
	res, err := s.d.db.ExecContext(ctx, `INSERT INTO leases (execution, owner, until) VALUES (?, ?, ?)
		ON CONFLICT (execution) DO UPDATE SET owner = excluded.owner, until = excluded.until
		WHERE leases.owner = excluded.owner OR leases.until < ?`,
		execution, owner, toNanos(until), s.d.now().UnixNano())
	if err != nil {
		return false, fmt.Errorf("claiming execution %s: %w", execution, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claiming execution %s: %w", execution, err)
	}
	return n == 1, nil
}

func (s executionStore) Release(ctx context.Context, execution, owner string) error {
	if _, err := s.d.db.ExecContext(ctx, `DELETE FROM leases WHERE execution = ? AND owner = ?`, execution, owner); err != nil {
		return fmt.Errorf("releasing execution %s: %w", execution, err)
	}
	return nil
}

func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return []byte(b)
}
