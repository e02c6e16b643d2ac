// Package lambdahandler adapts the pipeline's task handlers to AWS Lambda.
//
// The Lambda Go runtime reports the Go type name of a returned error as the
// error type that a state machine's Retry and Catch match. A handler that
// wraps a pipeline.TransientError with fmt.Errorf would report "wrapError"
// and never be retried, so Wrap returns the named error found in the chain
// and logs the full error once.
package lambdahandler

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/pipeline"
)

// NewLogger returns the JSON logger every function writes to standard
// output, where Lambda sends it to CloudWatch Logs.
func NewLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stdout, nil))
}

// Wrap returns handler with its errors logged and reduced to the named
// error the state machine matches.
func Wrap[In, Out any](logger *slog.Logger, task string, handler func(context.Context, In) (Out, error)) func(context.Context, In) (Out, error) {
	return func(ctx context.Context, in In) (Out, error) {
		out, err := handler(ctx, in)
		if err == nil {
			return out, nil
		}
		named := Named(err)
		logger.ErrorContext(ctx, "task failed", "task", task, "request_id", requestID(ctx), "error_type", typeName(named), "error", err)
		return out, named
	}
}

// Named returns the outermost error in err's chain whose type the state
// machine matches by name, or err itself when there is none.
func Named(err error) error {
	var transient *pipeline.TransientError
	var unsupported *pipeline.UnsupportedContentError
	var invalid *pipeline.InvalidContentError
	var notFound *pipeline.ObjectNotFoundError
	var access *awserr.AccessError
	switch {
	case errors.As(err, &unsupported):
		return unsupported
	case errors.As(err, &invalid):
		return invalid
	case errors.As(err, &notFound):
		return notFound
	case errors.As(err, &access):
		return access
	case errors.As(err, &transient):
		return transient
	}
	return err
}

func typeName(err error) string {
	switch err.(type) {
	case *pipeline.TransientError:
		return "TransientError"
	case *pipeline.UnsupportedContentError:
		return "UnsupportedContentError"
	case *pipeline.InvalidContentError:
		return "InvalidContentError"
	case *pipeline.ObjectNotFoundError:
		return "ObjectNotFoundError"
	case *awserr.AccessError:
		return "AccessError"
	}
	return "error"
}

func requestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}
