package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/moderato/moderato/internal/local"
	"github.com/moderato/moderato/internal/local/web"
	"github.com/moderato/moderato/internal/policy"
)

func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr, "serve [--addr 127.0.0.1:8080] [--data DIR] [--inbox DIR] [--policy FILE] [--moderator NAME] [--quorum N]")
	addr := fs.String("addr", "127.0.0.1:8080", "loopback `address` to listen on")
	dataDir := fs.String("data", defaultDataDir(), "data `directory`")
	inbox := fs.String("inbox", "", "`folder` to watch: each new or changed file is moderated")
	policyPath := fs.String("policy", "", "moderation policy JSON `file` (default: the built-in policy)")
	poll := fs.Duration("poll", time.Second, "how often the inbox is scanned")
	moderator := fs.String("moderator", defaultReviewer(), "reviewer `name` recorded for decisions made on the review page")
	quorum := fs.Int("quorum", 1, "number of agreeing decisions from different moderators that settles a review, 1 to 10")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return fmt.Errorf("%w: serve takes no arguments, got %q", errUsage, positional)
	}
	if err := checkLoopback(*addr); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *poll < 100*time.Millisecond {
		return fmt.Errorf("%w: --poll must be at least 100ms", errUsage)
	}
	if *quorum < 1 || *quorum > policy.MaxReviewQuorum {
		return fmt.Errorf("%w: --quorum %d is outside 1..%d, the range a policy's review.quorum allows", errUsage, *quorum, policy.MaxReviewQuorum)
	}

	pol, err := loadPolicy(*policyPath)
	if err != nil {
		return err
	}
	rt, err := local.Open(ctx, local.Config{DataDir: *dataDir, Policy: pol})
	if err != nil {
		return err
	}
	defer rt.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	handler, err := web.New(ctx, rt, web.Options{Moderator: *moderator, Quorum: *quorum})
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "Review page: http://%s/\n", ln.Addr())
	logger := rt.Logger()
	logger.InfoContext(ctx, "serve started", "addr", ln.Addr().String(), "data_dir", *dataDir, "inbox", *inbox, "quorum", *quorum)

	go func() {
		if err := rt.ResumePending(ctx); err != nil {
			rt.Logger().ErrorContext(ctx, "resuming executions", "error", err)
		}
	}()
	if *inbox != "" {
		if err := os.MkdirAll(*inbox, 0o755); err != nil {
			return fmt.Errorf("creating inbox %s: %w", *inbox, err)
		}
		fmt.Fprintf(stdout, "Watching inbox: %s\n", *inbox)
		go watchInbox(ctx, rt, *inbox, *poll, stdout)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			logger.Error("serve stopped with requests still open", "addr", ln.Addr().String(), "error", err)
			return fmt.Errorf("stopping serve on %s: waiting for open requests: %w", ln.Addr(), err)
		}
		logger.Info("serve stopped", "addr", ln.Addr().String())
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			logger.Info("serve stopped", "addr", ln.Addr().String())
			return nil
		}
		logger.Error("serve stopped", "addr", ln.Addr().String(), "error", err)
		return fmt.Errorf("serving on %s: %w", *addr, err)
	}
}

// checkLoopback refuses addresses other machines can reach: the local review
// page has no authentication.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid --addr %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--addr %q is not a loopback address: the local review page has no authentication, so it listens on 127.0.0.1 or ::1 only", addr)
	}
	return nil
}

// fileState identifies one version of an inbox file.
type fileState struct {
	size    int64
	modTime time.Time
}

// watchInbox moderates files that appear or change in the inbox. A file is
// taken once it kept the same size and modification time for one scan, so a
// file still being written is not uploaded half-done.
func watchInbox(ctx context.Context, rt *local.Runtime, inbox string, every time.Duration, stdout io.Writer) {
	seen := map[string]fileState{}
	pending := map[string]fileState{}
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		current := map[string]fileState{}
		err := filepath.WalkDir(inbox, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			current[path] = fileState{size: info.Size(), modTime: info.ModTime()}
			return nil
		})
		if err != nil {
			rt.Logger().WarnContext(ctx, "scanning inbox", "inbox", inbox, "error", err)
		}

		var ready []local.Source
		for path, st := range current {
			if seen[path] == st {
				continue
			}
			if pending[path] == st {
				sources, _, err := local.CollectSources([]string{path})
				if err == nil {
					ready = append(ready, sources...)
				}
				seen[path] = st
				delete(pending, path)
				continue
			}
			pending[path] = st
		}
		if len(ready) > 0 {
			for _, r := range rt.Process(ctx, ready, 2, nil) {
				fmt.Fprintf(stdout, "%s: %s\n", printable(r.Source), r.Verdict)
			}
		}

		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
