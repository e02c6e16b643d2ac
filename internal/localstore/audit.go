package localstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/moderato/moderato/internal/review"
)

// auditSchema creates the audit table with triggers that abort every UPDATE
// and DELETE, so that no code path of this program can rewrite history. The
// statements are idempotent and run when the audit log is opened, which
// adds the table to databases created before it existed.
const auditSchema = `
CREATE TABLE IF NOT EXISTS review_audit (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	review_id TEXT NOT NULL,
	entry BLOB NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS review_audit_review ON review_audit (review_id, seq);
CREATE TRIGGER IF NOT EXISTS review_audit_no_update BEFORE UPDATE ON review_audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS review_audit_no_delete BEFORE DELETE ON review_audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
`

// Audit returns the append-only audit trail of review decisions, creating
// its table on first use.
func (d *DB) Audit(ctx context.Context) (review.AuditLog, error) {
	if _, err := d.db.ExecContext(ctx, auditSchema); err != nil {
		return nil, fmt.Errorf("creating the audit table: %w", err)
	}
	return auditLog{d}, nil
}

type auditLog struct{ d *DB }

func (a auditLog) AppendEntry(ctx context.Context, e review.Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	doc, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding audit entry of review %s: %w", e.ReviewID, err)
	}
	if _, err := a.d.db.ExecContext(ctx, `INSERT INTO review_audit (review_id, entry, at) VALUES (?, ?, ?)`,
		e.ReviewID, doc, toNanos(e.At)); err != nil {
		return fmt.Errorf("appending audit entry of review %s: %w", e.ReviewID, err)
	}
	return nil
}

// History returns the entries of a review in time order, and entries of the
// same instant in append order. The order of appends alone is not time
// order: an accepted decision is appended after its execution resumes, so
// a conflicting attempt that came later can be appended first.
func (a auditLog) History(ctx context.Context, reviewID string) ([]review.Entry, error) {
	rows, err := a.d.db.QueryContext(ctx, `SELECT entry FROM review_audit WHERE review_id = ? ORDER BY at, seq`, reviewID)
	if err != nil {
		return nil, fmt.Errorf("reading the audit trail of review %s: %w", reviewID, err)
	}
	defer rows.Close()
	var out []review.Entry
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("reading the audit trail of review %s: %w", reviewID, err)
		}
		var e review.Entry
		if err := json.Unmarshal(doc, &e); err != nil {
			return nil, fmt.Errorf("decoding an audit entry of review %s: %w", reviewID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the audit trail of review %s: %w", reviewID, err)
	}
	return out, nil
}
