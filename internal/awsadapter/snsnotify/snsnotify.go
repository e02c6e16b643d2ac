// Package snsnotify notifies moderators of waiting reviews through an
// Amazon SNS topic. Notifier implements pipeline.Notifier.
package snsnotify

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/pipeline"
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

// Message is the JSON body of a notification. It names the review and the
// policy's reasons, which carry PII types and counts but never values.
type Message struct {
	Event    string   `json:"event"`
	ReviewID string   `json:"review_id"`
	Reasons  []string `json:"reasons"`
	Link     string   `json:"link,omitempty"`
}

// ReviewCreated publishes a "review.created" message with the review ID as
// a message attribute, so subscribers can filter on it.
func (n *Notifier) ReviewCreated(ctx context.Context, reviewID string, reasons []string) error {
	body, err := json.Marshal(Message{Event: "review.created", ReviewID: reviewID, Reasons: reasons, Link: reviewapi.ReviewLink(n.PageURL, reviewID)})
	if err != nil {
		return fmt.Errorf("encoding the notification of review %s: %w", reviewID, err)
	}
	_, err = n.API.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(n.TopicARN),
		Subject:  aws.String("moderato: a review is waiting"),
		Message:  aws.String(string(body)),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"event": {DataType: aws.String("String"), StringValue: aws.String("review.created")},
		},
	})
	if err != nil {
		return awserr.Classify("publishing the notification of review "+reviewID, err)
	}
	return nil
}
