package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/internal/localstore"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
)

// uploadPrefix is the prefix of uploaded keys in the ingest bucket.
const uploadPrefix = "uploads/"

// Result is the report of `moderato run` on one input file.
type Result struct {
	Source        string               `json:"source"`
	MediaType     string               `json:"media_type"`
	Verdict       policy.Verdict       `json:"verdict"`
	Reasons       []string             `json:"reasons"`
	Categories    []pipeline.Score     `json:"categories"`
	PII           []pipeline.TypeCount `json:"pii"`
	Redacted      *string              `json:"redacted"`
	ReviewID      string               `json:"review_id,omitempty"`
	PolicyVersion string               `json:"policy_version"`
	Execution     string               `json:"execution"`
}

// Source is one input file and the key it is uploaded under.
type Source struct {
	Path string
	Key  string
}

// Skipped is an input entry that is not uploaded, with the reason.
type Skipped struct {
	Path   string
	Reason string
}

// CollectSources expands files and folders (recursively, in lexical order)
// into the files to upload. Keys are "uploads/" plus the path relative to
// the working directory, or the absolute path for files outside it, so two
// different files never share a key. Entries that are not regular files
// (FIFOs, devices, sockets, links to directories or to nothing) and folders
// that cannot be read are returned as skipped rather than stopping the walk.
// Opening a FIFO would otherwise block the run forever. Folders listed in exclude,
// such as the data directory, are not entered, so a run never moderates its
// own output.
func CollectSources(paths []string, exclude ...string) ([]Source, []Skipped, error) {
	if len(paths) == 0 {
		return nil, nil, errors.New("no input files or folders given")
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, nil, fmt.Errorf("reading the working directory: %w", err)
	}
	excluded := map[string]bool{}
	for _, e := range exclude {
		if abs, err := filepath.Abs(e); err == nil {
			excluded[abs] = true
		}
	}

	var out []Source
	var skipped []Skipped
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("reading input %s: %w", p, err)
		}
		if !st.IsDir() {
			if !st.Mode().IsRegular() {
				skipped = append(skipped, Skipped{Path: p, Reason: "not a regular file"})
				continue
			}
			out = append(out, Source{Path: p, Key: keyFor(wd, p)})
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				skipped = append(skipped, Skipped{Path: path, Reason: err.Error()})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if abs, err := filepath.Abs(path); err == nil && excluded[abs] {
					return fs.SkipDir
				}
				// Any moderato data directory (one with a database) holds
				// earlier uploads and outputs, unredacted ones included.
				if _, err := os.Stat(filepath.Join(path, "moderato.db")); err == nil {
					skipped = append(skipped, Skipped{Path: path, Reason: "a moderato data directory"})
					return fs.SkipDir
				}
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				// Links to regular files are uploaded; links to folders are
				// not followed, because they can loop or leave the folder.
				target, err := os.Stat(path)
				switch {
				case errors.Is(err, fs.ErrNotExist):
					skipped = append(skipped, Skipped{Path: path, Reason: "symbolic link to a missing target"})
					return nil
				case err != nil:
					skipped = append(skipped, Skipped{Path: path, Reason: "unreadable symbolic link: " + err.Error()})
					return nil
				case !target.Mode().IsRegular():
					skipped = append(skipped, Skipped{Path: path, Reason: "symbolic link to something other than a regular file"})
					return nil
				}
				out = append(out, Source{Path: path, Key: keyFor(wd, path)})
				return nil
			}
			if !d.Type().IsRegular() {
				skipped = append(skipped, Skipped{Path: path, Reason: "not a regular file"})
				return nil
			}
			out = append(out, Source{Path: path, Key: keyFor(wd, path)})
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return out, skipped, nil
}

func keyFor(wd, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return uploadPrefix + filepath.ToSlash(rel)
	}
	return uploadPrefix + strings.TrimPrefix(filepath.ToSlash(abs), "/")
}

// Upload copies a file into the ingest bucket and starts its execution with
// the event S3 would send. A repeated upload of the same content returns the
// existing execution.
func (rt *Runtime) Upload(ctx context.Context, src Source) (string, error) {
	f, err := os.Open(src.Path)
	if err != nil {
		return "", fmt.Errorf("reading input %s: %w", src.Path, err)
	}
	defer f.Close()

	loc := objects.Location{Bucket: IngestBucket, Key: src.Key}
	info, err := rt.Objects.Put(ctx, loc, f, "")
	if err != nil {
		return "", fmt.Errorf("uploading %s: %w", src.Path, err)
	}
	return rt.StartEvent(ctx, ObjectCreatedEvent(loc, info, time.Now()))
}

// StartEvent starts the execution for an S3 event, as the AWS starter
// function does. An event delivered twice maps to the same execution name;
// the second delivery counts as success and starts nothing.
func (rt *Runtime) StartEvent(ctx context.Context, ev Event) (string, error) {
	name := pipeline.ExecutionName(ev.Detail)
	_, err := rt.Runner.Start(ctx, asl.StartInput{
		StateMachine: StateMachine,
		Name:         name,
		Definition:   rt.definition,
		Input:        ev.JSON(),
	})
	if err != nil && !errors.Is(err, asl.ErrExecutionAlreadyExists) {
		// Another process created the execution and drives it; Settle
		// waits for it.
		if errors.Is(err, asl.ErrLeaseHeld) {
			return name, nil
		}
		return "", fmt.Errorf("starting execution for %s: %w", objects.Location{Bucket: ev.Detail.Bucket.Name, Key: ev.Detail.Object.Key}, err)
	}
	if errors.Is(err, asl.ErrExecutionAlreadyExists) {
		rt.logger.InfoContext(ctx, "duplicate event ignored", "execution", name)
		// A paused or interrupted execution from an earlier process is
		// resumed here, so that its outcome can be reported.
		if err := rt.Runner.Resume(ctx, name); err != nil && !errors.Is(err, asl.ErrNotRunning) && !errors.Is(err, asl.ErrLeaseHeld) {
			rt.logger.WarnContext(ctx, "resuming execution", "execution", name, "error", err)
		}
	}
	return name, nil
}

// Process uploads and moderates the sources, at most workers at a time, and
// returns one result per source in input order. progress, when not nil, is
// called after each finished source.
func (rt *Runtime) Process(ctx context.Context, sources []Source, workers int, progress func(done, total int)) []Result {
	if workers < 1 {
		workers = 1
	}
	results := make([]Result, len(sources))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = rt.processOne(ctx, sources[i])
				mu.Lock()
				done++
				if progress != nil {
					progress(done, len(sources))
				}
				mu.Unlock()
			}
		}()
	}
	for i := range sources {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results
}

func (rt *Runtime) processOne(ctx context.Context, src Source) Result {
	name, err := rt.Upload(ctx, src)
	if err != nil {
		rt.logger.ErrorContext(ctx, "uploading input", "source", src.Path, "error", err)
		return Result{Source: src.Path, MediaType: "unsupported", Verdict: policy.Failed, Reasons: []string{err.Error()}, PolicyVersion: rt.Policy.Version()}
	}
	res, err := rt.Settle(ctx, name)
	if err != nil {
		return Result{Source: src.Path, MediaType: "unsupported", Verdict: policy.Failed, Reasons: []string{err.Error()}, PolicyVersion: rt.Policy.Version(), Execution: name}
	}
	res.Source = src.Path
	return res
}

// Settle waits until the execution has an outcome or waits for a review, and
// returns its result. An execution that another process drives, or that a
// crashed process still holds a lease on, is waited for and taken over once
// its lease expires. An execution that failed without recording an outcome
// (an error no Catch may handle, such as States.Runtime) gets a failed
// outcome here, so no item is lost.
func (rt *Runtime) Settle(ctx context.Context, name string) (Result, error) {
	arn := ExecutionARN(name)
	for {
		exec, err := rt.Runner.WaitSettled(ctx, name)
		if err != nil {
			return Result{}, fmt.Errorf("waiting for execution %s: %w", name, err)
		}

		if exec.Status != asl.StatusRunning {
			o, err := rt.DB.GetOutcome(ctx, arn)
			if errors.Is(err, localstore.ErrOutcomeNotFound) {
				o, err = rt.recordLostExecution(ctx, exec)
			}
			if err != nil {
				return Result{}, err
			}
			return rt.outcomeResult(name, o), nil
		}

		r, err := rt.currentReview(ctx, arn)
		if err == nil {
			return rt.pendingResult(name, r), nil
		}
		if !errors.Is(err, review.ErrNotFound) {
			return Result{}, err
		}
		// Running without a review: a long-running job runs, or another
		// process drives the execution. Try to take it over (this works
		// once that process's lease has expired) and look again shortly.
		if err := rt.Runner.Resume(ctx, name); err != nil && !errors.Is(err, asl.ErrNotRunning) && !errors.Is(err, asl.ErrLeaseHeld) {
			rt.logger.WarnContext(ctx, "resuming execution", "execution", name, "error", err)
		}
		select {
		case <-ctx.Done():
			return Result{}, fmt.Errorf("waiting for execution %s: %w", name, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// currentReview returns the latest review of an execution: the escalated
// review when one exists, or else the first.
func (rt *Runtime) currentReview(ctx context.Context, arn string) (review.Review, error) {
	for level := pipeline.MaxEscalationLevel; level > 0; level-- {
		r, err := rt.DB.Reviews().GetReview(ctx, pipeline.ReviewIDAt(arn, level))
		if !errors.Is(err, review.ErrNotFound) {
			return r, err
		}
	}
	return rt.DB.Reviews().GetReview(ctx, pipeline.ReviewID(arn))
}

// recordLostExecution records a failed outcome for an execution that ended
// without one.
func (rt *Runtime) recordLostExecution(ctx context.Context, exec asl.Execution) (pipeline.Outcome, error) {
	var ev Event
	if err := json.Unmarshal(exec.Input, &ev); err != nil {
		return pipeline.Outcome{}, fmt.Errorf("decoding the input of execution %s: %w", exec.Name, err)
	}
	cause := exec.Cause
	if cause == "" {
		cause = "the execution ended with status " + string(exec.Status)
	}
	rt.logger.ErrorContext(ctx, "execution ended without an outcome", "execution", exec.Name, "status", exec.Status, "error", exec.Error)
	return rt.Tasks.RecordOutcome(ctx, pipeline.RecordInput{
		Execution: ExecutionARN(exec.Name),
		Document: pipeline.Document{
			Detail: ev.Detail,
			Error:  &pipeline.ErrorOutput{Error: orDefault(exec.Error, "States.Runtime"), Cause: cause},
		},
	})
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (rt *Runtime) outcomeResult(name string, o pipeline.Outcome) Result {
	res := Result{
		MediaType:     o.MediaType,
		Verdict:       o.Verdict,
		Reasons:       nonNil(o.Reasons),
		Categories:    nonNilScores(o.Categories),
		PII:           mergeCounts(o.PII),
		ReviewID:      o.ReviewID,
		PolicyVersion: o.PolicyVersion,
		Execution:     name,
	}
	if o.Redacted != nil {
		if p, err := rt.Objects.Path(*o.Redacted); err == nil {
			res.Redacted = &p
		}
	}
	return res
}

func (rt *Runtime) pendingResult(name string, r review.Review) Result {
	res := Result{
		MediaType:     r.MediaType,
		Verdict:       policy.Review,
		Reasons:       nonNil(r.Reasons),
		Categories:    []pipeline.Score{},
		PII:           []pipeline.TypeCount{},
		ReviewID:      r.ID,
		PolicyVersion: rt.Policy.Version(),
		Execution:     name,
	}
	var details struct {
		Decision pipeline.Decision   `json:"decision"`
		Analysis []pipeline.Analysis `json:"analysis"`
	}
	if json.Unmarshal(r.Details, &details) == nil {
		res.Categories = nonNilScores(details.Decision.Categories)
		res.PolicyVersion = details.Decision.PolicyVersion
		var counts []pipeline.TypeCount
		for _, a := range details.Analysis {
			counts = append(counts, a.PII...)
			if a.Redacted != nil && res.Redacted == nil {
				if p, err := rt.Objects.Path(*a.Redacted); err == nil {
					res.Redacted = &p
				}
			}
		}
		res.PII = mergeCounts(counts)
	}
	return res
}

func mergeCounts(counts []pipeline.TypeCount) []pipeline.TypeCount {
	byType := map[string]int{}
	for _, c := range counts {
		byType[c.Type] += c.Count
	}
	out := make([]pipeline.TypeCount, 0, len(byType))
	for t, n := range byType {
		out = append(out, pipeline.TypeCount{Type: t, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilScores(s []pipeline.Score) []pipeline.Score {
	if s == nil {
		return []pipeline.Score{}
	}
	return s
}

// ExecutionARN returns the local ARN of an execution of the moderation state
// machine, as the executor reports it in $$.Execution.Id.
func ExecutionARN(name string) string {
	return "arn:aws:states:local:000000000000:execution:" + StateMachine + ":" + name
}
