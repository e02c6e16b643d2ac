// Package web serves local mode's review page and review API on loopback.
// The API itself is the reviewapi handler that the AWS Lambda function also
// runs. This package plugs in the local runtime as its backend and the local
// moderator as its identity, and it rejects requests that do not come from
// this machine's browser.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/moderato/moderato/internal/local"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/internal/reviewapi"
)

// Options configures local review.
type Options struct {
	// Moderator is the name recorded as the reviewer of every decision made
	// through the local server; empty means "local-moderator".
	Moderator string
	// Quorum is the number of agreeing decisions that settles a review.
	Quorum int
	// Router assigns reviews to queues.
	Router review.Router
}

// NewService returns the review service of a local runtime, which the
// server and the CLI decide through.
func NewService(ctx context.Context, rt *local.Runtime, opts Options) (*reviewapi.Service, error) {
	audit, err := rt.DB.Audit(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if rt.Tasks != nil && rt.Tasks.Now != nil {
		now = rt.Tasks.Now
	}
	return reviewapi.NewService(reviewapi.Config{
		Backend: Backend{rt},
		Audit:   audit,
		Router:  opts.Router,
		Quorum:  opts.Quorum,
		Logger:  rt.Logger(),
		Now:     now,
	})
}

// Handler serves the review page and API of a local runtime.
type Handler struct {
	api http.Handler
}

// New returns the handler for a runtime.
func New(ctx context.Context, rt *local.Runtime, opts Options) (*Handler, error) {
	svc, err := NewService(ctx, rt, opts)
	if err != nil {
		return nil, err
	}
	if opts.Moderator == "" {
		opts.Moderator = "local-moderator"
	}
	return &Handler{api: reviewapi.NewHandler(svc, reviewapi.LocalModerator{ID: opts.Moderator})}, nil
}

// ServeHTTP rejects requests whose Host is not a loopback name, which
// defeats DNS rebinding, and cross-origin writes, which defeats a web page
// that posts decisions to the local server.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !loopbackHost(r.Host) {
		reject(w, "the review server accepts loopback host names only")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if origin := r.Header.Get("Origin"); origin != "" && origin != "http://"+r.Host {
			reject(w, "cross-origin requests are rejected")
			return
		}
	}
	h.api.ServeHTTP(w, r)
}

func reject(w http.ResponseWriter, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusForbidden)
	json.NewEncoder(w).Encode(map[string]string{"error": message})
}

func loopbackHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Backend is the reviewapi backend of a local runtime: reviews in the local
// database, previews from the local object folder, and decisions through
// the embedded executor's task tokens.
type Backend struct {
	rt *local.Runtime
}

// Reviews returns the local review store.
func (b Backend) Reviews() review.Store { return b.rt.DB.Reviews() }

// Resume sends the decision through the review's task token, waits for the
// execution to finish and returns its outcome.
func (b Backend) Resume(ctx context.Context, id string, result pipeline.ReviewResult) (any, error) {
	res, err := b.rt.Decide(ctx, id, result.Decision, result.Reason, result.Reviewer)
	var decisionErr *local.DecisionError
	if errors.As(err, &decisionErr) {
		return nil, fmt.Errorf("deciding review %s: %w", id, decisionErr.Err)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ResolveExpired resumes the execution of an overdue review, so that the
// executor applies its timeout, and waits until it finishes or waits for
// its escalated review.
func (b Backend) ResolveExpired(ctx context.Context, id string) error {
	r, err := b.rt.DB.Reviews().GetReview(ctx, id)
	if err != nil {
		return err
	}
	if err := b.rt.ApplyTimeout(ctx, r); err != nil {
		return err
	}
	name := r.Execution[strings.LastIndex(r.Execution, ":")+1:]
	if _, err := b.rt.Settle(ctx, name); err != nil {
		return fmt.Errorf("settling execution %s: %w", name, err)
	}
	return nil
}

// Preview opens an object of the local folder.
func (b Backend) Preview(ctx context.Context, loc objects.Location) (reviewapi.Preview, error) {
	rc, err := b.rt.Objects.Open(ctx, loc)
	if errors.Is(err, objects.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return reviewapi.Preview{}, fmt.Errorf("opening the preview %s: %w", loc, reviewapi.ErrNoPreview)
	}
	if err != nil {
		return reviewapi.Preview{}, fmt.Errorf("opening the preview %s: %w", loc, err)
	}
	return reviewapi.Preview{Body: rc}, nil
}
