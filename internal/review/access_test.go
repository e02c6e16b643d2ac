package review

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestModeratorCanAccess(t *testing.T) {
	tests := []struct {
		name  string
		mod   Moderator
		queue string
		want  bool
	}{
		{"all queues", Moderator{ID: "alice", AllQueues: true}, "images", true},
		{"listed queue", Moderator{ID: "bob", Queues: []string{"text", "images"}}, "images", true},
		{"other queue", Moderator{ID: "bob", Queues: []string{"text"}}, "images", false},
		{"no queues", Moderator{ID: "carol"}, DefaultQueue, false},
		{"anonymous", Moderator{AllQueues: true}, DefaultQueue, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.mod.CanAccess(tc.queue))
		})
	}
}

func TestRouterQueue(t *testing.T) {
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	pending := Review{MediaType: "image", Status: StatusPending, CreatedAt: created}
	decided := pending
	decided.Status = StatusApproved
	router := Router{
		ByMediaType:     map[string]string{"image": "visual", "video": "visual"},
		Default:         "general",
		EscalationQueue: "senior",
		EscalateAfter:   time.Hour,
	}

	tests := []struct {
		name   string
		router Router
		review Review
		now    time.Time
		want   string
	}{
		{"zero router", Router{}, pending, created, DefaultQueue},
		{"mapped media type", router, pending, created.Add(time.Minute), "visual"},
		{"unmapped media type", router, Review{MediaType: "text", Status: StatusPending, CreatedAt: created}, created, "general"},
		{"escalated after the age", router, pending, created.Add(time.Hour), "senior"},
		{"decided review stays", router, decided, created.Add(2 * time.Hour), "visual"},
		{"escalation without age", Router{EscalationQueue: "senior"}, pending, created.Add(48 * time.Hour), DefaultQueue},
		{"stored queue wins over media type", router, Review{MediaType: "image", Queue: "legacy", Status: StatusPending, CreatedAt: created}, created, "legacy"},
		{"escalated review keeps its queue", router, Review{MediaType: "image", Queue: "policy-senior", EscalationLevel: 1, Status: StatusPending, CreatedAt: created}, created.Add(2 * time.Hour), "policy-senior"},
		{"age moves a stored first review", router, Review{MediaType: "image", Queue: "visual", Status: StatusPending, CreatedAt: created}, created.Add(time.Hour), "senior"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.router.Queue(tc.review, tc.now))
		})
	}
}

func TestTallyOutcome(t *testing.T) {
	vote := func(reviewer, decision, result string) Entry {
		return Entry{Reviewer: reviewer, Decision: decision, Result: result}
	}
	tests := []struct {
		name     string
		entries  []Entry
		required int
		want     string
		settled  bool
	}{
		{"single approval settles quorum one", []Entry{vote("a", Approve, ResultAccepted)}, 1, Approve, true},
		{"zero required means one", []Entry{vote("a", Reject, ResultAccepted)}, 0, Reject, true},
		{"one of two approvals waits", []Entry{vote("a", Approve, ResultVote)}, 2, "", false},
		{"two approvals settle", []Entry{vote("a", Approve, ResultVote), vote("b", Approve, ResultVote)}, 2, Approve, true},
		{"same reviewer counts once", []Entry{vote("a", Approve, ResultVote), vote("a", Approve, ResultVote)}, 2, "", false},
		{"split votes reject", []Entry{vote("a", Approve, ResultVote), vote("b", Reject, ResultVote)}, 3, Reject, true},
		{"conflicts are not votes", []Entry{vote("a", Approve, ResultVote), vote("b", Reject, ResultConflict)}, 2, "", false},
		{"expired attempts are not votes", []Entry{vote("a", Approve, ResultExpired)}, 1, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, settled := Count(tc.entries, tc.required).Outcome()
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.settled, settled)
		})
	}
}

func TestTallyAdd(t *testing.T) {
	tally := Count(nil, 2).Add(Approve)
	_, settled := tally.Outcome()
	assert.False(t, settled)
	got, settled := tally.Add(Approve).Outcome()
	assert.True(t, settled)
	assert.Equal(t, Approve, got)
}

func TestRouterQueueFor(t *testing.T) {
	router := Router{ByMediaType: map[string]string{"image": "visual"}, Default: "general"}
	assert.Equal(t, "visual", router.QueueFor("image"))
	assert.Equal(t, "general", router.QueueFor("text"))
	assert.Equal(t, DefaultQueue, Router{}.QueueFor("image"))
}

func TestEntryValidateEscalation(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	escalation := Entry{ReviewID: "rv-1", EscalatedTo: "rv-1-e1", Result: ResultEscalated, At: at}
	assert.NoError(t, escalation.Validate(), "an escalation names no reviewer and no decision")

	missing := escalation
	missing.EscalatedTo = ""
	assert.ErrorContains(t, missing.Validate(), "missing escalated_to")

	vote := Entry{ReviewID: "rv-1", Result: ResultVote, Decision: Approve, At: at}
	assert.ErrorContains(t, vote.Validate(), "missing reviewer", "a decision still needs its reviewer")
	vote.Reviewer = "alice"
	assert.NoError(t, vote.Validate())
	vote.Decision = ""
	assert.ErrorContains(t, vote.Validate(), "invalid decision")
}

func TestStatusTimedOut(t *testing.T) {
	assert.True(t, StatusExpired.TimedOut())
	assert.True(t, StatusEscalated.TimedOut())
	assert.False(t, StatusPending.TimedOut())
	assert.False(t, StatusApproved.TimedOut())
}
