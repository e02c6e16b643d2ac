package localstore

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/review"
)

func auditEntry(reviewer, decision, result string, at time.Time) review.Entry {
	return review.Entry{
		ReviewID: "rv-1", Execution: "exec-1", Bucket: "ingest", Key: "uploads/a.txt",
		PolicyVersion: "2026-01", Queue: review.DefaultQueue, Reviewer: reviewer,
		Decision: decision, Reason: "looks fine", Result: result, At: at,
	}
}

func TestAuditAppendAndHistory(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	audit, err := db.Audit(ctx)
	require.NoError(t, err)

	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	first := auditEntry("alice", review.Approve, review.ResultAccepted, at)
	first.Corrections = []review.Correction{{Category: "violence", Present: false}}
	second := auditEntry("bob", review.Reject, review.ResultConflict, at.Add(time.Minute))
	require.NoError(t, audit.AppendEntry(ctx, first))
	require.NoError(t, audit.AppendEntry(ctx, second))

	history, err := audit.History(ctx, "rv-1")
	require.NoError(t, err)
	assert.Equal(t, []review.Entry{first, second}, history)

	other, err := audit.History(ctx, "rv-2")
	require.NoError(t, err)
	assert.Empty(t, other)
}

func TestAuditRejectsInvalidEntries(t *testing.T) {
	ctx := context.Background()
	audit, err := openTemp(t).Audit(ctx)
	require.NoError(t, err)
	at := time.Now()

	tests := []struct {
		name  string
		entry review.Entry
	}{
		{"missing reviewer", auditEntry("", review.Approve, review.ResultAccepted, at)},
		{"unknown decision", auditEntry("alice", "maybe", review.ResultAccepted, at)},
		{"unknown result", auditEntry("alice", review.Approve, "done", at)},
		{"missing time", auditEntry("alice", review.Approve, review.ResultAccepted, time.Time{})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Error(t, audit.AppendEntry(ctx, tc.entry))
		})
	}
	history, err := audit.History(ctx, "rv-1")
	require.NoError(t, err)
	assert.Empty(t, history)
}

func TestAuditEntriesCannotChange(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	audit, err := db.Audit(ctx)
	require.NoError(t, err)
	require.NoError(t, audit.AppendEntry(ctx, auditEntry("alice", review.Approve, review.ResultAccepted, time.Now())))

	tests := []struct {
		name      string
		statement string
	}{
		{"update", `UPDATE review_audit SET entry = '{}'`},
		{"delete", `DELETE FROM review_audit`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.db.ExecContext(ctx, tc.statement)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "append-only")
		})
	}
	history, err := audit.History(ctx, "rv-1")
	require.NoError(t, err)
	require.Len(t, history, 1)
	assert.Equal(t, "alice", history[0].Reviewer)

	// Opening the audit log again keeps the entries and the triggers.
	again, err := db.Audit(ctx)
	require.NoError(t, err)
	history, err = again.History(ctx, "rv-1")
	require.NoError(t, err)
	assert.Len(t, history, 1)
}

// An accepted decision is appended after its execution resumes, so a later
// conflicting attempt may be appended first. History is in time order.
func TestAuditHistoryInTimeOrder(t *testing.T) {
	ctx := context.Background()
	audit, err := openTemp(t).Audit(ctx)
	require.NoError(t, err)

	at := time.Date(2026, 12, 1, 1, 8, 39, 173_000_000, time.UTC)
	accepted := auditEntry("alice", review.Approve, review.ResultAccepted, at)
	conflict := auditEntry("bob", review.Reject, review.ResultConflict, at.Add(3*time.Millisecond))
	sameInstant := auditEntry("carol", review.Reject, review.ResultConflict, at.Add(3*time.Millisecond))
	require.NoError(t, audit.AppendEntry(ctx, conflict))
	require.NoError(t, audit.AppendEntry(ctx, sameInstant))
	require.NoError(t, audit.AppendEntry(ctx, accepted))

	history, err := audit.History(ctx, "rv-1")
	require.NoError(t, err)
	assert.Equal(t, []review.Entry{accepted, conflict, sameInstant}, history)
}
