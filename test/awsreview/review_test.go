// Package awsreview runs the review flow of the AWS deployment against a
// moto server. A Step Functions execution pauses on a waitForTaskToken
// task and the review is stored in DynamoDB. Moderators then decide
// through the review API's Lambda handler, and the execution resumes.
package awsreview

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/dynamostore"
	"github.com/moderato/moderato/internal/awsadapter/mototest"
	"github.com/moderato/moderato/internal/awsadapter/reviewbackend"
	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/awsadapter/sfnexec"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/internal/reviewapi"
)

// waitDefinition is a state machine with only the review wait: it invokes
// the request_review function with the task token and pauses. moto's
// Lambda without Docker does not run the function, so the test reads the
// task token from the execution history and calls the handler itself.
const waitDefinition = `{
  "StartAt": "Wait for review",
  "States": {
    "Wait for review": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {
        "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:request_review",
        "Payload": {
          "task_token.$": "$$.Task.Token",
          "execution.$": "$$.Execution.Id",
          "item.$": "$.item",
          "decision.$": "$.decision",
          "analysis.$": "$.analysis"
        }
      },
      "TimeoutSeconds": TIMEOUT,
      "End": true
    }
  }
}`

type stack struct {
	sfn      *sfn.Client
	reviews  review.Store
	tasks    *pipeline.Tasks
	handler  func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
	stateIdx int
}

func newStack(t *testing.T) *stack {
	t.Helper()
	server := mototest.Start(t)
	server.SetConfig(t, `{"stepfunctions": {"execute_state_machine": true}, "lambda": {"use_docker": false}}`)
	cfg := server.Config()
	ctx := context.Background()

	db := dynamodb.NewFromConfig(cfg)
	require.NoError(t, dynamostore.CreateTables(ctx, db, dynamostore.TableNames{Reviews: "reviews", Audit: "audit"}))
	s := &stack{sfn: sfn.NewFromConfig(cfg), reviews: dynamostore.NewReviews(db, "reviews")}
	router := review.Router{ByMediaType: map[string]string{"text": "text"}}
	s.tasks = &pipeline.Tasks{Policy: policy.Default(), Reviews: s.reviews, Queues: router}

	backend := &reviewbackend.Backend{
		Store:     s.reviews,
		Tasks:     sfnexec.New(s.sfn, ""),
		Presigner: s3objects.NewPresigner(s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })),
	}
	svc, err := reviewapi.NewService(reviewapi.Config{
		Backend: backend,
		Audit:   dynamostore.NewAudit(db, "audit"),
		Router:  router,
	})
	require.NoError(t, err)
	auth := reviewapi.Gateway{Mode: reviewapi.ModeJWT, RestrictQueues: true}
	s.handler = reviewapi.LambdaHandler(reviewapi.NewHandler(svc, auth))
	return s
}

// pause starts an execution of a new state machine whose wait times out
// after timeout seconds, and plays the request_review function: it reads
// the task token from the history and stores the review, whose deadline is
// reviewTimeout seconds away. It returns the execution ARN and review ID.
// moto 5.2.1 fails a second StartExecution on one server, so call it once
// per stack.
func (s *stack) pause(t *testing.T, timeout, reviewTimeout int) (string, string) {
	t.Helper()
	ctx := context.Background()
	s.stateIdx++
	definition := strings.Replace(waitDefinition, "TIMEOUT", strconv.Itoa(timeout), 1)
	machine, err := s.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String("review-" + strconv.Itoa(s.stateIdx)),
		Definition: aws.String(definition),
		RoleArn:    aws.String("arn:aws:iam::123456789012:role/moderato-states"),
	})
	require.NoError(t, err)

	input := map[string]any{
		"item": pipeline.Item{Bucket: "ingest", Key: "uploads/post.txt", VersionID: "v1", MediaType: "text"},
		"decision": pipeline.Decision{Verdict: policy.Review, Reasons: []string{"PII needs review: EMAIL (1)"},
			PolicyVersion: "moto-test", OnTimeout: policy.Rejected, ReviewTimeoutSeconds: int64(reviewTimeout)},
		"analysis": []pipeline.Analysis{{Kind: "pii", Engine: "test", PII: []pipeline.TypeCount{{Type: "EMAIL", Count: 1}},
			Redacted: &objects.Location{Bucket: "redacted", Key: "uploads/post.txt"}}},
	}
	doc, err := json.Marshal(input)
	require.NoError(t, err)
	started, err := s.sfn.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: machine.StateMachineArn, Name: aws.String("item-" + strconv.Itoa(s.stateIdx)), Input: aws.String(string(doc)),
	})
	require.NoError(t, err)

	var req pipeline.ReviewRequest
	var events []sfntypes.HistoryEvent
	scheduled := func() bool {
		history, err := s.sfn.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn})
		if err != nil {
			return false
		}
		events = history.Events
		for _, e := range history.Events {
			if e.Type == sfntypes.HistoryEventTypeTaskScheduled && e.TaskScheduledEventDetails != nil {
				var params struct {
					Payload pipeline.ReviewRequest `json:"Payload"`
				}
				if json.Unmarshal([]byte(aws.ToString(e.TaskScheduledEventDetails.Parameters)), &params) == nil {
					req = params.Payload
					return req.TaskToken != ""
				}
			}
		}
		return false
	}
	// moto runs the execution in a thread of its own, which is slow on a
	// busy machine.
	if !assert.Eventually(t, scheduled, 60*time.Second, 100*time.Millisecond) {
		kinds := make([]string, 0, len(events))
		for _, e := range events {
			kinds = append(kinds, string(e.Type))
		}
		t.Fatalf("the execution never scheduled the review task; its history: %v", kinds)
	}

	out, err := s.tasks.RequestReview(ctx, req)
	require.NoError(t, err)
	return aws.ToString(started.ExecutionArn), out.ReviewID
}

func (s *stack) status(t *testing.T, execution string) sfntypes.ExecutionStatus {
	t.Helper()
	out, err := s.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execution)})
	require.NoError(t, err)
	return out.Status
}

// request sends an API Gateway event; a nil groups slice sends no
// authorizer context, as a request that no authorizer vouched for.
func (s *stack) request(t *testing.T, method, path, body, subject string, groups ...string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	ev := events.APIGatewayV2HTTPRequest{
		RawPath: path,
		Headers: map[string]string{"content-type": "application/json"},
		Body:    body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: "reviews.example.com",
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
		},
	}
	if subject != "" {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{
				"sub": subject, "cognito:groups": "[" + strings.Join(groups, " ") + "]",
			}},
		}
	}
	res, err := s.handler(context.Background(), ev)
	require.NoError(t, err)
	return res
}

func TestReviewFlowAgainstMoto(t *testing.T) {
	s := newStack(t)
	execution, id := s.pause(t, 600, 600)
	require.Equal(t, sfntypes.ExecutionStatusRunning, s.status(t, execution))
	const textQueue = "moderato/queue:text"

	unauthenticated := s.request(t, http.MethodGet, "/api/reviews", "", "")
	assert.Equal(t, http.StatusUnauthorized, unauthenticated.StatusCode)

	outsiderList := s.request(t, http.MethodGet, "/api/reviews", "", "mallory", "moderato/queue:images")
	require.Equal(t, http.StatusOK, outsiderList.StatusCode, outsiderList.Body)
	assert.NotContains(t, outsiderList.Body, id)
	outsiderDecision := s.request(t, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "reject"}`, "mallory", "moderato/queue:images")
	assert.Equal(t, http.StatusForbidden, outsiderDecision.StatusCode, outsiderDecision.Body)

	list := s.request(t, http.MethodGet, "/api/reviews", "", "alice", textQueue)
	require.Equal(t, http.StatusOK, list.StatusCode, list.Body)
	assert.Contains(t, list.Body, id, "the borderline item is in the queue")
	assert.NotContains(t, list.Body, "task_token")

	preview := s.request(t, http.MethodGet, "/api/reviews/"+id+"/preview", "", "alice", textQueue)
	require.Equal(t, http.StatusFound, preview.StatusCode, preview.Body)
	location := preview.Headers["Location"]
	assert.Contains(t, location, "/redacted/uploads/post.txt", "the preview is the redacted copy")
	assert.Contains(t, location, "X-Amz-Signature=")
	assert.Contains(t, location, "X-Amz-Expires=300")

	approve := s.request(t, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "approve", "reason": "a business address"}`, "alice", textQueue)
	require.Equal(t, http.StatusOK, approve.StatusCode, approve.Body)
	require.Eventually(t, func() bool { return s.status(t, execution) == sfntypes.ExecutionStatusSucceeded },
		60*time.Second, 100*time.Millisecond, "the execution did not complete after the approval")
	out, err := s.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execution)})
	require.NoError(t, err)
	var result pipeline.ReviewResult
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(out.Output)), &result))
	assert.Equal(t, review.Approve, result.Decision)
	assert.Equal(t, "alice", result.Reviewer, "the reviewer comes from the JWT")

	second := s.request(t, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "reject"}`, "bob", textQueue)
	assert.Equal(t, http.StatusConflict, second.StatusCode, second.Body)
	assert.Contains(t, second.Body, `"decided_by":"alice"`, "the 409 carries the first decision")

	history := s.request(t, http.MethodGet, "/api/reviews/"+id+"/history", "", "alice", textQueue)
	require.Equal(t, http.StatusOK, history.StatusCode, history.Body)
	var trail struct {
		Entries []review.Entry `json:"entries"`
	}
	require.NoError(t, json.Unmarshal([]byte(history.Body), &trail))
	require.Len(t, trail.Entries, 2)
	assert.Equal(t, "alice", trail.Entries[0].Reviewer)
	assert.Equal(t, review.ResultAccepted, trail.Entries[0].Result)
	assert.Equal(t, "moto-test", trail.Entries[0].PolicyVersion)
	assert.Equal(t, "a business address", trail.Entries[0].Reason)
	assert.Equal(t, "bob", trail.Entries[1].Reviewer)
	assert.Equal(t, review.ResultConflict, trail.Entries[1].Result)
}

func TestLateDecisionAgainstMoto(t *testing.T) {
	tests := []struct {
		name          string
		reviewTimeout int
	}{
		// The review's deadline passes together with the task's timeout.
		{"after the deadline", 1},
		// Step Functions closes the token while the stored deadline is
		// still ahead, as when the SLA variable and the policy disagree.
		{"task timed out first", 600},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// moto 5.2.1 returns HTTP 500 for a second StartExecution on one
			// server, so each case gets its own server.
			s := newStack(t)
			execution, id := s.pause(t, 1, tc.reviewTimeout)

			// A task timeout without a Catch fails the execution with
			// States.Timeout; the full state machine catches it and
			// applies the policy's on_timeout.
			require.Eventually(t, func() bool { return s.status(t, execution) != sfntypes.ExecutionStatusRunning },
				60*time.Second, 100*time.Millisecond, "the review wait did not time out")
			out, err := s.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execution)})
			require.NoError(t, err)
			require.Equal(t, sfntypes.ExecutionStatusFailed, out.Status)
			require.Equal(t, "States.Timeout", aws.ToString(out.Error))

			late := s.request(t, http.MethodPost, "/api/reviews/"+id+"/decision", `{"decision": "approve"}`, "alice", "moderato/queue:*")
			assert.Equal(t, http.StatusGone, late.StatusCode, late.Body)

			r, err := s.reviews.GetReview(context.Background(), id)
			require.NoError(t, err)
			assert.NotEqual(t, review.StatusApproved, r.Status, "a late decision is not recorded")
			history := s.request(t, http.MethodGet, "/api/reviews/"+id+"/history", "", "alice", "moderato/queue:*")
			assert.Contains(t, history.Body, `"result":"expired"`)
		})
	}
}
