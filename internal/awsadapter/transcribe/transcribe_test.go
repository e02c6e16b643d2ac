package transcribe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/transcribe"
	"github.com/aws/aws-sdk-go-v2/service/transcribe/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/mototest"
	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
)

// fakeTranscribe serves StartTranscriptionJob and GetTranscriptionJob with
// the response shapes of the Transcribe API reference and records the
// start requests.
type fakeTranscribe struct {
	t *testing.T

	mu      sync.Mutex
	starts  []map[string]any
	jobs    map[string]map[string]any // job name to its TranscriptionJob
	failing string                    // an error code every call returns
}

func (f *fakeTranscribe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	require.NoError(f.t, json.NewDecoder(r.Body).Decode(&body))
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	f.mu.Lock()
	defer f.mu.Unlock()
	fail := func(code string) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "Message": "test"})
	}
	if f.failing != "" {
		fail(f.failing)
		return
	}

	name, _ := body["TranscriptionJobName"].(string)
	switch r.Header.Get("X-Amz-Target") {
	case "Transcribe.StartTranscriptionJob":
		if _, ok := f.jobs[name]; ok {
			fail("ConflictException")
			return
		}
		f.starts = append(f.starts, body)
		job := map[string]any{"TranscriptionJobName": name, "TranscriptionJobStatus": "IN_PROGRESS"}
		f.jobs[name] = job
		_ = json.NewEncoder(w).Encode(map[string]any{"TranscriptionJob": job})
	case "Transcribe.GetTranscriptionJob":
		job, ok := f.jobs[name]
		if !ok {
			fail("NotFoundException")
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"TranscriptionJob": job})
	default:
		fail("BadRequestException")
	}
}

// newTranscriber starts the fake API and, when withStore is set, moto for
// the work bucket.
func newTranscriber(t *testing.T, language string, withStore bool) (*Transcriber, *fakeTranscribe, objects.Store) {
	t.Helper()
	fake := &fakeTranscribe{t: t, jobs: map[string]map[string]any{}}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	client := transcribe.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint:     aws.String(api.URL),
		RetryMaxAttempts: 1,
	})
	if !withStore {
		return &Transcriber{API: client, WorkBucket: "work", LanguageCode: language}, fake, nil
	}
	moto := mototest.Start(t)
	s3client := s3.NewFromConfig(moto.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("work")})
	require.NoError(t, err)
	store := s3objects.New(s3client)
	return &Transcriber{API: client, Objects: store, WorkBucket: "work", LanguageCode: language}, fake, store
}

var clip = pipeline.Item{Bucket: "ingest", Key: "uploads/talk 1.mp3", VersionID: "v1", MediaType: "audio"}

func TestStartRequestsByLanguage(t *testing.T) {
	tests := []struct {
		language      string
		wantRedaction bool
		wantToxicity  bool
	}{
		{"en-US", true, true},
		{"es-US", true, false},
		{"fr-FR", false, false},
		{"", false, false},
	}
	for _, tc := range tests {
		t.Run("language "+tc.language, func(t *testing.T) {
			tr, fake, _ := newTranscriber(t, tc.language, false)

			name, err := tr.Start(context.Background(), clip, "0123456789abcdef0123456789abcdef")

			require.NoError(t, err)
			assert.Equal(t, "moderato-0123456789abcdef0123456789abcdef", name)
			require.Len(t, fake.starts, 1)
			req := fake.starts[0]
			assert.Equal(t, map[string]any{"MediaFileUri": "s3://ingest/uploads/talk 1.mp3"}, req["Media"])
			assert.Equal(t, "work", req["OutputBucketName"])
			assert.Equal(t, "transcripts/"+name+".json", req["OutputKey"])
			assert.Equal(t, tc.wantRedaction, req["ContentRedaction"] != nil)
			assert.Equal(t, tc.wantToxicity, req["ToxicityDetection"] != nil)
			if tc.language == "" {
				assert.Equal(t, true, req["IdentifyLanguage"])
				assert.Nil(t, req["LanguageCode"])
			} else {
				assert.Equal(t, tc.language, req["LanguageCode"])
			}
		})
	}
}

func TestStartRetryFindsTheJob(t *testing.T) {
	tr, fake, _ := newTranscriber(t, "en-US", false)
	ctx := context.Background()

	first, err := tr.Start(ctx, clip, "token")
	require.NoError(t, err)
	again, err := tr.Start(ctx, clip, "token")

	require.NoError(t, err)
	assert.Equal(t, first, again)
	assert.Len(t, fake.starts, 1)
}

func TestResult(t *testing.T) {
	tr, fake, store := newTranscriber(t, "en-US", true)
	ctx := context.Background()
	set := func(name string, job map[string]any) {
		job["TranscriptionJobName"] = name
		fake.jobs[name] = job
	}
	putTranscript := func(name, text string) {
		doc := `{"jobName":"` + name + `","results":{"transcripts":[{"transcript":` + mustQuote(text) + `}],"items":[]}}`
		_, err := store.Put(ctx, objects.Location{Bucket: "work", Key: transcriptKey(name)}, bytes.NewReader([]byte(doc)), "application/json")
		require.NoError(t, err)
	}
	set("running", map[string]any{"TranscriptionJobStatus": "IN_PROGRESS"})
	set("queued", map[string]any{"TranscriptionJobStatus": "QUEUED"})
	set("failed", map[string]any{"TranscriptionJobStatus": "FAILED", "FailureReason": "The media file has no audio."})
	set("done", map[string]any{"TranscriptionJobStatus": "COMPLETED"})
	putTranscript("done", "hello there, my email is [PII]")
	set("silent", map[string]any{"TranscriptionJobStatus": "COMPLETED"})
	putTranscript("silent", "")
	set("not-written", map[string]any{"TranscriptionJobStatus": "COMPLETED"})
	set("toxic", map[string]any{"TranscriptionJobStatus": "COMPLETED"})
	// The shapes of the developer guide's redacted batch output and toxic
	// speech output, with two segments and two redacted words.
	toxic := `{"jobName": "toxic", "isRedacted": true, "results": {
		"transcripts": [{"transcript": "My name is [PII] and my card is [PII], you idiot."}],
		"items": [
			{"start_time": "0.1", "end_time": "0.3", "type": "pronunciation", "alternatives": [{"confidence": "1.0", "content": "My"}]},
			{"start_time": "0.9", "end_time": "1.2", "type": "pronunciation", "alternatives": [{"content": "[PII]", "redactions": [{"confidence": "0.9999"}]}]},
			{"start_time": "2.0", "end_time": "3.1", "type": "pronunciation", "alternatives": [{"content": "[PII]", "redactions": [{"confidence": "0.98", "type": "CREDIT_DEBIT_NUMBER", "category": "PII"}]}]},
			{"type": "punctuation", "alternatives": [{"confidence": "0.0", "content": ","}]}
		],
		"toxicity_detection": [
			{"text": "My name is [PII] and my card is [PII],", "toxicity": 0.02, "start_time": 0.1, "end_time": 3.1,
			 "categories": {"profanity": 0.01, "hate_speech": 0.0, "sexual": 0.0, "insult": 0.03, "violence_or_threat": 0.0, "graphic": 0.0, "harassment_or_abuse": 0.01}},
			{"text": "you idiot.", "toxicity": 0.81, "start_time": 3.2, "end_time": 4.0,
			 "categories": {"profanity": 0.12, "hate_speech": 0.05, "sexual": 0.0, "insult": 0.93, "violence_or_threat": 0.02, "graphic": 0.0, "harassment_or_abuse": 0.41}}
		]}, "status": "COMPLETED"}`
	_, err := store.Put(ctx, objects.Location{Bucket: "work", Key: transcriptKey("toxic")}, strings.NewReader(toxic), "application/json")
	require.NoError(t, err)

	t.Run("running", func(t *testing.T) {
		for _, name := range []string{"running", "queued"} {
			res, err := tr.Result(ctx, name, clip)
			require.NoError(t, err)
			assert.False(t, res.Done, name)
		}
	})
	t.Run("failed", func(t *testing.T) {
		res, err := tr.Result(ctx, "failed", clip)
		require.NoError(t, err)
		assert.True(t, res.Done)
		var unsupported *pipeline.UnsupportedContentError
		require.True(t, errors.As(res.Err, &unsupported))
		assert.Contains(t, unsupported.Reason, "no audio")
	})
	t.Run("completed", func(t *testing.T) {
		res, err := tr.Result(ctx, "done", clip)
		require.NoError(t, err)
		require.True(t, res.Done)
		ref, ok := res.Output.(pipeline.TextRef)
		require.True(t, ok)
		require.NotNil(t, ref.Location)
		text, err := objects.ReadAll(ctx, store, *ref.Location, 1024)
		require.NoError(t, err)
		assert.Equal(t, "hello there, my email is [PII]", string(text))
	})
	t.Run("toxicity and redactions carried", func(t *testing.T) {
		res, err := tr.Result(ctx, "toxic", clip)
		require.NoError(t, err)
		require.True(t, res.Done)
		ref := res.Output.(pipeline.TextRef)
		require.NotNil(t, ref.Location)
		assert.Equal(t, []pipeline.Score{
			{Name: "GRAPHIC", Score: 0},
			{Name: "HARASSMENT_OR_ABUSE", Score: 0.41},
			{Name: "HATE_SPEECH", Score: 0.05},
			{Name: "INSULT", Score: 0.93},
			{Name: "PROFANITY", Score: 0.12},
			{Name: "SEXUAL", Score: 0},
			{Name: "VIOLENCE_OR_THREAT", Score: 0.02},
		}, ref.Scores, "each category's highest score, named as Comprehend names it")
		assert.Equal(t, []pipeline.TypeCount{{Type: "CREDIT_DEBIT_NUMBER", Count: 1}, {Type: "PII", Count: 1}}, ref.PII)
	})
	t.Run("completed without toxicity or redaction", func(t *testing.T) {
		res, err := tr.Result(ctx, "done", clip)
		require.NoError(t, err)
		ref := res.Output.(pipeline.TextRef)
		assert.Empty(t, ref.Scores)
		assert.Empty(t, ref.PII)
	})
	t.Run("redacted transcript read where the job reports it", func(t *testing.T) {
		set("redacted", map[string]any{"TranscriptionJobStatus": "COMPLETED", "Transcript": map[string]any{
			"RedactedTranscriptFileUri": "https://s3.us-east-1.amazonaws.com/work/transcripts/redacted-redacted.json",
		}})
		doc := `{"results":{"transcripts":[{"transcript":"call me at [PII]"}],"items":[]}}`
		_, err := store.Put(ctx, objects.Location{Bucket: "work", Key: "transcripts/redacted-redacted.json"}, strings.NewReader(doc), "application/json")
		require.NoError(t, err)

		res, err := tr.Result(ctx, "redacted", clip)

		require.NoError(t, err)
		ref := res.Output.(pipeline.TextRef)
		require.NotNil(t, ref.Location)
		text, err := objects.ReadAll(ctx, store, *ref.Location, 1024)
		require.NoError(t, err)
		assert.Equal(t, "call me at [PII]", string(text))
	})
	t.Run("empty transcript", func(t *testing.T) {
		res, err := tr.Result(ctx, "silent", clip)
		require.NoError(t, err)
		ref := res.Output.(pipeline.TextRef)
		assert.Nil(t, ref.Location)
		assert.NotEmpty(t, ref.Unscored)
	})
	t.Run("transcript not written yet", func(t *testing.T) {
		_, err := tr.Result(ctx, "not-written", clip)
		var transient *pipeline.TransientError
		assert.True(t, errors.As(err, &transient), "%v", err)
	})
	t.Run("throttled", func(t *testing.T) {
		fake.failing = "LimitExceededException"
		defer func() { fake.failing = "" }()
		_, err := tr.Result(ctx, "done", clip)
		var transient *pipeline.TransientError
		assert.True(t, errors.As(err, &transient), "%v", err)
	})
}

func mustQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestParseS3URI(t *testing.T) {
	tests := []struct {
		uri        string
		bucket     string
		key        string
		recognised bool
	}{
		{"https://s3.us-east-1.amazonaws.com/work/transcripts/redacted-job.json", "work", "transcripts/redacted-job.json", true},
		{"https://work.s3.us-east-1.amazonaws.com/transcripts/job.json", "work", "transcripts/job.json", true},
		{"s3://work/transcripts/job.json", "work", "transcripts/job.json", true},
		{"https://s3.us-east-1.amazonaws.com/work", "", "", false},
		{"", "", "", false},
		{"ftp://work/job.json", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.uri, func(t *testing.T) {
			bucket, key, ok := parseS3URI(tc.uri)

			assert.Equal(t, tc.recognised, ok)
			if tc.recognised {
				assert.Equal(t, tc.bucket, bucket)
				assert.Equal(t, tc.key, key)
			}
		})
	}
}

func TestTranscriptKeyOutsideWorkBucket(t *testing.T) {
	tr := &Transcriber{WorkBucket: "work"}
	job := &types.TranscriptionJob{
		TranscriptionJobName: aws.String("moderato-1"),
		Transcript:           &types.Transcript{RedactedTranscriptFileUri: aws.String("https://s3.us-east-1.amazonaws.com/elsewhere/x.json")},
	}

	assert.Equal(t, "transcripts/moderato-1.json", tr.transcriptKeyOf(job), "a transcript in another bucket is never read")
}
