package terraformtest

import (
	"context"
	"encoding/json"
	"go/parser"
	"go/token"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// iamPrefixes maps an aws-sdk-go-v2 service package to its IAM action
// prefix.
var iamPrefixes = map[string]string{
	"cloudwatch":  "cloudwatch",
	"comprehend":  "comprehend",
	"dynamodb":    "dynamodb",
	"eventbridge": "events",
	"iam":         "iam",
	"kms":         "kms",
	"rekognition": "rekognition",
	"s3":          "s3",
	"sfn":         "states",
	"sns":         "sns",
	"sqs":         "sqs",
	"textract":    "textract",
	"transcribe":  "transcribe",
}

// platformActions are allowed to every function without its code calling
// them: Lambda writes the function's logs and traces with its role.
var platformActions = map[string]bool{
	"logs:CreateLogStream":     true,
	"logs:PutLogEvents":        true,
	"xray:PutTelemetryRecords": true,
	"xray:PutTraceSegments":    true,
}

// triggerActions are allowed to a function because the service that
// triggers it calls them with the function's role: the SQS event source
// mapping receives and deletes the starter's messages.
var triggerActions = map[string]map[string]bool{
	"starter": {"sqs:ReceiveMessage": true, "sqs:DeleteMessage": true, "sqs:GetQueueAttributes": true},
}

// passRoleActions are allowed to a function that hands a role to another
// service, which checks iam:PassRole on the caller without the function
// calling IAM: start_job names the role Rekognition and Textract publish
// job completions with.
var passRoleActions = map[string]map[string]bool{
	"start_job": {"iam:PassRole": true},
}

// listActions are allowed to the functions that read the ingest bucket,
// although no API of that name is called: without s3:ListBucket, S3
// answers a request for a missing key with 403 instead of 404.
var listActions = map[string]map[string]bool{
	"starter":        {"s3:ListBucket": true},
	"inspect":        {"s3:ListBucket": true},
	"record_outcome": {"s3:ListBucket": true},
}

var actionPattern = regexp.MustCompile("`([a-z0-9-]+:[A-Za-z]+)`")

// declaredActions reads the AWS actions column of the functions table in
// functions/README.md, the list the functions' code is written against.
func declaredActions(t *testing.T, root string) map[string]map[string]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "functions", "README.md"))
	require.NoError(t, err)
	out := map[string]map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 6 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		name := strings.Trim(strings.TrimSpace(cells[1]), "`")
		actions := map[string]bool{}
		for _, m := range actionPattern.FindAllStringSubmatch(cells[4], -1) {
			actions[m[1]] = true
		}
		out[name] = actions
	}
	require.NotEmpty(t, out, "no functions table found in functions/README.md")
	return out
}

// clientServices returns the IAM prefixes of the AWS services whose SDK
// clients the function's main package builds, itself or through a
// subpackage of internal/lambdahandler (such as engines, which builds the
// AI service clients): the only services its code can call, because the
// wiring code builds every client a function uses.
func clientServices(t *testing.T, root, function string) map[string]bool {
	t.Helper()
	files := goFiles(t, filepath.Join(root, "functions", function))
	services := map[string]bool{}
	for i := 0; i < len(files); i++ {
		file := files[i]
		src, err := os.ReadFile(file)
		require.NoError(t, err)
		f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.ImportsOnly)
		require.NoError(t, err)
		aliases := map[string]string{}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			const wiring = "github.com/moderato/moderato/internal/lambdahandler/"
			if strings.HasPrefix(path, wiring) && strings.HasPrefix(file, filepath.Join(root, "functions")) {
				files = append(files, goFiles(t, filepath.Join(root, "internal", "lambdahandler", strings.TrimPrefix(path, wiring)))...)
				continue
			}
			const sdk = "github.com/aws/aws-sdk-go-v2/service/"
			if !strings.HasPrefix(path, sdk) {
				continue
			}
			pkg := strings.TrimPrefix(path, sdk)
			alias := pkg
			if imp.Name != nil {
				alias = imp.Name.Name
			}
			aliases[alias] = pkg
		}
		for alias, pkg := range aliases {
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(alias) + `\.NewFromConfig\(`).Match(src) {
				continue
			}
			prefix, ok := iamPrefixes[pkg]
			require.True(t, ok, "%s builds a %s client: add its IAM prefix to iamPrefixes", function, pkg)
			services[prefix] = true
		}
	}
	return services
}

// goFiles returns the non-test Go files of a package directory.
func goFiles(t *testing.T, dir string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var files []string
	for _, file := range matches {
		if !strings.HasSuffix(file, "_test.go") {
			files = append(files, file)
		}
	}
	return files
}

// roleActions returns the actions that the inline policies of the
// function's deployed role allow.
func roleActions(t *testing.T, s *stack, functionName string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	fn, err := lambda.NewFromConfig(s.cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: &functionName})
	require.NoError(t, err)
	roleARN := aws.ToString(fn.Configuration.Role)
	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]

	client := iam.NewFromConfig(s.cfg)
	names, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: &roleName})
	require.NoError(t, err)
	attached, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: &roleName})
	require.NoError(t, err)
	assert.Empty(t, attached.AttachedPolicies, "%s: the role must have no managed policies, whose actions no test reviews", functionName)

	actions := map[string]bool{}
	for _, name := range names.PolicyNames {
		out, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &roleName, PolicyName: aws.String(name)})
		require.NoError(t, err)
		doc, err := url.QueryUnescape(aws.ToString(out.PolicyDocument))
		require.NoError(t, err)
		var policy struct {
			Statement []struct {
				Effect string
				Action any
			}
		}
		require.NoError(t, json.Unmarshal([]byte(doc), &policy), "%s: policy %s", functionName, name)
		for _, st := range policy.Statement {
			require.Equal(t, "Allow", st.Effect)
			switch a := st.Action.(type) {
			case string:
				actions[a] = true
			case []any:
				for _, v := range a {
					actions[v.(string)] = true
				}
			}
		}
	}
	return actions
}

// checkIAMCoverage checks each deployed function's role against its code.
// The role must allow every action that functions/README.md lists for the
// function. Beyond that list it may allow only the KMS actions for
// encrypted data and what Lambda itself calls with the role. A listed
// action must belong to a service whose client the function builds.
func checkIAMCoverage(t *testing.T, s *stack, root string) {
	declared := declaredActions(t, root)
	deployed := mapOutput(t, s, "function_names")

	var notDeployed []string
	for name := range declared {
		if _, ok := deployed[name]; !ok {
			notDeployed = append(notDeployed, name)
		}
	}
	sort.Strings(notDeployed)
	if len(notDeployed) > 0 {
		t.Logf("functions listed in functions/README.md but not deployed by the module: %s", strings.Join(notDeployed, ", "))
	}

	for key, name := range deployed {
		t.Run(key, func(t *testing.T) {
			want, ok := declared[key]
			require.True(t, ok, "functions/README.md lists no actions for %s", key)
			got := roleActions(t, s, name.(string))
			services := clientServices(t, root, key)

			for action := range want {
				assert.True(t, got[action], "%s calls %s, which its role does not allow", key, action)
				service := action[:strings.Index(action, ":")]
				if service != "kms" && !triggerActions[key][action] && !passRoleActions[key][action] {
					assert.True(t, services[service], "%s lists %s, but its main package builds no %s client", key, action, service)
				}
			}

			for action := range got {
				service := action[:strings.Index(action, ":")]
				switch {
				case want[action], platformActions[action], triggerActions[key][action], listActions[key][action]:
				case service == "kms" && (action == "kms:Decrypt" || action == "kms:GenerateDataKey"):
					// Reading and writing SSE-KMS objects, items and messages
					// needs the key, with the caller's role.
					assert.NotEmpty(t, services, "%s calls no AWS service but may use the KMS key", key)
				default:
					t.Errorf("%s's role allows %s, which its code does not call", key, action)
				}
			}
		})
	}
}
