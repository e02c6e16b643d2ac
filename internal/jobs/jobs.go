// Package jobs runs the pipeline's long-running AWS jobs (video moderation,
// transcription, multi-page documents) behind Step Functions task tokens.
//
// A state invoked with .waitForTaskToken calls Manager.Start, which starts
// the job and stores the task token under the job ID. The job's completion
// notification (SNS for Rekognition and Textract, EventBridge for
// Transcribe) reaches Manager.HandleSNS or Manager.HandleTranscribeEvent,
// which fetch the result and call SendTaskSuccess or SendTaskFailure. The
// notifications are best-effort, so Manager.Poll, run on a schedule,
// finishes the jobs whose notification never came.
//
// A token is deleted from the store only after its result was sent, or
// after Step Functions returned that its task no longer waits, so a send
// that fails leaves the job for the retried notification or the next poll.
// A completion replayed after the delete finds no token and sends nothing.
// NOTE: a notification and the poller racing on one job can both send
// before either deletes the token. Step Functions takes the first result
// and rejects the second with InvalidToken, which counts as done.
package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/moderato/moderato/internal/pipeline"
)

// Kind is a kind of job.
type Kind string

// Job kinds.
const (
	VideoModeration Kind = "video_moderation"
	Transcription   Kind = "transcription"
	DocumentText    Kind = "document_text"
)

// ErrTokenNotFound means no token is stored under the job ID: the job was
// finished before, or it is not one of the pipeline's jobs.
var ErrTokenNotFound = errors.New("no task token for the job")

// ErrTaskClosed means a task token no longer takes a result: its task timed
// out, or its execution ended. A TaskSender wraps it in its error.
var ErrTaskClosed = errors.New("the task no longer waits for a result")

// Token is a task token stored under a job ID.
type Token struct {
	JobID     string
	Kind      Kind
	TaskToken string // a secret that resumes the execution: never logged
	Item      pipeline.Item
	StartedAt time.Time
}

// TokenStore keeps task tokens by job ID.
type TokenStore interface {
	// PutToken stores t, replacing a token of the same job: a retried
	// start of the same job sends a new token.
	PutToken(ctx context.Context, t Token) error
	// GetToken returns the token of the job, or an error wrapping
	// ErrTokenNotFound.
	GetToken(ctx context.Context, jobID string) (Token, error)
	// TakeToken deletes and returns the token of the job, or returns an
	// error wrapping ErrTokenNotFound. Of concurrent calls, one gets it.
	TakeToken(ctx context.Context, jobID string) (Token, error)
	// ListTokens returns the tokens of jobs started before the time.
	ListTokens(ctx context.Context, startedBefore time.Time) ([]Token, error)
}

// TaskSender completes waiting tasks through their tokens. Its errors wrap
// ErrTaskClosed when the token no longer takes a result.
type TaskSender interface {
	SendTaskSuccess(ctx context.Context, token string, output []byte) error
	SendTaskFailure(ctx context.Context, token, name, cause string) error
}

// Result is the state of a job when its result is fetched.
type Result struct {
	// Done is false while the job runs.
	Done bool
	// Output is the task's result when the job succeeded: a
	// pipeline.Analysis or a pipeline.TextRef.
	Output any
	// Err is the job's failure, when it failed. A
	// pipeline.UnsupportedContentError, InvalidContentError or
	// ObjectNotFoundError fails the task with that type name, and the item
	// is recorded as unsupported or failed with the reason. Any other error
	// fails the task with JobFailedError.
	Err error
}

// Engine starts and reads jobs of one kind.
type Engine interface {
	// Start starts a job for the item. requestToken is the same for
	// retries of one start, so the service returns the same job.
	Start(ctx context.Context, item pipeline.Item, requestToken string) (jobID string, err error)
	// Result returns the job's state and, when done, its output.
	Result(ctx context.Context, jobID string, item pipeline.Item) (Result, error)
}

// Manager starts jobs and finishes them.
type Manager struct {
	Tokens  TokenStore
	Tasks   TaskSender
	Engines map[Kind]Engine
	Logger  *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// JobTimeout is the TimeoutSeconds of the job states. Poll stops
	// reading the result of a job whose token is older, because its task
	// has timed out. Zero means no limit.
	JobTimeout time.Duration
}

// StartInput is the input of a task state that starts a job.
type StartInput struct {
	TaskToken string        `json:"task_token"`
	Execution string        `json:"execution"`
	Kind      Kind          `json:"kind"`
	Item      pipeline.Item `json:"item"`
}

// StartOutput is the start function's result, which the state machine
// ignores: the task's result comes later through the token.
type StartOutput struct {
	JobID string `json:"job_id"`
}

// Start starts the job and stores the task token under its ID.
func (m *Manager) Start(ctx context.Context, in StartInput) (StartOutput, error) {
	if in.TaskToken == "" {
		return StartOutput{}, fmt.Errorf("starting a %s job for %s: the task token is missing", in.Kind, in.Item.Location())
	}
	engine, ok := m.Engines[in.Kind]
	if !ok {
		return StartOutput{}, fmt.Errorf("starting a %s job for %s: no engine for this kind of job", in.Kind, in.Item.Location())
	}

	jobID, err := engine.Start(ctx, in.Item, RequestToken(in.Execution, in.Kind))
	if err != nil {
		return StartOutput{}, err
	}
	t := Token{JobID: jobID, Kind: in.Kind, TaskToken: in.TaskToken, Item: in.Item, StartedAt: m.now()}
	if err := m.Tokens.PutToken(ctx, t); err != nil {
		return StartOutput{}, fmt.Errorf("storing the task token of job %s: %w", jobID, err)
	}
	m.logger().InfoContext(ctx, "job started", "job_id", jobID, "kind", in.Kind, "execution", in.Execution)
	return StartOutput{JobID: jobID}, nil
}

// Complete finishes the job when it is done: it sends the result or the
// failure through the token, then deletes the token. A job still running
// is left alone, and a job whose token is gone was finished before. An
// error from the send keeps the token, so the caller can retry.
func (m *Manager) Complete(ctx context.Context, jobID string) error {
	waiting, err := m.Tokens.GetToken(ctx, jobID)
	if errors.Is(err, ErrTokenNotFound) {
		m.logger().InfoContext(ctx, "no waiting task for the job", "job_id", jobID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the task token of job %s: %w", jobID, err)
	}
	engine, ok := m.Engines[waiting.Kind]
	if !ok {
		return fmt.Errorf("completing job %s: no engine for %s jobs", jobID, waiting.Kind)
	}
	res, err := engine.Result(ctx, jobID, waiting.Item)
	if err != nil {
		return fmt.Errorf("reading the result of job %s: %w", jobID, err)
	}
	if !res.Done {
		return nil
	}

	if res.Err != nil {
		name := failureName(res.Err)
		m.logger().InfoContext(ctx, "job failed", "job_id", jobID, "kind", waiting.Kind, "error", res.Err)
		err := m.Tasks.SendTaskFailure(ctx, waiting.TaskToken, name, res.Err.Error())
		return m.sent(ctx, jobID, err)
	}
	output, err := json.Marshal(res.Output)
	if err != nil {
		return fmt.Errorf("encoding the result of job %s: %w", jobID, err)
	}
	m.logger().InfoContext(ctx, "job finished", "job_id", jobID, "kind", waiting.Kind)
	return m.sent(ctx, jobID, m.Tasks.SendTaskSuccess(ctx, waiting.TaskToken, output))
}

// sent deletes the job's token after a send that reached the task, and
// returns the error of a send that did not. A task that no longer waits
// counts as reached: a job that outlived its state's timeout has nowhere
// to send its result, and a replayed send after a successful one gets the
// same error.
func (m *Manager) sent(ctx context.Context, jobID string, err error) error {
	if errors.Is(err, ErrTaskClosed) {
		m.logger().WarnContext(ctx, "job result dropped: its task no longer waits, because it timed out, its execution ended or the result was sent before", "job_id", jobID)
	} else if err != nil {
		return fmt.Errorf("sending the result of job %s: %w", jobID, err)
	}
	return m.deleteToken(ctx, jobID)
}

// deleteToken deletes the token of a job whose task took its result or no
// longer waits. A token already deleted by another caller is not an error.
func (m *Manager) deleteToken(ctx context.Context, jobID string) error {
	_, err := m.Tokens.TakeToken(ctx, jobID)
	if errors.Is(err, ErrTokenNotFound) {
		m.logger().InfoContext(ctx, "job finished by another caller", "job_id", jobID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting the task token of job %s: %w", jobID, err)
	}
	return nil
}

// Poll finishes the jobs started before the cutoff whose completion
// notification has not arrived. It returns the first error after trying
// every job.
func (m *Manager) Poll(ctx context.Context, startedBefore time.Time) error {
	tokens, err := m.Tokens.ListTokens(ctx, startedBefore)
	if err != nil {
		return fmt.Errorf("listing waiting jobs: %w", err)
	}
	var first error
	for _, t := range tokens {
		complete := m.Complete
		if m.JobTimeout > 0 && m.now().Sub(t.StartedAt) > m.JobTimeout {
			complete = m.expire
		}
		if err := complete(ctx, t.JobID); err != nil {
			m.logger().ErrorContext(ctx, "polling job", "job_id", t.JobID, "kind", t.Kind, "error", err)
			if first == nil {
				first = err
			}
		}
	}
	// An idle poll runs every few seconds in a long-running serve, so it
	// logs at debug level only.
	level := slog.LevelInfo
	if len(tokens) == 0 {
		level = slog.LevelDebug
	}
	m.logger().Log(ctx, level, "polled waiting jobs", "jobs", len(tokens))
	return first
}

// expire ends a job that outlived its state's timeout without reading its
// result, which may never be readable: it sends a failure through the
// token, in case the task still waits, and deletes the token.
func (m *Manager) expire(ctx context.Context, jobID string) error {
	t, err := m.Tokens.GetToken(ctx, jobID)
	if errors.Is(err, ErrTokenNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the task token of job %s: %w", jobID, err)
	}
	m.logger().WarnContext(ctx, "job timed out: its result is no longer polled", "job_id", jobID, "kind", t.Kind,
		"started_at", t.StartedAt, "job_timeout", m.JobTimeout)
	cause := fmt.Sprintf("job %s did not finish within the job timeout of %s", jobID, m.JobTimeout)
	return m.sent(ctx, jobID, m.Tasks.SendTaskFailure(ctx, t.TaskToken, "JobFailedError", cause))
}

// failureName returns the error name a failed job's task fails with. The
// pipeline's content errors keep their type names, as a Lambda function's
// errors do, so that Record outcome can map each to its verdict.
func failureName(err error) string {
	var unsupported *pipeline.UnsupportedContentError
	var invalid *pipeline.InvalidContentError
	var missing *pipeline.ObjectNotFoundError
	switch {
	case errors.As(err, &unsupported):
		return "UnsupportedContentError"
	case errors.As(err, &invalid):
		return "InvalidContentError"
	case errors.As(err, &missing):
		return "ObjectNotFoundError"
	}
	return "JobFailedError"
}

// RequestToken returns the idempotency token of a job start: 32 hex
// digits, the same for every retry of the start in one execution, within
// the 64 characters of [a-zA-Z0-9-_] that Rekognition, Textract and
// Transcribe accept.
func RequestToken(execution string, kind Kind) string {
	sum := sha256.Sum256([]byte(execution + "\x00" + string(kind)))
	return hex.EncodeToString(sum[:16])
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now().UTC()
	}
	return time.Now().UTC()
}

func (m *Manager) logger() *slog.Logger {
	if m.Logger != nil {
		return m.Logger
	}
	return slog.Default()
}
