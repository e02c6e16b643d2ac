package awserr

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"

	"github.com/moderato/moderato/internal/pipeline"
)

func TestClassify(t *testing.T) {
	apiErr := func(code string) error {
		return &smithy.OperationError{ServiceID: "Test", OperationName: "Call", Err: &smithy.GenericAPIError{Code: code, Message: "details"}}
	}
	tests := []struct {
		name string
		err  error
		want string // the named type, or "" for a plain wrapped error
	}{
		{"throttling", apiErr("ThrottlingException"), "transient"},
		{"too many requests", apiErr("TooManyRequestsException"), "transient"},
		{"provisioned throughput", apiErr("ProvisionedThroughputExceededException"), "transient"},
		{"s3 slow down", apiErr("SlowDown"), "transient"},
		{"internal server", apiErr("InternalServerException"), "transient"},
		{"kms throttling", apiErr("KMSThrottlingException"), "transient"},
		{"deadline", context.DeadlineExceeded, "transient"},
		{"access denied", apiErr("AccessDeniedException"), "access"},
		{"s3 access denied", apiErr("AccessDenied"), "access"},
		{"kms disabled via s3", apiErr("KMS.DisabledException"), "access"},
		{"kms access denied", apiErr("KMSAccessDeniedException"), "access"},
		{"step functions kms access denied", apiErr("KmsAccessDeniedException"), "access"},
		{"sns kms disabled", apiErr("KMSDisabled"), "access"},
		{"sqs kms invalid state", apiErr("KmsInvalidState"), "access"},
		{"textract invalid kms key", apiErr("InvalidKMSKeyException"), "access"},
		{"sns authorization", apiErr("AuthorizationError"), "access"},
		{"sns kms throttling", apiErr("KMSThrottling"), "transient"},
		{"step functions kms throttling", apiErr("KmsThrottlingException"), "transient"},
		{"sns throttled", apiErr("Throttled"), "transient"},
		{"bad image", apiErr("InvalidImageFormatException"), "unsupported"},
		{"bad document", apiErr("BadDocumentException"), "unsupported"},
		{"unsupported language", apiErr("UnsupportedLanguageException"), "unsupported"},
		{"validation", apiErr("ValidationException"), ""},
		{"canceled", context.Canceled, ""},
		{"plain", errors.New("boom"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Classify("calling Test", tc.err)

			var transient *pipeline.TransientError
			var access *AccessError
			var unsupported *pipeline.UnsupportedContentError
			assert.Equal(t, tc.want == "transient", errors.As(got, &transient), "transient: %v", got)
			assert.Equal(t, tc.want == "access", errors.As(got, &access), "access: %v", got)
			assert.Equal(t, tc.want == "unsupported", errors.As(got, &unsupported), "unsupported: %v", got)
			assert.Contains(t, got.Error(), "calling Test")
		})
	}
}

func TestClassifyNil(t *testing.T) {
	assert.NoError(t, Classify("calling Test", nil))
}

func TestClassifyKeepsChain(t *testing.T) {
	inner := &smithy.GenericAPIError{Code: "ThrottlingException"}
	got := Classify("calling Test", fmt.Errorf("call: %w", inner))

	var api smithy.APIError
	assert.True(t, errors.As(got, &api))
	assert.Equal(t, "ThrottlingException", Code(got))
	assert.True(t, Is(got, "Nope", "ThrottlingException"))
}
