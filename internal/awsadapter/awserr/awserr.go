// Package awserr classifies errors of AWS SDK calls into the named errors
// that the state machine matches. Throttling and transient faults become
// pipeline.TransientError, which is retried with backoff. Content the
// service rejects becomes pipeline.UnsupportedContentError, recorded as
// unsupported. Access and KMS errors become AccessError, which no Retry
// matches, so a missing permission fails the item once instead of looping.
package awserr

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/moderato/moderato/internal/pipeline"
)

// AccessError means the function lacks a permission or cannot use a KMS
// key. Retrying cannot fix it, so the state machine does not retry it.
type AccessError struct {
	Err error
}

func (e *AccessError) Error() string { return "access denied: " + e.Err.Error() }

// Unwrap returns the SDK error.
func (e *AccessError) Unwrap() error { return e.Err }

// accessCodes are error codes of a missing permission or a bad credential
// across S3, DynamoDB, SNS, Step Functions and the AI services. Errors of
// an unusable KMS key are found by isKMSError instead, because every
// service spells them its own way.
var accessCodes = map[string]bool{
	"AccessDenied":          true,
	"AccessDeniedException": true,
	"AuthorizationError":    true, // SNS
	// S3 returns no error document to HeadObject, so the SDK names a 403
	// by its status text.
	"Forbidden":                   true,
	"UnrecognizedClientException": true,
	"InvalidClientTokenId":        true,
	"ExpiredToken":                true,
	"ExpiredTokenException":       true,
	"InvalidKMSKeyException":      true, // Textract
}

// isKMSError reports whether code is a KMS error that a service passes on:
// "KMS.DisabledException" (S3), "KMSAccessDeniedException" (DynamoDB),
// "KMSDisabled" (SNS), "KmsAccessDeniedException" (Step Functions),
// "KmsInvalidState" (SQS) and the like. It reports throttling of the key
// as not an access error.
func isKMSError(code string) bool {
	lower := strings.ToLower(code)
	return strings.HasPrefix(lower, "kms") && !strings.Contains(lower, "throttl")
}

// contentCodes are error codes with which a service rejects the content
// itself, so no retry can succeed: Rekognition (image and video), Textract
// and Comprehend.
var contentCodes = map[string]bool{
	"InvalidImageFormatException":    true,
	"ImageTooLargeException":         true,
	"VideoTooLargeException":         true,
	"UnsupportedDocumentException":   true,
	"BadDocumentException":           true,
	"DocumentTooLargeException":      true,
	"TextSizeLimitExceededException": true,
	"UnsupportedLanguageException":   true,
}

// transientCodes adds service errors that the SDK's defaults do not list
// as retryable but that the API references describe as temporary.
var transientCodes = map[string]bool{
	"InternalServerError":                    true,
	"InternalServerException":                true,
	"InternalFailure":                        true,
	"ServiceUnavailable":                     true,
	"ServiceUnavailableException":            true,
	"KMSThrottlingException":                 true,
	"KmsThrottlingException":                 true, // Step Functions
	"KMSThrottling":                          true, // SNS
	"KmsThrottled":                           true, // SQS
	"Throttled":                              true, // SNS
	"ProvisionedThroughputExceededException": true,
}

// Classify wraps err, the error of the SDK call described by action ("calling
// Comprehend DetectToxicContent"), into the named error the state machine
// matches. It returns nil for nil. Errors of no known class are wrapped with
// the action only, so the execution records them as failed.
func Classify(action string, err error) error {
	if err == nil {
		return nil
	}
	wrapped := fmt.Errorf("%s: %w", action, err)
	if errors.Is(err, context.Canceled) {
		return wrapped
	}

	code := Code(err)
	switch {
	case isKMSError(code) || accessCodes[code]:
		return &AccessError{Err: wrapped}
	case contentCodes[code]:
		return &pipeline.UnsupportedContentError{Reason: fmt.Sprintf("%s: the service rejected the content (%s): %s", action, code, message(err))}
	case transientCodes[code], IsTransient(err):
		return &pipeline.TransientError{Err: wrapped}
	}
	return wrapped
}

// IsTransient reports whether err is a throttle, a timeout, a connection
// failure or a 5xx response, by the SDK's own retry rules.
func IsTransient(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if transientCodes[Code(err)] {
		return true
	}
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary {
		return true
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// Code returns the API error code of err, or "" when err carries none.
func Code(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// Is reports whether err is an API error with one of the codes.
func Is(err error, codes ...string) bool {
	code := Code(err)
	for _, c := range codes {
		if code == c {
			return true
		}
	}
	return false
}

func message(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorMessage()
	}
	return err.Error()
}
