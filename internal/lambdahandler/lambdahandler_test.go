package lambdahandler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/pipeline"
)

// runtimeTypeName is how the Lambda Go runtime names an error type.
func runtimeTypeName(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

func TestWrapReportsNamedType(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"wrapped transient", fmt.Errorf("moderating text: %w", &pipeline.TransientError{Err: errors.New("throttled")}), "TransientError"},
		{"wrapped unsupported", fmt.Errorf("moderating image: %w", &pipeline.UnsupportedContentError{Reason: "too small"}), "UnsupportedContentError"},
		{"invalid", &pipeline.InvalidContentError{Reason: "truncated"}, "InvalidContentError"},
		{"not found", fmt.Errorf("x: %w", &pipeline.ObjectNotFoundError{Location: "s3://b/k"}), "ObjectNotFoundError"},
		{"access", fmt.Errorf("x: %w", &awserr.AccessError{Err: errors.New("denied")}), "AccessError"},
		{"plain", fmt.Errorf("x: %w", errors.New("boom")), "wrapError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logs, nil))
			h := Wrap(logger, "test", func(ctx context.Context, in string) (string, error) { return "", tc.err })

			_, err := h(context.Background(), "in")

			require.Error(t, err)
			assert.Equal(t, tc.want, runtimeTypeName(err))
			assert.Contains(t, logs.String(), `"task":"test"`)
			assert.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("\n")), "the error is logged once")
		})
	}
}

func TestWrapPassesResult(t *testing.T) {
	h := Wrap(NewLogger(), "test", func(ctx context.Context, in int) (int, error) { return in * 2, nil })

	out, err := h(context.Background(), 21)

	require.NoError(t, err)
	assert.Equal(t, 42, out)
}
