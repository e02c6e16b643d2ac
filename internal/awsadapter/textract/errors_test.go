package textract

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/textract"
	"github.com/stretchr/testify/assert"

	"github.com/moderato/moderato/internal/awsadapter/awserr/awserrtest"
	"github.com/moderato/moderato/internal/pipeline"
)

// TestErrorClasses checks how the errors of the Textract API reference
// reach the state machine, for the synchronous call and both job calls.
func TestErrorClasses(t *testing.T) {
	tests := []struct {
		failure awserrtest.Failure
		want    string
	}{
		{awserrtest.Failure{Status: 400, Code: "ProvisionedThroughputExceededException"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "ThrottlingException"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "LimitExceededException"}, "transient"},
		{awserrtest.Failure{Status: 500, Code: "InternalServerError"}, "transient"},
		{awserrtest.Failure{Status: 400, Code: "BadDocumentException"}, "unsupported"},
		{awserrtest.Failure{Status: 400, Code: "DocumentTooLargeException"}, "unsupported"},
		{awserrtest.Failure{Status: 400, Code: "UnsupportedDocumentException"}, "unsupported"},
		{awserrtest.Failure{Status: 400, Code: "AccessDeniedException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "InvalidKMSKeyException"}, "access"},
		{awserrtest.Failure{Status: 400, Code: "InvalidS3ObjectException"}, "failed"},
	}
	// A TIFF, so that UnsupportedDocumentException is the content's fault
	// and not a multi-page PDF's.
	scan := pipeline.Item{Bucket: "ingest", Key: "scan.tif", VersionID: "v1", MediaType: "document", Format: "tiff", Size: 1000}
	for _, tc := range tests {
		t.Run(tc.failure.Code, func(t *testing.T) {
			client := textract.NewFromConfig(awserrtest.Config(t, awserrtest.JSON, tc.failure))
			ctx := context.Background()

			_, syncErr := (&Extractor{API: client}).ExtractText(ctx, scan)
			_, startErr := (&DocumentText{API: client}).Start(ctx, scan, "0123456789abcdef")
			_, resultErr := (&DocumentText{API: client}).Result(ctx, "job-1", scan)

			assert.Equal(t, tc.want, awserrtest.Class(syncErr), "DetectDocumentText: %v", syncErr)
			assert.Equal(t, tc.want, awserrtest.Class(startErr), "StartDocumentTextDetection: %v", startErr)
			assert.Equal(t, tc.want, awserrtest.Class(resultErr), "GetDocumentTextDetection: %v", resultErr)
		})
	}
}
