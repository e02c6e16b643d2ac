package snsnotify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/mototest"
	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/internal/reviewapi"
)

func TestSNSSubject(t *testing.T) {
	long := strings.Repeat("abcde", 30)
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"ascii kept", "moderato: 2 overdue reviews in queue visual", "moderato: 2 overdue reviews in queue visual"},
		{"non-ascii replaced", "queue café", "queue caf?"},
		{"line break replaced", "a\nb", "a?b"},
		{"cut at 100", long, long[:100]},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, snsSubject(tc.in))
		})
	}
}

// httpNotification is the JSON body that SNS posts to an HTTP subscriber.
type httpNotification struct {
	Type    string `json:"Type"`
	Subject string `json:"Subject"`
	Message string `json:"Message"`
}

// subscribeHTTP starts an HTTP subscriber on 127.0.0.1 whose subscription
// has the filter policy, and returns the notifications it receives.
func subscribeHTTP(t *testing.T, client *sns.Client, topicARN, filterPolicy string) <-chan httpNotification {
	t.Helper()
	received := make(chan httpNotification, 4)
	subscriber := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var n httpNotification
		if json.Unmarshal(body, &n) == nil && n.Type == "Notification" {
			received <- n
		}
	}))
	t.Cleanup(subscriber.Close)
	_, err := client.Subscribe(context.Background(), &sns.SubscribeInput{
		TopicArn:   aws.String(topicARN),
		Protocol:   aws.String("http"),
		Endpoint:   aws.String(subscriber.URL),
		Attributes: map[string]string{"FilterPolicy": filterPolicy},
	})
	require.NoError(t, err)
	return received
}

func TestPublishReminderAgainstMoto(t *testing.T) {
	server := mototest.Start(t)
	ctx := context.Background()
	client := sns.NewFromConfig(server.Config())
	topic, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("moderato-reminders")})
	require.NoError(t, err)

	// moto's HTTP delivery leaves the message attributes out of the body,
	// so filter policies check that they were published: only the
	// subscription for the message's queue gets it.
	visual := subscribeHTTP(t, client, *topic.TopicArn, `{"queue": ["visual"]}`)
	text := subscribeHTTP(t, client, *topic.TopicArn, `{"queue": ["text"]}`)

	n := &Notifier{API: client, TopicARN: *topic.TopicArn}
	require.NoError(t, n.Publish(ctx, reviewapi.Message{
		Subject:    "moderato: 1 overdue reviews in queue visual",
		Body:       "- rv-1: waiting 3h0m0s, 21h0m0s left",
		Attributes: map[string]string{"event": "review_reminder", "queue": "visual"},
	}))

	select {
	case got := <-visual:
		assert.Equal(t, "moderato: 1 overdue reviews in queue visual", got.Subject)
		assert.Contains(t, got.Message, "rv-1")
	case <-time.After(20 * time.Second):
		t.Fatal("the visual queue's subscriber received no reminder within 20 s")
	}
	select {
	case got := <-text:
		t.Fatalf("the text queue's subscriber received another queue's reminder: %s", got.Subject)
	case <-time.After(500 * time.Millisecond):
	}
}

func TestPublishMissingTopic(t *testing.T) {
	server := mototest.Start(t)
	client := sns.NewFromConfig(server.Config())
	arn := "arn:aws:sns:" + mototest.Region + ":" + mototest.AccountID + ":missing"
	err := (&Notifier{API: client, TopicARN: arn}).Publish(context.Background(), reviewapi.Message{Subject: "s", Body: "b"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), arn)
}

func TestReviewCreatedLinksToPage(t *testing.T) {
	server := mototest.Start(t)
	cfg := server.Config()
	snsClient, sqsClient := sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	ctx := context.Background()
	topic, err := snsClient.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("moderato-reviews")})
	require.NoError(t, err)
	queue, err := sqsClient.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("moderators")})
	require.NoError(t, err)
	_, err = snsClient.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn:   topic.TopicArn,
		Protocol:   aws.String("sqs"),
		Endpoint:   aws.String("arn:aws:sqs:" + mototest.Region + ":" + mototest.AccountID + ":moderators"),
		Attributes: map[string]string{"RawMessageDelivery": "true"},
	})
	require.NoError(t, err)
	n := &Notifier{API: snsClient, TopicARN: aws.ToString(topic.TopicArn), PageURL: "https://reviews.example.com/"}

	require.NoError(t, n.ReviewCreated(ctx, review.Review{ID: "rv-0123", Reasons: []string{"PII needs review: EMAIL (1)"}}))

	got, err := sqsClient.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	var msg Message
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(got.Messages[0].Body)), &msg))
	assert.Equal(t, "https://reviews.example.com/#review=rv-0123", msg.Link)
}
