package textract

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/textract"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/mototest"
	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
)

// fakeTextract serves the asynchronous text detection calls with the
// response shapes of the Textract API reference. Job "two-pages" returns
// its blocks on two result pages.
type fakeTextract struct {
	t *testing.T

	mu      sync.Mutex
	starts  []map[string]any
	failing string
}

func line(page int, text string) map[string]any {
	return map[string]any{"BlockType": "LINE", "Page": page, "Text": text, "Confidence": 99.1, "Id": text,
		"Geometry": map[string]any{"BoundingBox": map[string]any{"Width": 0.5, "Height": 0.02, "Left": 0.1, "Top": 0.1}}}
}

func (f *fakeTextract) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	require.NoError(f.t, json.NewDecoder(r.Body).Decode(&body))
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing != "" {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": f.failing, "Message": "test"})
		return
	}
	reply := func(v any) { _ = json.NewEncoder(w).Encode(v) }

	switch r.Header.Get("X-Amz-Target") {
	case "Textract.StartDocumentTextDetection":
		f.starts = append(f.starts, body)
		reply(map[string]string{"JobId": "two-pages"})
	case "Textract.GetDocumentTextDetection":
		switch body["JobId"] {
		case "running":
			reply(map[string]any{"JobStatus": "IN_PROGRESS"})
		case "failed":
			reply(map[string]any{"JobStatus": "FAILED", "StatusMessage": "Request has unsupported document format"})
		case "partial":
			reply(map[string]any{"JobStatus": "PARTIAL_SUCCESS", "DocumentMetadata": map[string]any{"Pages": 3},
				"Warnings": []map[string]any{{"ErrorCode": "UNSUPPORTED_PAGE", "Pages": []int{3, 2}}},
				"Blocks":   []map[string]any{{"BlockType": "PAGE", "Page": 1, "Id": "p1"}, line(1, "Page one")}})
		case "partial-blank":
			reply(map[string]any{"JobStatus": "PARTIAL_SUCCESS", "DocumentMetadata": map[string]any{"Pages": 2},
				"Blocks": []map[string]any{{"BlockType": "PAGE", "Page": 1, "Id": "p1"}}})
		case "blank":
			reply(map[string]any{"JobStatus": "SUCCEEDED", "DocumentMetadata": map[string]any{"Pages": 1},
				"Blocks": []map[string]any{{"BlockType": "PAGE", "Page": 1, "Id": "p1"}}})
		case "two-pages":
			if body["NextToken"] == nil {
				reply(map[string]any{"JobStatus": "SUCCEEDED", "DocumentMetadata": map[string]any{"Pages": 2}, "NextToken": "t2",
					"Blocks": []map[string]any{{"BlockType": "PAGE", "Page": 1, "Id": "p1"}, line(1, "Dear Ana,"), {"BlockType": "WORD", "Page": 1, "Text": "Dear", "Id": "w1"}, line(1, "call 555-0100.")}})
				return
			}
			reply(map[string]any{"JobStatus": "SUCCEEDED", "DocumentMetadata": map[string]any{"Pages": 2},
				"Blocks": []map[string]any{{"BlockType": "PAGE", "Page": 2, "Id": "p2"}, line(2, "Regards")}})
		default:
			w.WriteHeader(http.StatusBadRequest)
			reply(map[string]string{"__type": "InvalidJobIdException", "Message": "unknown job"})
		}
	}
}

func newDocumentText(t *testing.T) (*DocumentText, *fakeTextract, objects.Store) {
	t.Helper()
	fake := &fakeTextract{t: t}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	client := textract.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint:     aws.String(api.URL),
		RetryMaxAttempts: 1,
	})
	moto := mototest.Start(t)
	s3client := s3.NewFromConfig(moto.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("work")})
	require.NoError(t, err)
	store := s3objects.New(s3client)
	d := &DocumentText{API: client, Objects: store, WorkBucket: "work",
		TopicARN: "arn:aws:sns:us-east-1:111122223333:moderato-jobs", RoleARN: "arn:aws:iam::111122223333:role/textract-sns"}
	return d, fake, store
}

var doc = pipeline.Item{Bucket: "ingest", Key: "uploads/contract 2026.pdf", VersionID: "v7", MediaType: "document", Format: "pdf"}

func TestDocumentText(t *testing.T) {
	d, fake, store := newDocumentText(t)
	ctx := context.Background()

	t.Run("start", func(t *testing.T) {
		id, err := d.Start(ctx, doc, "0123456789abcdef")
		require.NoError(t, err)
		assert.Equal(t, "two-pages", id)
		require.Len(t, fake.starts, 1)
		assert.Equal(t, map[string]any{"S3Object": map[string]any{"Bucket": "ingest", "Name": "uploads/contract 2026.pdf", "Version": "v7"}}, fake.starts[0]["DocumentLocation"])
		assert.Equal(t, "0123456789abcdef", fake.starts[0]["ClientRequestToken"])
		assert.Equal(t, map[string]any{"SNSTopicArn": d.TopicARN, "RoleArn": d.RoleARN}, fake.starts[0]["NotificationChannel"])
	})

	t.Run("start multi-page TIFF", func(t *testing.T) {
		fax := pipeline.Item{Bucket: "ingest", Key: "uploads/fax.tif", VersionID: "v2", MediaType: "document", Format: "tiff", MIME: "image/tiff", PageCount: 4}
		_, err := d.Start(ctx, fax, "fedcba9876543210")
		require.NoError(t, err)
		require.Len(t, fake.starts, 2)
		assert.Equal(t, map[string]any{"S3Object": map[string]any{"Bucket": "ingest", "Name": "uploads/fax.tif", "Version": "v2"}}, fake.starts[1]["DocumentLocation"])
	})

	t.Run("running", func(t *testing.T) {
		res, err := d.Result(ctx, "running", doc)
		require.NoError(t, err)
		assert.False(t, res.Done)
	})

	t.Run("failed", func(t *testing.T) {
		res, err := d.Result(ctx, "failed", doc)
		require.NoError(t, err)
		var unsupported *pipeline.UnsupportedContentError
		require.True(t, errors.As(res.Err, &unsupported))
		assert.Contains(t, unsupported.Reason, "unsupported document format")
	})

	t.Run("lines of every page", func(t *testing.T) {
		res, err := d.Result(ctx, "two-pages", doc)
		require.NoError(t, err)
		require.True(t, res.Done)
		ref := res.Output.(pipeline.TextRef)
		require.NotNil(t, ref.Location)
		text, err := objects.ReadAll(ctx, store, *ref.Location, 1024)
		require.NoError(t, err)
		assert.Equal(t, "Dear Ana,\ncall 555-0100.\n\fRegards\n", string(text))
		assert.Empty(t, ref.Unscored)
	})

	t.Run("partial success keeps text", func(t *testing.T) {
		res, err := d.Result(ctx, "partial", doc)
		require.NoError(t, err)
		require.True(t, res.Done)
		ref := res.Output.(pipeline.TextRef)
		require.NotNil(t, ref.Location)
		text, err := objects.ReadAll(ctx, store, *ref.Location, 1024)
		require.NoError(t, err)
		assert.Equal(t, "Page one\n", string(text))
		assert.Equal(t, []string{"Amazon Textract could not read pages 2, 3 of the document"}, ref.Unscored)
	})

	t.Run("partial success without text", func(t *testing.T) {
		res, err := d.Result(ctx, "partial-blank", doc)
		require.NoError(t, err)
		ref := res.Output.(pipeline.TextRef)
		assert.Nil(t, ref.Location)
		assert.Equal(t, []string{"Amazon Textract read only part of the document", "the document has no text that Amazon Textract could read"}, ref.Unscored)
	})

	t.Run("no text", func(t *testing.T) {
		res, err := d.Result(ctx, "blank", doc)
		require.NoError(t, err)
		ref := res.Output.(pipeline.TextRef)
		assert.Nil(t, ref.Location)
		assert.NotEmpty(t, ref.Unscored)
	})

	t.Run("throttled", func(t *testing.T) {
		fake.failing = "ProvisionedThroughputExceededException"
		defer func() { fake.failing = "" }()
		_, err := d.Result(ctx, "two-pages", doc)
		var transient *pipeline.TransientError
		assert.True(t, errors.As(err, &transient), "%v", err)
	})
}
