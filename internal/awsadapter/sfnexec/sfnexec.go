// Package sfnexec calls AWS Step Functions for the pipeline: it starts
// executions and completes the tasks that wait for a task token.
//
// Task tokens are secrets that resume an execution: they are passed to the
// API and never logged or put into an error message.
package sfnexec

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/starter"
)

// Sentinel errors of the client.
var (
	// ErrExecutionExists means an execution with the name exists: the event
	// was delivered before. It is the starter's sentinel, so Client
	// satisfies starter.Executions.
	ErrExecutionExists = starter.ErrExecutionExists
	// ErrTaskClosed means the task token is invalid, already used, or its
	// task timed out.
	ErrTaskClosed = errors.New("task token invalid, used or timed out")
)

// Limits of the Step Functions API (SendTaskFailure and StartExecution
// reference pages).
const (
	maxErrorLen = 256
	maxCauseLen = 32768
)

// API is the part of the Step Functions client that Client calls.
type API interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, opts ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, opts ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, opts ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
}

// Client starts executions of one state machine and completes its tasks.
type Client struct {
	api             API
	stateMachineARN string
}

// New returns a client for the state machine. stateMachineARN may be empty
// for a client that only completes tasks.
func New(api API, stateMachineARN string) *Client {
	return &Client{api: api, stateMachineARN: stateMachineARN}
}

// StartExecution starts an execution named name with the JSON input. It
// returns an error wrapping ErrExecutionExists when the name is taken by
// a finished execution or one with another input. For a running execution
// with the same input, Step Functions returns that execution instead.
func (c *Client) StartExecution(ctx context.Context, name string, input []byte) (string, error) {
	out, err := c.api.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(c.stateMachineARN),
		Name:            aws.String(name),
		Input:           aws.String(string(input)),
	})
	var exists *types.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		return "", fmt.Errorf("starting execution %s: %w", name, ErrExecutionExists)
	}
	if err != nil {
		return "", awserr.Classify("starting execution "+name, err)
	}
	return aws.ToString(out.ExecutionArn), nil
}

// SendTaskSuccess resumes the task waiting for token with the JSON output.
// It returns an error wrapping ErrTaskClosed when the token is no longer
// valid.
func (c *Client) SendTaskSuccess(ctx context.Context, token string, output []byte) error {
	_, err := c.api.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{
		TaskToken: aws.String(token),
		Output:    aws.String(string(output)),
	})
	return c.taskError("sending task success", err)
}

// SendTaskFailure fails the task waiting for token with a named error and a
// cause, cut to the API's limits.
func (c *Client) SendTaskFailure(ctx context.Context, token, name, cause string) error {
	_, err := c.api.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{
		TaskToken: aws.String(token),
		Error:     aws.String(truncate(name, maxErrorLen)),
		Cause:     aws.String(truncate(cause, maxCauseLen)),
	})
	return c.taskError("sending task failure", err)
}

func (c *Client) taskError(action string, err error) error {
	if err == nil {
		return nil
	}
	var invalid *types.InvalidToken
	var timedOut *types.TaskTimedOut
	var missing *types.TaskDoesNotExist
	if errors.As(err, &invalid) || errors.As(err, &timedOut) || errors.As(err, &missing) {
		return fmt.Errorf("%s: %w", action, ErrTaskClosed)
	}
	return awserr.Classify(action, err)
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
