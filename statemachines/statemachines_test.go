package statemachines

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name     string
		template string
		vars     map[string]string
		want     string
		wantErr  string
	}{
		{name: "substitutes", template: `{"a": "${x}", "b": ${n}}`, vars: map[string]string{"x": "arn", "n": "5"}, want: `{"a": "arn", "b": 5}`},
		{name: "escapes", template: `$${x} %%{y}`, vars: map[string]string{}, want: `${x} %{y}`},
		{name: "missing value", template: `${x}`, vars: map[string]string{}, wantErr: "no value for placeholder ${x}"},
		{name: "unused value", template: `plain`, vars: map[string]string{"x": "1"}, wantErr: "variables without a placeholder: x"},
		{name: "directive", template: `%{ if x }`, vars: nil, wantErr: "directive"},
		{name: "unterminated", template: `${x`, vars: nil, wantErr: "unterminated"},
		{name: "expression", template: `${x + 1}`, vars: nil, wantErr: "not a variable name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Render(tt.template, tt.vars)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestModerationPlaceholders(t *testing.T) {
	names := Placeholders(Moderation)
	assert.Contains(t, names, "review_timeout_seconds")
	assert.Contains(t, names, "inspect_function_arn")
	assert.Contains(t, names, "start_job_function_arn")
	assert.Contains(t, names, "job_timeout_seconds")

	vars := map[string]string{}
	for _, n := range names {
		vars[n] = "arn:aws:lambda:us-east-1:123456789012:function:" + n
		if strings.HasSuffix(n, "_timeout_seconds") {
			vars[n] = "3600"
		}
	}
	rendered, err := Render(Moderation, vars)
	require.NoError(t, err)
	require.True(t, json.Valid([]byte(rendered)), "rendered definition is not valid JSON")
	assert.NotContains(t, rendered, "${")
}

// Every Task state must retry transient errors and catch the rest, so that no
// object ends without an outcome.
func TestModerationTasksRetryAndCatch(t *testing.T) {
	vars := map[string]string{}
	for _, n := range Placeholders(Moderation) {
		vars[n] = "1"
	}
	rendered, err := Render(Moderation, vars)
	require.NoError(t, err)
	var def struct {
		States map[string]json.RawMessage
	}
	require.NoError(t, json.Unmarshal([]byte(rendered), &def))

	var walk func(prefix string, states map[string]json.RawMessage, inBranch bool)
	walk = func(prefix string, states map[string]json.RawMessage, inBranch bool) {
		for name, raw := range states {
			var s struct {
				Type     string
				Retry    []json.RawMessage
				Catch    []json.RawMessage
				Branches []struct{ States map[string]json.RawMessage }
			}
			require.NoError(t, json.Unmarshal(raw, &s))
			switch s.Type {
			case "Task":
				assert.NotEmpty(t, s.Retry, "%s%s has no Retry", prefix, name)
				if !inBranch {
					assert.NotEmpty(t, s.Catch, "%s%s has no Catch", prefix, name)
				}
			case "Parallel":
				assert.NotEmpty(t, s.Catch, "%s%s has no Catch", prefix, name)
				for i, b := range s.Branches {
					walk(prefix+name+"/"+strings.Repeat("#", i+1)+"/", b.States, true)
				}
			}
		}
	}
	walk("", def.States, false)
}

// Retry must match only errors that a later attempt can fix: the named
// TransientError and the Lambda service's own faults. Access, content and
// not-found errors go straight to Catch, and every Retry is bounded, so
// no error is retried forever.
func TestModerationRetriesOnlyTransientErrors(t *testing.T) {
	vars := map[string]string{}
	for _, n := range Placeholders(Moderation) {
		vars[n] = "1"
	}
	rendered, err := Render(Moderation, vars)
	require.NoError(t, err)
	var def struct {
		States map[string]json.RawMessage
	}
	require.NoError(t, json.Unmarshal([]byte(rendered), &def))

	retryable := map[string]bool{
		"TransientError":                  true,
		"Lambda.ServiceException":         true,
		"Lambda.AWSLambdaException":       true,
		"Lambda.SdkClientException":       true,
		"Lambda.TooManyRequestsException": true,
	}
	retries := 0
	var walk func(prefix string, states map[string]json.RawMessage)
	walk = func(prefix string, states map[string]json.RawMessage) {
		for name, raw := range states {
			var s struct {
				Retry []struct {
					ErrorEquals []string
					MaxAttempts *int
				}
				Branches []struct{ States map[string]json.RawMessage }
			}
			require.NoError(t, json.Unmarshal(raw, &s))
			for _, r := range s.Retry {
				retries++
				for _, e := range r.ErrorEquals {
					assert.True(t, retryable[e], "%s%s retries %s", prefix, name, e)
				}
				require.NotNil(t, r.MaxAttempts, "%s%s retries without MaxAttempts, which defaults to 3", prefix, name)
				assert.LessOrEqual(t, *r.MaxAttempts, 10, "%s%s", prefix, name)
				assert.Positive(t, *r.MaxAttempts, "%s%s", prefix, name)
			}
			for i, b := range s.Branches {
				walk(prefix+name+"/"+strings.Repeat("#", i+1)+"/", b.States)
			}
		}
	}
	walk("", def.States)
	assert.Positive(t, retries)
}
