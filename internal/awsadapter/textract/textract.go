// Package textract extracts the text of multi-page documents (PDF and
// TIFF) with Amazon Textract's asynchronous text detection.
// DocumentText implements jobs.Engine: Textract publishes the job's end to
// an SNS topic, and Result stores the lines of every page as text for the
// text analysis branches.
package textract

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/textract"
	"github.com/aws/aws-sdk-go-v2/service/textract/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/jobs"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
)

// maxResults is the page size of GetDocumentTextDetection (its maximum).
const maxResults = 1000

// API is the part of the Textract client DocumentText calls.
type API interface {
	StartDocumentTextDetection(ctx context.Context, in *textract.StartDocumentTextDetectionInput, opts ...func(*textract.Options)) (*textract.StartDocumentTextDetectionOutput, error)
	GetDocumentTextDetection(ctx context.Context, in *textract.GetDocumentTextDetectionInput, opts ...func(*textract.Options)) (*textract.GetDocumentTextDetectionOutput, error)
}

// DocumentText runs text detection jobs.
type DocumentText struct {
	API API
	// Objects writes the extracted text to WorkBucket.
	Objects    objects.Store
	WorkBucket string
	// TopicARN is the SNS topic Textract publishes completions to, and
	// RoleARN the role that lets Textract publish to it.
	TopicARN string
	RoleARN  string
}

var _ jobs.Engine = (*DocumentText)(nil)

// Start starts text detection on the item's object version.
func (d *DocumentText) Start(ctx context.Context, item pipeline.Item, requestToken string) (string, error) {
	obj := &types.S3Object{Bucket: aws.String(item.Bucket), Name: aws.String(item.Key)}
	if item.VersionID != "" {
		obj.Version = aws.String(item.VersionID)
	}
	in := &textract.StartDocumentTextDetectionInput{
		DocumentLocation:   &types.DocumentLocation{S3Object: obj},
		ClientRequestToken: aws.String(requestToken),
	}
	if d.TopicARN != "" {
		in.NotificationChannel = &types.NotificationChannel{SNSTopicArn: aws.String(d.TopicARN), RoleArn: aws.String(d.RoleARN)}
	}
	out, err := d.API.StartDocumentTextDetection(ctx, in)
	if err != nil {
		return "", awserr.Classify("calling Textract StartDocumentTextDetection for "+item.Location().String(), err)
	}
	return aws.ToString(out.JobId), nil
}

// Result reads every page of the job's blocks and stores their lines, a
// line per LINE block and a form feed between pages. A failed job is
// unsupported content with Textract's status message, because Textract
// fails jobs on damaged, encrypted or unsupported documents. A job that
// ended in PARTIAL_SUCCESS, or with warnings, keeps the text that was read
// and adds an unscored reason naming the missing pages, so the item goes
// to review.
func (d *DocumentText) Result(ctx context.Context, jobID string, item pipeline.Item) (jobs.Result, error) {
	var text strings.Builder
	page := int32(0)
	var next *string
	partial := false
	var skipped []int32 // pages that Textract reported warnings for
	for {
		out, err := d.API.GetDocumentTextDetection(ctx, &textract.GetDocumentTextDetectionInput{
			JobId:      aws.String(jobID),
			MaxResults: aws.Int32(maxResults),
			NextToken:  next,
		})
		if err != nil {
			return jobs.Result{}, awserr.Classify("calling Textract GetDocumentTextDetection for job "+jobID, err)
		}
		switch out.JobStatus {
		case types.JobStatusInProgress:
			return jobs.Result{}, nil
		case types.JobStatusFailed:
			return jobs.Result{Done: true, Err: &pipeline.UnsupportedContentError{
				Reason: "Amazon Textract could not read the document: " + aws.ToString(out.StatusMessage)}}, nil
		case types.JobStatusPartialSuccess:
			partial = true
		}
		for _, w := range out.Warnings {
			skipped = append(skipped, w.Pages...)
		}
		for _, b := range out.Blocks {
			if b.BlockType != types.BlockTypeLine {
				continue
			}
			if p := aws.ToInt32(b.Page); p != page {
				if text.Len() > 0 {
					text.WriteString("\f")
				}
				page = p
			}
			text.WriteString(aws.ToString(b.Text))
			text.WriteString("\n")
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		next = out.NextToken
	}

	var unscored []string
	if partial || len(skipped) > 0 {
		unscored = []string{partialReason(skipped)}
	}
	if strings.TrimSpace(text.String()) == "" {
		unscored = append(unscored, "the document has no text that Amazon Textract could read")
		return jobs.Result{Done: true, Output: pipeline.TextRef{Unscored: unscored}}, nil
	}
	loc := objects.Location{Bucket: d.WorkBucket, Key: "text/" + jobID + ".txt"}
	if _, err := d.Objects.Put(ctx, loc, strings.NewReader(text.String()), "text/plain; charset=utf-8"); err != nil {
		return jobs.Result{}, fmt.Errorf("writing the text of %s: %w", item.Location(), err)
	}
	return jobs.Result{Done: true, Output: pipeline.TextRef{Location: &loc, Unscored: unscored}}, nil
}

// partialReason describes a job that ended in PARTIAL_SUCCESS or with
// warnings: its text misses the pages Textract could not read, so the
// item must not be approved on that text alone.
func partialReason(pages []int32) string {
	slices.Sort(pages)
	pages = slices.Compact(pages)
	if len(pages) == 0 {
		return "Amazon Textract read only part of the document"
	}
	numbers := make([]string, len(pages))
	for i, p := range pages {
		numbers[i] = strconv.Itoa(int(p))
	}
	return "Amazon Textract could not read pages " + strings.Join(numbers, ", ") + " of the document"
}
