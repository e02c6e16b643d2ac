// Package terraformtest applies terraform/examples/complete with Terratest,
// against a moto server on 127.0.0.1 by default or against a real AWS
// account when MODERATO_TEST_AWS=1, asserts the deployed state through SDK
// clients, checks that a second plan is empty, and destroys the stack.
package terraformtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/gruntwork-io/terratest/modules/terraform"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/test/browser"
)

// stack is the applied example: its outputs and SDK clients for the
// account it lives in.
type stack struct {
	name    string
	outputs map[string]any
	policy  []byte
	cfg     aws.Config
	// moto is the moto server's endpoint, empty against real AWS.
	moto string
	// issuer signs the moderators' tokens for the review API's JWT
	// authorizer in the moto stack; nil against real AWS, where the API
	// keeps SigV4 authorization.
	issuer *browser.Issuer
}

// TestCompleteExampleMoto applies the complete example to a moto server
// that the test starts on 127.0.0.1.
func TestCompleteExampleMoto(t *testing.T) {
	testCompleteExample(t, false)
}

// TestCompleteExampleAWS applies the complete example to the AWS account of
// the caller's credentials, under a unique name, and destroys it again.
func TestCompleteExampleAWS(t *testing.T) {
	if os.Getenv("MODERATO_TEST_AWS") != "1" {
		t.Skip("set MODERATO_TEST_AWS=1 with AWS credentials (and optionally AWS_REGION, default eu-west-1) to apply the complete example to a real account; it creates billable resources and destroys them at the end")
	}
	testCompleteExample(t, true)
}

func testCompleteExample(t *testing.T, realAWS bool) {
	if testing.Short() {
		t.Skip("the Terraform apply test takes minutes: run it without -short")
	}
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Skip("terraform is not installed: install Terraform 1.7 or newer (https://developer.hashicorp.com/terraform/install) to run the apply test")
	}
	root := repoRoot(t)

	work := t.TempDir()
	require.NoError(t, copyTree(filepath.Join(root, "terraform"), filepath.Join(work, "terraform")))
	require.NoError(t, copyTree(filepath.Join(root, "statemachines"), filepath.Join(work, "statemachines")))
	exampleDir := filepath.Join(work, "terraform", "examples", "complete")
	packageDir := filepath.Join(work, "packages")
	require.NoError(t, os.MkdirAll(packageDir, 0o755))

	s := &stack{name: "moderato"}
	region := motoRegion
	if realAWS {
		region = envOr("AWS_REGION", "eu-west-1")
		// A unique name keeps parallel runs and leftovers of a failed run
		// apart in a shared account.
		s.name = "mt-" + randomHex(t, 4)
		cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(region))
		require.NoError(t, err, "loading AWS credentials for MODERATO_TEST_AWS=1")
		s.cfg = cfg
		buildPackages(t, root, packageDir, "linux", "arm64")
	} else {
		// The review API authorizes moderators with JWTs from an issuer of
		// the test, so that the review page can sign in as a browser would.
		s.issuer = browser.NewIssuer(t)
		moto := startMoto(t, motoFunctionEnv(t)...)
		s.cfg = moto.config()
		s.moto = moto.endpoint
		require.NoError(t, os.WriteFile(filepath.Join(exampleDir, "moto_override.tf"), []byte(motoProviderOverride(moto.endpoint)), 0o644))
		// moto runs the functions as processes of this machine (see
		// lambda_runtime.py), so the packages hold the host's build, which
		// also shares the compilation cache with go test.
		buildPackages(t, root, packageDir, runtime.GOOS, runtime.GOARCH)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("moto log tail:\n%s", moto.tail(6000))
				t.Logf("function logs:\n%s", moto.functionLogs(20000))
			}
		})
	}

	policy, err := os.ReadFile(filepath.Join(exampleDir, "policy.json"))
	require.NoError(t, err)
	s.policy = policy

	opts := &terraform.Options{
		TerraformDir: exampleDir,
		Vars: map[string]any{
			"name":                     s.name,
			"region":                   region,
			"package_dir":              packageDir,
			"force_destroy":            true,
			"kms_deletion_window_days": 7,
		},
		EnvVars: map[string]string{
			"TF_CLI_CONFIG_FILE": cliConfigFile(root),
			"TF_IN_AUTOMATION":   "1",
		},
		NoColor: true,
	}

	// Destroy runs even when an assertion fails, and then checks that
	// nothing the stack created is left.
	defer func() {
		start := time.Now()
		terraform.Destroy(t, opts)
		t.Logf("destroy took %s", time.Since(start).Round(time.Second))
		assertNothingLeft(t, s)
	}()

	if s.issuer != nil {
		opts.Vars["review_jwt"] = map[string]any{"issuer": s.issuer.URL, "audience": []string{reviewAudience}}
	}

	start := time.Now()
	terraform.InitAndApply(t, opts)
	t.Logf("apply took %s", time.Since(start).Round(time.Second))
	s.outputs = terraform.OutputAll(t, opts)

	t.Run("buckets", func(t *testing.T) { checkBuckets(t, s) })
	t.Run("rule and targets", func(t *testing.T) { checkRule(t, s) })
	t.Run("queues and redrive", func(t *testing.T) { checkQueues(t, s) })
	t.Run("state machine", func(t *testing.T) { checkStateMachine(t, s) })
	t.Run("functions", func(t *testing.T) { checkFunctions(t, s) })
	t.Run("tables", func(t *testing.T) { checkTables(t, s) })
	t.Run("job wiring", func(t *testing.T) { checkJobWiring(t, s) })
	t.Run("reminder schedule", func(t *testing.T) { checkReminderSchedule(t, s) })
	t.Run("alarms", func(t *testing.T) { checkAlarms(t, s) })
	t.Run("iam coverage", func(t *testing.T) { checkIAMCoverage(t, s, root) })
	if !realAWS {
		t.Run("pipeline end to end", func(t *testing.T) { checkPipeline(t, s) })
	}

	t.Run("second plan is empty", func(t *testing.T) {
		start := time.Now()
		code := terraform.PlanExitCode(t, opts)
		t.Logf("plan took %s", time.Since(start).Round(time.Second))
		assert.Equal(t, 0, code, "a plan right after apply must show no changes (exit code 2 means changes)")
	})
}

func checkBuckets(t *testing.T, s *stack) {
	ctx := context.Background()
	client := s3.NewFromConfig(s.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	key := stringOutput(t, s, "kms_key_arn")
	ingest := stringOutput(t, s, "ingest_bucket")
	buckets := []string{ingest}
	for _, b := range mapOutput(t, s, "output_buckets") {
		buckets = append(buckets, b.(string))
	}
	require.Len(t, buckets, 5, "ingest plus approved, quarantine, redacted and work")

	for _, bucket := range buckets {
		versioning, err := client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
		require.NoError(t, err, bucket)
		assert.Equal(t, s3types.BucketVersioningStatusEnabled, versioning.Status, "%s: versioning", bucket)

		enc, err := client.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: &bucket})
		require.NoError(t, err, bucket)
		require.NotEmpty(t, enc.ServerSideEncryptionConfiguration.Rules, bucket)
		def := enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault
		assert.Equal(t, s3types.ServerSideEncryptionAwsKms, def.SSEAlgorithm, "%s: SSE-KMS", bucket)
		assert.Equal(t, key, aws.ToString(def.KMSMasterKeyID), "%s: the module's key", bucket)

		block, err := client.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &bucket})
		require.NoError(t, err, bucket)
		c := block.PublicAccessBlockConfiguration
		assert.True(t, aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.RestrictPublicBuckets), "%s: public access blocked", bucket)

		policy, err := client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &bucket})
		require.NoError(t, err, bucket)
		assert.Contains(t, aws.ToString(policy.Policy), "aws:SecureTransport", "%s: TLS-only policy", bucket)
	}

	notification, err := client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: &ingest})
	require.NoError(t, err)
	assert.NotNil(t, notification.EventBridgeConfiguration, "the ingest bucket must send its events to EventBridge")

	// The review page fetches previews from presigned URLs of these
	// buckets, from the API's origin.
	origin := strings.TrimSuffix(stringOutput(t, s, "review_api_url"), "/")
	for _, role := range []string{"redacted", "work"} {
		bucket := mapOutput(t, s, "output_buckets")[role].(string)
		cors, err := client.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: &bucket})
		require.NoError(t, err, bucket)
		require.Len(t, cors.CORSRules, 1, bucket)
		assert.Equal(t, []string{origin}, cors.CORSRules[0].AllowedOrigins, "%s: CORS origin", bucket)
		assert.Equal(t, []string{"GET"}, cors.CORSRules[0].AllowedMethods, "%s: CORS methods", bucket)
	}
}

func checkRule(t *testing.T, s *stack) {
	ctx := context.Background()
	client := eventbridge.NewFromConfig(s.cfg)
	ruleName := s.name + "-object-created"

	rule, err := client.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: &ruleName})
	require.NoError(t, err)
	var pattern struct {
		Source     []string `json:"source"`
		DetailType []string `json:"detail-type"`
		Detail     struct {
			Bucket struct {
				Name []string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key []struct {
					Prefix string `json:"prefix"`
				} `json:"key"`
			} `json:"object"`
			Reason []string `json:"reason"`
		} `json:"detail"`
	}
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(rule.EventPattern)), &pattern))
	assert.Equal(t, []string{"aws.s3"}, pattern.Source)
	assert.Equal(t, []string{"Object Created"}, pattern.DetailType)
	assert.Equal(t, []string{stringOutput(t, s, "ingest_bucket")}, pattern.Detail.Bucket.Name)
	var prefixes []string
	for _, k := range pattern.Detail.Object.Key {
		prefixes = append(prefixes, k.Prefix)
	}
	assert.ElementsMatch(t, []string{"uploads/", "inbox/"}, prefixes)
	assert.Empty(t, pattern.Detail.Reason, "every Object Created reason must match, multipart uploads and copies included")

	targets, err := client.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: &ruleName})
	require.NoError(t, err)
	require.Len(t, targets.Targets, 1)
	target := targets.Targets[0]
	assert.Equal(t, queueARN(s, s.name+"-intake"), aws.ToString(target.Arn))
	require.NotNil(t, target.DeadLetterConfig)
	assert.Equal(t, queueARN(s, s.name+"-events-dlq"), aws.ToString(target.DeadLetterConfig.Arn))
}

func checkQueues(t *testing.T, s *stack) {
	ctx := context.Background()
	client := sqs.NewFromConfig(s.cfg)
	key := stringOutput(t, s, "kms_key_arn")

	intake, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(stringOutput(t, s, "intake_queue_url")),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	require.NoError(t, err)
	var redrive struct {
		DeadLetterTargetARN string `json:"deadLetterTargetArn"`
		MaxReceiveCount     int    `json:"maxReceiveCount"`
	}
	require.NoError(t, json.Unmarshal([]byte(intake.Attributes["RedrivePolicy"]), &redrive))
	assert.Equal(t, queueARN(s, s.name+"-intake-dlq"), redrive.DeadLetterTargetARN)
	assert.Equal(t, 3, redrive.MaxReceiveCount)
	assert.Equal(t, key, intake.Attributes["KmsMasterKeyId"], "EventBridge can deliver only to a queue under a customer managed key")
	assert.Equal(t, "180", intake.Attributes["VisibilityTimeout"])
	assert.Contains(t, intake.Attributes["Policy"], "events.amazonaws.com")

	for role, url := range mapOutput(t, s, "dead_letter_queue_urls") {
		attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl:       aws.String(url.(string)),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
		})
		require.NoError(t, err, role)
		assert.Equal(t, key, attrs.Attributes["KmsMasterKeyId"], "%s dead-letter queue encryption", role)
		assert.Equal(t, "1209600", attrs.Attributes["MessageRetentionPeriod"], "%s dead-letter queue keeps messages 14 days", role)
	}

	// moto ignores the FunctionName filter, so the mapping is found by its
	// queue.
	mappings, err := lambda.NewFromConfig(s.cfg).ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{
		EventSourceArn: aws.String(queueARN(s, s.name+"-intake")),
	})
	require.NoError(t, err)
	require.Len(t, mappings.EventSourceMappings, 1)
	m := mappings.EventSourceMappings[0]
	assert.True(t, strings.HasSuffix(aws.ToString(m.FunctionArn), ":function:"+s.name+"-starter"), "the intake queue triggers the starter, not %s", aws.ToString(m.FunctionArn))
	assert.Equal(t, int32(5), aws.ToInt32(m.BatchSize))
}

func checkStateMachine(t *testing.T, s *stack) {
	ctx := context.Background()
	arn := stringOutput(t, s, "state_machine_arn")
	sm, err := sfn.NewFromConfig(s.cfg).DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: &arn})
	require.NoError(t, err)
	assert.Equal(t, "STANDARD", string(sm.Type), "only Standard workflows can wait for a task token")

	definition := aws.ToString(sm.Definition)
	assert.NotContains(t, definition, "${", "every placeholder must be rendered")
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(definition), &doc))

	functions := mapOutput(t, s, "function_names")
	resources := map[string]bool{}
	collectTaskFunctions(doc, resources)
	require.NotEmpty(t, resources)
	for resource := range resources {
		name := resource[strings.LastIndex(resource, ":")+1:]
		found := false
		for _, fn := range functions {
			found = found || fn == name
		}
		assert.True(t, found, "task resource %s names a deployed function", resource)
	}

	states := doc["States"].(map[string]any)
	wait := states["Wait for review"].(map[string]any)
	assert.EqualValues(t, 172800, wait["TimeoutSeconds"], "the review wait times out after review.timeout_seconds")
	escalated, ok := states["Wait for escalated review"].(map[string]any)
	require.True(t, ok, "the definition has the escalated review wait")
	assert.Equal(t, "$.decision.escalation.timeout_seconds", escalated["TimeoutSecondsPath"], "the escalated wait reads the policy's escalation timeout")
}

// collectTaskFunctions adds the function ARN of every Task state under node,
// branches included.
func collectTaskFunctions(node any, into map[string]bool) {
	switch v := node.(type) {
	case map[string]any:
		if v["Type"] == "Task" {
			if res, _ := v["Resource"].(string); strings.Contains(res, ":function:") {
				into[res] = true
			}
			if params, ok := v["Parameters"].(map[string]any); ok {
				if fn, _ := params["FunctionName"].(string); fn != "" {
					into[fn] = true
				}
			}
		}
		for _, child := range v {
			collectTaskFunctions(child, into)
		}
	case []any:
		for _, child := range v {
			collectTaskFunctions(child, into)
		}
	}
}

func checkFunctions(t *testing.T, s *stack) {
	ctx := context.Background()
	client := lambda.NewFromConfig(s.cfg)
	functions := mapOutput(t, s, "function_names")
	require.Contains(t, functions, "starter")
	require.Contains(t, functions, "review_api")

	for key, name := range functions {
		out, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name.(string))})
		require.NoError(t, err, key)
		c := out.Configuration
		assert.Equal(t, "provided.al2023", string(c.Runtime), key)
		assert.Equal(t, "bootstrap", aws.ToString(c.Handler), key)
		assert.Equal(t, []string{"arm64"}, architectures(c.Architectures), key)
		require.NotNil(t, c.TracingConfig, key)
		assert.Equal(t, "Active", string(c.TracingConfig.Mode), "%s: X-Ray tracing", key)
		assert.Equal(t, stringOutput(t, s, "kms_key_arn"), aws.ToString(c.KMSKeyArn), "%s: environment encrypted with the module's key", key)
		require.NotNil(t, c.LoggingConfig, key)
		assert.Equal(t, "JSON", string(c.LoggingConfig.LogFormat), key)
	}

	env := func(fn string) map[string]string {
		out, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(s.name + "-" + fn)})
		require.NoError(t, err, fn)
		require.NotNil(t, out.Environment, fn)
		return out.Environment.Variables
	}
	assert.Equal(t, stringOutput(t, s, "state_machine_arn"), env("starter")["STATE_MACHINE_ARN"])
	assert.JSONEq(t, string(s.policy), env("decide")["POLICY_JSON"], "decide applies the example's policy")
	tables := mapOutput(t, s, "tables")
	assert.Equal(t, tables["reviews"], env("request_review")["REVIEWS_TABLE"])
	assert.Equal(t, tables["outcomes"], env("record_outcome")["OUTCOMES_TABLE"])
	assert.Equal(t, tables["audit"], env("review_api")["AUDIT_TABLE"])
	buckets := mapOutput(t, s, "output_buckets")
	assert.Equal(t, buckets["approved"], env("record_outcome")["APPROVED_BUCKET"])
	assert.Equal(t, buckets["redacted"], env("detect_pii_text")["REDACTED_BUCKET"])
	assert.Equal(t, buckets["redacted"], env("record_outcome")["REDACTED_BUCKET"], "record_outcome publishes the redacted copies of approved items")

	// Review settings: the queue routing, the escalation audit, the page
	// link and the metric's dimension.
	assert.Equal(t, tables["audit"], env("request_review")["AUDIT_TABLE"])
	assert.JSONEq(t, `{"image": "visual", "video": "visual"}`, env("request_review")["REVIEW_QUEUES"])
	assert.Equal(t, env("request_review")["REVIEW_QUEUES"], env("review_api")["REVIEW_QUEUES"], "the API routes as request_review stores")
	assert.Equal(t, stringOutput(t, s, "review_api_url"), env("request_review")["REVIEW_PAGE_URL"], "notifications link to the review page")
	assert.Equal(t, "12h", env("review_reminders")["REMIND_AFTER"])
	assert.Equal(t, s.name+"-moderation", env("review_reminders")["STATE_MACHINE_NAME"], "the metric names the state machine the alarm watches")
	assert.Equal(t, "default", env("request_review")["DEFAULT_QUEUE"])
	assert.Equal(t, env("request_review")["DEFAULT_QUEUE"], env("review_api")["DEFAULT_QUEUE"])
	assert.Equal(t, env("request_review")["REVIEW_QUEUES"], env("review_reminders")["REVIEW_QUEUES"], "reminders group reviews by the same queues")
	assert.Equal(t, "1", env("review_api")["REVIEW_QUORUM"], "the example keeps the default quorum of one decision")
	assert.JSONEq(t, string(s.policy), env("request_review")["POLICY_JSON"], "request_review reads the policy's escalation queue and timeout")
	var escalation struct {
		Review struct {
			Escalation struct {
				Queue          string `json:"queue"`
				TimeoutSeconds int    `json:"timeout_seconds"`
			} `json:"escalation"`
		} `json:"review"`
	}
	require.NoError(t, json.Unmarshal([]byte(env("request_review")["POLICY_JSON"]), &escalation))
	assert.Equal(t, "senior", escalation.Review.Escalation.Queue, "a review that misses its deadline escalates to the senior queue")
	assert.Equal(t, 86400, escalation.Review.Escalation.TimeoutSeconds)
	assert.Equal(t, stringOutput(t, s, "review_api_url"), env("review_reminders")["REVIEW_PAGE_URL"], "reminders link to the review page")
	if s.issuer != nil {
		assert.Equal(t, "jwt", env("review_api")["AUTH_MODE"])
		assert.Equal(t, "true", env("review_api")["RESTRICT_QUEUES"], "with review_jwt, moderators see only the queues their groups grant")
		assert.Equal(t, "cognito:groups", env("review_api")["JWT_GROUPS_CLAIM"])
	} else {
		assert.Equal(t, "iam", env("review_api")["AUTH_MODE"])
		assert.Equal(t, "false", env("review_api")["RESTRICT_QUEUES"])
	}
}

// checkReminderSchedule checks that review.reminder_schedule runs the
// review_reminders function.
func checkReminderSchedule(t *testing.T, s *stack) {
	ctx := context.Background()
	client := eventbridge.NewFromConfig(s.cfg)
	name := s.name + "-review-reminders"
	rule, err := client.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: &name})
	require.NoError(t, err)
	assert.Equal(t, "rate(1 hour)", aws.ToString(rule.ScheduleExpression))
	targets, err := client.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: &name})
	require.NoError(t, err)
	require.Len(t, targets.Targets, 1)
	assert.True(t, strings.HasSuffix(aws.ToString(targets.Targets[0].Arn), ":function:"+s.name+"-review_reminders"), "the schedule invokes review_reminders, not %s", aws.ToString(targets.Targets[0].Arn))
}

func checkTables(t *testing.T, s *stack) {
	ctx := context.Background()
	client := dynamodb.NewFromConfig(s.cfg)
	tables := mapOutput(t, s, "tables")
	wantKeys := map[string]string{"outcomes": "execution", "reviews": "id", "audit": "review_id", "jobs": "job_id"}
	require.Len(t, tables, len(wantKeys))

	for role, hashKey := range wantKeys {
		name := tables[role].(string)
		out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
		require.NoError(t, err, role)
		require.NotEmpty(t, out.Table.KeySchema, role)
		assert.Equal(t, hashKey, aws.ToString(out.Table.KeySchema[0].AttributeName), "%s partition key", role)
		require.NotNil(t, out.Table.SSEDescription, role)
		assert.Equal(t, "KMS", string(out.Table.SSEDescription.SSEType), "%s encryption", role)

		backups, err := client.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: &name})
		require.NoError(t, err, role)
		pitr := backups.ContinuousBackupsDescription.PointInTimeRecoveryDescription
		require.NotNil(t, pitr, role)
		assert.Equal(t, "ENABLED", string(pitr.PointInTimeRecoveryStatus), "%s point-in-time recovery", role)

		if role == "reviews" {
			require.Len(t, out.Table.GlobalSecondaryIndexes, 1)
			assert.Equal(t, "status-created_at", aws.ToString(out.Table.GlobalSecondaryIndexes[0].IndexName))
		}
	}

	jobs := tables["jobs"].(string)
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &jobs})
	require.NoError(t, err)
	assert.Equal(t, "expires_at", aws.ToString(ttl.TimeToLiveDescription.AttributeName))
}

func checkAlarms(t *testing.T, s *stack) {
	alarms, err := describeAlarms(s, s.name+"-")
	require.NoError(t, err)
	var got []string
	for _, a := range alarms {
		got = append(got, a.name)
		assert.Equal(t, topicARN(s, s.name+"-alarms"), a.action, "%s notifies the alarm topic", a.name)
	}
	var want []string
	for _, name := range listOutput(t, s, "alarm_names") {
		want = append(want, name.(string))
	}
	sort.Strings(got)
	sort.Strings(want)
	assert.Equal(t, want, got)
	assert.Contains(t, got, s.name+"-failed-executions")
	assert.Contains(t, got, s.name+"-intake-dlq-depth")
	assert.Contains(t, got, s.name+"-oldest-pending-review")
	assert.Contains(t, got, s.name+"-starter-errors")
}

// assertNothingLeft checks that destroy removed what the stack created.
// The KMS key is only scheduled for deletion, as AWS requires.
func assertNothingLeft(t *testing.T, s *stack) {
	ctx := context.Background()
	prefix := s.name + "-"

	buckets, err := s3.NewFromConfig(s.cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	if assert.NoError(t, err) {
		for _, b := range buckets.Buckets {
			assert.False(t, strings.HasPrefix(aws.ToString(b.Name), prefix), "bucket %s left after destroy", aws.ToString(b.Name))
		}
	}

	functions, err := lambda.NewFromConfig(s.cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if assert.NoError(t, err) {
		for _, f := range functions.Functions {
			assert.False(t, strings.HasPrefix(aws.ToString(f.FunctionName), prefix), "function %s left after destroy", aws.ToString(f.FunctionName))
		}
	}

	queues, err := sqs.NewFromConfig(s.cfg).ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: &prefix})
	if assert.NoError(t, err) {
		assert.Empty(t, queues.QueueUrls, "queues left after destroy")
	}

	tables, err := dynamodb.NewFromConfig(s.cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	if assert.NoError(t, err) {
		for _, name := range tables.TableNames {
			assert.False(t, strings.HasPrefix(name, prefix), "table %s left after destroy", name)
		}
	}

	machines, err := sfn.NewFromConfig(s.cfg).ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	if assert.NoError(t, err) {
		for _, m := range machines.StateMachines {
			assert.False(t, strings.HasPrefix(aws.ToString(m.Name), prefix), "state machine %s left after destroy", aws.ToString(m.Name))
		}
	}

	alarms, err := describeAlarms(s, prefix)
	if assert.NoError(t, err) {
		assert.Empty(t, alarms, "alarms left after destroy")
	}
}

// alarm is the part of a CloudWatch alarm the test checks.
type alarm struct {
	name   string
	action string
}

// describeAlarms lists the metric alarms whose names start with prefix.
// moto 5.2.1 does not speak the CBOR protocol that the current SDK uses
// for CloudWatch, so against moto the test sends a Query request itself.
func describeAlarms(s *stack, prefix string) ([]alarm, error) {
	if s.moto == "" {
		out, err := cloudwatch.NewFromConfig(s.cfg).DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{
			AlarmNamePrefix: &prefix,
			MaxRecords:      aws.Int32(100),
		})
		if err != nil {
			return nil, err
		}
		var alarms []alarm
		for _, a := range out.MetricAlarms {
			alarms = append(alarms, alarm{name: aws.ToString(a.AlarmName), action: strings.Join(a.AlarmActions, ",")})
		}
		return alarms, nil
	}

	form := url.Values{"Action": {"DescribeAlarms"}, "Version": {"2010-08-01"}, "AlarmNamePrefix": {prefix}, "MaxRecords": {"100"}}
	req, err := http.NewRequest(http.MethodPost, s.moto+"/", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// moto routes a Query request by the service named in the signature.
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/"+motoRegion+"/monitoring/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("DescribeAlarms: HTTP %d: %s", resp.StatusCode, body)
	}
	var doc struct {
		Alarms []struct {
			Name    string   `xml:"AlarmName"`
			Actions []string `xml:"AlarmActions>member"`
		} `xml:"DescribeAlarmsResult>MetricAlarms>member"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("decoding DescribeAlarms: %w", err)
	}
	var alarms []alarm
	for _, a := range doc.Alarms {
		alarms = append(alarms, alarm{name: a.Name, action: strings.Join(a.Actions, ",")})
	}
	return alarms, nil
}

// topicARN returns the ARN of the stack's topic called name.
func topicARN(s *stack, name string) string {
	return fmt.Sprintf("arn:aws:sns:%s:%s:%s", s.cfg.Region, accountOf(s), name)
}

// queueARN returns the ARN of the stack's queue called name.
func queueARN(s *stack, name string) string {
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", s.cfg.Region, accountOf(s), name)
}

// accountOf returns the account ID, read from the state machine's ARN.
func accountOf(s *stack) string {
	arn, _ := s.outputs["state_machine_arn"].(string)
	parts := strings.Split(arn, ":")
	if len(parts) > 4 {
		return parts[4]
	}
	return motoAccount
}

func stringOutput(t *testing.T, s *stack, name string) string {
	t.Helper()
	v, ok := s.outputs[name].(string)
	require.True(t, ok, "output %s is %T, not a string", name, s.outputs[name])
	return v
}

func mapOutput(t *testing.T, s *stack, name string) map[string]any {
	t.Helper()
	v, ok := s.outputs[name].(map[string]any)
	require.True(t, ok, "output %s is %T, not a map", name, s.outputs[name])
	return v
}

func listOutput(t *testing.T, s *stack, name string) []any {
	t.Helper()
	v, ok := s.outputs[name].([]any)
	require.True(t, ok, "output %s is %T, not a list", name, s.outputs[name])
	return v
}

func architectures[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, a := range in {
		out[i] = string(a)
	}
	return out
}

// cliConfigFile returns the Terraform CLI configuration for the test: the
// caller's TF_CLI_CONFIG_FILE when it names an existing file, the
// repository's terraform/terraformrc otherwise.
func cliConfigFile(root string) string {
	if f := os.Getenv("TF_CLI_CONFIG_FILE"); f != "" {
		if _, err := os.Stat(f); err == nil {
			return f
		}
	}
	return filepath.Join(root, "terraform", "terraformrc")
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}
