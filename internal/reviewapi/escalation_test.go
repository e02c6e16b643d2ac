package reviewapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/local"
	"github.com/moderato/moderato/internal/local/web"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/internal/reviewapi"
)

// escalationPolicy waits one hour for the first review and two more hours
// for the escalated review in the senior queue.
const escalationPolicy = `{"version": "v-esc", "pii": {"action": "review"},
	"review": {"timeout_seconds": 3600, "on_timeout": "reject", "escalation": {"queue": "senior", "timeout_seconds": 7200}}}`

// newEscalationFixture sends one text to review in the text queue, with
// queues restricted to the JWT's grants.
func newEscalationFixture(t *testing.T) *fixture {
	t.Helper()
	auth := reviewapi.Gateway{Mode: reviewapi.ModeJWT, RestrictQueues: true}
	router := review.Router{ByMediaType: map[string]string{"text": "text"}}
	return newFixtureWithPolicy(t, escalationPolicy, auth, web.Options{Router: router}, piiText)
}

// escalate lets the first review's deadline pass: a late decision applies
// the timeout, which creates the escalated review.
func escalate(t *testing.T, f *fixture, first string) review.Review {
	t.Helper()
	textModerator := jwtContext("tina", "moderato/queue:text")
	f.clock.Advance(61 * time.Minute)
	late := call(f.handler, &textModerator, http.MethodPost, "/api/reviews/"+first+"/decision", `{"decision": "approve"}`)
	require.Equal(t, http.StatusGone, late.Code, late.Body.String())
	assert.Contains(t, late.Body.String(), "escalated to queue senior")

	escalated, err := f.rt.DB.Reviews().GetReview(context.Background(), first+"-e1")
	require.NoError(t, err)
	return escalated
}

func TestEscalationCreatesSeniorReview(t *testing.T) {
	f := newEscalationFixture(t)
	ctx := context.Background()
	first := f.reviews[0]

	stored, err := f.rt.DB.Reviews().GetReview(ctx, first)
	require.NoError(t, err)
	assert.Equal(t, "text", stored.Queue, "the first review is stored in its media type's queue")
	assert.Equal(t, 0, stored.EscalationLevel)

	escalated := escalate(t, f, first)
	assert.Equal(t, review.StatusPending, escalated.Status)
	assert.Equal(t, "senior", escalated.Queue)
	assert.Equal(t, 1, escalated.EscalationLevel)
	assert.Equal(t, first, escalated.EscalatedFrom)
	assert.Equal(t, 2*time.Hour, escalated.Deadline.Sub(escalated.CreatedAt), "the escalated review has the escalation's own timeout")

	previous, err := f.rt.DB.Reviews().GetReview(ctx, first)
	require.NoError(t, err)
	assert.Equal(t, review.StatusEscalated, previous.Status)
	assert.Contains(t, previous.Reason, "escalated to queue senior as review "+escalated.ID)

	auditor := jwtContext("audra", "moderato/queue:*")
	history := historyOf(t, f, &auditor, first)
	require.Len(t, history, 2)
	assert.Equal(t, review.ResultEscalated, history[0].Result, "the escalation comes first in the trail")
	assert.Equal(t, escalated.ID, history[0].EscalatedTo)
	assert.Equal(t, "text", history[0].Queue)
	assert.Equal(t, "v-esc", history[0].PolicyVersion)
	assert.Equal(t, review.ResultExpired, history[1].Result, "the late decision is recorded as expired")
	assert.Equal(t, "tina", history[1].Reviewer)

	res, err := f.rt.Settle(ctx, f.executionOf(t, first))
	require.NoError(t, err)
	assert.Equal(t, policy.Review, res.Verdict, "the item still waits")
	assert.Equal(t, escalated.ID, res.ReviewID, "the run reports the escalated review")
}

func TestEscalatedReviewQueueIsolation(t *testing.T) {
	f := newEscalationFixture(t)
	escalated := escalate(t, f, f.reviews[0])
	id := escalated.ID
	textModerator := jwtContext("tina", "moderato/queue:text")
	senior := jwtContext("sam", "moderato/queue:senior")

	list := call(f.handler, &textModerator, http.MethodGet, "/api/reviews", "")
	require.Equal(t, http.StatusOK, list.Code)
	assert.NotContains(t, list.Body.String(), id, "the first queue no longer lists the escalated review")

	for _, target := range []string{"/api/reviews/" + id, "/api/reviews/" + id + "/preview", "/api/reviews/" + id + "/history"} {
		rec := call(f.handler, &textModerator, http.MethodGet, target, "")
		assert.Equal(t, http.StatusForbidden, rec.Code, "%s: %s", target, rec.Body.String())
	}
	refused := call(f.handler, &textModerator, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "reject"}`)
	assert.Equal(t, http.StatusForbidden, refused.Code, refused.Body.String())
	still, err := f.rt.DB.Reviews().GetReview(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, review.StatusPending, still.Status, "a cross-queue decision must not count")

	seniorList := call(f.handler, &senior, http.MethodGet, "/api/reviews?queue=senior", "")
	require.Equal(t, http.StatusOK, seniorList.Code)
	var page reviewapi.ListPage
	require.NoError(t, json.Unmarshal(seniorList.Body.Bytes(), &page))
	require.Len(t, page.Reviews, 1)
	assert.Equal(t, id, page.Reviews[0].ID)
	assert.Equal(t, "senior", page.Reviews[0].Queue)
	assert.True(t, page.Reviews[0].Escalated)

	seniorOld := call(f.handler, &senior, http.MethodGet, "/api/reviews/"+f.reviews[0], "")
	assert.Equal(t, http.StatusForbidden, seniorOld.Code, "the first review stays in the text queue")
}

func TestEscalatedReviewDecided(t *testing.T) {
	f := newEscalationFixture(t)
	first := f.reviews[0]
	escalated := escalate(t, f, first)
	senior := jwtContext("sam", "moderato/queue:senior")

	rec := call(f.handler, &senior, http.MethodPost, "/api/reviews/"+escalated.ID+"/decision", `{"decision": "approve", "reason": "a public contact address"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	o, err := f.rt.DB.GetOutcome(context.Background(), escalated.Execution)
	require.NoError(t, err)
	assert.Equal(t, policy.Approved, o.Verdict)
	assert.Equal(t, escalated.ID, o.ReviewID)
	assert.Equal(t, "sam", o.ReviewedBy)
	assert.Contains(t, o.Reasons, "review not decided within 3600 seconds: escalated to queue senior")

	decided, err := f.rt.DB.Reviews().GetReview(context.Background(), escalated.ID)
	require.NoError(t, err)
	assert.Equal(t, review.StatusApproved, decided.Status)
	previous, err := f.rt.DB.Reviews().GetReview(context.Background(), first)
	require.NoError(t, err)
	assert.Equal(t, review.StatusEscalated, previous.Status, "the first review stays escalated")
}

func TestEscalatedReviewTimesOut(t *testing.T) {
	f := newEscalationFixture(t)
	escalated := escalate(t, f, f.reviews[0])
	senior := jwtContext("sam", "moderato/queue:senior")

	f.clock.Advance(121 * time.Minute)
	late := call(f.handler, &senior, http.MethodPost, "/api/reviews/"+escalated.ID+"/decision", `{"decision": "approve"}`)
	require.Equal(t, http.StatusGone, late.Code, late.Body.String())

	o, err := f.rt.DB.GetOutcome(context.Background(), escalated.Execution)
	require.NoError(t, err)
	assert.Equal(t, policy.Rejected, o.Verdict, "the policy's on_timeout applies after the escalated review")
	assert.Equal(t, escalated.ID, o.ReviewID)
	assert.Contains(t, o.Reasons, "review not decided within 3600 seconds: escalated to queue senior")
	assert.Contains(t, o.Reasons, "escalated review not decided within 7200 seconds: the policy's timeout action applied")

	expired, err := f.rt.DB.Reviews().GetReview(context.Background(), escalated.ID)
	require.NoError(t, err)
	assert.Equal(t, review.StatusExpired, expired.Status)
	_, err = f.rt.DB.Reviews().GetReview(context.Background(), escalated.ID+"-e1")
	assert.ErrorIs(t, err, review.ErrNotFound, "there is only one escalation level")
}

// executionOf returns the local execution name of a review.
func (f *fixture) executionOf(t *testing.T, id string) string {
	t.Helper()
	r, err := f.rt.DB.Reviews().GetReview(context.Background(), id)
	require.NoError(t, err)
	name := r.Execution[len(local.ExecutionARN("")):]
	require.Equal(t, r.Execution, local.ExecutionARN(name))
	require.Equal(t, id[:len(pipeline.ReviewID(r.Execution))], pipeline.ReviewID(r.Execution))
	return name
}

// In IAM mode the principal-to-queue map decides, and the escalation queue
// is one more queue in it.
func TestEscalatedReviewIAMQueues(t *testing.T) {
	f := newEscalationFixture(t)
	escalated := escalate(t, f, f.reviews[0])
	textRole := "arn:aws:iam::123456789012:role/text-moderators"
	seniorRole := "arn:aws:iam::123456789012:role/senior-moderators"
	iam := reviewapi.NewHandler(f.svc, reviewapi.Gateway{
		Mode:           reviewapi.ModeIAM,
		RestrictQueues: true,
		IAMQueues:      map[string][]string{textRole: {"text"}, seniorRole: {"senior"}},
	})

	textContext, seniorContext := iamContext(textRole), iamContext(seniorRole)
	refused := call(iam, &textContext, http.MethodPost, "/api/reviews/"+escalated.ID+"/decision", `{"decision": "approve"}`)
	assert.Equal(t, http.StatusForbidden, refused.Code, refused.Body.String())

	accepted := call(iam, &seniorContext, http.MethodPost, "/api/reviews/"+escalated.ID+"/decision", `{"decision": "reject", "reason": "a private address"}`)
	require.Equal(t, http.StatusOK, accepted.Code, accepted.Body.String())
	o, err := f.rt.DB.GetOutcome(context.Background(), escalated.Execution)
	require.NoError(t, err)
	assert.Equal(t, policy.Rejected, o.Verdict)
	assert.Equal(t, seniorRole, o.ReviewedBy)
}
