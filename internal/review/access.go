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
// puts every review in DefaultQueue. This age-based move stays within the
// review's deadline. The policy's review.escalation is different: it
// creates a new review with a new deadline once the first one passes.
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

// Queue returns the queue of a review at time now. An escalated review
// stays in the queue it was created in. A first-level review pending
// longer than EscalateAfter is in EscalationQueue. Any other review is in
// the queue stored at creation, or its media type's queue when it was
// stored without one.
func (rt Router) Queue(r Review, now time.Time) string {
	if r.EscalationLevel > 0 && r.Queue != "" {
		return r.Queue
	}
	if rt.Escalated(r, now) {
		return rt.EscalationQueue
	}
	if r.Queue != "" {
		return r.Queue
	}
	return rt.QueueFor(r.MediaType)
}

// QueueFor returns the queue of a new first-level review of the media type.
func (rt Router) QueueFor(mediaType string) string {
	if q, ok := rt.ByMediaType[mediaType]; ok && q != "" {
		return q
	}
	if rt.Default != "" {
		return rt.Default
	}
	return DefaultQueue
}

// Escalated reports whether a pending first-level review has moved to the
// age-based escalation queue at time now. Reviews created by an SLA
// escalation keep their own queue.
func (rt Router) Escalated(r Review, now time.Time) bool {
	if rt.EscalationQueue == "" || rt.EscalateAfter <= 0 || r.Status != StatusPending || r.EscalationLevel > 0 {
		return false
	}
	return now.Sub(r.CreatedAt) >= rt.EscalateAfter
}
