package snsnotify

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/mototest"
	"github.com/moderato/moderato/internal/review"
)

func TestReviewCreatedAgainstMoto(t *testing.T) {
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
	n := &Notifier{API: snsClient, TopicARN: aws.ToString(topic.TopicArn)}

	require.NoError(t, n.ReviewCreated(ctx, review.Review{ID: "rv-0123", Queue: "default", Reasons: []string{"INSULT scored 0.62", "PII redacted: EMAIL (1)"}}))

	got, err := sqsClient.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	var msg Message
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(got.Messages[0].Body)), &msg))
	assert.Equal(t, Message{Event: "review.created", ReviewID: "rv-0123", Queue: "default", Reasons: []string{"INSULT scored 0.62", "PII redacted: EMAIL (1)"}}, msg)
}

func TestReviewCreatedMissingTopic(t *testing.T) {
	server := mototest.Start(t)
	n := &Notifier{API: sns.NewFromConfig(server.Config()), TopicARN: "arn:aws:sns:us-east-1:" + mototest.AccountID + ":missing"}

	err := n.ReviewCreated(context.Background(), review.Review{ID: "rv-1"})

	assert.Error(t, err)
	assert.Contains(t, err.Error(), "rv-1")
}

// Subscribers filter on the queue attribute, so an escalated review reaches
// the escalation queue's moderators only.
func TestReviewEscalatedReachesItsQueue(t *testing.T) {
	server := mototest.Start(t)
	cfg := server.Config()
	snsClient, sqsClient := sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	ctx := context.Background()
	topic, err := snsClient.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("moderato-reviews")})
	require.NoError(t, err)
	queueURLs := map[string]*string{}
	for _, name := range []string{"default", "senior"} {
		q, err := sqsClient.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("moderators-" + name)})
		require.NoError(t, err)
		queueURLs[name] = q.QueueUrl
		_, err = snsClient.Subscribe(ctx, &sns.SubscribeInput{
			TopicArn: topic.TopicArn,
			Protocol: aws.String("sqs"),
			Endpoint: aws.String("arn:aws:sqs:" + mototest.Region + ":" + mototest.AccountID + ":moderators-" + name),
			Attributes: map[string]string{
				"RawMessageDelivery": "true",
				"FilterPolicy":       `{"queue": ["` + name + `"]}`,
			},
		})
		require.NoError(t, err)
	}
	n := &Notifier{API: snsClient, TopicARN: aws.ToString(topic.TopicArn)}

	escalated := review.Review{ID: "rv-0123-e1", Queue: "senior", EscalationLevel: 1, EscalatedFrom: "rv-0123", Reasons: []string{"PII needs review: EMAIL (1)"}}
	require.NoError(t, n.ReviewCreated(ctx, escalated))

	senior, err := sqsClient.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queueURLs["senior"], MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Len(t, senior.Messages, 1)
	var msg Message
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(senior.Messages[0].Body)), &msg))
	assert.Equal(t, EventReviewEscalated, msg.Event)
	assert.Equal(t, "senior", msg.Queue)
	assert.Equal(t, 1, msg.EscalationLevel)
	assert.Equal(t, "rv-0123", msg.EscalatedFrom)

	other, err := sqsClient.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queueURLs["default"], MaxNumberOfMessages: 10})
	require.NoError(t, err)
	assert.Empty(t, other.Messages, "the first queue's moderators are not told of the escalated review")
}
