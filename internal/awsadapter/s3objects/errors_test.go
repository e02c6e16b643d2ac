package s3objects

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"

	"github.com/moderato/moderato/internal/awsadapter/awserr/awserrtest"
	"github.com/moderato/moderato/internal/objects"
)

// TestErrorClasses checks how the errors of the S3 API reference reach
// the tasks, for a request with an error document (GetObject) and one
// without (HeadObject, where the SDK names the error by its status).
func TestErrorClasses(t *testing.T) {
	tests := []struct {
		failure  awserrtest.Failure
		want     string
		wantHead string
	}{
		{awserrtest.Failure{Status: 503, Code: "SlowDown"}, "transient", "transient"},
		{awserrtest.Failure{Status: 500, Code: "InternalError"}, "transient", "transient"},
		{awserrtest.Failure{Status: 403, Code: "AccessDenied"}, "access", "access"},
		{awserrtest.Failure{Status: 400, Code: "KMS.DisabledException"}, "access", "failed"}, // a bare 400 on HEAD
		{awserrtest.Failure{Status: 403, Code: "KMS.AccessDeniedException"}, "access", "access"},
		{awserrtest.Failure{Status: 400, Code: "InvalidArgument"}, "failed", "failed"},
	}
	loc := objects.Location{Bucket: "ingest", Key: "uploads/a b.txt", VersionID: "v1"}
	for _, tc := range tests {
		t.Run(tc.failure.Code, func(t *testing.T) {
			client := s3.NewFromConfig(awserrtest.Config(t, awserrtest.RestXML, tc.failure), func(o *s3.Options) { o.UsePathStyle = true })
			store := New(client)
			ctx := context.Background()

			_, readErr := store.ReadRange(ctx, loc, 0, 16)
			_, putErr := store.Put(ctx, objects.Location{Bucket: "work", Key: "text/a.txt"}, strings.NewReader("text"), "text/plain")
			_, headErr := store.Head(ctx, loc)

			assert.Equal(t, tc.want, awserrtest.Class(readErr), "GetObject: %v", readErr)
			assert.Equal(t, tc.want, awserrtest.Class(putErr), "PutObject: %v", putErr)
			assert.Equal(t, tc.wantHead, awserrtest.Class(headErr), "HeadObject: %v", headErr)
			assert.False(t, errors.Is(headErr, objects.ErrNotFound), "only a missing object is not found")
		})
	}
}
