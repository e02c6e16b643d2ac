package asl

// varScope holds the workflow variables of one machine run. A Parallel
// branch or a Map iteration gets its own scope whose parent is the scope of
// the state that started it: it reads the outer variables, and its own
// assignments stay local, as on AWS. The parent does not change while its
// children run, so reads need no lock.
type varScope struct {
	parent *varScope
	vars   map[string]any
}

func newVarScope(parent *varScope) *varScope {
	return &varScope{parent: parent, vars: map[string]any{}}
}

// Variable implements expr.Variables.
func (s *varScope) Variable(name string) (any, bool) {
	for sc := s; sc != nil; sc = sc.parent {
		if v, ok := sc.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// assign sets the variables of one Assign field. All values are evaluated
// before any is set, so an Assign never reads its own assignments.
func (s *varScope) assign(values map[string]any) {
	for k, v := range values {
		s.vars[k] = v
	}
}
