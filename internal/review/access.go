package review

import (
	"slices"
	"time"
)

// DefaultQueue is the queue of every review when no routing is configured.
const DefaultQueue = "default"

// Moderator is an authenticated reviewer. Its identity comes from the
// authorizer (IAM principal or JWT subject), never from a request body.
type Moderator struct {
	ID string `json:"id"`
	// Queues lists the queues the moderator may see and decide. AllQueues
	// grants every queue.
	Queues    []string `json:"queues,omitempty"`
	AllQueues bool     `json:"all_queues,omitempty"`
}

// CanAccess reports whether the moderator may see and decide reviews of the
// queue.
func (m Moderator) CanAccess(queue string) bool {
	if m.ID == "" {
		return false
	}
	return m.AllQueues || slices.Contains(m.Queues, queue)
}

// Router assigns reviews to queues: by media type, and to an escalation
// queue once a review has waited longer than EscalateAfter. The zero Router
// puts every review in DefaultQueue.
type Router struct {
	// ByMediaType maps a media type (image, video, audio, text, document)
	// to its queue; other media types go to Default.
	ByMediaType map[string]string `json:"by_media_type,omitempty"`
	// Default is the queue of unmapped media types; empty means DefaultQueue.
	Default string `json:"default,omitempty"`
	// EscalationQueue receives reviews that waited longer than
	// EscalateAfter. Escalation is off when either is zero.
	EscalationQueue string        `json:"escalation_queue,omitempty"`
	EscalateAfter   time.Duration `json:"escalate_after,omitempty"`
}

// Queue returns the queue of a pending review at time now.
func (rt Router) Queue(r Review, now time.Time) string {
	if rt.Escalated(r, now) {
		return rt.EscalationQueue
	}
	if q, ok := rt.ByMediaType[r.MediaType]; ok && q != "" {
		return q
	}
	if rt.Default != "" {
		return rt.Default
	}
	return DefaultQueue
}

// Escalated reports whether a pending review has moved to the escalation
// queue at time now.
func (rt Router) Escalated(r Review, now time.Time) bool {
	if rt.EscalationQueue == "" || rt.EscalateAfter <= 0 || r.Status != StatusPending {
		return false
	}
	return now.Sub(r.CreatedAt) >= rt.EscalateAfter
}
