package sfnexec

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/mototest"
)

const passMachine = `{"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true}}}`

// newMachine starts moto and creates a state machine in it.
func newMachine(t *testing.T, definition string) (*sfn.Client, string) {
	t.Helper()
	server := mototest.Start(t)
	// Without its execution engine, moto accepts any task token and any
	// reused execution name.
	server.SetConfig(t, `{"stepfunctions": {"execute_state_machine": true}}`)
	client := sfn.NewFromConfig(server.Config())
	out, err := client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name:       aws.String("moderato"),
		Definition: aws.String(definition),
		RoleArn:    aws.String("arn:aws:iam::" + mototest.AccountID + ":role/moderato-sfn"),
	})
	require.NoError(t, err)
	return client, aws.ToString(out.StateMachineArn)
}

func TestStartExecutionAgainstMoto(t *testing.T) {
	api, arn := newMachine(t, passMachine)
	c := New(api, arn)
	ctx := context.Background()

	execARN, err := c.StartExecution(ctx, "photo-jpg-0123456789abcdef", []byte(`{"detail": {}}`))
	require.NoError(t, err)
	assert.Contains(t, execARN, ":execution:moderato:photo-jpg-0123456789abcdef")

	again, err := c.StartExecution(ctx, "photo-jpg-0123456789abcdef", []byte(`{"detail": {}}`))
	if err == nil {
		// Step Functions treats the same name and input as a retry while
		// the first execution still runs, and returns that execution.
		assert.Equal(t, execARN, again)
	} else {
		assert.True(t, errors.Is(err, ErrExecutionExists), "a reused name: %v", err)
	}

	_, err = c.StartExecution(ctx, "photo-jpg-0123456789abcdef", []byte(`{"detail": {"other": true}}`))
	assert.True(t, errors.Is(err, ErrExecutionExists), "a reused name with another input: %v", err)
	// NOTE: moto 5.2.1 fails a second execution of one state machine under
	// a new name with HTTP 500 (it cannot deep-copy the running machine),
	// so that case is left to the starter's test, which runs moto without
	// its execution engine.
}

func TestSendTaskInvalidTokenAgainstMoto(t *testing.T) {
	api, _ := newMachine(t, passMachine)
	c := New(api, "")
	ctx := context.Background()

	err := c.SendTaskSuccess(ctx, "not-a-token", []byte(`{}`))
	assert.True(t, errors.Is(err, ErrTaskClosed), "success: %v", err)
	assert.NotContains(t, err.Error(), "not-a-token", "the token is never in an error")

	err = c.SendTaskFailure(ctx, "not-a-token", "States.TaskFailed", "cause")
	assert.True(t, errors.Is(err, ErrTaskClosed), "failure: %v", err)
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"short", "abc", 5, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"cut", "abcdef", 5, "abcde"},
		{"no split rune", "abcdé", 5, "abcd"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, truncate(tc.in, tc.n))
		})
	}
}
