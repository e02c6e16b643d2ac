package rekognition

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/jobs"
	"github.com/moderato/moderato/internal/pipeline"
)

// maxVideoResults is the page size of GetContentModeration (its maximum).
const maxVideoResults = 1000

// VideoAPI is the part of the Rekognition client VideoModerator calls.
type VideoAPI interface {
	StartContentModeration(ctx context.Context, in *rekognition.StartContentModerationInput, opts ...func(*rekognition.Options)) (*rekognition.StartContentModerationOutput, error)
	GetContentModeration(ctx context.Context, in *rekognition.GetContentModerationInput, opts ...func(*rekognition.Options)) (*rekognition.GetContentModerationOutput, error)
}

// VideoModerator moderates stored videos with StartContentModeration, a
// job that publishes its completion to an SNS topic. It implements
// jobs.Engine.
type VideoModerator struct {
	API VideoAPI
	// TopicARN is the SNS topic Rekognition publishes completions to, and
	// RoleARN the role that lets Rekognition publish to it.
	TopicARN string
	RoleARN  string
}

var _ jobs.Engine = (*VideoModerator)(nil)

// Start starts a content moderation job on the item's object version.
func (v *VideoModerator) Start(ctx context.Context, item pipeline.Item, requestToken string) (string, error) {
	in := &rekognition.StartContentModerationInput{
		Video: &types.Video{S3Object: &types.S3Object{
			Bucket:  aws.String(item.Bucket),
			Name:    aws.String(item.Key),
			Version: optional(item.VersionID),
		}},
		ClientRequestToken: aws.String(requestToken),
		MinConfidence:      aws.Float32(minConfidence),
	}
	if v.TopicARN != "" {
		in.NotificationChannel = &types.NotificationChannel{SNSTopicArn: aws.String(v.TopicARN), RoleArn: aws.String(v.RoleARN)}
	}
	out, err := v.API.StartContentModeration(ctx, in)
	if err != nil {
		return "", awserr.Classify("calling Rekognition StartContentModeration for "+item.Location().String(), err)
	}
	return aws.ToString(out.JobId), nil
}

// Result reads every page of the job's labels and scores them per policy
// category, as for images. A failed job is reported as unsupported
// content with the service's status message, because Rekognition fails
// jobs on videos it cannot decode.
func (v *VideoModerator) Result(ctx context.Context, jobID string, item pipeline.Item) (jobs.Result, error) {
	var labels []types.ModerationLabel
	var next *string
	for {
		out, err := v.API.GetContentModeration(ctx, &rekognition.GetContentModerationInput{
			JobId:      aws.String(jobID),
			MaxResults: aws.Int32(maxVideoResults),
			NextToken:  next,
		})
		if err != nil {
			return jobs.Result{}, awserr.Classify("calling Rekognition GetContentModeration for job "+jobID, err)
		}
		switch out.JobStatus {
		case types.VideoJobStatusInProgress:
			return jobs.Result{}, nil
		case types.VideoJobStatusFailed:
			return jobs.Result{Done: true, Err: &pipeline.UnsupportedContentError{
				Reason: fmt.Sprintf("Amazon Rekognition could not moderate the video: %s", aws.ToString(out.StatusMessage))}}, nil
		}
		for _, d := range out.ModerationLabels {
			if d.ModerationLabel != nil {
				labels = append(labels, *d.ModerationLabel)
			}
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		next = out.NextToken
	}
	return jobs.Result{Done: true, Output: pipeline.Analysis{
		Kind:       pipeline.KindModeration,
		Engine:     "amazon-rekognition-video",
		Categories: Scores(labels),
	}}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
