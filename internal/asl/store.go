package asl

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Store persists executions, their journals, task tokens and leases. All
// methods must be safe for concurrent use; several processes may share one
// store.
type Store interface {
	// CreateExecution stores a new execution; it returns
	// ErrExecutionAlreadyExists when the name is taken.
	CreateExecution(ctx context.Context, e Execution) error
	// GetExecution returns ErrExecutionDoesNotExist for an unknown name.
	GetExecution(ctx context.Context, name string) (Execution, error)
	// UpdateExecution replaces the stored execution with the same name.
	UpdateExecution(ctx context.Context, e Execution) error
	// ListExecutions returns the executions with the status, or all of them
	// for the empty status, ordered by name.
	ListExecutions(ctx context.Context, status Status) ([]Execution, error)
	// Record stores value under key unless the key exists; it returns the
	// value now stored (the earlier one when the key existed).
	Record(ctx context.Context, execution, key string, value []byte) ([]byte, error)
	// Journal returns every recorded key and value of the execution.
	Journal(ctx context.Context, execution string) (map[string][]byte, error)
	// PutTaskToken maps a task token to its execution and journal key.
	PutTaskToken(ctx context.Context, token, execution, key string) error
	// LookupTaskToken returns ErrInvalidToken for an unknown token.
	LookupTaskToken(ctx context.Context, token string) (execution, key string, err error)
	// Claim takes or renews the lease on an execution: true when it was free,
	// already owned by owner, or its lease expired.
	Claim(ctx context.Context, execution, owner string, until time.Time) (bool, error)
	// Release frees the lease if owner holds it.
	Release(ctx context.Context, execution, owner string) error
}

type lease struct {
	owner string
	until time.Time
}

type tokenTarget struct {
	execution, key string
}

// MemoryStore is a Store that keeps everything in memory, for tests and for
// runs that need not survive the process.
type MemoryStore struct {
	mu         sync.Mutex
	executions map[string]Execution
	journals   map[string]map[string][]byte
	tokens     map[string]tokenTarget
	leases     map[string]lease
	now        func() time.Time
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		executions: map[string]Execution{},
		journals:   map[string]map[string][]byte{},
		tokens:     map[string]tokenTarget{},
		leases:     map[string]lease{},
		now:        time.Now,
	}
}

// CreateExecution implements Store.
func (s *MemoryStore) CreateExecution(_ context.Context, e Execution) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.executions[e.Name]; ok {
		return fmt.Errorf("creating execution %s: %w", e.Name, ErrExecutionAlreadyExists)
	}
	s.executions[e.Name] = cloneExecution(e)
	return nil
}

// GetExecution implements Store.
func (s *MemoryStore) GetExecution(_ context.Context, name string) (Execution, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.executions[name]
	if !ok {
		return Execution{}, fmt.Errorf("getting execution %s: %w", name, ErrExecutionDoesNotExist)
	}
	return cloneExecution(e), nil
}

// UpdateExecution implements Store.
func (s *MemoryStore) UpdateExecution(_ context.Context, e Execution) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.executions[e.Name]; !ok {
		return fmt.Errorf("updating execution %s: %w", e.Name, ErrExecutionDoesNotExist)
	}
	s.executions[e.Name] = cloneExecution(e)
	return nil
}

// ListExecutions implements Store.
func (s *MemoryStore) ListExecutions(_ context.Context, status Status) ([]Execution, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Execution
	for _, e := range s.executions {
		if status == "" || e.Status == status {
			out = append(out, cloneExecution(e))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Record implements Store.
func (s *MemoryStore) Record(_ context.Context, execution, key string, value []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.journals[execution]
	if j == nil {
		j = map[string][]byte{}
		s.journals[execution] = j
	}
	if old, ok := j[key]; ok {
		return bytes.Clone(old), nil
	}
	j[key] = bytes.Clone(value)
	return bytes.Clone(value), nil
}

// Journal implements Store.
func (s *MemoryStore) Journal(_ context.Context, execution string) (map[string][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]byte, len(s.journals[execution]))
	for k, v := range s.journals[execution] {
		out[k] = bytes.Clone(v)
	}
	return out, nil
}

// PutTaskToken implements Store.
func (s *MemoryStore) PutTaskToken(_ context.Context, token, execution, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = tokenTarget{execution: execution, key: key}
	return nil
}

// LookupTaskToken implements Store.
func (s *MemoryStore) LookupTaskToken(_ context.Context, token string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[token]
	if !ok {
		return "", "", ErrInvalidToken
	}
	return t.execution, t.key, nil
}

// Claim implements Store.
func (s *MemoryStore) Claim(_ context.Context, execution, owner string, until time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.leases[execution]
	if ok && l.owner != owner && l.until.After(s.now()) {
		return false, nil
	}
	s.leases[execution] = lease{owner: owner, until: until}
	return true, nil
}

// Release implements Store.
func (s *MemoryStore) Release(_ context.Context, execution, owner string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[execution]; ok && l.owner == owner {
		delete(s.leases, execution)
	}
	return nil
}

func cloneExecution(e Execution) Execution {
	e.Definition = bytes.Clone(e.Definition)
	e.Input = bytes.Clone(e.Input)
	e.Output = bytes.Clone(e.Output)
	return e
}
