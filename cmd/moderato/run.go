package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/moderato/moderato/internal/local"
	"github.com/moderato/moderato/internal/policy"
)

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", stderr, "run [--data DIR] [--policy FILE] [--json] [--workers N] PATH...")
	dataDir := fs.String("data", defaultDataDir(), "data `directory` for the database and the buckets")
	policyPath := fs.String("policy", "", "moderation policy JSON `file` (default: the built-in policy)")
	asJSON := fs.Bool("json", false, "print one JSON object per input file, one per line")
	workers := fs.Int("workers", max(2, runtime.NumCPU()), "number of files processed at the same time")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		fs.Usage()
		return fmt.Errorf("%w: run needs at least one file or folder", errUsage)
	}
	if *workers < 1 || *workers > 256 {
		return fmt.Errorf("%w: --workers must be between 1 and 256, got %d", errUsage, *workers)
	}

	pol, err := loadPolicy(*policyPath)
	if err != nil {
		return err
	}
	sources, skipped, err := local.CollectSources(paths, *dataDir)
	if err != nil {
		return err
	}
	for _, s := range skipped {
		fmt.Fprintf(stderr, "moderato: skipped %s: %s\n", strconv.Quote(s.Path), s.Reason)
	}
	rt, err := local.Open(ctx, local.Config{DataDir: *dataDir, Policy: pol})
	if err != nil {
		return err
	}
	defer rt.Close()

	progress := newProgress(stderr, len(sources))
	results := rt.Process(ctx, sources, *workers, progress.update)
	progress.finish()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w; paused and unfinished executions resume on the next run", err)
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("writing results: %w", err)
			}
		}
	} else {
		printSummary(stdout, results, *dataDir)
	}

	for _, r := range results {
		if r.Execution == "" {
			// An input that never entered the pipeline has no outcome.
			return exitError{1}
		}
	}
	if len(skipped) > 0 {
		return exitError{1}
	}
	return nil
}

func loadPolicy(path string) (*policy.Policy, error) {
	if path == "" {
		return policy.Default(), nil
	}
	p, err := policy.Load(path)
	if err != nil {
		return nil, fmt.Errorf("loading policy: %w", err)
	}
	return p, nil
}

func printSummary(w io.Writer, results []local.Result, dataDir string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERDICT\tMEDIA\tPII\tSOURCE\tREASON")
	counts := map[policy.Verdict]int{}
	for _, r := range results {
		counts[r.Verdict]++
		reason := "-"
		if len(r.Reasons) > 0 {
			reason = r.Reasons[0]
			if len(r.Reasons) > 1 {
				reason += fmt.Sprintf(" (+%d more)", len(r.Reasons)-1)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Verdict, r.MediaType, piiSummary(r), printable(r.Source), truncate(printable(reason), 90))
	}
	tw.Flush()

	var parts []string
	for _, v := range []policy.Verdict{policy.Approved, policy.Rejected, policy.Review, policy.Failed, policy.Unsupported} {
		if counts[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
		}
	}
	fmt.Fprintf(w, "\n%d items: %s\n", len(results), strings.Join(parts, ", "))
	fmt.Fprintf(w, "Redacted copies: %s/redacted/  Approved: %s/approved/  Quarantine: %s/quarantine/\n", dataDir, dataDir, dataDir)
	if counts[policy.Review] > 0 {
		fmt.Fprintf(w, "Pending reviews: moderato reviews list --data %s\n", dataDir)
	}
}

func piiSummary(r local.Result) string {
	if len(r.PII) == 0 {
		return "-"
	}
	parts := make([]string, 0, len(r.PII))
	for _, c := range r.PII {
		parts = append(parts, fmt.Sprintf("%s×%d", c.Type, c.Count))
	}
	return strings.Join(parts, ",")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// progress draws a progress bar on stderr when stderr is a terminal.
type progress struct {
	w     io.Writer
	total int
	tty   bool
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(done, total int) {
	if !p.tty || total == 0 {
		return
	}
	const width = 30
	filled := done * width / total
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total)
}

func (p *progress) finish() {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// printable quotes text that contains a character strconv.Quote would
// escape, such as a newline, an ANSI escape, a bidirectional override or an
// invalid UTF-8 byte, so that stored text cannot forge table rows or drive
// the terminal. Other text, including ordinary spaces, is returned as is.
func printable(s string) string {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, isUnprintable) {
		return strconv.Quote(s)
	}
	return s
}

func isUnprintable(r rune) bool {
	return !strconv.IsPrint(r)
}
