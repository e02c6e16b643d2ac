package terraformtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// functionARN returns the ARN of the stack's function called key.
func functionARN(t *testing.T, s *stack, key string) string {
	t.Helper()
	name, ok := mapOutput(t, s, "function_names")[key].(string)
	require.True(t, ok, "no function %s deployed", key)
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.cfg.Region, accountOf(s), name)
}

// checkJobWiring checks the long-running jobs as the complete example
// deploys them. The job states call start_job, which the state machine may
// invoke, and time out after jobs.timeout_seconds. Job completions reach
// job_callback through SNS and EventBridge, and poll_jobs runs on its
// schedule.
func checkJobWiring(t *testing.T, s *stack) {
	ctx := context.Background()
	startJob := functionARN(t, s, "start_job")
	callback := functionARN(t, s, "job_callback")
	poller := functionARN(t, s, "poll_jobs")

	arn := stringOutput(t, s, "state_machine_arn")
	sm, err := sfn.NewFromConfig(s.cfg).DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: &arn})
	require.NoError(t, err)
	var doc struct {
		States map[string]json.RawMessage
	}
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(sm.Definition)), &doc))
	jobStates := map[string]json.RawMessage{}
	for _, name := range []string{"Transcribe audio", "Detect document text"} {
		jobStates[name] = doc.States[name]
	}
	var video struct {
		Branches []struct{ States map[string]json.RawMessage }
	}
	require.NoError(t, json.Unmarshal(doc.States["Run video jobs"], &video))
	for _, b := range video.Branches {
		for name, raw := range b.States {
			if strings.Contains(string(raw), "waitForTaskToken") {
				jobStates[name] = raw
			}
		}
	}
	require.Len(t, jobStates, 4, "audio, multi-page documents and the two video jobs")
	for name, raw := range jobStates {
		var st struct {
			Resource       string
			TimeoutSeconds int
			Parameters     struct{ FunctionName string }
		}
		require.NoError(t, json.Unmarshal(raw, &st), name)
		assert.Equal(t, "arn:aws:states:::lambda:invoke.waitForTaskToken", st.Resource, name)
		assert.Equal(t, startJob, st.Parameters.FunctionName, name)
		assert.Equal(t, 7200, st.TimeoutSeconds, "%s times out after jobs.timeout_seconds", name)
	}
	assert.Contains(t, policyResources(t, s, aws.ToString(sm.RoleArn), "lambda:InvokeFunction"), startJob, "the state machine must be allowed to invoke start_job")

	env := func(fn string) map[string]string {
		out, err := lambda.NewFromConfig(s.cfg).GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(s.name + "-" + fn)})
		require.NoError(t, err, fn)
		require.NotNil(t, out.Environment, fn)
		return out.Environment.Variables
	}
	tables := mapOutput(t, s, "tables")
	topics := mapOutput(t, s, "topics")
	for _, fn := range []string{"start_job", "job_callback", "poll_jobs"} {
		vars := env(fn)
		assert.Equal(t, tables["jobs"], vars["JOBS_TABLE"], fn)
		assert.Equal(t, topics["job_completion"], vars["JOB_TOPIC_ARN"], fn)
		assert.True(t, strings.HasSuffix(vars["JOB_TOPIC_ROLE_ARN"], ":role/"+s.name+"-job-completion"), "%s: JOB_TOPIC_ROLE_ARN is %q", fn, vars["JOB_TOPIC_ROLE_ARN"])
		assert.Equal(t, "en-US", vars["TRANSCRIBE_LANGUAGE"], fn)
	}
	assert.Equal(t, "600", env("poll_jobs")["POLL_AFTER_SECONDS"])

	subs, err := sns.NewFromConfig(s.cfg).ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topics["job_completion"].(string))})
	require.NoError(t, err)
	require.Len(t, subs.Subscriptions, 1)
	assert.Equal(t, "lambda", aws.ToString(subs.Subscriptions[0].Protocol))
	assert.Equal(t, callback, aws.ToString(subs.Subscriptions[0].Endpoint))

	events := eventbridge.NewFromConfig(s.cfg)
	rule, err := events.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(s.name + "-transcribe-job-state")})
	require.NoError(t, err)
	var pattern struct {
		Source     []string `json:"source"`
		DetailType []string `json:"detail-type"`
		Detail     struct {
			Status []string `json:"TranscriptionJobStatus"`
		} `json:"detail"`
	}
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(rule.EventPattern)), &pattern))
	assert.Equal(t, []string{"aws.transcribe"}, pattern.Source)
	assert.Equal(t, []string{"Transcribe Job State Change"}, pattern.DetailType)
	assert.ElementsMatch(t, []string{"COMPLETED", "FAILED"}, pattern.Detail.Status)
	assert.Equal(t, []string{callback}, ruleTargets(t, events, s.name+"-transcribe-job-state"))

	poll, err := events.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(s.name + "-poll-jobs")})
	require.NoError(t, err)
	assert.Equal(t, "rate(5 minutes)", aws.ToString(poll.ScheduleExpression))
	assert.Equal(t, []string{poller}, ruleTargets(t, events, s.name+"-poll-jobs"))

	policy, err := lambda.NewFromConfig(s.cfg).GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(s.name + "-job_callback")})
	require.NoError(t, err)
	assert.Contains(t, aws.ToString(policy.Policy), "sns.amazonaws.com", "the job completion topic may invoke job_callback")
	assert.Contains(t, aws.ToString(policy.Policy), "events.amazonaws.com", "the Transcribe rule may invoke job_callback")
}

func ruleTargets(t *testing.T, client *eventbridge.Client, rule string) []string {
	t.Helper()
	out, err := client.ListTargetsByRule(context.Background(), &eventbridge.ListTargetsByRuleInput{Rule: &rule})
	require.NoError(t, err, rule)
	var arns []string
	for _, target := range out.Targets {
		arns = append(arns, aws.ToString(target.Arn))
	}
	return arns
}

// policyResources returns the resources that the inline policies of a role
// allow an action on.
func policyResources(t *testing.T, s *stack, roleARN, action string) []string {
	t.Helper()
	ctx := context.Background()
	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
	client := iam.NewFromConfig(s.cfg)
	names, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: &roleName})
	require.NoError(t, err)

	var resources []string
	for _, name := range names.PolicyNames {
		out, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &roleName, PolicyName: aws.String(name)})
		require.NoError(t, err)
		doc, err := url.QueryUnescape(aws.ToString(out.PolicyDocument))
		require.NoError(t, err)
		var policy struct {
			Statement []struct {
				Action   any
				Resource any
			}
		}
		require.NoError(t, json.Unmarshal([]byte(doc), &policy), "policy %s of role %s", name, roleName)
		for _, st := range policy.Statement {
			if !contains(stringList(st.Action), action) {
				continue
			}
			resources = append(resources, stringList(st.Resource)...)
		}
	}
	return resources
}

func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
