package terraformtest

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/cwmetrics"
	"github.com/moderato/moderato/internal/awsadapter/dynamostore"
	"github.com/moderato/moderato/internal/nsfw"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/internal/reviewapi"
	"github.com/moderato/moderato/internal/starter"
)

// motoFunctionEnv returns the variables set in every function that moto
// runs. moto 5.2.1 does not implement Comprehend's toxicity and PII
// detection or Rekognition's moderation, so the functions score and redact
// with the in-process engines of local mode instead. The image model cache
// is an empty directory, so that an image goes to review whether or not
// this machine has the model.
func motoFunctionEnv(t *testing.T) []string {
	return []string{"MODERATO_ENGINES=local", nsfw.CacheEnv + "=" + t.TempDir()}
}

// Moderators of the end-to-end test and their JWT groups: alice and bob
// review the default queue, where text goes, and vera the visual queue of
// images and videos.
const (
	alice        = "alice"
	bob          = "bob"
	vera         = "vera"
	defaultQueue = "moderato/queue:default"
	visualQueue  = "moderato/queue:visual"
)

// e2eTimeout bounds each wait for the pipeline. Every function invocation
// starts or reuses a local process, and one object takes a few seconds.
const e2eTimeout = 90 * time.Second

// Objects the end-to-end test uploads. The flagged text has an email
// address, which the example's policy redacts, and an insult that scores
// between the policy's review_at and reject_at for INSULT, so it needs a
// moderator.
const (
	flaggedKey  = "uploads/e2e/flagged message.txt"
	lateKey     = "uploads/e2e/late message.txt"
	flaggedText = "Contact me at jane.doe@example.com. You are a moron and a loser.\n"
	flaggedPII  = "jane.doe@example.com"
	cleanKey    = "uploads/e2e/clean.txt"
	cleanText   = "The quarterly report is attached. Thanks for the quick turnaround.\n"
	imageKey    = "uploads/e2e/picture.png"
)

// checkPipeline uploads objects into the deployed stack and follows them
// through every part of the stack, running the functions' own code. S3
// sends each event to EventBridge, and the rule delivers it to the intake
// queue. The event source mapping invokes the starter, which starts an
// execution. moto's Step Functions interpreter runs the state machine,
// whose tasks invoke the functions. The flagged object waits for review,
// so the test decides it through the review_api function and follows the
// execution to its outcome.
//
// The functions run as local processes behind the Lambda Runtime API
// emulation of moto_launcher.py (lambda_runtime.py), from the packages that
// the apply uploaded, built for this machine instead of linux/arm64.
func checkPipeline(t *testing.T, s *stack) {
	ctx := context.Background()
	s3client := s3.NewFromConfig(s.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	sfnclient := sfn.NewFromConfig(s.cfg)
	db := dynamodb.NewFromConfig(s.cfg)
	ingest := stringOutput(t, s, "ingest_bucket")
	buckets := mapOutput(t, s, "output_buckets")
	tables := mapOutput(t, s, "tables")
	machine := stringOutput(t, s, "state_machine_arn")
	outcomes := dynamostore.NewOutcomes(db, tables["outcomes"].(string))
	reviews := dynamostore.NewReviews(db, tables["reviews"].(string))

	uploads := []struct{ bucket, key, body string }{
		{ingest, flaggedKey, flaggedText},
		{ingest, lateKey, flaggedText},
		{ingest, cleanKey, cleanText},
		{ingest, imageKey, testImage(t)},
		// Neither of these may start an execution: one is outside the
		// watched prefixes, the other is in an output bucket.
		{ingest, "elsewhere/not-watched.txt", cleanText},
		{buckets["approved"].(string), "uploads/e2e/an-output.txt", cleanText},
	}
	for _, u := range uploads {
		_, err := s3client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(u.bucket),
			Key:    aws.String(u.key),
			Body:   strings.NewReader(u.body),
		})
		require.NoError(t, err, "uploading s3://%s/%s", u.bucket, u.key)
	}

	executions := waitForExecutions(t, sfnclient, machine, 4)
	require.Contains(t, executions, flaggedKey)
	require.Contains(t, executions, lateKey)
	require.Contains(t, executions, cleanKey)
	require.Contains(t, executions, imageKey)
	flagged, late, clean, picture := executions[flaggedKey], executions[lateKey], executions[cleanKey], executions[imageKey]

	t.Run("intake queue drained", func(t *testing.T) {
		assertQueueEmpty(t, s, stringOutput(t, s, "intake_queue_url"))
		for role, url := range mapOutput(t, s, "dead_letter_queue_urls") {
			assertQueueEmpty(t, s, url.(string), role+" dead-letter queue")
		}
	})

	t.Run("clean object approved", func(t *testing.T) {
		status := waitForExecutionEnd(t, sfnclient, clean)
		require.Equal(t, sfntypes.ExecutionStatusSucceeded, status)
		o := waitForOutcome(t, outcomes, clean)
		assert.Equal(t, policy.Approved, o.Verdict, "reasons: %v", o.Reasons)
		assert.Empty(t, o.PII)
		assert.Empty(t, o.ReviewID)
		require.NotNil(t, o.Destination)
		assert.Equal(t, buckets["approved"], o.Destination.Bucket)
		assert.Equal(t, cleanText, readObject(t, s3client, o.Destination.Bucket, o.Destination.Key))
	})

	var pending review.Review
	t.Run("flagged object waits for review", func(t *testing.T) {
		pending = waitForReview(t, reviews, flagged)
		assert.Equal(t, review.StatusPending, pending.Status)
		assert.Equal(t, flaggedKey, pending.Key)
		assert.NotEmpty(t, pending.TaskToken, "the review keeps the task token that resumes the execution")
		joined := strings.Join(pending.Reasons, "; ")
		assert.Contains(t, joined, "INSULT")
		assert.NotContains(t, string(pending.Details), flaggedPII, "review details never hold a PII value")

		out, err := sfnclient.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &flagged})
		require.NoError(t, err)
		assert.Equal(t, sfntypes.ExecutionStatusRunning, out.Status, "the execution waits for the decision")
		_, err = outcomes.GetOutcome(ctx, flagged)
		assert.Error(t, err, "no outcome before the decision")
	})
	require.NotEmpty(t, pending.ID, "no pending review to decide")

	t.Run("reminders publish the oldest review age", func(t *testing.T) {
		assert.Equal(t, "default", pending.Queue, "request_review stores the queue of a text item")
		checkOldestReviewMetric(t, s, reviews)
	})

	// moto has no data plane for API Gateway HTTP APIs, so the test serves
	// the deployed API through a stand-in on 127.0.0.1. The stand-in
	// verifies the moderators' JWTs as the deployed authorizer is
	// configured, and it invokes the deployed review_api function (see
	// review_front_test.go).
	front := startReviewFront(t, s)
	decisionPath := "/api/reviews/" + pending.ID + "/decision"
	aliceToken := front.token(t, alice, defaultQueue)
	veraToken := front.token(t, vera, visualQueue)

	t.Run("unauthenticated requests rejected", func(t *testing.T) { checkFrontAuthorizer(t, front) })

	t.Run("review listed by the API", func(t *testing.T) {
		resp := front.do(t, http.MethodGet, "/api/reviews?status=pending", aliceToken, "")
		require.Equal(t, http.StatusOK, resp.status, resp.body)
		assert.Contains(t, resp.body, pending.ID)
		assert.NotContains(t, resp.body, flaggedPII)
	})

	t.Run("preview is the redacted copy", func(t *testing.T) {
		resp := front.do(t, http.MethodGet, "/api/reviews/"+pending.ID+"/preview", aliceToken, "")
		require.Equal(t, http.StatusFound, resp.status, resp.body)
		// Until an approval publishes it, the redacted copy is staged in
		// the work bucket.
		location := resp.header.Get("Location")
		assert.Contains(t, location, "/"+buckets["work"].(string)+"/redacted/")
		assert.Contains(t, location, "X-Amz-Signature=")
		preview, err := http.Get(location)
		require.NoError(t, err)
		defer preview.Body.Close()
		body, err := io.ReadAll(preview.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, preview.StatusCode, "%s", body)
		assert.Contains(t, string(body), "[EMAIL]")
		assert.NotContains(t, string(body), flaggedPII)
	})

	t.Run("cross-queue moderator rejected", func(t *testing.T) {
		list := front.do(t, http.MethodGet, "/api/reviews", veraToken, "")
		require.Equal(t, http.StatusOK, list.status, list.body)
		assert.NotContains(t, list.body, pending.ID, "the visual queue's moderator does not see a text review")
		show := front.do(t, http.MethodGet, "/api/reviews/"+pending.ID, veraToken, "")
		assert.Equal(t, http.StatusForbidden, show.status, show.body)
		decide := front.do(t, http.MethodPost, decisionPath, veraToken, `{"decision":"reject","reason":"not my queue"}`)
		assert.Equal(t, http.StatusForbidden, decide.status, decide.body)
	})

	t.Run("approved through the review page", func(t *testing.T) {
		approveThroughPage(t, front, pending, aliceToken)
	})

	t.Run("decision resumes the execution", func(t *testing.T) {
		if stored, err := reviews.GetReview(ctx, pending.ID); err == nil && stored.Status == review.StatusPending {
			// The page could not run (no Chromium on this machine), so
			// the moderator decides through the API instead.
			resp := front.do(t, http.MethodPost, decisionPath, aliceToken, `{"decision":"approve","reason":"satire between colleagues"}`)
			require.Equal(t, http.StatusOK, resp.status, resp.body)
		}

		status := waitForExecutionEnd(t, sfnclient, flagged)
		require.Equal(t, sfntypes.ExecutionStatusSucceeded, status)
		o := waitForOutcome(t, outcomes, flagged)
		assert.Equal(t, policy.Approved, o.Verdict, "reasons: %v", o.Reasons)
		assert.Equal(t, pending.ID, o.ReviewID)
		assert.Equal(t, alice, o.ReviewedBy, "the reviewer is the token's subject")
		assert.Contains(t, o.PII, pipeline.TypeCount{Type: "EMAIL", Count: 1})
		require.NotNil(t, o.Destination)
		assert.Equal(t, buckets["approved"], o.Destination.Bucket)

		require.NotNil(t, o.Redacted, "an approved item with PII has a published redacted copy")
		assert.Equal(t, buckets["redacted"], o.Redacted.Bucket)
		redacted := readObject(t, s3client, o.Redacted.Bucket, o.Redacted.Key)
		assert.NotContains(t, redacted, flaggedPII, "the redacted copy holds no PII value")
		assert.Contains(t, redacted, "You are a moron", "the rest of the text is kept")

		stored, err := reviews.GetReview(ctx, pending.ID)
		require.NoError(t, err)
		assert.Equal(t, review.StatusApproved, stored.Status)
		assert.Equal(t, alice, stored.DecidedBy)
	})

	t.Run("audit trail", func(t *testing.T) {
		resp := front.do(t, http.MethodGet, "/api/reviews/"+pending.ID+"/history", aliceToken, "")
		require.Equal(t, http.StatusOK, resp.status, resp.body)
		assert.Contains(t, resp.body, `"reviewer":"alice"`)

		entries, err := dynamostore.NewAudit(db, tables["audit"].(string)).History(ctx, pending.ID)
		require.NoError(t, err)
		require.NotEmpty(t, entries, "the audit table records the decision")
		first := entries[0]
		assert.Equal(t, alice, first.Reviewer)
		assert.Equal(t, review.Approve, first.Decision)
		assert.Equal(t, review.ResultAccepted, first.Result)
		assert.Equal(t, "satire between colleagues", first.Reason)
		assert.Equal(t, "2026-12-01-complete-example", first.PolicyVersion)
		assert.Equal(t, flaggedKey, first.Key)
	})

	// The image goes to review because no image model is installed for the
	// functions, and a rejection sends it to quarantine. It is in the
	// visual queue, which alice may not decide.
	t.Run("image rejected after review", func(t *testing.T) {
		pending := waitForReview(t, reviews, picture)
		assert.Equal(t, imageKey, pending.Key)
		assert.Equal(t, "visual", pending.Queue, "request_review routes images to the example's visual queue")
		assert.Contains(t, strings.Join(pending.Reasons, "; "), "not scored")

		path := "/api/reviews/" + pending.ID + "/decision"
		outsider := front.do(t, http.MethodPost, path, aliceToken, `{"decision":"approve"}`)
		assert.Equal(t, http.StatusForbidden, outsider.status, outsider.body)
		resp := front.do(t, http.MethodPost, path, veraToken, `{"decision":"reject","reason":"not for this board"}`)
		require.Equal(t, http.StatusOK, resp.status, resp.body)
		status := waitForExecutionEnd(t, sfnclient, picture)
		require.Equal(t, sfntypes.ExecutionStatusSucceeded, status)
		o := waitForOutcome(t, outcomes, picture)
		assert.Equal(t, policy.Rejected, o.Verdict, "reasons: %v", o.Reasons)
		assert.Equal(t, vera, o.ReviewedBy)
		require.NotNil(t, o.Destination)
		assert.Equal(t, buckets["quarantine"], o.Destination.Bucket)
		assert.Nil(t, o.Redacted, "a rejected item publishes no redacted copy")
	})

	t.Run("second decision conflicts", func(t *testing.T) {
		resp := front.do(t, http.MethodPost, decisionPath, front.token(t, bob, defaultQueue), `{"decision":"reject","reason":"second thoughts"}`)
		assert.Equal(t, http.StatusConflict, resp.status, resp.body)
		assert.Contains(t, resp.body, `"decided_by":"alice"`, "the 409 carries the first decision")
		o, err := outcomes.GetOutcome(ctx, flagged)
		require.NoError(t, err)
		assert.Equal(t, policy.Approved, o.Verdict, "a second decision does not change the outcome")
	})

	t.Run("late decision gone", func(t *testing.T) { checkLateDecision(t, s, front, late) })
}

// checkLateDecision decides a review after its deadline through the front
// and expects 410. The example's review SLA is 48 hours, so the test moves
// the stored deadline of the late object's review into the past instead of
// waiting, as if the SLA had passed. Its task token stays open, so the
// check also shows that review_api refuses the decision from the deadline
// alone and leaves the execution waiting.
func checkLateDecision(t *testing.T, s *stack, front *reviewFront, execution string) {
	ctx := context.Background()
	db := dynamodb.NewFromConfig(s.cfg)
	tables := mapOutput(t, s, "tables")
	reviews := dynamostore.NewReviews(db, tables["reviews"].(string))
	pending := waitForReview(t, reviews, execution)
	assert.Equal(t, lateKey, pending.Key)

	past := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339Nano)
	_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(tables["reviews"].(string)),
		Key:                       map[string]dbtypes.AttributeValue{"id": &dbtypes.AttributeValueMemberS{Value: pending.ID}},
		UpdateExpression:          aws.String("SET deadline = :past"),
		ConditionExpression:       aws.String("attribute_exists(id)"),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":past": &dbtypes.AttributeValueMemberS{Value: past}},
	})
	require.NoError(t, err)

	resp := front.do(t, http.MethodPost, "/api/reviews/"+pending.ID+"/decision", front.token(t, alice, defaultQueue), `{"decision":"approve","reason":"too late"}`)
	assert.Equal(t, http.StatusGone, resp.status, resp.body)
	assert.Contains(t, resp.body, "expired")

	stored, err := reviews.GetReview(ctx, pending.ID)
	require.NoError(t, err)
	assert.NotEqual(t, review.StatusApproved, stored.Status, "a late decision is not recorded")
	entries, err := dynamostore.NewAudit(db, tables["audit"].(string)).History(ctx, pending.ID)
	require.NoError(t, err)
	require.Len(t, entries, 1, "the audit trail records the late attempt")
	assert.Equal(t, review.ResultExpired, entries[0].Result)
	assert.Equal(t, alice, entries[0].Reviewer)

	out, err := sfn.NewFromConfig(s.cfg).DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &execution})
	require.NoError(t, err)
	assert.Equal(t, sfntypes.ExecutionStatusRunning, out.Status, "the late decision does not resume the execution")
}

// waitForExecutions waits until the state machine has want executions and
// returns their ARNs keyed by the object key of their input. It waits a
// little longer to catch an execution that should not exist.
func waitForExecutions(t *testing.T, client *sfn.Client, machine string, want int) map[string]string {
	t.Helper()
	ctx := context.Background()
	var list []sfntypes.ExecutionListItem
	deadline := time.Now().Add(e2eTimeout)
	for time.Now().Before(deadline) {
		out, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &machine})
		require.NoError(t, err)
		list = out.Executions
		if len(list) >= want {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	out, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &machine})
	require.NoError(t, err)
	list = out.Executions
	require.Len(t, list, want, "one execution per upload under a watched prefix of the ingest bucket")

	byKey := map[string]string{}
	for _, e := range list {
		desc, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: e.ExecutionArn})
		require.NoError(t, err)
		var input starter.Event
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(desc.Input)), &input))
		assert.NotEmpty(t, input.Detail.Object.VersionID, "the ingest bucket is versioned, so the event names the version")
		byKey[input.Detail.Object.Key] = aws.ToString(e.ExecutionArn)
	}
	return byKey
}

// waitForExecutionEnd waits until the execution is no longer running and
// returns its status. A failed execution's error and cause are logged.
func waitForExecutionEnd(t *testing.T, client *sfn.Client, arn string) sfntypes.ExecutionStatus {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(e2eTimeout)
	for {
		out, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &arn})
		require.NoError(t, err)
		if out.Status != sfntypes.ExecutionStatusRunning {
			if out.Status != sfntypes.ExecutionStatusSucceeded {
				t.Logf("execution %s ended %s: %s: %s", arn, out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
			}
			return out.Status
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s still running after %s", arn, e2eTimeout)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// waitForOutcome waits for the outcome record of the execution.
func waitForOutcome(t *testing.T, store *dynamostore.Outcomes, execution string) pipeline.Outcome {
	t.Helper()
	deadline := time.Now().Add(e2eTimeout)
	for {
		o, err := store.GetOutcome(context.Background(), execution)
		if err == nil {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("no outcome for %s after %s: %v", execution, e2eTimeout, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// waitForReview waits for the pending review of the execution.
func waitForReview(t *testing.T, store *dynamostore.Reviews, execution string) review.Review {
	t.Helper()
	deadline := time.Now().Add(e2eTimeout)
	for {
		list, err := store.ListReviews(context.Background(), review.StatusPending)
		require.NoError(t, err)
		for _, r := range list {
			if r.Execution == execution {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pending review for %s after %s", execution, e2eTimeout)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// testImage returns a small PNG gradient.
func testImage(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: uint8(y * 5), B: 128, A: 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.String()
}

func readObject(t *testing.T, client *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	require.NoError(t, err, "reading s3://%s/%s", bucket, key)
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	return string(body)
}

func assertQueueEmpty(t *testing.T, s *stack, url string, msgAndArgs ...any) {
	t.Helper()
	out, err := sqs.NewFromConfig(s.cfg).GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	require.NoError(t, err)
	assert.Equal(t, "0", out.Attributes["ApproximateNumberOfMessages"], msgAndArgs...)
	assert.Equal(t, "0", out.Attributes["ApproximateNumberOfMessagesNotVisible"], msgAndArgs...)
}

// checkOldestReviewMetric runs the deployed review_reminders function as its
// schedule would, and checks that it put the age of the oldest pending
// review as the metric that the oldest-pending-review alarm watches.
func checkOldestReviewMetric(t *testing.T, s *stack, reviews *dynamostore.Reviews) {
	ctx := context.Background()
	function := s.name + "-review_reminders"
	started := time.Now().UTC()
	out, err := lambda.NewFromConfig(s.cfg).Invoke(ctx, &lambda.InvokeInput{FunctionName: &function, Payload: []byte(`{}`)})
	require.NoError(t, err, "invoking %s", function)
	require.Empty(t, aws.ToString(out.FunctionError), "%s failed: %s", function, out.Payload)
	var res reviewapi.RemindResult
	require.NoError(t, json.Unmarshal(out.Payload, &res), "decoding %s", out.Payload)
	assert.GreaterOrEqual(t, res.OldestPendingSeconds, int64(0))
	assert.Zero(t, res.Overdue, "the review is younger than the example's remind_after of 12h")

	metrics := cloudwatch.NewFromConfig(s.cfg, cwmetrics.QueryProtocol)
	stats, err := metrics.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace:  aws.String(cwmetrics.Namespace),
		MetricName: aws.String(cwmetrics.OldestPendingReviewMetric),
		Dimensions: []cwtypes.Dimension{{Name: aws.String(cwmetrics.StateMachineDimension), Value: aws.String(s.name + "-moderation")}},
		StartTime:  aws.Time(started.Add(-time.Minute)),
		EndTime:    aws.Time(time.Now().UTC().Add(time.Minute)),
		Period:     aws.Int32(60),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticMaximum},
	})
	require.NoError(t, err)
	require.Len(t, stats.Datapoints, 1, "one run puts one datapoint with the alarm's dimension")
	age := aws.ToFloat64(stats.Datapoints[0].Maximum)
	assert.EqualValues(t, res.OldestPendingSeconds, age)
	// Other reviews may be created while the function runs, but they are
	// younger than the oldest one it saw.
	list, err := reviews.ListReviews(ctx, review.StatusPending)
	require.NoError(t, err)
	require.NotEmpty(t, list)
	oldest := list[0].CreatedAt
	for _, r := range list {
		if r.CreatedAt.Before(oldest) {
			oldest = r.CreatedAt
		}
	}
	assert.LessOrEqual(t, age, time.Since(oldest).Seconds()+1, "the age is measured from the oldest review's creation")
}
