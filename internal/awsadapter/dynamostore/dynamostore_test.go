package dynamostore

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/mototest"
	"github.com/moderato/moderato/internal/jobs"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
)

// newTables starts moto and creates the tables as the Terraform module
// does.
func newTables(t *testing.T) *dynamodb.Client {
	t.Helper()
	server := mototest.Start(t)
	client := dynamodb.NewFromConfig(server.Config())
	require.NoError(t, CreateTables(context.Background(), client, TableNames{Reviews: "reviews", Outcomes: "outcomes", Audit: "audit"}))
	return client
}

func newReview(id, execution string, created time.Time) review.Review {
	return review.Review{
		ID:        id,
		Execution: execution,
		TaskToken: "AQCEAAAAKgAAAA+token/with=chars",
		Status:    review.StatusPending,
		Bucket:    "ingest",
		Key:       "uploads/a b+c.txt",
		VersionID: "v1",
		MediaType: "text",
		Reasons:   []string{"INSULT scored 0.7"},
		CreatedAt: created,
		Deadline:  created.Add(24 * time.Hour),
		Details:   []byte(`{"item": {}}`),
	}
}

func TestReviewsAgainstMoto(t *testing.T) {
	store := NewReviews(newTables(t), "reviews")
	ctx := context.Background()
	base := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

	first := newReview("rv-1", "exec-1", base.Add(time.Minute))
	require.NoError(t, store.CreateReview(ctx, first))
	require.NoError(t, store.CreateReview(ctx, newReview("rv-0", "exec-0", base)))

	t.Run("get returns every field", func(t *testing.T) {
		got, err := store.GetReview(ctx, "rv-1")
		require.NoError(t, err)
		assert.Equal(t, first, got)
	})

	t.Run("retried create refreshes the token", func(t *testing.T) {
		retry := first
		retry.TaskToken = "new-token"
		require.NoError(t, store.CreateReview(ctx, retry))
		got, err := store.GetReview(ctx, "rv-1")
		require.NoError(t, err)
		assert.Equal(t, "new-token", got.TaskToken)
		assert.Equal(t, first.CreatedAt, got.CreatedAt)
	})

	t.Run("same id for another execution is rejected", func(t *testing.T) {
		err := store.CreateReview(ctx, newReview("rv-1", "exec-other", base))
		assert.True(t, errors.Is(err, review.ErrAlreadyDecided), "%v", err)
	})

	t.Run("pending list is oldest first", func(t *testing.T) {
		list, err := store.ListReviews(ctx, review.StatusPending)
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, "rv-0", list[0].ID)
		assert.Equal(t, "rv-1", list[1].ID)
	})

	t.Run("finish once", func(t *testing.T) {
		at := base.Add(time.Hour)
		done, err := store.FinishReview(ctx, "rv-1", review.StatusApproved, "alice", "satire", at)
		require.NoError(t, err)
		assert.Equal(t, review.StatusApproved, done.Status)
		require.NotNil(t, done.DecidedAt)
		assert.True(t, at.Equal(*done.DecidedAt))

		again, err := store.FinishReview(ctx, "rv-1", review.StatusRejected, "bob", "", at)
		assert.True(t, errors.Is(err, review.ErrAlreadyDecided), "%v", err)
		assert.Equal(t, review.StatusApproved, again.Status, "the first decision stays")
		assert.Equal(t, "alice", again.DecidedBy)

		list, err := store.ListReviews(ctx, review.StatusPending)
		require.NoError(t, err)
		assert.Len(t, list, 1)
		all, err := store.ListReviews(ctx, "")
		require.NoError(t, err)
		assert.Len(t, all, 2)
	})

	t.Run("escalated review keeps queue and level", func(t *testing.T) {
		escalated := newReview("rv-0-e1", "exec-0", base.Add(2*time.Hour))
		escalated.Queue, escalated.EscalationLevel, escalated.EscalatedFrom = "senior", 1, "rv-0"
		require.NoError(t, store.CreateReview(ctx, escalated))
		got, err := store.GetReview(ctx, "rv-0-e1")
		require.NoError(t, err)
		assert.Equal(t, escalated, got)

		marked, err := store.FinishReview(ctx, "rv-0", review.StatusEscalated, "", "escalated to queue senior", base.Add(2*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, review.StatusEscalated, marked.Status)
		listed, err := store.ListReviews(ctx, review.StatusEscalated)
		require.NoError(t, err)
		require.Len(t, listed, 1)
		assert.Equal(t, "rv-0", listed[0].ID)
	})

	t.Run("missing review", func(t *testing.T) {
		_, err := store.GetReview(ctx, "rv-missing")
		assert.True(t, errors.Is(err, review.ErrNotFound), "get: %v", err)
		_, err = store.FinishReview(ctx, "rv-missing", review.StatusApproved, "alice", "", base)
		assert.True(t, errors.Is(err, review.ErrNotFound), "finish: %v", err)
	})
}

func TestOutcomesFirstWriteWins(t *testing.T) {
	store := NewOutcomes(newTables(t), "outcomes")
	ctx := context.Background()
	first := pipeline.Outcome{
		Execution:     "arn:aws:states:us-east-1:123456789012:execution:moderato:a-txt-0123",
		Bucket:        "ingest",
		Key:           "uploads/a.txt",
		VersionID:     "v1",
		MediaType:     "text",
		Verdict:       policy.Approved,
		Reasons:       []string{"PII redacted: EMAIL (1)"},
		PII:           []pipeline.TypeCount{{Type: "EMAIL", Count: 1}},
		Redacted:      &objects.Location{Bucket: "redacted", Key: "uploads/a.txt"},
		PolicyVersion: "2026-12-01",
		RecordedAt:    time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC),
	}

	stored, err := store.PutOutcome(ctx, first)
	require.NoError(t, err)
	assert.Equal(t, first, stored)

	later := first
	later.Verdict = policy.Rejected
	stored, err = store.PutOutcome(ctx, later)
	require.NoError(t, err)
	assert.Equal(t, policy.Approved, stored.Verdict, "a retried task cannot replace the outcome")

	got, err := store.GetOutcome(ctx, first.Execution)
	require.NoError(t, err)
	assert.Equal(t, first, got)
}

func TestAuditAppendOnly(t *testing.T) {
	audit := NewAudit(newTables(t), "audit")
	ctx := context.Background()
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	entry := func(reviewer, decision, result string, at time.Time) review.Entry {
		return review.Entry{ReviewID: "rv-1", Reviewer: reviewer, Decision: decision, Result: result, At: at}
	}

	require.NoError(t, audit.AppendEntry(ctx, entry("alice", review.Approve, review.ResultVote, at)))
	require.NoError(t, audit.AppendEntry(ctx, entry("bob", review.Approve, review.ResultAccepted, at)), "same instant, another moderator")
	require.NoError(t, audit.AppendEntry(ctx, entry("carol", review.Reject, review.ResultConflict, at.Add(time.Second))))

	err := audit.AppendEntry(ctx, entry("alice", review.Reject, review.ResultVote, at))
	assert.True(t, errors.Is(err, review.ErrAuditAppendOnly), "an entry cannot be replaced: %v", err)
	err = audit.AppendEntry(ctx, review.Entry{ReviewID: "rv-1", Decision: review.Approve})
	assert.Error(t, err, "an invalid entry is rejected")

	history, err := audit.History(ctx, "rv-1")
	require.NoError(t, err)
	require.Len(t, history, 3)
	assert.Equal(t, "alice", history[0].Reviewer)
	assert.Equal(t, review.Approve, history[0].Decision, "the first entry is unchanged")
	assert.Equal(t, "carol", history[2].Reviewer)

	none, err := audit.History(ctx, "rv-other")
	require.NoError(t, err)
	assert.Empty(t, none)
}

// History is in time order even when a later entry was appended first and
// when RFC 3339 drops trailing zeros from the sort key (".17Z" sorts after
// ".173Z" as a string).
func TestAuditHistoryInTimeOrder(t *testing.T) {
	audit := NewAudit(newTables(t), "audit")
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 1, 8, 39, 170_000_000, time.UTC)
	entry := func(reviewer, decision, result string, at time.Time) review.Entry {
		return review.Entry{ReviewID: "rv-1", Reviewer: reviewer, Decision: decision, Result: result, At: at}
	}

	require.NoError(t, audit.AppendEntry(ctx, entry("bob", review.Reject, review.ResultConflict, at.Add(6*time.Millisecond))))
	require.NoError(t, audit.AppendEntry(ctx, entry("carol", review.Reject, review.ResultConflict, at.Add(3*time.Millisecond))))
	require.NoError(t, audit.AppendEntry(ctx, entry("alice", review.Approve, review.ResultAccepted, at)))

	history, err := audit.History(ctx, "rv-1")
	require.NoError(t, err)
	require.Len(t, history, 3)
	assert.Equal(t, "alice", history[0].Reviewer, "the accepted decision came first")
	assert.Equal(t, "carol", history[1].Reviewer)
	assert.Equal(t, "bob", history[2].Reviewer)
}

func TestJobTokenExpires(t *testing.T) {
	ctx := context.Background()
	server := mototest.Start(t)
	client := dynamodb.NewFromConfig(server.Config())
	require.NoError(t, CreateTables(ctx, client, TableNames{Jobs: "jobs"}))
	store := NewJobTokens(client, "jobs")
	started := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

	require.NoError(t, store.PutToken(ctx, jobs.Token{JobID: "job-1", Kind: jobs.Transcription, TaskToken: "token-1", StartedAt: started}))

	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String("jobs"),
		Key:       map[string]types.AttributeValue{"job_id": &types.AttributeValueMemberS{Value: "job-1"}},
	})
	require.NoError(t, err)
	expires, ok := out.Item["expires_at"].(*types.AttributeValueMemberN)
	require.True(t, ok, "the item needs a numeric expires_at for the table's TTL")
	assert.Equal(t, strconv.FormatInt(started.Add(7*24*time.Hour).Unix(), 10), expires.Value)
}
