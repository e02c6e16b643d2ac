package asl_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/moderato/moderato/internal/asl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// UnsupportedContentError is a named error type, as a pipeline handler
// returns for the state machine to match in Catch.
type UnsupportedContentError struct{ MediaType string }

func (e *UnsupportedContentError) Error() string {
	return "unsupported media type " + e.MediaType
}

func TestFunctions(t *testing.T) {
	functions := asl.Functions{
		"inspect": func(_ context.Context, payload json.RawMessage) (json.RawMessage, error) {
			return json.RawMessage(fmt.Sprintf(`{"got":%s}`, payload)), nil
		},
		"reject": func(context.Context, json.RawMessage) (json.RawMessage, error) {
			return nil, &UnsupportedContentError{MediaType: "application/zip"}
		},
		"named": func(context.Context, json.RawMessage) (json.RawMessage, error) {
			return nil, fmt.Errorf("deciding: %w", &asl.Failure{Name: "PolicyMissing", Cause: "no policy"})
		},
		"panics": func(context.Context, json.RawMessage) (json.RawMessage, error) {
			panic("handler bug")
		},
	}
	tests := []struct {
		name      string
		resource  string
		params    string
		wantOut   string
		wantError string
		wantCause string
	}{
		{
			name:     "invoke by name",
			resource: "arn:aws:states:::lambda:invoke",
			params:   `{"FunctionName":"inspect","Payload":{"key":"a"}}`,
			wantOut:  `{"ExecutedVersion":"$LATEST","Payload":{"got":{"key":"a"}},"StatusCode":200}`,
		},
		{
			name:     "invoke by function ARN with qualifier",
			resource: "arn:aws:states:::lambda:invoke",
			params:   `{"FunctionName":"arn:aws:lambda:eu-west-1:123456789012:function:inspect:live","Payload":1}`,
			wantOut:  `{"ExecutedVersion":"$LATEST","Payload":{"got":1},"StatusCode":200}`,
		},
		{
			name:     "bare function ARN",
			resource: "arn:aws:lambda:eu-west-1:123456789012:function:inspect",
			params:   `{"key":"b"}`,
			wantOut:  `{"got":{"key":"b"}}`,
		},
		{
			name:      "error type name",
			resource:  "arn:aws:states:::lambda:invoke",
			params:    `{"FunctionName":"reject","Payload":{}}`,
			wantError: "UnsupportedContentError",
			wantCause: `{"errorMessage":"unsupported media type application/zip","errorType":"UnsupportedContentError"}`,
		},
		{
			name:      "wrapped failure keeps its name",
			resource:  "arn:aws:states:::lambda:invoke",
			params:    `{"FunctionName":"named","Payload":{}}`,
			wantError: "PolicyMissing",
			wantCause: `{"errorMessage":"no policy","errorType":"PolicyMissing"}`,
		},
		{
			name:      "unknown function",
			resource:  "arn:aws:states:::lambda:invoke",
			params:    `{"FunctionName":"nope","Payload":{}}`,
			wantError: "Lambda.ResourceNotFoundException",
		},
		{
			name:      "panic is recovered",
			resource:  "arn:aws:states:::lambda:invoke",
			params:    `{"FunctionName":"panics","Payload":{}}`,
			wantError: "Runtime.Panic",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var input any
			require.NoError(t, json.Unmarshal([]byte(tt.params), &input))
			out, err := functions.RunTask(context.Background(), asl.TaskRequest{State: "S", Resource: tt.resource, Input: input})

			if tt.wantError == "" {
				require.NoError(t, err)
				raw, err := json.Marshal(out)
				require.NoError(t, err)
				assert.JSONEq(t, tt.wantOut, string(raw))
				return
			}
			var f *asl.Failure
			require.ErrorAs(t, err, &f)
			assert.Equal(t, tt.wantError, f.Name)
			if tt.wantCause != "" {
				assert.JSONEq(t, tt.wantCause, f.Cause)
			}
		})
	}
}

func TestFunctionsInStateMachine(t *testing.T) {
	ctx := testContext(t)
	functions := asl.Functions{
		"reject": func(context.Context, json.RawMessage) (json.RawMessage, error) {
			return nil, &UnsupportedContentError{MediaType: "video/x-unknown"}
		},
	}
	def := `{"StartAt":"Inspect","States":{
	  "Inspect":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"reject","Payload.$":"$"},
	    "Catch":[{"ErrorEquals":["UnsupportedContentError"],"ResultPath":"$.error","Next":"Unsupported"}],"End":true},
	  "Unsupported":{"Type":"Pass","End":true}}}`
	e, _, err := asl.Run(ctx, []byte(def), json.RawMessage(`{"key":"k"}`), functions)
	require.NoError(t, err)
	assert.Equal(t, asl.StatusSucceeded, e.Status)
	assert.JSONEq(t, `{"key":"k","error":{"Error":"UnsupportedContentError","Cause":"{\"errorMessage\":\"unsupported media type video/x-unknown\",\"errorType\":\"UnsupportedContentError\"}"}}`, string(e.Output))
}

// A job service can finish before the function that started it returns,
// so a result sent through the token during the invoke must count.
func TestTokenAnsweredDuringInvoke(t *testing.T) {
	const definition = `{
  "StartAt": "Start job",
  "States": {
    "Start job": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "start_job", "Payload": {"task_token.$": "$$.Task.Token"}},
      "TimeoutSeconds": 5,
      "End": true
    }
  }
}`
	ctx := testContext(t)
	var r *asl.Runner
	fns := asl.Functions{"start_job": func(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
		var in struct {
			TaskToken string `json:"task_token"`
		}
		if err := json.Unmarshal(payload, &in); err != nil {
			return nil, err
		}
		if err := r.SendTaskSuccess(ctx, in.TaskToken, json.RawMessage(`{"text":"done early"}`)); err != nil {
			return nil, err
		}
		return json.RawMessage(`{"job_id":"j1"}`), nil
	}}
	r = asl.NewRunner(asl.NewMemoryStore(), fns)
	defer r.Close()

	_, err := r.Start(ctx, asl.StartInput{StateMachine: "m", Name: "e1", Definition: []byte(definition), Input: json.RawMessage(`{}`)})
	require.NoError(t, err)
	e, err := r.Wait(ctx, "e1")
	require.NoError(t, err)
	assert.Equal(t, asl.StatusSucceeded, e.Status, "error %s: %s", e.Error, e.Cause)
	assert.JSONEq(t, `{"text":"done early"}`, string(e.Output))
}
