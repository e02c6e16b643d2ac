package lambdahandler

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awsrekognition "github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/moderato/moderato/internal/awsadapter/dynamostore"
	"github.com/moderato/moderato/internal/awsadapter/rekognition"
	"github.com/moderato/moderato/internal/awsadapter/sfnexec"
	"github.com/moderato/moderato/internal/jobs"
)

// JobManager builds the job manager that the start_job, job_callback and
// poll_jobs functions share, from JOBS_TABLE, VIDEO_TOPIC_ARN and
// VIDEO_ROLE_ARN.
//
// NOTE: only video moderation has an engine; Textract and Transcribe jobs
// are not started yet, so their completions find no waiting token.
func (e *Env) JobManager(cfg aws.Config) *jobs.Manager {
	table := e.Require("JOBS_TABLE")
	topic := e.Require("VIDEO_TOPIC_ARN")
	role := e.Require("VIDEO_ROLE_ARN")
	return &jobs.Manager{
		Tokens: dynamostore.NewJobTokens(dynamodb.NewFromConfig(cfg), table),
		Tasks:  sfnexec.New(sfn.NewFromConfig(cfg), ""),
		Engines: map[jobs.Kind]jobs.Engine{
			jobs.VideoModeration: &rekognition.VideoModerator{API: awsrekognition.NewFromConfig(cfg), TopicARN: topic, RoleARN: role},
		},
	}
}
