package asltest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/moderato/moderato/internal/asl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStore runs the conformance suite of the asl.Store contract against
// the stores that open returns, one fresh store per subtest.
func TestStore(t *testing.T, open func(t *testing.T) asl.Store) {
	t.Helper()
	ctx := context.Background()
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	sample := func(name string) asl.Execution {
		return asl.Execution{
			Name:         name,
			StateMachine: "Moderate",
			Definition:   []byte(`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`),
			Input:        json.RawMessage(`{"key":"a b+c"}`),
			Status:       asl.StatusRunning,
			StartDate:    start,
		}
	}

	t.Run("create and get execution", func(t *testing.T) {
		s := open(t)
		require.NoError(t, s.CreateExecution(ctx, sample("e1")))

		got, err := s.GetExecution(ctx, "e1")
		require.NoError(t, err)
		assert.Equal(t, "e1", got.Name)
		assert.Equal(t, "Moderate", got.StateMachine)
		assert.JSONEq(t, `{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`, string(got.Definition))
		assert.JSONEq(t, `{"key":"a b+c"}`, string(got.Input))
		assert.Equal(t, asl.StatusRunning, got.Status)
		assert.True(t, start.Equal(got.StartDate), "start date %v", got.StartDate)
		assert.True(t, got.StopDate.IsZero())
	})

	t.Run("create existing name", func(t *testing.T) {
		s := open(t)
		require.NoError(t, s.CreateExecution(ctx, sample("e1")))
		err := s.CreateExecution(ctx, sample("e1"))
		assert.ErrorIs(t, err, asl.ErrExecutionAlreadyExists)
	})

	t.Run("get unknown execution", func(t *testing.T) {
		s := open(t)
		_, err := s.GetExecution(ctx, "missing")
		assert.ErrorIs(t, err, asl.ErrExecutionDoesNotExist)
	})

	t.Run("update execution", func(t *testing.T) {
		s := open(t)
		require.NoError(t, s.CreateExecution(ctx, sample("e1")))
		e := sample("e1")
		e.Status = asl.StatusFailed
		e.Error, e.Cause = "States.TaskFailed", "boom"
		e.StopDate = start.Add(time.Minute)
		require.NoError(t, s.UpdateExecution(ctx, e))

		got, err := s.GetExecution(ctx, "e1")
		require.NoError(t, err)
		assert.Equal(t, asl.StatusFailed, got.Status)
		assert.Equal(t, "States.TaskFailed", got.Error)
		assert.Equal(t, "boom", got.Cause)
		assert.True(t, e.StopDate.Equal(got.StopDate))
	})

	t.Run("update output", func(t *testing.T) {
		s := open(t)
		require.NoError(t, s.CreateExecution(ctx, sample("e1")))
		e := sample("e1")
		e.Status = asl.StatusSucceeded
		e.Output = json.RawMessage(`{"verdict":"approved"}`)
		require.NoError(t, s.UpdateExecution(ctx, e))

		got, err := s.GetExecution(ctx, "e1")
		require.NoError(t, err)
		assert.JSONEq(t, `{"verdict":"approved"}`, string(got.Output))
	})

	t.Run("list executions by status", func(t *testing.T) {
		s := open(t)
		for _, name := range []string{"b", "a", "c"} {
			require.NoError(t, s.CreateExecution(ctx, sample(name)))
		}
		done := sample("b")
		done.Status = asl.StatusSucceeded
		require.NoError(t, s.UpdateExecution(ctx, done))

		all, err := s.ListExecutions(ctx, "")
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b", "c"}, names(all))
		running, err := s.ListExecutions(ctx, asl.StatusRunning)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "c"}, names(running))
	})

	t.Run("record first write wins", func(t *testing.T) {
		s := open(t)
		got, err := s.Record(ctx, "e1", "/A#0.result", []byte(`{"ok":true}`))
		require.NoError(t, err)
		assert.Equal(t, `{"ok":true}`, string(got))

		got, err = s.Record(ctx, "e1", "/A#0.result", []byte(`{"ok":false}`))
		require.NoError(t, err)
		assert.Equal(t, `{"ok":true}`, string(got), "the earlier value stays")

		journal, err := s.Journal(ctx, "e1")
		require.NoError(t, err)
		assert.Equal(t, map[string][]byte{"/A#0.result": []byte(`{"ok":true}`)}, journal)
	})

	t.Run("journals are per execution", func(t *testing.T) {
		s := open(t)
		_, err := s.Record(ctx, "e1", "k", []byte("1"))
		require.NoError(t, err)
		_, err = s.Record(ctx, "e2", "k", []byte("2"))
		require.NoError(t, err)

		j1, err := s.Journal(ctx, "e1")
		require.NoError(t, err)
		assert.Equal(t, "1", string(j1["k"]))
		empty, err := s.Journal(ctx, "e3")
		require.NoError(t, err)
		assert.Empty(t, empty)
	})

	t.Run("record concurrent writers", func(t *testing.T) {
		s := open(t)
		const writers = 8
		results := make([]string, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := s.Record(ctx, "e1", "race", []byte(fmt.Sprint(i)))
				assert.NoError(t, err)
				results[i] = string(got)
			}()
		}
		wg.Wait()
		for _, r := range results {
			assert.Equal(t, results[0], r, "every writer sees the same winner")
		}
	})

	t.Run("task tokens", func(t *testing.T) {
		s := open(t)
		token := "a+b/c=="
		require.NoError(t, s.PutTaskToken(ctx, token, "e1", "/Review#0/a0"))

		execution, key, err := s.LookupTaskToken(ctx, token)
		require.NoError(t, err)
		assert.Equal(t, "e1", execution)
		assert.Equal(t, "/Review#0/a0", key)

		_, _, err = s.LookupTaskToken(ctx, "unknown")
		assert.ErrorIs(t, err, asl.ErrInvalidToken)
	})

	t.Run("claim and release", func(t *testing.T) {
		s := open(t)
		until := time.Now().Add(time.Hour)
		ok, err := s.Claim(ctx, "e1", "p1", until)
		require.NoError(t, err)
		assert.True(t, ok, "free lease")

		ok, err = s.Claim(ctx, "e1", "p1", until)
		require.NoError(t, err)
		assert.True(t, ok, "renewal by the owner")

		ok, err = s.Claim(ctx, "e1", "p2", until)
		require.NoError(t, err)
		assert.False(t, ok, "held by another owner")

		require.NoError(t, s.Release(ctx, "e1", "p2"))
		ok, err = s.Claim(ctx, "e1", "p2", until)
		require.NoError(t, err)
		assert.False(t, ok, "release by a non-owner does nothing")

		require.NoError(t, s.Release(ctx, "e1", "p1"))
		ok, err = s.Claim(ctx, "e1", "p2", until)
		require.NoError(t, err)
		assert.True(t, ok, "free after release")
	})

	t.Run("claim expired lease", func(t *testing.T) {
		s := open(t)
		ok, err := s.Claim(ctx, "e1", "p1", time.Now().Add(-time.Second))
		require.NoError(t, err)
		require.True(t, ok)

		ok, err = s.Claim(ctx, "e1", "p2", time.Now().Add(time.Hour))
		require.NoError(t, err)
		assert.True(t, ok, "an expired lease is free")
	})
}

func names(executions []asl.Execution) []string {
	out := make([]string, 0, len(executions))
	for _, e := range executions {
		out = append(out, e.Name)
	}
	return out
}
