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

	require.NoError(t, n.ReviewCreated(ctx, "rv-0123", []string{"INSULT scored 0.62", "PII redacted: EMAIL (1)"}))

	got, err := sqsClient.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	var msg Message
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(got.Messages[0].Body)), &msg))
	assert.Equal(t, Message{Event: "review.created", ReviewID: "rv-0123", Reasons: []string{"INSULT scored 0.62", "PII redacted: EMAIL (1)"}}, msg)
}

func TestReviewCreatedMissingTopic(t *testing.T) {
	server := mototest.Start(t)
	n := &Notifier{API: sns.NewFromConfig(server.Config()), TopicARN: "arn:aws:sns:us-east-1:" + mototest.AccountID + ":missing"}

	err := n.ReviewCreated(context.Background(), "rv-1", nil)

	assert.Error(t, err)
	assert.Contains(t, err.Error(), "rv-1")
}
