package terraformtest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLambdaRuntimeEmulation invokes the decide function through the moto
// launcher's Lambda Runtime API emulation: a result, a handler error, an
// asynchronous invocation and a function that exits on its cold start.
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

	t.Run("exit on cold start", func(t *testing.T) {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("decide-broken"), Payload: []byte(`{}`)})
		require.NoError(t, err)
		assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
		assert.Contains(t, string(out.Payload), "Runtime.ExitError")
	})
}
