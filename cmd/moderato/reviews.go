package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/moderato/moderato/internal/local"
	"github.com/moderato/moderato/internal/local/web"
	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/internal/reviewapi"
)

func reviewsListCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reviews list", stderr, "reviews list [--data DIR] [--json] [--all] [--queue NAME]")
	dataDir := fs.String("data", defaultDataDir(), "data `directory`")
	asJSON := fs.Bool("json", false, "print one JSON object per review, one per line")
	all := fs.Bool("all", false, "list decided, expired and escalated reviews too")
	queue := fs.String("queue", "", "list only the reviews of this `queue`, such as an escalation queue")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return fmt.Errorf("%w: reviews list takes no arguments, got %q", errUsage, positional)
	}

	rt, err := openExisting(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer rt.Close()
	if err := rt.ResumePending(ctx); err != nil {
		return err
	}
	status := review.StatusPending
	if *all {
		status = ""
	}
	reviews, err := rt.DB.Reviews().ListReviews(ctx, status)
	if err != nil {
		return err
	}
	if *queue != "" {
		reviews = slices.DeleteFunc(reviews, func(r review.Review) bool { return reviewQueue(r) != *queue })
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		for _, r := range reviews {
			r.Details = nil
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("writing reviews: %w", err)
			}
		}
		return nil
	}
	if len(reviews) == 0 {
		fmt.Fprintln(stdout, "No pending reviews.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REVIEW\tSTATUS\tQUEUE\tMEDIA\tKEY\tDEADLINE\tREASON")
	for _, r := range reviews {
		reason := "-"
		if len(r.Reasons) > 0 {
			reason = r.Reasons[0]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", printable(r.ID), r.Status, printable(reviewQueue(r)), r.MediaType, printable(r.Key), r.Deadline.Local().Format(time.DateTime), truncate(printable(reason), 70))
	}
	tw.Flush()
	return nil
}

func reviewsDecideCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reviews decide", stderr, "reviews decide [--data DIR] [--json] [--reason TEXT] [--reviewer NAME] REVIEW_ID approve|reject")
	dataDir := fs.String("data", defaultDataDir(), "data `directory`")
	asJSON := fs.Bool("json", false, "print the final outcome as JSON")
	reason := fs.String("reason", "", "why the item is approved or rejected, kept in the outcome")
	reviewer := fs.String("reviewer", defaultReviewer(), "who decides, kept in the outcome")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 2 {
		fs.Usage()
		return fmt.Errorf("%w: reviews decide needs REVIEW_ID and approve or reject", errUsage)
	}
	id, decision := positional[0], positional[1]
	if _, err := review.StatusFor(decision); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}

	rt, err := openExisting(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer rt.Close()
	svc, err := web.NewService(ctx, rt, web.Options{})
	if err != nil {
		return err
	}

	// The CLI runs as the machine's user, who owns the data directory and
	// so may decide in every queue.
	moderator := review.Moderator{ID: *reviewer, AllQueues: true}
	out, err := svc.Decide(ctx, moderator, id, reviewapi.DecisionRequest{Decision: decision, Reason: *reason})
	var decisionErr *reviewapi.DecisionError
	if errors.As(err, &decisionErr) || errors.Is(err, review.ErrNotFound) {
		fmt.Fprintln(stderr, "moderato:", printable(err.Error()))
		return exitError{1}
	}
	if err != nil {
		return err
	}
	res, ok := out.Execution.(local.Result)
	if !ok {
		fmt.Fprintf(stdout, "%s: vote recorded (%d approve, %d reject, %d needed)\n", id, out.Approvals, out.Rejections, out.Required)
		return nil
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	fmt.Fprintf(stdout, "%s: %s (%s)\n", id, res.Verdict, res.Execution)
	for _, r := range res.Reasons {
		fmt.Fprintf(stdout, "  - %s\n", printable(r))
	}
	return nil
}

func reviewsHistoryCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reviews history", stderr, "reviews history [--data DIR] [--json] REVIEW_ID")
	dataDir := fs.String("data", defaultDataDir(), "data `directory`")
	asJSON := fs.Bool("json", false, "print one JSON object per audit entry, one per line")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		fs.Usage()
		return fmt.Errorf("%w: reviews history needs one REVIEW_ID", errUsage)
	}
	id := positional[0]

	rt, err := openExisting(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer rt.Close()
	if _, err := rt.DB.Reviews().GetReview(ctx, id); err != nil {
		fmt.Fprintln(stderr, "moderato:", err)
		return exitError{1}
	}
	audit, err := rt.DB.Audit(ctx)
	if err != nil {
		return err
	}
	entries, err := audit.History(ctx, id)
	if err != nil {
		return err
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		for _, e := range entries {
			if err := enc.Encode(e); err != nil {
				return fmt.Errorf("writing the history of review %s: %w", id, err)
			}
		}
		return nil
	}
	if len(entries) == 0 {
		fmt.Fprintf(stdout, "No decisions on review %s yet.\n", id)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tREVIEWER\tDECISION\tRESULT\tPOLICY\tREASON")
	for _, e := range entries {
		reason := e.Reason
		if reason == "" {
			reason = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Local().Format(time.DateTime), printable(e.Reviewer), printable(e.Decision), e.Result, printable(e.PolicyVersion), truncate(printable(reason), 70))
	}
	tw.Flush()
	return nil
}

// openExisting opens a data directory that `moderato run` created, so that a
// mistyped --data does not silently create an empty one.
func openExisting(ctx context.Context, dataDir string) (*local.Runtime, error) {
	if _, err := os.Stat(dataDir + "/moderato.db"); err != nil {
		return nil, fmt.Errorf("no moderato database in %s: run \"moderato run --data %s PATH...\" first, or pass the right --data", dataDir, dataDir)
	}
	return local.Open(ctx, local.Config{DataDir: dataDir})
}

func defaultReviewer() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "local-moderator"
}

// reviewQueue returns the queue of a local review. Local mode routes no
// media type to a queue of its own, so a review stored without a queue is
// in review.DefaultQueue.
func reviewQueue(r review.Review) string {
	return review.Router{}.Queue(r, time.Now())
}
