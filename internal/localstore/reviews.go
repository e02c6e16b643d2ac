package localstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/moderato/moderato/internal/review"
)

// Reviews returns the review.Store view of the database.
func (d *DB) Reviews() review.Store { return reviewStore{d} }

type reviewStore struct{ d *DB }

const reviewColumns = `id, execution, task_token, status, bucket, key, version_id, media_type, reasons, created_at, deadline, details, decided_at, decided_by, reason, queue, escalation_level, escalated_from`

func scanReview(row interface{ Scan(...any) error }) (review.Review, error) {
	var r review.Review
	var status string
	var reasons, details []byte
	var created, deadline, decided int64
	if err := row.Scan(&r.ID, &r.Execution, &r.TaskToken, &status, &r.Bucket, &r.Key, &r.VersionID, &r.MediaType,
		&reasons, &created, &deadline, &details, &decided, &r.DecidedBy, &r.Reason, &r.Queue, &r.EscalationLevel, &r.EscalatedFrom); err != nil {
		return review.Review{}, err
	}
	r.Status = review.Status(status)
	if err := json.Unmarshal(reasons, &r.Reasons); err != nil {
		return review.Review{}, fmt.Errorf("decoding reasons of review %s: %w", r.ID, err)
	}
	r.Details = details
	r.CreatedAt, r.Deadline = fromNanos(created), fromNanos(deadline)
	if decided != 0 {
		t := fromNanos(decided)
		r.DecidedAt = &t
	}
	return r, nil
}

func (s reviewStore) CreateReview(ctx context.Context, r review.Review) error {
	reasons, err := json.Marshal(r.Reasons)
	if err != nil {
		return fmt.Errorf("creating review %s: %w", r.ID, err)
	}
	if r.Status == "" {
		r.Status = review.StatusPending
	}
	_, err = s.d.db.ExecContext(ctx, `INSERT INTO reviews (id, execution, task_token, status, bucket, key, version_id,
		media_type, reasons, created_at, deadline, details, queue, escalation_level, escalated_from)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET task_token = excluded.task_token
		WHERE reviews.execution = excluded.execution AND reviews.status = 'pending'`,
		r.ID, r.Execution, r.TaskToken, string(r.Status), r.Bucket, r.Key, r.VersionID, r.MediaType,
		reasons, toNanos(r.CreatedAt), toNanos(r.Deadline), r.Details, r.Queue, r.EscalationLevel, r.EscalatedFrom)
	if err != nil {
		return fmt.Errorf("creating review %s: %w", r.ID, err)
	}

	stored, err := s.GetReview(ctx, r.ID)
	if err != nil {
		return err
	}
	if stored.Execution != r.Execution {
		return fmt.Errorf("creating review %s: the ID belongs to execution %s", r.ID, stored.Execution)
	}
	return nil
}

func (s reviewStore) GetReview(ctx context.Context, id string) (review.Review, error) {
	row := s.d.db.QueryRowContext(ctx, `SELECT `+reviewColumns+` FROM reviews WHERE id = ?`, id)
	r, err := scanReview(row)
	if errors.Is(err, sql.ErrNoRows) {
		return review.Review{}, fmt.Errorf("getting review %s: %w", id, review.ErrNotFound)
	}
	if err != nil {
		return review.Review{}, fmt.Errorf("getting review %s: %w", id, err)
	}
	return r, nil
}

func (s reviewStore) ListReviews(ctx context.Context, status review.Status) ([]review.Review, error) {
	rows, err := s.d.db.QueryContext(ctx, `SELECT `+reviewColumns+` FROM reviews
		WHERE ? = '' OR status = ? ORDER BY created_at, id`, string(status), string(status))
	if err != nil {
		return nil, fmt.Errorf("listing reviews: %w", err)
	}
	defer rows.Close()
	var out []review.Review
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, fmt.Errorf("listing reviews: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing reviews: %w", err)
	}
	return out, nil
}

func (s reviewStore) FinishReview(ctx context.Context, id string, status review.Status, by, reason string, at time.Time) (review.Review, error) {
	if status == review.StatusPending {
		return review.Review{}, fmt.Errorf("finishing review %s: the new status must not be pending", id)
	}
	res, err := s.d.db.ExecContext(ctx, `UPDATE reviews SET status = ?, decided_at = ?, decided_by = ?, reason = ?
		WHERE id = ? AND status = 'pending'`, string(status), toNanos(at), by, reason, id)
	if err != nil {
		return review.Review{}, fmt.Errorf("finishing review %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return review.Review{}, fmt.Errorf("finishing review %s: %w", id, err)
	}

	stored, err := s.GetReview(ctx, id)
	if err != nil {
		return review.Review{}, err
	}
	if n == 0 {
		return stored, fmt.Errorf("finishing review %s: it is %s: %w", id, stored.Status, review.ErrAlreadyDecided)
	}
	return stored, nil
}
