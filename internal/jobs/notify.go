package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// Completion is the SNS message that Rekognition Video and Textract
// publish when an asynchronous job ends.
type Completion struct {
	JobID     string `json:"JobId"`
	Status    string `json:"Status"` // SUCCEEDED, FAILED or ERROR
	API       string `json:"API"`    // for example StartContentModeration
	JobTag    string `json:"JobTag"`
	Timestamp int64  `json:"Timestamp"`
}

// TranscribeStateChange is the detail of the EventBridge event
// "Transcribe Job State Change".
type TranscribeStateChange struct {
	TranscriptionJobName   string `json:"TranscriptionJobName"`
	TranscriptionJobStatus string `json:"TranscriptionJobStatus"` // COMPLETED or FAILED
	FailureReason          string `json:"FailureReason,omitempty"`
}

// HandleSNS finishes the job of each completion message. The result is
// read back from the service rather than trusted from the message, so a
// forged or stale message cannot resume a task with made-up data. It
// returns an error when a job could not be finished, so Lambda retries
// the delivery; the poller is the last resort.
func (m *Manager) HandleSNS(ctx context.Context, ev events.SNSEvent) error {
	var errs []error
	for _, r := range ev.Records {
		var c Completion
		if err := json.Unmarshal([]byte(r.SNS.Message), &c); err != nil || c.JobID == "" {
			m.logger().WarnContext(ctx, "ignoring an SNS message that is not a job completion", "message_id", r.SNS.MessageID)
			continue
		}
		m.logger().InfoContext(ctx, "job completion received", "job_id", c.JobID, "api", c.API, "status", c.Status)
		if err := m.Complete(ctx, c.JobID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// HandleTranscribeEvent finishes the transcription job of a Transcribe
// Job State Change event.
func (m *Manager) HandleTranscribeEvent(ctx context.Context, ev events.CloudWatchEvent) error {
	if ev.Source != "aws.transcribe" || ev.DetailType != "Transcribe Job State Change" {
		m.logger().WarnContext(ctx, "ignoring an event that is not a Transcribe job state change", "source", ev.Source, "detail_type", ev.DetailType)
		return nil
	}
	var d TranscribeStateChange
	if err := json.Unmarshal(ev.Detail, &d); err != nil || d.TranscriptionJobName == "" {
		return fmt.Errorf("decoding Transcribe event %s: the detail names no job", ev.ID)
	}
	m.logger().InfoContext(ctx, "job completion received", "job_id", d.TranscriptionJobName, "status", d.TranscriptionJobStatus)
	return m.Complete(ctx, d.TranscriptionJobName)
}

// HandleNotification dispatches a raw Lambda event to HandleSNS or
// HandleTranscribeEvent, so one function can subscribe to the SNS topic
// and be the target of the EventBridge rule.
func (m *Manager) HandleNotification(ctx context.Context, raw json.RawMessage) error {
	var probe struct {
		Records    []json.RawMessage `json:"Records"`
		DetailType string            `json:"detail-type"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return fmt.Errorf("decoding the notification: %w", err)
	}
	switch {
	case len(probe.Records) > 0:
		var ev events.SNSEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return fmt.Errorf("decoding the SNS event: %w", err)
		}
		return m.HandleSNS(ctx, ev)
	case probe.DetailType != "":
		var ev events.CloudWatchEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return fmt.Errorf("decoding the EventBridge event: %w", err)
		}
		return m.HandleTranscribeEvent(ctx, ev)
	}
	m.logger().WarnContext(ctx, "ignoring an event that is neither SNS nor EventBridge")
	return nil
}
