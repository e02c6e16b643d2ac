package terraformtest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLambdaRuntimeEmulation invokes functions through the moto launcher's
// Lambda Runtime API emulation: the decide function for a result, a
// handler error, an asynchronous invocation and an exit on its cold start,
// and a script runtime for the API's headers, an init error and a timeout.
func TestLambdaRuntimeEmulation(t *testing.T) {
	moto := startMoto(t)
	cfg := moto.config()
	ctx := context.Background()

	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, "decide"), "./functions/decide")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "building decide: %s", out)
	pkg := filepath.Join(dir, "decide.zip")
	require.NoError(t, zipBootstrap(filepath.Join(dir, "decide"), pkg))
	code, err := os.ReadFile(pkg)
	require.NoError(t, err)

	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("runtime-test"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`),
	})
	require.NoError(t, err)
	client := lambda.NewFromConfig(cfg)
	create := func(name string, env map[string]string) {
		_, err := client.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name),
			Runtime:      lambdatypes.RuntimeProvidedal2023,
			Handler:      aws.String("bootstrap"),
			Role:         role.Role.Arn,
			Code:         &lambdatypes.FunctionCode{ZipFile: code},
			Timeout:      aws.Int32(10),
			Environment:  &lambdatypes.Environment{Variables: env},
		})
		require.NoError(t, err, "creating %s", name)
	}
	create("decide", nil)
	create("decide-broken", map[string]string{"POLICY_JSON": "{"})

	t.Run("result", func(t *testing.T) {
		for range 2 {
			out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("decide"), Payload: []byte(`{"analysis":[]}`)})
			require.NoError(t, err)
			require.Empty(t, aws.ToString(out.FunctionError), "%s", out.Payload)
			var decision struct {
				Verdict string `json:"verdict"`
			}
			require.NoError(t, json.Unmarshal(out.Payload, &decision), "%s", out.Payload)
			assert.Equal(t, "approved", decision.Verdict, "nothing scored, nothing to hold back")
		}
	})

	t.Run("handler error", func(t *testing.T) {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("decide"), Payload: []byte(`{"analysis":"not a list"}`)})
		require.NoError(t, err)
		assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
		var failure struct {
			ErrorType    string `json:"errorType"`
			ErrorMessage string `json:"errorMessage"`
		}
		require.NoError(t, json.Unmarshal(out.Payload, &failure), "%s", out.Payload)
		assert.NotEmpty(t, failure.ErrorType)
		assert.NotEmpty(t, failure.ErrorMessage)
	})

	t.Run("asynchronous", func(t *testing.T) {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{
			FunctionName:   aws.String("decide"),
			InvocationType: lambdatypes.InvocationTypeEvent,
			Payload:        []byte(`{"analysis":[]}`),
		})
		require.NoError(t, err)
		assert.Equal(t, int32(202), out.StatusCode)
	})

	t.Run("runtime API", func(t *testing.T) { checkRuntimeAPI(t, client, role.Role.Arn) })

	t.Run("exit on cold start", func(t *testing.T) {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("decide-broken"), Payload: []byte(`{}`)})
		require.NoError(t, err)
		assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
		assert.Contains(t, string(out.Payload), "Runtime.ExitError")
	})
}

// scriptBootstrap is a custom runtime in Python that calls the Runtime API
// directly, so that the test controls what the function sends. With MODE
// "echo" it returns the event with the invocation headers, "init-error"
// reports an init error, and "sleep" outlasts the function's timeout.
const scriptBootstrap = `#!/usr/bin/env python3
import json, os, time, urllib.request

api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
mode = os.environ.get("MODE", "echo")

def post(path, body):
    req = urllib.request.Request(api + path, data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(req).read()

if mode == "init-error":
    post("/init/error", {"errorType": "Runtime.ConfigError", "errorMessage": "MODE=init-error"})
    raise SystemExit(1)

while True:
    with urllib.request.urlopen(api + "/invocation/next") as resp:
        request_id = resp.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(resp.read())
        headers = {k: resp.headers[k] for k in ("Lambda-Runtime-Deadline-Ms", "Lambda-Runtime-Invoked-Function-Arn")}
    if mode == "sleep":
        time.sleep(5)
    post("/invocation/" + request_id + "/response", {
        "event": event,
        "headers": headers,
        "endpoint": os.environ.get("AWS_ENDPOINT_URL", ""),
        "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""),
    })
`

// checkRuntimeAPI runs scriptBootstrap in three functions and checks the
// invocation headers and environment, an init error and a timeout.
func checkRuntimeAPI(t *testing.T, client *lambda.Client, role *string) {
	ctx := context.Background()
	dir := t.TempDir()
	script := filepath.Join(dir, "bootstrap")
	require.NoError(t, os.WriteFile(script, []byte(scriptBootstrap), 0o755))
	pkg := filepath.Join(dir, "script.zip")
	require.NoError(t, zipBootstrap(script, pkg))
	code, err := os.ReadFile(pkg)
	require.NoError(t, err)
	for _, mode := range []string{"echo", "init-error", "sleep"} {
		_, err := client.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String("script-" + mode),
			Runtime:      lambdatypes.RuntimeProvidedal2023,
			Handler:      aws.String("bootstrap"),
			Role:         role,
			Code:         &lambdatypes.FunctionCode{ZipFile: code},
			Timeout:      aws.Int32(1),
			Environment:  &lambdatypes.Environment{Variables: map[string]string{"MODE": mode}},
		})
		require.NoError(t, err, "creating script-%s", mode)
	}

	out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("script-echo"), Payload: []byte(`{"n":1}`)})
	require.NoError(t, err)
	require.Empty(t, aws.ToString(out.FunctionError), "%s", out.Payload)
	var echo struct {
		Event    map[string]int    `json:"event"`
		Headers  map[string]string `json:"headers"`
		Endpoint string            `json:"endpoint"`
		Function string            `json:"function"`
	}
	require.NoError(t, json.Unmarshal(out.Payload, &echo), "%s", out.Payload)
	assert.Equal(t, 1, echo.Event["n"], "the function gets the event")
	assert.Contains(t, echo.Headers["Lambda-Runtime-Invoked-Function-Arn"], ":function:script-echo")
	assert.NotEmpty(t, echo.Headers["Lambda-Runtime-Deadline-Ms"])
	assert.True(t, strings.HasPrefix(echo.Endpoint, "http://127.0.0.1:"), "AWS_ENDPOINT_URL points at moto, not %q", echo.Endpoint)
	assert.Equal(t, "script-echo", echo.Function)

	out, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("script-init-error"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
	assert.Contains(t, string(out.Payload), "Runtime.ConfigError", "the init error the function reported")

	out, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("script-sleep"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
	assert.Contains(t, string(out.Payload), "Task timed out")
}
