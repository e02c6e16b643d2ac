// Package awserrtest starts an HTTP server on 127.0.0.1 that fails every
// AWS request with one error, in the wire format of the service's protocol,
// so that tests can check how an adapter classifies the errors the AWS API
// references list.
package awserrtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/pipeline"
)

// Protocol is the wire format of a service's error responses.
type Protocol int

// The protocols of the services the adapters call.
const (
	// JSON is awsJson1_0 and awsJson1_1: Comprehend, Rekognition,
	// Textract, Transcribe, DynamoDB, Step Functions and EventBridge.
	// The code is the body's "__type".
	JSON Protocol = iota
	// Query is the awsQuery XML error document of SNS.
	Query
	// RestXML is the error document of S3.
	RestXML
)

// Failure is the error the server returns.
type Failure struct {
	Status int    // HTTP status code
	Code   string // the error code, such as ThrottlingException
}

// Config starts a server that fails every request with f and returns an
// SDK configuration whose clients send their requests to it. Retries are
// off, so a test sees the first error.
func Config(t *testing.T, protocol Protocol, f Failure) aws.Config {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		write(w, protocol, f)
	}))
	t.Cleanup(server.Close)
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint:     aws.String(server.URL),
		RetryMaxAttempts: 1,
	}
}

func write(w http.ResponseWriter, protocol Protocol, f Failure) {
	message := "test error " + f.Code
	switch protocol {
	case JSON:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Errortype", f.Code)
		w.WriteHeader(f.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": f.Code, "message": message})
	case Query:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`,
			html.EscapeString(f.Code), html.EscapeString(message))
	case RestXML:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>req-1</RequestId></Error>`,
			html.EscapeString(f.Code), html.EscapeString(message))
	}
}

// Class names the error the state machine matches for err, in the order that
// lambdahandler.Named picks it from the chain: "unsupported", "invalid",
// "not found", "access", "transient", or "failed" for an error of no named
// type, which no Retry matches and which the execution records as failed.
func Class(err error) string {
	var transient *pipeline.TransientError
	var unsupported *pipeline.UnsupportedContentError
	var invalid *pipeline.InvalidContentError
	var notFound *pipeline.ObjectNotFoundError
	var access *awserr.AccessError
	switch {
	case err == nil:
		return "none"
	case errors.As(err, &unsupported):
		return "unsupported"
	case errors.As(err, &invalid):
		return "invalid"
	case errors.As(err, &notFound):
		return "not found"
	case errors.As(err, &access):
		return "access"
	case errors.As(err, &transient):
		return "transient"
	}
	return "failed"
}
