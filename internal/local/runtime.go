// Package local runs the moderation pipeline on one machine: the deployed
// state machine definition in the embedded executor, the same task handlers
// wired to local engines, a folder per bucket and a SQLite database under
// one data directory.
package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/internal/imaging"
	"github.com/moderato/moderato/internal/localengine"
	"github.com/moderato/moderato/internal/localstore"
	"github.com/moderato/moderato/internal/media"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/statemachines"
)

// Local bucket names. Each is a folder under the data directory. Outputs go
// to buckets other than the ingest bucket, so they never start the pipeline.
const (
	IngestBucket     = "ingest"
	ApprovedBucket   = "approved"
	QuarantineBucket = "quarantine"
	RedactedBucket   = "redacted"
	WorkBucket       = "work"
)

// StateMachine is the local name of the moderation state machine.
const StateMachine = "moderato-moderation"

// functionPrefix names the local Lambda functions, as Terraform names the
// deployed ones.
const functionPrefix = "moderato-"

// Config configures a Runtime.
type Config struct {
	// DataDir holds the database, the buckets and the log file.
	DataDir string
	// Policy is the moderation policy; nil means the default policy.
	Policy *policy.Policy
	// Logger receives structured logs; nil writes JSON to DataDir/moderato.log.
	Logger *slog.Logger
	// Clock drives the executor's timers; nil means the real clock.
	Clock asl.Clock
	// Queues assigns new reviews to queues by media type; the zero Router
	// puts them in review.DefaultQueue.
	Queues review.Router
	// Lease is how long an execution or a long-running job stays claimed
	// by a process that stopped renewing it, such as one that crashed; 0
	// means 30 seconds.
	Lease time.Duration
	// MaxJobAttempts is how often a job is claimed before it fails as
	// interrupted; 0 means 3.
	MaxJobAttempts int
}

// Runtime is an open local pipeline.
type Runtime struct {
	DataDir string
	DB      *localstore.DB
	Objects *objects.Folder
	Tasks   *pipeline.Tasks
	Runner  *asl.Runner
	Policy  *policy.Policy

	definition []byte
	jobs       *jobRunner
	now        func() time.Time
	logger     *slog.Logger
	logFile    *os.File
}

// Open opens the data directory, creating it when needed.
func Open(ctx context.Context, cfg Config) (*Runtime, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("opening local runtime: no data directory given")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating data directory %s: %w", cfg.DataDir, err)
	}
	rt := &Runtime{DataDir: cfg.DataDir, Policy: cfg.Policy, logger: cfg.Logger, now: func() time.Time { return time.Now().UTC() }}
	if cfg.Clock != nil {
		rt.now = func() time.Time { return cfg.Clock.Now().UTC() }
	}
	if rt.Policy == nil {
		rt.Policy = policy.Default()
	}
	if rt.logger == nil {
		f, err := os.OpenFile(filepath.Join(cfg.DataDir, "moderato.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, fmt.Errorf("opening log file: %w", err)
		}
		rt.logFile = f
		rt.logger = slog.New(slog.NewJSONHandler(f, nil))
	}

	db, err := localstore.Open(ctx, filepath.Join(cfg.DataDir, "moderato.db"))
	if err != nil {
		rt.closeLog()
		return nil, err
	}
	rt.DB = db
	rt.Objects = &objects.Folder{Root: cfg.DataDir}

	definition, err := RenderDefinition(rt.Policy)
	if err != nil {
		rt.Close()
		return nil, err
	}
	rt.definition = []byte(definition)

	audit, err := db.Audit(ctx)
	if err != nil {
		rt.Close()
		return nil, err
	}

	documents := newDocumentReader(rt.Objects, rt.logger)
	rt.Tasks = &pipeline.Tasks{
		Objects: rt.Objects,
		Buckets: pipeline.Buckets{
			Approved:   ApprovedBucket,
			Quarantine: QuarantineBucket,
			Redacted:   RedactedBucket,
			Work:       WorkBucket,
		},
		Limits:         media.DefaultLimits(),
		Imaging:        imaging.DefaultOptions(),
		Policy:         rt.Policy,
		Reviews:        db.Reviews(),
		Queues:         cfg.Queues,
		Audit:          audit,
		Outcomes:       db,
		TextModerator:  localengine.NewTextModerator(),
		PIIDetector:    localengine.NewPIIDetector(),
		ImageModerator: localengine.NewImageModerator(rt.logger),
		TextRecognizer: newTesseractRecognizer(rt.logger),
		FrameSampler:   newFFmpegFrames(rt.Objects, rt.logger),
		TextExtractor:  newMediaExtractor(rt.Objects, documents, rt.logger),
		Logger:         rt.logger,
	}
	rt.Tasks.DocumentRedactor = &pdfRedactor{documents: documents}
	if cfg.Clock != nil {
		rt.Tasks.Now = cfg.Clock.Now
	}

	opts := []asl.Option{asl.WithOwner(newOwner()), asl.WithLogger(rt.logger)}
	if cfg.Clock != nil {
		opts = append(opts, asl.WithClock(cfg.Clock))
	}
	if cfg.Lease > 0 {
		opts = append(opts, asl.WithLeaseDuration(cfg.Lease))
	}
	rt.jobs = newJobRunner(rt, cfg)
	rt.Runner = asl.NewRunner(db.Executions(), rt.functions(), opts...)
	rt.jobs.start()
	return rt, nil
}

// Close stops the job runner and the executor, leaving running jobs and
// paused executions in the database to be resumed by the next process, and
// closes the database.
func (rt *Runtime) Close() error {
	var errs []error
	if rt.jobs != nil {
		rt.jobs.close()
	}
	if rt.Runner != nil {
		errs = append(errs, rt.Runner.Close())
	}
	if rt.DB != nil {
		errs = append(errs, rt.DB.Close())
	}
	rt.closeLog()
	return errors.Join(errs...)
}

func (rt *Runtime) closeLog() {
	if rt.logFile != nil {
		rt.logFile.Close()
		rt.logFile = nil
	}
}

// Logger returns the runtime's logger.
func (rt *Runtime) Logger() *slog.Logger { return rt.logger }

// FunctionARN returns the local ARN of a pipeline function.
func FunctionARN(name string) string {
	return "arn:aws:lambda:local:000000000000:function:" + functionPrefix + name
}

// RenderDefinition renders the moderation definition for local mode: the
// function placeholders become local function ARNs, the review timeout
// comes from the policy, and the job states time out after two hours. The
// escalated review's timeout needs no placeholder, because that state
// reads it from the decision.
func RenderDefinition(p *policy.Policy) (string, error) {
	vars := map[string]string{}
	for _, name := range statemachines.Placeholders(statemachines.Moderation) {
		if fn, ok := cutSuffix(name, "_function_arn"); ok {
			vars[name] = FunctionARN(fn)
		}
	}
	vars["review_timeout_seconds"] = strconv.FormatInt(int64(p.ReviewTimeout()/time.Second), 10)
	vars["job_timeout_seconds"] = strconv.Itoa(localJobTimeoutSeconds)
	definition, err := statemachines.Render(statemachines.Moderation, vars)
	if err != nil {
		return "", fmt.Errorf("rendering the moderation state machine: %w", err)
	}
	return definition, nil
}

func cutSuffix(s, suffix string) (string, bool) {
	if len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
		return s[:len(s)-len(suffix)], true
	}
	return "", false
}

// Functions returns the pipeline's task handlers as local Lambda functions,
// named as the state machine's rendered ARNs name them. The start_job
// function needs a runtime's job runner, so Runtime.functions adds it.
func Functions(t *pipeline.Tasks) asl.Functions {
	return asl.Functions{
		functionPrefix + "inspect":          function(t.Inspect),
		functionPrefix + "normalize_image":  function(t.NormalizeImage),
		functionPrefix + "moderate_text":    function(t.ModerateText),
		functionPrefix + "detect_pii_text":  function(t.DetectPIIText),
		functionPrefix + "moderate_image":   function(t.ModerateImage),
		functionPrefix + "detect_pii_image": function(t.DetectPIIImage),
		functionPrefix + "extract_text":     function(t.ExtractText),
		functionPrefix + "decide":           function(t.Decide),
		functionPrefix + "request_review":   function(t.RequestReview),
		functionPrefix + "record_outcome":   function(t.RecordOutcome),
	}
}

// functions returns the runtime's local Lambda functions: Functions and
// start_job.
func (rt *Runtime) functions() asl.Functions {
	fns := Functions(rt.Tasks)
	fns[functionPrefix+"start_job"] = function(rt.jobs.startJob)
	return fns
}

// function adapts a typed handler to a Lambda function: JSON in, JSON out,
// as the Lambda Go runtime decodes and encodes them.
func function[In, Out any](handler func(context.Context, In) (Out, error)) asl.Function {
	return func(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
		var in In
		if err := json.Unmarshal(payload, &in); err != nil {
			return nil, fmt.Errorf("decoding the task input: %w", err)
		}
		out, err := handler(ctx, in)
		if err != nil {
			return nil, err
		}
		return json.Marshal(out)
	}
}

func newOwner() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}
