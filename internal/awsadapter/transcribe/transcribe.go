// Package transcribe turns the speech of audio and video items into text
// with Amazon Transcribe batch jobs. Transcriber implements jobs.Engine:
// the job's end arrives as an EventBridge "Transcribe Job State Change"
// event, and Result stores the transcript as text for the text analysis
// branches.
package transcribe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/transcribe"
	"github.com/aws/aws-sdk-go-v2/service/transcribe/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/jobs"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
)

// Languages with the optional features of batch jobs, from the Amazon
// Transcribe developer guide: PII redaction ("Redacting PII in your batch
// job": en-US and es-US, and not with language identification) and toxic
// speech detection (its examples and AI service card cover US English
// only).
//
// NOTE: the guide's document history adds batch redaction for fr-FR,
// fr-CA, de-DE, de-CH, it-IT, pt-PT and pt-BR (1 May 2026). They are left
// out until a job in one of them has been run, because a request the
// service rejects fails the item, while a missing one only leaves the PII
// to Comprehend.
var (
	redactionLanguages = []string{"en-US", "es-US"}
	toxicityLanguages  = []string{"en-US"}
)

// maxTranscriptBytes bounds the transcript JSON read back. A 4-hour job,
// the service's maximum, produces far less text than this, but the
// word-level items make the JSON large.
const maxTranscriptBytes = 256 << 20

// API is the part of the Transcribe client Transcriber calls.
type API interface {
	StartTranscriptionJob(ctx context.Context, in *transcribe.StartTranscriptionJobInput, opts ...func(*transcribe.Options)) (*transcribe.StartTranscriptionJobOutput, error)
	GetTranscriptionJob(ctx context.Context, in *transcribe.GetTranscriptionJobInput, opts ...func(*transcribe.Options)) (*transcribe.GetTranscriptionJobOutput, error)
}

// Transcriber runs transcription jobs.
type Transcriber struct {
	API API
	// Objects reads the transcript and writes the extracted text.
	Objects objects.Store
	// WorkBucket receives the job's transcript and the extracted text.
	WorkBucket string
	// LanguageCode is the spoken language, such as "en-US". Empty lets
	// Transcribe identify the language, which rules out PII redaction.
	LanguageCode string
}

var _ jobs.Engine = (*Transcriber)(nil)

// Start starts a job named after the request token, so a retried start
// finds the job it started before.
//
// NOTE: Transcribe reads the media by URI, which cannot name an object
// version, so an object overwritten before the job starts is transcribed
// in its newer version.
func (t *Transcriber) Start(ctx context.Context, item pipeline.Item, requestToken string) (string, error) {
	name := "moderato-" + requestToken
	in := &transcribe.StartTranscriptionJobInput{
		TranscriptionJobName: aws.String(name),
		Media:                &types.Media{MediaFileUri: aws.String("s3://" + item.Bucket + "/" + item.Key)},
		OutputBucketName:     aws.String(t.WorkBucket),
		OutputKey:            aws.String(transcriptKey(name)),
	}
	if t.LanguageCode == "" {
		in.IdentifyLanguage = aws.Bool(true)
	} else {
		in.LanguageCode = types.LanguageCode(t.LanguageCode)
	}
	if slices.Contains(redactionLanguages, t.LanguageCode) {
		// The redacted transcript has [PII] in place of each value, so the
		// PII branch finds only what Transcribe missed. Result counts the
		// [PII] tags, which the PII branch adds to its own counts.
		in.ContentRedaction = &types.ContentRedaction{
			RedactionType:   types.RedactionTypePii,
			RedactionOutput: types.RedactionOutputRedacted,
		}
	}
	if slices.Contains(toxicityLanguages, t.LanguageCode) {
		// The scores land in the transcript JSON, and Result passes them
		// to the text moderation branch with the text.
		in.ToxicityDetection = []types.ToxicityDetectionSettings{{ToxicityCategories: []types.ToxicityCategory{types.ToxicityCategoryAll}}}
	}

	_, err := t.API.StartTranscriptionJob(ctx, in)
	if awserr.Is(err, "ConflictException") {
		// The job exists: this is a retried start.
		return name, nil
	}
	if err != nil {
		return "", awserr.Classify("calling Transcribe StartTranscriptionJob for "+item.Location().String(), err)
	}
	return name, nil
}

// Result reads the job's state and, once it completed, stores the
// transcript as plain text for the analysis branches. The text reference
// also carries the toxicity scores and the counts of redacted PII that the
// transcript JSON holds. A failed job is unsupported content, with the
// service's failure reason: Transcribe fails jobs on media it cannot
// decode and on videos with no audio track.
func (t *Transcriber) Result(ctx context.Context, jobID string, item pipeline.Item) (jobs.Result, error) {
	out, err := t.API.GetTranscriptionJob(ctx, &transcribe.GetTranscriptionJobInput{TranscriptionJobName: aws.String(jobID)})
	if err != nil {
		return jobs.Result{}, awserr.Classify("calling Transcribe GetTranscriptionJob for "+jobID, err)
	}
	job := out.TranscriptionJob
	if job == nil {
		return jobs.Result{}, fmt.Errorf("reading transcription job %s: the response has no job", jobID)
	}
	switch job.TranscriptionJobStatus {
	case types.TranscriptionJobStatusQueued, types.TranscriptionJobStatusInProgress:
		return jobs.Result{}, nil
	case types.TranscriptionJobStatusFailed:
		return jobs.Result{Done: true, Err: &pipeline.UnsupportedContentError{
			Reason: "Amazon Transcribe could not transcribe the media: " + aws.ToString(job.FailureReason)}}, nil
	}

	tr, err := t.readTranscript(ctx, jobID, t.transcriptKeyOf(job))
	if err != nil {
		return jobs.Result{}, err
	}
	text := tr.text()
	if text == "" {
		return jobs.Result{Done: true, Output: pipeline.TextRef{Unscored: []string{"the transcript is empty: the media has no speech"}}}, nil
	}
	loc := objects.Location{Bucket: t.WorkBucket, Key: "text/" + jobID + ".txt"}
	if _, err := t.Objects.Put(ctx, loc, bytes.NewReader([]byte(text)), "text/plain; charset=utf-8"); err != nil {
		return jobs.Result{}, fmt.Errorf("writing the transcript of %s: %w", item.Location(), err)
	}
	return jobs.Result{Done: true, Output: pipeline.TextRef{Location: &loc, Scores: tr.toxicity(), PII: tr.redactedPII()}}, nil
}

// transcript is the part of Transcribe's output JSON that the pipeline
// reads: the text, the redaction of each redacted word, and the toxicity
// of each speech segment (developer guide, "Example redacted output" and
// "Using toxic speech detection").
type transcript struct {
	Results struct {
		Transcripts []struct {
			Transcript string `json:"transcript"`
		} `json:"transcripts"`
		Items []struct {
			Alternatives []struct {
				// Redactions is set on a [PII] item. Its type is read when
				// present, but the guide's batch example gives only a
				// confidence.
				Redactions []struct {
					Type string `json:"type"`
				} `json:"redactions"`
			} `json:"alternatives"`
		} `json:"items"`
		ToxicityDetection []struct {
			// Categories maps profanity, hate_speech, sexual, insult,
			// violence_or_threat, graphic and harassment_or_abuse to a
			// score from 0 to 1.
			Categories map[string]float64 `json:"categories"`
		} `json:"toxicity_detection"`
	} `json:"results"`
}

func (tr *transcript) text() string {
	var text strings.Builder
	for i, part := range tr.Results.Transcripts {
		if i > 0 {
			text.WriteString("\n")
		}
		text.WriteString(part.Transcript)
	}
	return text.String()
}

// toxicity returns the highest score of each toxicity category over the
// segments, named as Comprehend's DetectToxicContent names the same
// categories (HATE_SPEECH, INSULT and so on), so that the policy's
// thresholds apply to both.
func (tr *transcript) toxicity() []pipeline.Score {
	best := map[string]float64{}
	for _, segment := range tr.Results.ToxicityDetection {
		for category, score := range segment.Categories {
			name := strings.ToUpper(category)
			best[name] = max(best[name], score)
		}
	}
	scores := make([]pipeline.Score, 0, len(best))
	for name, score := range best {
		scores = append(scores, pipeline.Score{Name: name, Score: score})
	}
	slices.SortFunc(scores, func(a, b pipeline.Score) int { return strings.Compare(a.Name, b.Name) })
	return scores
}

// redactedPII counts the words Transcribe replaced by [PII], by their
// redaction's type in upper case, or as "PII" when the output gives none.
func (tr *transcript) redactedPII() []pipeline.TypeCount {
	counts := map[string]int{}
	for _, item := range tr.Results.Items {
		if len(item.Alternatives) == 0 || len(item.Alternatives[0].Redactions) == 0 {
			continue
		}
		piiType := strings.ToUpper(item.Alternatives[0].Redactions[0].Type)
		if piiType == "" {
			piiType = "PII"
		}
		counts[piiType]++
	}
	summary := make([]pipeline.TypeCount, 0, len(counts))
	for piiType, count := range counts {
		summary = append(summary, pipeline.TypeCount{Type: piiType, Count: count})
	}
	slices.SortFunc(summary, func(a, b pipeline.TypeCount) int { return strings.Compare(a.Type, b.Type) })
	return summary
}

// transcriptKeyOf returns the key of the transcript that the job reports:
// the redacted one when the job redacted PII, because Transcribe names that
// file itself (adding "redacted-" to the file name), else the plain one. A
// URI outside the work bucket, or none, gives the key Start requested.
func (t *Transcriber) transcriptKeyOf(job *types.TranscriptionJob) string {
	if job.Transcript != nil {
		for _, uri := range []*string{job.Transcript.RedactedTranscriptFileUri, job.Transcript.TranscriptFileUri} {
			if bucket, key, ok := parseS3URI(aws.ToString(uri)); ok && bucket == t.WorkBucket {
				return key
			}
		}
	}
	return transcriptKey(aws.ToString(job.TranscriptionJobName))
}

// parseS3URI splits an S3 object URI into bucket and key. It reads the
// s3://bucket/key form and the path-style and virtual-hosted HTTPS forms
// that Transcribe reports for a job with an output bucket.
func parseS3URI(uri string) (bucket, key string, ok bool) {
	u, err := url.Parse(uri)
	if err != nil || uri == "" {
		return "", "", false
	}
	path := strings.TrimPrefix(u.Path, "/")
	switch {
	case u.Scheme == "s3":
		bucket, key = u.Host, path
	case u.Scheme == "https" && strings.Contains(u.Host, ".s3.") && !strings.HasPrefix(u.Host, "s3."):
		bucket, _, _ = strings.Cut(u.Host, ".s3.")
		key = path
	case u.Scheme == "https":
		bucket, key, _ = strings.Cut(path, "/")
	default:
		return "", "", false
	}
	return bucket, key, bucket != "" && key != ""
}

func (t *Transcriber) readTranscript(ctx context.Context, jobID, key string) (transcript, error) {
	loc := objects.Location{Bucket: t.WorkBucket, Key: key}
	data, err := objects.ReadAll(ctx, t.Objects, loc, maxTranscriptBytes)
	if errors.Is(err, objects.ErrNotFound) {
		return transcript{}, &pipeline.TransientError{Err: fmt.Errorf("reading the transcript of job %s: not written yet", jobID)}
	}
	if err != nil {
		return transcript{}, err
	}
	var tr transcript
	if err := json.Unmarshal(data, &tr); err != nil {
		return transcript{}, fmt.Errorf("decoding the transcript of job %s: %w", jobID, err)
	}
	return tr, nil
}

// transcriptKey returns the key a job writes its transcript to.
func transcriptKey(jobID string) string {
	return "transcripts/" + jobID + ".json"
}
