package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/internal/jobs"
	"github.com/moderato/moderato/internal/localstore"
	"github.com/moderato/moderato/internal/pipeline"
)

// Defaults of the local job runner.
const (
	// defaultJobLease is how long a claimed job stays with its process
	// without a renewal. A job of a process that died is claimed again
	// once its lease expires.
	defaultJobLease = 30 * time.Second
	// defaultMaxJobAttempts bounds the claims of one job, so a job that
	// kills its process every time fails instead of looping.
	defaultMaxJobAttempts = 3
	// minJobWorkers is the least number of jobs one process runs at once:
	// enough for a video's two jobs. A process runs one job per CPU when it
	// has more.
	minJobWorkers = 2
	// jobPollInterval is how often the runner looks for interrupted jobs
	// and for finished jobs whose result was not sent.
	jobPollInterval = 5 * time.Second
	// localJobTimeoutSeconds is the job states' TimeoutSeconds in local
	// mode: two hours, above the speech engine's own bounds (30 minutes to
	// convert the audio, then recognition stopped at an hour).
	//
	// NOTE: OCR takes up to a minute per scanned page, so a PDF of more
	// than about 120 scanned pages can outlast it and is then recorded as
	// failed with States.Timeout.
	localJobTimeoutSeconds = 7200
)

// jobHandler runs one kind of job with a local engine.
type jobHandler func(ctx context.Context, item pipeline.Item) (any, error)

// jobRunner plays the AWS job services in local mode. The start_job
// function queues a job in the database and stores the task token through
// a jobs.Manager, as on AWS. Workers run the queued jobs with the local
// engines, record each result, and send it through the token with the
// same Manager. Jobs and tokens live in the database, so a job whose
// process died is claimed again once its lease expires, and a result that
// was recorded but not sent is sent by the next poll.
type jobRunner struct {
	db          *localstore.DB
	manager     *jobs.Manager
	handlers    map[jobs.Kind]jobHandler
	owner       string
	lease       time.Duration
	maxAttempts int
	logger      *slog.Logger

	wake   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newJobRunner(rt *Runtime, cfg Config) *jobRunner {
	r := &jobRunner{
		db:          rt.DB,
		owner:       newOwner(),
		lease:       cfg.Lease,
		maxAttempts: cfg.MaxJobAttempts,
		logger:      rt.logger,
		wake:        make(chan struct{}, 1),
		handlers: map[jobs.Kind]jobHandler{
			jobs.Transcription:   handle(rt.Tasks.ExtractText, toExtractInput),
			jobs.DocumentText:    handle(rt.Tasks.ExtractText, toExtractInput),
			jobs.VideoModeration: handle(rt.Tasks.ModerateVideoFrames, toVideoInput),
		},
	}
	if r.lease <= 0 {
		r.lease = defaultJobLease
	}
	if r.maxAttempts <= 0 {
		r.maxAttempts = defaultMaxJobAttempts
	}
	engines := map[jobs.Kind]jobs.Engine{}
	for kind := range r.handlers {
		engines[kind] = localEngine{r: r, kind: kind}
	}
	r.manager = &jobs.Manager{
		Tokens:  rt.DB.JobTokens(),
		Tasks:   runtimeTasks{rt},
		Engines: engines,
		Logger:  rt.logger,
		Now:     rt.now,
		// The local state machine's job states use the same timeout.
		JobTimeout: localJobTimeoutSeconds * time.Second,
	}
	return r
}

func toExtractInput(item pipeline.Item) pipeline.ExtractTextInput {
	return pipeline.ExtractTextInput{Item: item}
}

func toVideoInput(item pipeline.Item) pipeline.VideoInput { return pipeline.VideoInput{Item: item} }

func handle[In, Out any](task func(context.Context, In) (Out, error), input func(pipeline.Item) In) jobHandler {
	return func(ctx context.Context, item pipeline.Item) (any, error) {
		return task(ctx, input(item))
	}
}

// start starts the workers and the poller.
func (r *jobRunner) start() {
	r.ctx, r.cancel = context.WithCancel(context.Background())
	for range max(minJobWorkers, runtime.NumCPU()) {
		r.wg.Add(1)
		go r.work()
	}
	r.wg.Add(1)
	go r.poll()
}

// close stops the runner. Jobs that were running are queued again, for
// this data directory's next process.
func (r *jobRunner) close() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.wg.Wait()
}

func (r *jobRunner) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// startJob is the local start_job function. After the start it completes
// the job at once when the job has already finished: a job that ended
// before its token was stored, or a start replayed after a restart, has no
// worker left to send its result.
func (r *jobRunner) startJob(ctx context.Context, in jobs.StartInput) (jobs.StartOutput, error) {
	out, err := r.manager.Start(ctx, in)
	if err != nil {
		return out, err
	}
	r.signal()
	if err := r.manager.Complete(ctx, out.JobID); err != nil {
		r.logger.ErrorContext(ctx, "completing a job after its start", "job_id", out.JobID, "error", err)
	}
	return out, nil
}

func (r *jobRunner) work() {
	defer r.wg.Done()
	for {
		job, ok, err := r.db.ClaimJob(r.ctx, r.owner, time.Now().Add(r.lease))
		if err != nil && r.ctx.Err() == nil {
			r.logger.Error("claiming a job", "error", err)
		}
		if ok {
			r.run(job)
			continue
		}
		select {
		case <-r.ctx.Done():
			return
		case <-r.wake:
		case <-time.After(jobPollInterval):
		}
	}
}

// poll sends the results that were recorded but not sent, at start and
// then every jobPollInterval, like poll_jobs on AWS.
func (r *jobRunner) poll() {
	defer r.wg.Done()
	for {
		// Reading a local job's state is cheap, so every waiting job is
		// checked, whatever its age.
		if err := r.manager.Poll(r.ctx, time.Now().Add(24*time.Hour)); err != nil && r.ctx.Err() == nil {
			r.logger.Error("polling jobs", "error", err)
		}
		select {
		case <-r.ctx.Done():
			return
		case <-time.After(jobPollInterval):
		}
	}
}

// run runs a claimed job, records its result and sends it.
func (r *jobRunner) run(job localstore.Job) {
	log := r.logger.With("job_id", job.ID, "kind", job.Kind, "attempt", job.Attempts)
	if job.Attempts > r.maxAttempts {
		// The job was claimed this often without an end: each run was
		// interrupted, most likely because it ended its process.
		log.Error("job interrupted too often, failing it")
		cause := fmt.Sprintf("the %s job was interrupted %s before it finished", job.Kind, times(job.Attempts-1))
		r.finish(log, job, nil, "JobFailedError", cause)
		return
	}
	handler, ok := r.handlers[job.Kind]
	if !ok {
		r.finish(log, job, nil, "JobFailedError", fmt.Sprintf("no local engine runs %s jobs", job.Kind))
		return
	}

	log.Info("job running")
	ctx, cancel := context.WithCancel(r.ctx)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		r.renew(ctx, job.ID)
	}()
	out, err := r.runHandler(ctx, handler, job.Item)
	cancel()
	<-renewed

	var transient *pipeline.TransientError
	switch {
	case r.ctx.Err() != nil:
		// The process shuts down: the job runs again in the next one.
		if err := r.db.ReleaseJob(context.WithoutCancel(r.ctx), job.ID, r.owner, true); err != nil {
			log.Error("releasing job", "error", err)
		}
		return
	case errors.As(err, &transient) && job.Attempts < r.maxAttempts:
		log.Warn("job failed with a transient error, queueing it again", "error", err)
		if err := r.db.ReleaseJob(r.ctx, job.ID, r.owner, false); err != nil {
			log.Error("releasing job", "error", err)
		}
		return
	case err != nil:
		name, cause := encodeJobError(err)
		r.finish(log, job, nil, name, cause)
		return
	}
	raw, err := json.Marshal(out)
	if err != nil {
		r.finish(log, job, nil, "JobFailedError", "encoding the job's result: "+err.Error())
		return
	}
	r.finish(log, job, raw, "", "")
}

func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

// runHandler calls the handler, turning a panic into a job failure.
func (r *jobRunner) runHandler(ctx context.Context, handler jobHandler, item pipeline.Item) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("the job's engine panicked: %v", p)
		}
	}()
	return handler(ctx, item)
}

// renew extends the job's lease until ctx ends.
func (r *jobRunner) renew(ctx context.Context, id string) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.lease / 3):
		}
		ok, err := r.db.RenewJob(ctx, id, r.owner, time.Now().Add(r.lease))
		if err != nil && ctx.Err() == nil {
			r.logger.Error("renewing job lease", "job_id", id, "error", err)
		}
		if err == nil && !ok {
			r.logger.Warn("job lease lost to another process", "job_id", id)
			return
		}
	}
}

// finish records the job's end and sends its result through the token.
func (r *jobRunner) finish(log *slog.Logger, job localstore.Job, output json.RawMessage, errorName, cause string) {
	ctx := context.WithoutCancel(r.ctx)
	ok, err := r.db.FinishJob(ctx, job.ID, r.owner, output, errorName, cause)
	if err != nil {
		log.Error("recording job result", "error", err)
		return
	}
	if !ok {
		log.Warn("job result not recorded: the job is leased by another process")
		return
	}
	if errorName != "" {
		log.Info("job failed", "error", errorName)
	} else {
		log.Info("job succeeded")
	}
	if err := r.manager.Complete(ctx, job.ID); err != nil {
		// The poller sends it later.
		log.Error("sending job result", "error", err)
	}
}

// encodeJobError returns the error name and cause recorded for a failed
// job, keeping what decodeJobError needs to rebuild the pipeline's content
// errors.
func encodeJobError(err error) (string, string) {
	var unsupported *pipeline.UnsupportedContentError
	var invalid *pipeline.InvalidContentError
	var missing *pipeline.ObjectNotFoundError
	switch {
	case errors.As(err, &unsupported):
		return "UnsupportedContentError", unsupported.Reason
	case errors.As(err, &invalid):
		return "InvalidContentError", invalid.Reason
	case errors.As(err, &missing):
		return "ObjectNotFoundError", missing.Location
	}
	return "JobFailedError", err.Error()
}

func decodeJobError(name, cause string) error {
	switch name {
	case "UnsupportedContentError":
		return &pipeline.UnsupportedContentError{Reason: cause}
	case "InvalidContentError":
		return &pipeline.InvalidContentError{Reason: cause}
	case "ObjectNotFoundError":
		return &pipeline.ObjectNotFoundError{Location: cause}
	}
	return errors.New(cause)
}

// waiting reports whether the execution has a job that is queued or
// running.
func (r *jobRunner) waiting(ctx context.Context, execution string) bool {
	for kind := range r.handlers {
		job, err := r.db.GetJob(ctx, jobID(kind, jobs.RequestToken(ExecutionARN(execution), kind)))
		if err == nil && (job.Status == localstore.JobQueued || job.Status == localstore.JobRunning) {
			return true
		}
	}
	return false
}

// jobID returns the ID of a local job. It derives from the request token,
// so a retried start finds the job it queued before, as ClientRequestToken
// does on AWS.
func jobID(kind jobs.Kind, requestToken string) string {
	return "local-" + string(kind) + "-" + requestToken
}

// localEngine is the jobs.Engine of one kind of local job.
type localEngine struct {
	r    *jobRunner
	kind jobs.Kind
}

// Start queues the job, unless a start with the same request token queued
// it before.
func (e localEngine) Start(ctx context.Context, item pipeline.Item, requestToken string) (string, error) {
	id := jobID(e.kind, requestToken)
	if _, err := e.r.db.SubmitJob(ctx, id, e.kind, item); err != nil {
		return "", err
	}
	return id, nil
}

func (e localEngine) Result(ctx context.Context, jobID string, item pipeline.Item) (jobs.Result, error) {
	job, err := e.r.db.GetJob(ctx, jobID)
	if err != nil {
		return jobs.Result{}, err
	}
	switch job.Status {
	case localstore.JobSucceeded:
		return jobs.Result{Done: true, Output: job.Output}, nil
	case localstore.JobFailed:
		return jobs.Result{Done: true, Err: decodeJobError(job.Error, job.Cause)}, nil
	}
	return jobs.Result{}, nil
}

// runtimeTasks sends job results through the runtime's current executor.
type runtimeTasks struct{ rt *Runtime }

func (t runtimeTasks) SendTaskSuccess(ctx context.Context, token string, output []byte) error {
	return closedTask(t.rt.Runner.SendTaskSuccess(ctx, token, output))
}

func (t runtimeTasks) SendTaskFailure(ctx context.Context, token, name, cause string) error {
	return closedTask(t.rt.Runner.SendTaskFailure(ctx, token, name, cause))
}

// closedTask reports a token the executor no longer takes a result for as
// jobs.ErrTaskClosed.
func closedTask(err error) error {
	if errors.Is(err, asl.ErrTaskTimedOut) || errors.Is(err, asl.ErrInvalidToken) {
		return fmt.Errorf("%w: %w", jobs.ErrTaskClosed, err)
	}
	return err
}
