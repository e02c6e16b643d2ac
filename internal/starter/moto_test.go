package starter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/mototest"
	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/awsadapter/sfnexec"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/starter"
)

// TestStarterAgainstMoto uploads objects with hard keys to moto's S3, sends
// their events with the keys URL-encoded as S3 notifications encode them,
// and checks that each execution's input names the real key.
func TestStarterAgainstMoto(t *testing.T) {
	server := mototest.Start(t)
	cfg := server.Config()
	s3client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	sfnclient := sfn.NewFromConfig(cfg)
	ctx := context.Background()

	_, err := s3client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("ingest")})
	require.NoError(t, err)
	_, err = s3client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String("ingest"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
	})
	require.NoError(t, err)
	machine, err := sfnclient.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String("moderato"),
		Definition: aws.String(`{"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true}}}`),
		RoleArn:    aws.String("arn:aws:iam::" + mototest.AccountID + ":role/moderato-sfn"),
	})
	require.NoError(t, err)

	store := s3objects.New(s3client)
	keys := []string{
		"uploads/with space.txt",
		"uploads/a+b.txt",
		"uploads/a b.txt", // same encoded form as "a+b.txt"; the version ID distinguishes them
		"uploads/100%.txt",
		"uploads/Zoë 日本.txt",
	}
	var batch events.SQSEvent
	for i, key := range keys {
		info, err := store.Put(ctx, objects.Location{Bucket: "ingest", Key: key}, bytes.NewReader([]byte(key)), "text/plain")
		require.NoError(t, err)
		ev := objectCreated("ingest", url.QueryEscape(key), info)
		body, err := json.Marshal(ev)
		require.NoError(t, err)
		batch.Records = append(batch.Records, events.SQSMessage{MessageId: "m" + string(rune('0'+i)), Body: string(body)})
	}
	st := &starter.Starter{Executions: sfnexec.New(sfnclient, aws.ToString(machine.StateMachineArn)), Objects: store}

	resp, err := st.HandleSQS(ctx, batch)

	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	list, err := sfnclient.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: machine.StateMachineArn})
	require.NoError(t, err)
	started := map[string]bool{}
	for _, e := range list.Executions {
		desc, err := sfnclient.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: e.ExecutionArn})
		require.NoError(t, err)
		var input starter.Event
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(desc.Input)), &input))
		started[input.Detail.Object.Key] = true
		assert.LessOrEqual(t, len(aws.ToString(e.Name)), 80)
		assert.False(t, strings.ContainsAny(aws.ToString(e.Name), " +%/"), "execution name %q", aws.ToString(e.Name))
	}
	for _, key := range keys {
		assert.True(t, started[key], "an execution for %q", key)
	}
	assert.Len(t, started, len(keys))
}

func objectCreated(bucket, key string, info objects.Info) starter.Event {
	var ev starter.Event
	ev.Version, ev.Source, ev.DetailType = "0", "aws.s3", "Object Created"
	ev.Detail.Bucket.Name = bucket
	ev.Detail.Object.Key = key
	ev.Detail.Object.Size = info.Size
	ev.Detail.Object.ETag = info.ETag
	ev.Detail.Object.VersionID = info.VersionID
	ev.Detail.Object.Sequencer = "0062E99A88DC4074" + info.ETag[:2]
	ev.Detail.Reason = "PutObject"
	return ev
}
