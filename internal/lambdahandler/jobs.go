package lambdahandler

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awsrekognition "github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	awstextract "github.com/aws/aws-sdk-go-v2/service/textract"
	awstranscribe "github.com/aws/aws-sdk-go-v2/service/transcribe"

	"github.com/moderato/moderato/internal/awsadapter/dynamostore"
	"github.com/moderato/moderato/internal/awsadapter/rekognition"
	"github.com/moderato/moderato/internal/awsadapter/s3objects"
	"github.com/moderato/moderato/internal/awsadapter/sfnexec"
	"github.com/moderato/moderato/internal/awsadapter/textract"
	"github.com/moderato/moderato/internal/awsadapter/transcribe"
	"github.com/moderato/moderato/internal/jobs"
)

// JobClients are the AWS clients of the job functions. Each function's
// main package builds them, as every function builds its own clients, so
// the services a function calls show in its imports.
type JobClients struct {
	Rekognition   *awsrekognition.Client
	Transcribe    *awstranscribe.Client
	Textract      *awstextract.Client
	S3            *s3.Client
	DynamoDB      *dynamodb.Client
	StepFunctions *sfn.Client
}

// JobManager builds the job manager that the start_job, job_callback and
// poll_jobs functions share, from JOBS_TABLE, WORK_BUCKET, JOB_TOPIC_ARN,
// JOB_TOPIC_ROLE_ARN and TRANSCRIBE_LANGUAGE. JOB_TOPIC_ARN is the SNS
// topic that Rekognition Video and Textract publish completions to, and
// JOB_TOPIC_ROLE_ARN the role they assume to publish. TRANSCRIBE_LANGUAGE
// defaults to "en-US"; "auto" lets Transcribe identify the language, which
// rules out its PII redaction.
func (e *Env) JobManager(c JobClients) *jobs.Manager {
	table := e.Require("JOBS_TABLE")
	work := e.Require("WORK_BUCKET")
	topic := e.Require("JOB_TOPIC_ARN")
	role := e.Require("JOB_TOPIC_ROLE_ARN")
	language := e.Optional("TRANSCRIBE_LANGUAGE", "en-US")
	if language == "auto" {
		language = ""
	}

	store := s3objects.New(c.S3)
	return &jobs.Manager{
		Tokens: dynamostore.NewJobTokens(c.DynamoDB, table),
		Tasks:  jobTasks{sfnexec.New(c.StepFunctions, "")},
		Engines: map[jobs.Kind]jobs.Engine{
			jobs.VideoModeration: &rekognition.VideoModerator{API: c.Rekognition, TopicARN: topic, RoleARN: role},
			jobs.Transcription:   &transcribe.Transcriber{API: c.Transcribe, Objects: store, WorkBucket: work, LanguageCode: language},
			jobs.DocumentText:    &textract.DocumentText{API: c.Textract, Objects: store, WorkBucket: work, TopicARN: topic, RoleARN: role},
		},
	}
}

// jobTasks reports a task token that no longer takes a result as
// jobs.ErrTaskClosed.
type jobTasks struct{ client *sfnexec.Client }

func (t jobTasks) SendTaskSuccess(ctx context.Context, token string, output []byte) error {
	return closedTask(t.client.SendTaskSuccess(ctx, token, output))
}

func (t jobTasks) SendTaskFailure(ctx context.Context, token, name, cause string) error {
	return closedTask(t.client.SendTaskFailure(ctx, token, name, cause))
}

func closedTask(err error) error {
	if errors.Is(err, sfnexec.ErrTaskClosed) {
		return fmt.Errorf("%w: %w", jobs.ErrTaskClosed, err)
	}
	return err
}
