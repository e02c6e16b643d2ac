package reviewapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moderato/moderato/internal/review"
)

// Message is a notification to moderators. It carries review IDs, queues,
// counts and links only: never an object key, a reason text or any other
// content that could hold PII.
type Message struct {
	Subject string
	Body    string
	// Attributes let subscribers filter, for example on the queue.
	Attributes map[string]string
}

// Publisher sends a message to moderators (an SNS topic on AWS).
type Publisher interface {
	Publish(ctx context.Context, m Message) error
}

// ReviewLink returns the link to a review on the review page at pageURL.
// The page selects the review named in the fragment.
func ReviewLink(pageURL, id string) string {
	if pageURL == "" {
		return ""
	}
	return strings.TrimRight(pageURL, "#") + "#review=" + url.QueryEscape(id)
}

// Notifier tells moderators that a review waits. It implements the
// pipeline's Notifier port for the Wait for review task.
type Notifier struct {
	Publisher Publisher
	// PageURL is the review page's address, used in links.
	PageURL string
}

// ReviewCreated publishes one message for a new or escalated review: its
// ID, queue, the number of reasons and a link. The reasons themselves are
// left out, because a reason may quote the content under review.
func (n Notifier) ReviewCreated(ctx context.Context, r review.Review) error {
	event := "review_created"
	subject := "moderato: review " + r.ID + " waits"
	body := fmt.Sprintf("A new item waits for review in queue %s: %s (%d reasons).", r.Queue, r.ID, len(r.Reasons))
	if r.EscalationLevel > 0 {
		event = "review_escalated"
		subject = "moderato: escalated review " + r.ID + " waits"
		body = fmt.Sprintf("Review %s was not decided in time and escalated to queue %s: %s (%d reasons).", r.EscalatedFrom, r.Queue, r.ID, len(r.Reasons))
	}
	if link := ReviewLink(n.PageURL, r.ID); link != "" {
		body += "\nOpen it: " + link
	}
	m := Message{
		Subject: subject,
		Body:    body,
		Attributes: map[string]string{
			"event":            event,
			"review_id":        r.ID,
			"queue":            r.Queue,
			"escalation_level": strconv.Itoa(r.EscalationLevel),
		},
	}
	if err := n.Publisher.Publish(ctx, m); err != nil {
		return fmt.Errorf("notifying moderators of review %s: %w", r.ID, err)
	}
	return nil
}

// AgeRecorder publishes the age of the oldest pending review, the metric
// that the pending-review alarm watches (CloudWatch on AWS).
type AgeRecorder interface {
	RecordOldestPendingAge(ctx context.Context, age time.Duration) error
}

// Reminder reminds moderators of reviews that have been pending longer
// than After. A scheduled function runs it; each run sends one message per
// queue that has overdue reviews.
type Reminder struct {
	Store     review.Store
	Publisher Publisher
	// Ages receives the age of the oldest pending review on every run, 0
	// when none is pending; nil publishes no metric.
	Ages   AgeRecorder
	Router review.Router
	// After is the age from which a pending review is overdue.
	After time.Duration
	// PageURL is the review page's address, used in links.
	PageURL string
	Logger  *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// maxLinksPerReminder bounds the links in one reminder, so that a large
// backlog still fits in one SNS message (256 KB).
const maxLinksPerReminder = 50

// RemindResult counts what a reminder run found and sent.
type RemindResult struct {
	Overdue  int `json:"overdue"`
	Messages int `json:"messages"`
	// OldestPendingSeconds is the age of the oldest pending review, 0 when
	// none is pending.
	OldestPendingSeconds int64 `json:"oldest_pending_seconds"`
}

// Run lists pending reviews, records the age of the oldest one with Ages,
// and publishes a reminder per queue for those pending longer than After
// but not past their deadline, whose timeout action applies on its own.
func (r Reminder) Run(ctx context.Context) (RemindResult, error) {
	if r.After <= 0 {
		return RemindResult{}, fmt.Errorf("running review reminders: invalid age %s: use a positive duration", r.After)
	}
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	pending, err := r.Store.ListReviews(ctx, review.StatusPending)
	if err != nil {
		return RemindResult{}, fmt.Errorf("running review reminders: %w", err)
	}

	var res RemindResult
	var oldest time.Duration
	for _, rv := range pending {
		oldest = max(oldest, now.Sub(rv.CreatedAt))
	}
	res.OldestPendingSeconds = int64(oldest / time.Second)
	// The metric goes out before the reminders, so that a failing topic
	// does not also blind the pending-review alarm.
	var metricErr error
	if r.Ages != nil {
		if err := r.Ages.RecordOldestPendingAge(ctx, oldest); err != nil {
			metricErr = fmt.Errorf("publishing the oldest pending review age: %w", err)
			if r.Logger != nil {
				r.Logger.ErrorContext(ctx, "publishing the oldest pending review age", "error", err)
			}
		}
	}

	byQueue := map[string][]review.Review{}
	for _, rv := range pending {
		if now.Sub(rv.CreatedAt) < r.After || !now.Before(rv.Deadline) {
			continue
		}
		q := r.Router.Queue(rv, now)
		byQueue[q] = append(byQueue[q], rv)
		res.Overdue++
	}

	queues := make([]string, 0, len(byQueue))
	for q := range byQueue {
		queues = append(queues, q)
	}
	slices.Sort(queues)
	for _, q := range queues {
		if err := r.Publisher.Publish(ctx, r.message(q, byQueue[q], now)); err != nil {
			return res, fmt.Errorf("sending the review reminder of queue %s: %w", q, err)
		}
		res.Messages++
	}
	if r.Logger != nil {
		r.Logger.InfoContext(ctx, "review reminders sent", "overdue", res.Overdue, "messages", res.Messages, "oldest_pending_seconds", res.OldestPendingSeconds)
	}
	return res, metricErr
}

// message lists the overdue reviews of a queue, oldest first, with the
// time left before each deadline.
func (r Reminder) message(queue string, reviews []review.Review, now time.Time) Message {
	var b strings.Builder
	fmt.Fprintf(&b, "%d reviews in queue %s have waited longer than %s.\n", len(reviews), queue, r.After)
	for i, rv := range reviews {
		if i == maxLinksPerReminder {
			fmt.Fprintf(&b, "…and %d more.\n", len(reviews)-i)
			break
		}
		fmt.Fprintf(&b, "- %s: waiting %s, %s left", rv.ID, now.Sub(rv.CreatedAt).Round(time.Minute), rv.Deadline.Sub(now).Round(time.Minute))
		if link := ReviewLink(r.PageURL, rv.ID); link != "" {
			b.WriteString(" " + link)
		}
		b.WriteString("\n")
	}
	return Message{
		Subject:    fmt.Sprintf("moderato: %d overdue reviews in queue %s", len(reviews), queue),
		Body:       b.String(),
		Attributes: map[string]string{"event": "review_reminder", "queue": queue},
	}
}
