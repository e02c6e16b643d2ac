package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awsrekognition "github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/dynamostore"
	"github.com/moderato/moderato/internal/awsadapter/mototest"
	"github.com/moderato/moderato/internal/awsadapter/rekognition"
	"github.com/moderato/moderato/internal/jobs"
	"github.com/moderato/moderato/internal/pipeline"
)

const fixtureJobID = "6de014b0-2121-4bf0-9e31-856a18719e22"

func readFixture(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}

func TestFixturesDecode(t *testing.T) {
	t.Run("Rekognition SNS completion", func(t *testing.T) {
		var ev events.SNSEvent
		readFixture(t, "sns-rekognition-content-moderation.json", &ev)
		require.Len(t, ev.Records, 1)
		var c jobs.Completion
		require.NoError(t, json.Unmarshal([]byte(ev.Records[0].SNS.Message), &c))
		assert.Equal(t, fixtureJobID, c.JobID)
		assert.Equal(t, "SUCCEEDED", c.Status)
		assert.Equal(t, "StartContentModeration", c.API)
	})
	t.Run("Textract SNS completion", func(t *testing.T) {
		var ev events.SNSEvent
		readFixture(t, "sns-textract-text-detection.json", &ev)
		var c jobs.Completion
		require.NoError(t, json.Unmarshal([]byte(ev.Records[0].SNS.Message), &c))
		assert.Equal(t, "StartDocumentTextDetection", c.API)
		assert.NotEmpty(t, c.JobID)
	})
	for _, name := range []string{"eventbridge-transcribe-completed.json", "eventbridge-transcribe-failed.json"} {
		t.Run(name, func(t *testing.T) {
			var ev events.CloudWatchEvent
			readFixture(t, name, &ev)
			assert.Equal(t, "aws.transcribe", ev.Source)
			var d jobs.TranscribeStateChange
			require.NoError(t, json.Unmarshal(ev.Detail, &d))
			assert.NotEmpty(t, d.TranscriptionJobName)
			assert.Contains(t, []string{"COMPLETED", "FAILED"}, d.TranscriptionJobStatus)
		})
	}
}

// fakeVideo serves StartContentModeration and GetContentModeration with the
// response shapes of the Rekognition API reference. A job stays
// IN_PROGRESS until finish is called, then returns its labels on two pages.
type fakeVideo struct {
	t *testing.T

	mu       sync.Mutex
	started  []map[string]any
	finished map[string]string // job ID to final status, or "UNKNOWN" for a job the service no longer has
	nextID   int
	reads    int // GetContentModeration calls
}

func (f *fakeVideo) finish(jobID, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.finished[jobID] = status
}

func (f *fakeVideo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	require.NoError(f.t, json.NewDecoder(r.Body).Decode(&body))
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	f.mu.Lock()
	defer f.mu.Unlock()

	switch r.Header.Get("X-Amz-Target") {
	case "RekognitionService.StartContentModeration":
		f.started = append(f.started, body)
		id := fixtureJobID
		if f.nextID > 0 {
			id = fmt.Sprintf("job-%d", f.nextID)
		}
		f.nextID++
		_ = json.NewEncoder(w).Encode(map[string]string{"JobId": id})
	case "RekognitionService.GetContentModeration":
		f.reads++
		id, _ := body["JobId"].(string)
		status, ok := f.finished[id]
		if status == "UNKNOWN" {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": "ResourceNotFoundException", "Message": "The job was not found."})
			return
		}
		if !ok {
			_ = json.NewEncoder(w).Encode(map[string]any{"JobStatus": "IN_PROGRESS", "JobId": id})
			return
		}
		if status == "FAILED" {
			_ = json.NewEncoder(w).Encode(map[string]any{"JobStatus": "FAILED", "JobId": id, "StatusMessage": "Unsupported codec/format."})
			return
		}
		if body["NextToken"] == nil {
			_ = json.NewEncoder(w).Encode(map[string]any{"JobStatus": "SUCCEEDED", "JobId": id, "NextToken": "page-2",
				"ModerationLabels": []map[string]any{{"Timestamp": 1000, "ModerationLabel": map[string]any{"Name": "Violence", "ParentName": "", "Confidence": 55.0}}}})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"JobStatus": "SUCCEEDED", "JobId": id,
			"ModerationLabels": []map[string]any{{"Timestamp": 9000, "ModerationLabel": map[string]any{"Name": "Graphic Violence", "ParentName": "Violence", "Confidence": 93.0}}}})
	default:
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "InvalidParameterException", "Message": "unknown target"})
	}
}

// recordingTasks is a unit-test fake of SendTaskSuccess and SendTaskFailure.
type recordingTasks struct {
	mu        sync.Mutex
	successes map[string][]byte
	failures  map[string]string
	// closed makes every send fail as a task that timed out.
	closed bool
	// failNext, when set, fails the next send and is then cleared.
	failNext error
	sends    int
}

// fail returns the error the current send fails with, if any.
func (r *recordingTasks) fail() error {
	r.sends++
	if r.failNext != nil {
		err := r.failNext
		r.failNext = nil
		return err
	}
	if r.closed {
		return fmt.Errorf("sending to the task: %w", jobs.ErrTaskClosed)
	}
	return nil
}

func (r *recordingTasks) SendTaskSuccess(ctx context.Context, token string, output []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.fail(); err != nil {
		return err
	}
	r.successes[token] = output
	return nil
}

func (r *recordingTasks) SendTaskFailure(ctx context.Context, token, name, cause string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.fail(); err != nil {
		return err
	}
	r.failures[token] = name
	return nil
}

func newManager(t *testing.T) (*jobs.Manager, *fakeVideo, *recordingTasks) {
	t.Helper()
	server := mototest.Start(t)
	db := dynamodb.NewFromConfig(server.Config())
	require.NoError(t, dynamostore.CreateTables(context.Background(), db, dynamostore.TableNames{Jobs: "jobs"}))

	fake := &fakeVideo{t: t, finished: map[string]string{}}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	client := awsrekognition.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint:     aws.String(api.URL),
		RetryMaxAttempts: 1,
	})
	tasks := &recordingTasks{successes: map[string][]byte{}, failures: map[string]string{}}
	m := &jobs.Manager{
		Tokens: dynamostore.NewJobTokens(db, "jobs"),
		Tasks:  tasks,
		Engines: map[jobs.Kind]jobs.Engine{jobs.VideoModeration: &rekognition.VideoModerator{
			API: client, TopicARN: "arn:aws:sns:us-east-1:111122223333:moderato-jobs", RoleARN: "arn:aws:iam::111122223333:role/rekognition-sns",
		}},
	}
	return m, fake, tasks
}

var video = pipeline.Item{Bucket: "ingest-bucket", Key: "uploads/videos/clip 1.mp4", VersionID: "v1", MediaType: "video", Format: "mp4"}

func TestVideoJobThroughSNS(t *testing.T) {
	m, fake, tasks := newManager(t)
	ctx := context.Background()
	var completion events.SNSEvent
	readFixture(t, "sns-rekognition-content-moderation.json", &completion)

	out, err := m.Start(ctx, jobs.StartInput{TaskToken: "token+/=1", Execution: "arn:exec:1", Kind: jobs.VideoModeration, Item: video})
	require.NoError(t, err)
	assert.Equal(t, fixtureJobID, out.JobID)
	require.Len(t, fake.started, 1)
	assert.Equal(t, jobs.RequestToken("arn:exec:1", jobs.VideoModeration), fake.started[0]["ClientRequestToken"])
	assert.Equal(t, map[string]any{"S3Object": map[string]any{"Bucket": "ingest-bucket", "Name": "uploads/videos/clip 1.mp4", "Version": "v1"}}, fake.started[0]["Video"])
	assert.NotNil(t, fake.started[0]["NotificationChannel"])

	require.NoError(t, m.HandleSNS(ctx, completion))
	assert.Empty(t, tasks.successes, "a job still in progress is left waiting")

	fake.finish(fixtureJobID, "SUCCEEDED")
	require.NoError(t, m.HandleSNS(ctx, completion))
	require.Contains(t, tasks.successes, "token+/=1")
	var analysis pipeline.Analysis
	require.NoError(t, json.Unmarshal(tasks.successes["token+/=1"], &analysis))
	assert.Equal(t, pipeline.KindModeration, analysis.Kind)
	assert.Equal(t, []pipeline.Score{{Name: "VIOLENCE", Score: float64(float32(93.0)) / 100}}, analysis.Categories, "labels of both pages")

	delete(tasks.successes, "token+/=1")
	require.NoError(t, m.HandleSNS(ctx, completion), "a redelivered completion")
	assert.Empty(t, tasks.successes, "the token is used once")
}

func TestResultOfTimedOutTaskDropped(t *testing.T) {
	m, fake, tasks := newManager(t)
	ctx := context.Background()
	tasks.closed = true
	out, err := m.Start(ctx, jobs.StartInput{TaskToken: "token-late", Execution: "arn:exec:1", Kind: jobs.VideoModeration, Item: video})
	require.NoError(t, err)
	fake.finish(out.JobID, "SUCCEEDED")

	require.NoError(t, m.Complete(ctx, out.JobID), "a task that timed out is not an error to retry")

	_, err = m.Tokens.GetToken(ctx, out.JobID)
	assert.ErrorIs(t, err, jobs.ErrTokenNotFound, "the token is taken, so the next poll skips the job")
	assert.Empty(t, tasks.successes)
}

func TestFailedSendKeepsToken(t *testing.T) {
	m, fake, tasks := newManager(t)
	ctx := context.Background()
	start := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	m.Now = func() time.Time { return start }
	out, err := m.Start(ctx, jobs.StartInput{TaskToken: "token-retry", Execution: "arn:exec:1", Kind: jobs.VideoModeration, Item: video})
	require.NoError(t, err)
	fake.finish(out.JobID, "SUCCEEDED")

	throttled := &pipeline.TransientError{Err: errors.New("ThrottlingException: rate exceeded")}
	tasks.failNext = throttled
	err = m.Complete(ctx, out.JobID)
	require.Error(t, err, "a failed send is returned, so the notification is redelivered")
	assert.ErrorIs(t, err, throttled)
	assert.NotContains(t, err.Error(), "token-retry")
	_, err = m.Tokens.GetToken(ctx, out.JobID)
	require.NoError(t, err, "the token stays for the next try")
	assert.Empty(t, tasks.successes)

	require.NoError(t, m.Poll(ctx, start.Add(time.Minute)))
	assert.Contains(t, tasks.successes, "token-retry", "the poller sends the result")
	_, err = m.Tokens.GetToken(ctx, out.JobID)
	assert.ErrorIs(t, err, jobs.ErrTokenNotFound, "the token is deleted after the send")

	require.NoError(t, m.Complete(ctx, out.JobID), "a replayed completion")
	assert.Equal(t, 2, tasks.sends, "a replay after the send sends nothing")
}

func TestFailedFailureSendKeepsToken(t *testing.T) {
	m, fake, tasks := newManager(t)
	ctx := context.Background()
	out, err := m.Start(ctx, jobs.StartInput{TaskToken: "token-bad", Execution: "arn:exec:1", Kind: jobs.VideoModeration, Item: video})
	require.NoError(t, err)
	fake.finish(out.JobID, "FAILED")

	tasks.failNext = &pipeline.TransientError{Err: errors.New("InternalServerError")}
	require.Error(t, m.Complete(ctx, out.JobID))
	assert.Empty(t, tasks.failures)

	require.NoError(t, m.Complete(ctx, out.JobID), "the redelivered notification")
	assert.Equal(t, map[string]string{"token-bad": "UnsupportedContentError"}, tasks.failures)
	_, err = m.Tokens.GetToken(ctx, out.JobID)
	assert.ErrorIs(t, err, jobs.ErrTokenNotFound)
}

func TestPollFinishesJobsWithoutNotification(t *testing.T) {
	m, fake, tasks := newManager(t)
	ctx := context.Background()
	start := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	m.Now = func() time.Time { return start }
	for i, token := range []string{"token-ok", "token-bad", "token-running"} {
		_, err := m.Start(ctx, jobs.StartInput{TaskToken: token, Execution: fmt.Sprintf("arn:exec:%d", i), Kind: jobs.VideoModeration, Item: video})
		require.NoError(t, err)
	}
	fake.finish(fixtureJobID, "SUCCEEDED")
	fake.finish("job-1", "FAILED")

	require.NoError(t, m.Poll(ctx, start.Add(-time.Minute)))
	assert.Empty(t, tasks.successes, "jobs started after the cutoff are not polled")

	require.NoError(t, m.Poll(ctx, start.Add(time.Minute)))
	assert.Contains(t, tasks.successes, "token-ok")
	assert.Equal(t, map[string]string{"token-bad": "UnsupportedContentError"}, tasks.failures)
	assert.NotContains(t, tasks.successes, "token-running")

	left, err := m.Tokens.ListTokens(ctx, start.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, left, 1)
	assert.Equal(t, "job-2", left[0].JobID)
}

func TestPollExpiresTimedOutJob(t *testing.T) {
	m, fake, tasks := newManager(t)
	ctx := context.Background()
	var logs bytes.Buffer
	m.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	m.JobTimeout = 4 * time.Hour
	start := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	now := start
	m.Now = func() time.Time { return now }
	out, err := m.Start(ctx, jobs.StartInput{TaskToken: "token-lost", Execution: "arn:exec:1", Kind: jobs.VideoModeration, Item: video})
	require.NoError(t, err)
	fake.finish(out.JobID, "UNKNOWN")

	now = start.Add(time.Hour)
	require.Error(t, m.Poll(ctx, now), "an unreadable result fails the poll while the task waits")
	assert.Equal(t, 1, fake.reads)

	now = start.Add(4*time.Hour + time.Second)
	require.NoError(t, m.Poll(ctx, now))
	assert.Equal(t, 1, fake.reads, "the result of a timed-out job is not read")
	assert.Equal(t, map[string]string{"token-lost": "JobFailedError"}, tasks.failures)
	_, err = m.Tokens.GetToken(ctx, out.JobID)
	assert.ErrorIs(t, err, jobs.ErrTokenNotFound, "the token is deleted")

	now = start.Add(5 * time.Hour)
	require.NoError(t, m.Poll(ctx, now))
	assert.Equal(t, 1, strings.Count(logs.String(), "job timed out"), "the timeout is logged once")
	assert.NotContains(t, logs.String(), "token-lost")
}

func TestPollDropsTimedOutJobOfClosedTask(t *testing.T) {
	m, _, tasks := newManager(t)
	ctx := context.Background()
	m.JobTimeout = time.Hour
	start := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	m.Now = func() time.Time { return start }
	out, err := m.Start(ctx, jobs.StartInput{TaskToken: "token-closed", Execution: "arn:exec:1", Kind: jobs.VideoModeration, Item: video})
	require.NoError(t, err)
	tasks.closed = true

	m.Now = func() time.Time { return start.Add(2 * time.Hour) }
	require.NoError(t, m.Poll(ctx, start.Add(2*time.Hour)))
	_, err = m.Tokens.GetToken(ctx, out.JobID)
	assert.ErrorIs(t, err, jobs.ErrTokenNotFound, "a closed task's token is dropped")
	assert.Empty(t, tasks.failures)
}

func TestHandleTranscribeEventIgnoresOtherSources(t *testing.T) {
	m := &jobs.Manager{}
	err := m.HandleTranscribeEvent(context.Background(), events.CloudWatchEvent{Source: "aws.s3", DetailType: "Object Created"})
	assert.NoError(t, err)
}

func TestRequestTokenIsStable(t *testing.T) {
	a := jobs.RequestToken("arn:exec:1", jobs.VideoModeration)
	assert.Equal(t, a, jobs.RequestToken("arn:exec:1", jobs.VideoModeration))
	assert.NotEqual(t, a, jobs.RequestToken("arn:exec:2", jobs.VideoModeration))
	assert.NotEqual(t, a, jobs.RequestToken("arn:exec:1", jobs.Transcription))
	assert.Regexp(t, `^[a-f0-9]{32}$`, a)
}

func TestHandleNotificationDispatches(t *testing.T) {
	m, fake, tasks := newManager(t)
	ctx := context.Background()
	_, err := m.Start(ctx, jobs.StartInput{TaskToken: "token-1", Execution: "arn:exec:1", Kind: jobs.VideoModeration, Item: video})
	require.NoError(t, err)
	fake.finish(fixtureJobID, "SUCCEEDED")
	sns, err := os.ReadFile(filepath.Join("testdata", "sns-rekognition-content-moderation.json"))
	require.NoError(t, err)
	transcribe, err := os.ReadFile(filepath.Join("testdata", "eventbridge-transcribe-completed.json"))
	require.NoError(t, err)

	require.NoError(t, m.HandleNotification(ctx, transcribe), "a job without a token is finished already")
	assert.Empty(t, tasks.successes)
	require.NoError(t, m.HandleNotification(ctx, sns))
	assert.Contains(t, tasks.successes, "token-1")
	assert.Error(t, m.HandleNotification(ctx, json.RawMessage(`[1,2]`)))
}

// A poll that finds no waiting job logs at debug level only, so an idle
// serve does not write a line every few seconds.
func TestPollLogsIdlePollAtDebug(t *testing.T) {
	m, fake, _ := newManager(t)
	ctx := context.Background()
	var logs bytes.Buffer
	m.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	start := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	m.Now = func() time.Time { return start }

	require.NoError(t, m.Poll(ctx, start.Add(time.Minute)))
	assert.NotContains(t, logs.String(), "polled waiting jobs", "an idle poll logs nothing at info level")

	out, err := m.Start(ctx, jobs.StartInput{TaskToken: "token-ok", Execution: "arn:exec:1", Kind: jobs.VideoModeration, Item: video})
	require.NoError(t, err)
	fake.finish(out.JobID, "SUCCEEDED")
	require.NoError(t, m.Poll(ctx, start.Add(time.Minute)))
	assert.Contains(t, logs.String(), `"msg":"polled waiting jobs","jobs":1`, "a poll that finished a job is logged")
}
