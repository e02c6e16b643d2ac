package snsnotify

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/reviewapi"
)

// maxSubjectBytes is SNS's limit on a subject: 100 characters of printable
// ASCII, without line breaks.
const maxSubjectBytes = 100

var _ reviewapi.Publisher = (*Notifier)(nil)

// Publish sends a review API message, such as a reminder of overdue
// reviews, to the topic. Its attributes become string message attributes
// that subscriptions can filter on.
func (n *Notifier) Publish(ctx context.Context, m reviewapi.Message) error {
	in := &sns.PublishInput{
		TopicArn: aws.String(n.TopicARN),
		Message:  aws.String(m.Body),
	}
	if subject := snsSubject(m.Subject); subject != "" {
		in.Subject = aws.String(subject)
	}
	if len(m.Attributes) > 0 {
		in.MessageAttributes = make(map[string]types.MessageAttributeValue, len(m.Attributes))
		for k, v := range m.Attributes {
			in.MessageAttributes[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
		}
	}
	if _, err := n.API.Publish(ctx, in); err != nil {
		return awserr.Classify("publishing to SNS topic "+n.TopicARN, err)
	}
	return nil
}

// snsSubject fits s to SNS's subject rules by replacing other characters
// with "?" and cutting it at 100 characters.
func snsSubject(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() == maxSubjectBytes {
			break
		}
		if r < 0x20 || r > 0x7e {
			r = '?'
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
