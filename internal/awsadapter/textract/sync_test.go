package textract

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/textract"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/pipeline"
)

// syncServer serves DetectDocumentText. The object name selects the
// response, and the requests are recorded.
func syncServer(t *testing.T) (*Extractor, *[]map[string]any) {
	t.Helper()
	var requests []map[string]any
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		requests = append(requests, body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		assert.Equal(t, "Textract.DetectDocumentText", r.Header.Get("X-Amz-Target"))
		name := body["Document"].(map[string]any)["S3Object"].(map[string]any)["Name"]
		fail := func(code string) {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "Message": "test"})
		}
		switch name {
		case "multi.pdf":
			fail("UnsupportedDocumentException")
		case "locked.pdf":
			fail("BadDocumentException")
		case "busy.pdf":
			fail("ProvisionedThroughputExceededException")
		default:
			_ = json.NewEncoder(w).Encode(map[string]any{
				"DocumentMetadata": map[string]any{"Pages": 1},
				"Blocks": []map[string]any{
					{"BlockType": "PAGE", "Id": "p"},
					{"BlockType": "LINE", "Id": "l1", "Text": "Invoice 2026-12"},
					{"BlockType": "WORD", "Id": "w1", "Text": "Invoice"},
					{"BlockType": "LINE", "Id": "l2", "Text": "ana@example.com"},
				},
			})
		}
	}))
	t.Cleanup(server.Close)
	client := textract.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint:     aws.String(server.URL),
		RetryMaxAttempts: 1,
	})
	return &Extractor{API: client}, &requests
}

func TestExtractorSinglePage(t *testing.T) {
	e, requests := syncServer(t)

	text, err := e.ExtractText(context.Background(), pipeline.Item{Bucket: "ingest", Key: "one.pdf", VersionID: "v1", MediaType: "document", Format: "pdf", Size: MaxSyncBytes})

	require.NoError(t, err)
	assert.Equal(t, "Invoice 2026-12\nana@example.com\n", text)
	require.Len(t, *requests, 1)
	assert.Equal(t, map[string]any{"S3Object": map[string]any{"Bucket": "ingest", "Name": "one.pdf", "Version": "v1"}}, (*requests)[0]["Document"])
}

func TestExtractorRoutesWhatItCannotRead(t *testing.T) {
	tests := []struct {
		name      string
		item      pipeline.Item
		want      string // "unavailable", "unsupported" or "transient"
		wantCalls int
	}{
		{"just past the size limit", pipeline.Item{Key: "big.pdf", MediaType: "document", Format: "pdf", Size: MaxSyncBytes + 1}, "unavailable", 0},
		{"audio", pipeline.Item{Key: "a.mp3", MediaType: "audio", Format: "mp3", Size: 10}, "unavailable", 0},
		{"multi-page PDF", pipeline.Item{Key: "multi.pdf", MediaType: "document", Format: "pdf", Size: 10}, "unavailable", 1},
		{"damaged or encrypted PDF", pipeline.Item{Key: "locked.pdf", MediaType: "document", Format: "pdf", Size: 10}, "unsupported", 1},
		{"throttled", pipeline.Item{Key: "busy.pdf", MediaType: "document", Format: "pdf", Size: 10}, "transient", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, requests := syncServer(t)
			tc.item.Bucket = "ingest"

			_, err := e.ExtractText(context.Background(), tc.item)

			require.Error(t, err)
			var unsupported *pipeline.UnsupportedContentError
			var transient *pipeline.TransientError
			assert.Equal(t, tc.want == "unavailable", errors.Is(err, pipeline.ErrEngineUnavailable), "%v", err)
			assert.Equal(t, tc.want == "unsupported", errors.As(err, &unsupported), "%v", err)
			assert.Equal(t, tc.want == "transient", errors.As(err, &transient), "%v", err)
			assert.Len(t, *requests, tc.wantCalls)
		})
	}
}
