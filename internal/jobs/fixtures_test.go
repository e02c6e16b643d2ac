package jobs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	awstextract "github.com/aws/aws-sdk-go-v2/service/textract"
	awstranscribe "github.com/aws/aws-sdk-go-v2/service/transcribe"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/mototest"
	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/awsadapter/textract"
	"github.com/moderato/moderato/internal/awsadapter/transcribe"
	"github.com/moderato/moderato/internal/jobs"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
)

// Job IDs named in the Textract and Transcribe fixtures.
const (
	textractFixtureJobID   = "8d1f7c3b2e5a4f6e9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a"
	transcribeFixtureJobID = "moderato-5f0e6a1c2b3d4e5f60718293a4b5c6d7"
)

// serviceReplies starts a test server that returns a fixed response per
// X-Amz-Target, shaped as in the Textract and Transcribe API references,
// and returns an SDK configuration whose requests go to it.
func serviceReplies(t *testing.T, replies map[string]any) aws.Config {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reply, ok := replies[r.Header.Get("X-Amz-Target")]
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": "InvalidParameterException", "Message": "unexpected call"})
			return
		}
		_ = json.NewEncoder(w).Encode(reply)
	}))
	t.Cleanup(server.Close)
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint:     aws.String(server.URL),
		RetryMaxAttempts: 1,
	}
}

// TestNotificationFixturesFinishJobs sends each SNS and EventBridge
// fixture through HandleNotification, the job_callback handler, to the
// real Textract and Transcribe adapters, and checks the waiting task gets
// the job's result.
func TestNotificationFixturesFinishJobs(t *testing.T) {
	m, fake, tasks := newManager(t)
	ctx := context.Background()

	moto := mototest.Start(t)
	s3client := s3.NewFromConfig(moto.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("work")})
	require.NoError(t, err)
	store := s3objects.New(s3client)
	_, err = store.Put(ctx, objects.Location{Bucket: "work", Key: "transcripts/" + transcribeFixtureJobID + ".json"},
		strings.NewReader(`{"results": {"transcripts": [{"transcript": "Thanks for calling."}]}}`), "application/json")
	require.NoError(t, err)

	textractConfig := serviceReplies(t, map[string]any{
		"Textract.GetDocumentTextDetection": map[string]any{"JobStatus": "SUCCEEDED", "DocumentMetadata": map[string]any{"Pages": 1},
			"Blocks": []map[string]any{{"BlockType": "PAGE", "Page": 1, "Id": "p1"}, {"BlockType": "LINE", "Page": 1, "Id": "l1", "Text": "Terms of the contract"}}},
	})
	m.Engines[jobs.DocumentText] = &textract.DocumentText{API: awstextract.NewFromConfig(textractConfig), Objects: store, WorkBucket: "work"}

	transcribeStatus := map[string]any{}
	transcribeConfig := serviceReplies(t, map[string]any{"Transcribe.GetTranscriptionJob": map[string]any{"TranscriptionJob": transcribeStatus}})
	m.Engines[jobs.Transcription] = &transcribe.Transcriber{API: awstranscribe.NewFromConfig(transcribeConfig), Objects: store, WorkBucket: "work", LanguageCode: "en-US"}

	document := pipeline.Item{Bucket: "ingest-bucket", Key: "uploads/docs/contract.pdf", VersionID: "v3", MediaType: "document", Format: "pdf", PageCount: 2}
	audio := pipeline.Item{Bucket: "ingest-bucket", Key: "uploads/calls/call.mp3", VersionID: "v4", MediaType: "audio", Format: "mp3"}

	tests := []struct {
		fixture string
		jobID   string
		kind    jobs.Kind
		item    pipeline.Item
		// status is the Transcribe job's state that GetTranscriptionJob returns.
		status      map[string]any
		wantSuccess bool
		wantFailure string
	}{
		{fixture: "sns-rekognition-content-moderation.json", jobID: fixtureJobID, kind: jobs.VideoModeration, item: video, wantSuccess: true},
		{fixture: "sns-textract-text-detection.json", jobID: textractFixtureJobID, kind: jobs.DocumentText, item: document, wantSuccess: true},
		{fixture: "eventbridge-transcribe-completed.json", jobID: transcribeFixtureJobID, kind: jobs.Transcription, item: audio,
			status: map[string]any{"TranscriptionJobName": transcribeFixtureJobID, "TranscriptionJobStatus": "COMPLETED"}, wantSuccess: true},
		{fixture: "eventbridge-transcribe-failed.json", jobID: transcribeFixtureJobID, kind: jobs.Transcription, item: audio,
			status: map[string]any{"TranscriptionJobName": transcribeFixtureJobID, "TranscriptionJobStatus": "FAILED",
				"FailureReason": "The media format that you specified doesn't match the detected media format."},
			wantFailure: "UnsupportedContentError"},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", tc.fixture))
			require.NoError(t, err)
			fake.finish(fixtureJobID, "SUCCEEDED")
			clear(transcribeStatus)
			for k, v := range tc.status {
				transcribeStatus[k] = v
			}
			token := "token-" + tc.fixture
			require.NoError(t, m.Tokens.PutToken(ctx, jobs.Token{JobID: tc.jobID, Kind: tc.kind, TaskToken: token, Item: tc.item}))

			require.NoError(t, m.HandleNotification(ctx, raw))

			if tc.wantSuccess {
				require.Contains(t, tasks.successes, token, "the waiting task gets the job's result")
				assert.NotContains(t, tasks.failures, token)
			} else {
				assert.Equal(t, tc.wantFailure, tasks.failures[token])
				assert.NotContains(t, tasks.successes, token)
			}
			_, err = m.Tokens.GetToken(ctx, tc.jobID)
			assert.ErrorIs(t, err, jobs.ErrTokenNotFound, "the token is used once")
		})
	}

	var text pipeline.TextRef
	require.NoError(t, json.Unmarshal(tasks.successes["token-sns-textract-text-detection.json"], &text))
	require.NotNil(t, text.Location)
	stored, err := objects.ReadAll(ctx, store, *text.Location, 1024)
	require.NoError(t, err)
	assert.Equal(t, "Terms of the contract\n", string(stored))

	require.NoError(t, json.Unmarshal(tasks.successes["token-eventbridge-transcribe-completed.json"], &text))
	require.NotNil(t, text.Location)
	stored, err = objects.ReadAll(ctx, store, *text.Location, 1024)
	require.NoError(t, err)
	assert.Equal(t, "Thanks for calling.", string(stored))
}
