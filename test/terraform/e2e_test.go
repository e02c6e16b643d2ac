package terraformtest

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/awsadapter/sfnexec"
	"github.com/moderato/moderato/internal/starter"
)

// checkUploadStartsExecution uploads objects into the deployed stack and
// follows them as far as the stack runs in moto. S3 sends the event to
// EventBridge, and the rule delivers it to the intake queue. The starter's
// code then runs in the test process with the deployed function's settings
// and starts one execution per object version.
//
// NOTE: moto's Lambda never runs a function's code, so the state machine's
// tasks do not run here. The task handlers are tested end to end in local
// mode (internal/local) with the same definition.
func checkUploadStartsExecution(t *testing.T, s *stack) {
	ctx := context.Background()
	s3client := s3.NewFromConfig(s.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	sqsclient := sqs.NewFromConfig(s.cfg)
	sfnclient := sfn.NewFromConfig(s.cfg)
	ingest := stringOutput(t, s, "ingest_bucket")
	outputs := mapOutput(t, s, "output_buckets")
	machine := stringOutput(t, s, "state_machine_arn")
	queue := stringOutput(t, s, "intake_queue_url")

	const watched = "uploads/e2e/hello world.txt"
	uploads := []struct{ bucket, key string }{
		{ingest, watched},
		{ingest, "elsewhere/not-watched.txt"},
		{outputs["approved"].(string), "uploads/e2e/an-output.txt"},
	}
	for _, u := range uploads {
		_, err := s3client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(u.bucket),
			Key:    aws.String(u.key),
			Body:   strings.NewReader("Hello from the Terraform test."),
		})
		require.NoError(t, err, "uploading s3://%s/%s", u.bucket, u.key)
	}

	messages := receiveAll(t, sqsclient, queue, 10*time.Second)
	require.Len(t, messages, 1, "only the upload under a watched prefix of the ingest bucket may reach the intake queue")
	var event starter.Event
	require.NoError(t, json.Unmarshal([]byte(messages[0].body), &event))
	assert.Equal(t, "Object Created", event.DetailType)
	assert.Equal(t, ingest, event.Detail.Bucket.Name)
	assert.Equal(t, watched, event.Detail.Object.Key)

	var ignore []string
	for _, b := range outputs {
		ignore = append(ignore, b.(string))
	}
	st := &starter.Starter{
		Executions:    sfnexec.New(sfnclient, machine),
		Objects:       s3objects.New(s3client),
		IgnoreBuckets: ignore,
		Logger:        slog.New(slog.NewJSONHandler(testWriter{t}, nil)),
	}
	batch := events.SQSEvent{Records: []events.SQSMessage{{MessageId: messages[0].id, Body: messages[0].body}}}
	resp, err := st.HandleSQS(ctx, batch)
	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures, "the starter must start the execution")

	list, err := sfnclient.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &machine})
	require.NoError(t, err)
	require.Len(t, list.Executions, 1, "one upload, one execution")
	execution, err := sfnclient.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: list.Executions[0].ExecutionArn})
	require.NoError(t, err)
	var input starter.Event
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(execution.Input)), &input))
	assert.Equal(t, watched, input.Detail.Object.Key, "the execution's input names the uploaded object")
	assert.NotEmpty(t, input.Detail.Object.VersionID, "the ingest bucket is versioned, so the event names the version")
}

type queuedMessage struct{ id, body string }

// receiveAll receives messages from the queue until none arrives for the
// given wait, and deletes them.
func receiveAll(t *testing.T, client *sqs.Client, queue string, wait time.Duration) []queuedMessage {
	t.Helper()
	ctx := context.Background()
	var got []queuedMessage
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:            &queue,
			MaxNumberOfMessages: 10,
			WaitTimeSeconds:     1,
		})
		require.NoError(t, err)
		for _, m := range out.Messages {
			got = append(got, queuedMessage{id: aws.ToString(m.MessageId), body: aws.ToString(m.Body)})
			_, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &queue, ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
		if len(got) > 0 && len(out.Messages) == 0 {
			break
		}
	}
	return got
}

// testWriter sends the starter's log lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
