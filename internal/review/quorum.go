package review

// Tally is the state of a quorum vote.
type Tally struct {
	Approvals  int
	Rejections int
	// Required is the number of agreeing decisions that settles the review.
	Required int
}

// Count tallies the votes of the entries: one vote per reviewer, the first
// that reviewer cast, and only entries whose result is ResultVote or
// ResultAccepted.
func Count(entries []Entry, required int) Tally {
	t := Tally{Required: max(required, 1)}
	seen := make(map[string]bool)
	for _, e := range entries {
		if e.Result != ResultVote && e.Result != ResultAccepted {
			continue
		}
		if seen[e.Reviewer] {
			continue
		}
		seen[e.Reviewer] = true
		switch e.Decision {
		case Approve:
			t.Approvals++
		case Reject:
			t.Rejections++
		}
	}
	return t
}

// Add returns the tally with one more vote.
func (t Tally) Add(decision string) Tally {
	switch decision {
	case Approve:
		t.Approvals++
	case Reject:
		t.Rejections++
	}
	return t
}

// Outcome returns the decision that settles the review and true, or "" and
// false while the quorum can still be reached. The quorum agrees when
// Required votes are all the same decision. It becomes impossible as soon
// as both decisions have votes, because the votes can then never agree. A
// review whose quorum is impossible is rejected, which keeps a disputed
// item out of publication.
func (t Tally) Outcome() (decision string, settled bool) {
	switch {
	case t.Approvals > 0 && t.Rejections > 0:
		return Reject, true
	case t.Approvals >= t.Required:
		return Approve, true
	case t.Rejections >= t.Required:
		return Reject, true
	}
	return "", false
}
