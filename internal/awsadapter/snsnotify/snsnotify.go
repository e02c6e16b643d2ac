// Package snsnotify notifies moderators of waiting reviews through an
// Amazon SNS topic. Notifier implements pipeline.Notifier.
package snsnotify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/internal/reviewapi"
)

// API is the part of the SNS client Notifier calls.
type API interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Notifier publishes one message per new review.
type Notifier struct {
	API      API
	TopicARN string
	// PageURL is the review page's address. When set, each new-review
	// message links to the review on it.
	PageURL string
}

var _ pipeline.Notifier = (*Notifier)(nil)

// Message is the JSON body of a notification. It names the review, its
// queue and the policy's reasons, which carry PII types and counts but
// never values.
type Message struct {
	Event    string `json:"event"`
	ReviewID string `json:"review_id"`
	Queue    string `json:"queue"`
	// EscalationLevel and EscalatedFrom are set for a review that replaced
	// one whose deadline passed.
	EscalationLevel int      `json:"escalation_level,omitempty"`
	EscalatedFrom   string   `json:"escalated_from,omitempty"`
	Reasons         []string `json:"reasons"`
	Link            string   `json:"link,omitempty"`
}

// Events of new-review messages, in the message and its "event" attribute.
const (
	EventReviewCreated   = "review.created"
	EventReviewEscalated = "review.escalated"
)

// ReviewCreated publishes a "review.created" message, or "review.escalated"
// for an escalated review. The event, the review ID, the queue and the
// escalation level are message attributes, so a subscription's filter
// policy can reach only the moderators of one queue.
func (n *Notifier) ReviewCreated(ctx context.Context, r review.Review) error {
	event, subject := EventReviewCreated, "moderato: a review is waiting"
	if r.EscalationLevel > 0 {
		event, subject = EventReviewEscalated, "moderato: an escalated review is waiting"
	}
	body, err := json.Marshal(Message{
		Event:           event,
		ReviewID:        r.ID,
		Queue:           r.Queue,
		EscalationLevel: r.EscalationLevel,
		EscalatedFrom:   r.EscalatedFrom,
		Reasons:         r.Reasons,
		Link:            reviewapi.ReviewLink(n.PageURL, r.ID),
	})
	if err != nil {
		return fmt.Errorf("encoding the notification of review %s: %w", r.ID, err)
	}
	attributes := map[string]types.MessageAttributeValue{
		"event":            {DataType: aws.String("String"), StringValue: aws.String(event)},
		"review_id":        {DataType: aws.String("String"), StringValue: aws.String(r.ID)},
		"escalation_level": {DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(r.EscalationLevel))},
	}
	if r.Queue != "" {
		attributes["queue"] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(r.Queue)}
	}
	_, err = n.API.Publish(ctx, &sns.PublishInput{
		TopicArn:          aws.String(n.TopicARN),
		Subject:           aws.String(subject),
		Message:           aws.String(string(body)),
		MessageAttributes: attributes,
	})
	if err != nil {
		return awserr.Classify("publishing the notification of review "+r.ID, err)
	}
	return nil
}
