package pipeline

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/policy"
)

// memoryOutcomes is a unit-test outcome store: the first outcome of an
// execution wins.
type memoryOutcomes map[string]Outcome

func (m memoryOutcomes) PutOutcome(ctx context.Context, o Outcome) (Outcome, error) {
	if stored, ok := m[o.Execution]; ok {
		return stored, nil
	}
	m[o.Execution] = o
	return o, nil
}

// recordingPublisher records announced outcomes and fails while err is set.
type recordingPublisher struct {
	announced []Outcome
	err       error
}

func (p *recordingPublisher) OutcomeRecorded(ctx context.Context, o Outcome) error {
	if p.err != nil {
		return p.err
	}
	p.announced = append(p.announced, o)
	return nil
}

func TestRecordOutcomeAnnounces(t *testing.T) {
	ctx := context.Background()
	tasks := newTasks(t)
	tasks.Outcomes = memoryOutcomes{}
	publisher := &recordingPublisher{err: errors.New("bus unavailable")}
	tasks.Publisher = publisher
	in := RecordInput{Execution: "exec-1", Document: Document{
		Detail:   detail("ingest", "gone.txt", "v1"),
		Item:     &Item{Bucket: "ingest", Key: "gone.txt", VersionID: "v1", MediaType: "text"},
		Decision: &Decision{Verdict: policy.Approved, PolicyVersion: "p1"},
	}}

	_, err := tasks.RecordOutcome(ctx, in)
	require.Error(t, err, "a failed announcement fails the task")
	assert.Empty(t, publisher.announced)

	publisher.err = nil
	changed := in
	changed.Document.Decision = &Decision{Verdict: policy.Rejected, PolicyVersion: "p1"}
	got, err := tasks.RecordOutcome(ctx, changed)

	require.NoError(t, err)
	require.Len(t, publisher.announced, 1)
	assert.Equal(t, policy.Approved, publisher.announced[0].Verdict, "the retry announces the stored outcome")
	assert.Equal(t, got, publisher.announced[0])
}

// failingOutcomes is a unit-test outcome store whose writes fail as the
// DynamoDB and SQLite stores report it.
type failingOutcomes struct{}

func (failingOutcomes) PutOutcome(ctx context.Context, o Outcome) (Outcome, error) {
	return Outcome{}, fmt.Errorf("storing outcome of %s: %w", o.Execution, errors.New("ProvisionedThroughputExceededException"))
}

func TestRecordOutcomeStoreErrorPrefixedOnce(t *testing.T) {
	tasks := newTasks(t)
	tasks.Outcomes = failingOutcomes{}
	in := RecordInput{Execution: "exec-1", Document: Document{
		Detail:   detail("ingest", "gone.txt", "v1"),
		Item:     &Item{Bucket: "ingest", Key: "gone.txt", VersionID: "v1", MediaType: "text"},
		Decision: &Decision{Verdict: policy.Rejected, PolicyVersion: "p1"},
	}}

	_, err := tasks.RecordOutcome(context.Background(), in)

	require.Error(t, err)
	assert.Equal(t, "storing outcome of exec-1: ProvisionedThroughputExceededException", err.Error())
}

func TestRecordOutcomeNeedsExecution(t *testing.T) {
	tasks := newTasks(t)
	outcomes := memoryOutcomes{}
	tasks.Outcomes = outcomes

	_, err := tasks.RecordOutcome(context.Background(), RecordInput{})

	require.Error(t, err)
	assert.Contains(t, err.Error(), "the execution is missing")
	assert.NotContains(t, err.Error(), "storing outcome of")
	assert.Empty(t, outcomes, "nothing is stored")
}
