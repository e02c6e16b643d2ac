// Package web serves local mode's review page and review API on loopback:
// the queue of pending reviews, a redacted preview of each item, and the
// decision endpoint that resumes the paused execution.
package web

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/moderato/moderato/internal/local"
	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/review"
)

//go:embed page.html
var page []byte

// maxDecisionBytes bounds a decision request body.
const maxDecisionBytes = 16 << 10

// Handler serves the review page and API.
type Handler struct {
	rt  *local.Runtime
	mux *http.ServeMux
}

// New returns the handler for a runtime.
func New(rt *local.Runtime) *Handler {
	h := &Handler{rt: rt, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /{$}", h.index)
	h.mux.HandleFunc("GET /api/reviews", h.list)
	h.mux.HandleFunc("GET /api/reviews/{id}", h.show)
	h.mux.HandleFunc("GET /api/reviews/{id}/preview", h.preview)
	h.mux.HandleFunc("POST /api/reviews/{id}/decision", h.decide)
	return h
}

// ServeHTTP refuses requests whose Host is not a loopback name, which
// defeats DNS rebinding, and cross-origin writes, which defeats a web page
// that posts decisions to the local server.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !loopbackHost(r.Host) {
		writeError(w, http.StatusForbidden, "the review server answers loopback host names only")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if origin := r.Header.Get("Origin"); origin != "" && origin != "http://"+r.Host {
			writeError(w, http.StatusForbidden, "cross-origin requests are refused")
			return
		}
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	h.mux.ServeHTTP(w, r)
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

func (h *Handler) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self'")
	w.Write(page)
}

// reviewView is a review as the API shows it: no task token, and the
// details decoded.
type reviewView struct {
	review.Review
	Details *reviewDetails `json:"details,omitempty"`
}

type reviewDetails struct {
	Decision pipeline.Decision   `json:"decision"`
	Analysis []pipeline.Analysis `json:"analysis"`
}

func view(r review.Review) reviewView {
	v := reviewView{Review: r}
	var d reviewDetails
	if json.Unmarshal(r.Details, &d) == nil {
		v.Details = &d
	}
	v.Review.Details = nil
	return v
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	status := review.Status(r.URL.Query().Get("status"))
	switch status {
	case "":
		status = review.StatusPending
	case "all":
		status = ""
	case review.StatusPending, review.StatusApproved, review.StatusRejected, review.StatusExpired:
	default:
		writeError(w, http.StatusBadRequest, "invalid status: use pending, approved, rejected, expired or all")
		return
	}
	reviews, err := h.rt.DB.Reviews().ListReviews(r.Context(), status)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	out := make([]reviewView, 0, len(reviews))
	for _, rv := range reviews {
		out = append(out, view(rv))
	}
	writeJSON(w, http.StatusOK, map[string]any{"reviews": out})
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	rv, err := h.rt.DB.Reviews().GetReview(r.Context(), r.PathValue("id"))
	if errors.Is(err, review.ErrNotFound) {
		writeError(w, http.StatusNotFound, "review not found")
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view(rv))
}

// preview serves the redacted derivative of the reviewed item, never the
// original.
func (h *Handler) preview(w http.ResponseWriter, r *http.Request) {
	rv, err := h.rt.DB.Reviews().GetReview(r.Context(), r.PathValue("id"))
	if errors.Is(err, review.ErrNotFound) {
		writeError(w, http.StatusNotFound, "review not found")
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	d := view(rv).Details
	var loc *objects.Location
	if d != nil {
		for _, a := range d.Analysis {
			if a.Redacted != nil {
				loc = a.Redacted
				break
			}
		}
	}
	if loc == nil {
		writeError(w, http.StatusNotFound, "this item has no redacted preview")
		return
	}
	rc, err := h.rt.Objects.Open(r.Context(), *loc)
	if err != nil {
		writeError(w, http.StatusNotFound, "the redacted preview is missing")
		return
	}
	defer rc.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(rc, head)
	ct := http.DetectContentType(head[:n])
	if strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "text/xml") {
		// Uploaded markup is shown as text, never rendered.
		ct = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Write(head[:n])
	io.Copy(w, rc)
}

type decisionRequest struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	Reviewer string `json:"reviewer"`
}

func (h *Handler) decide(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "send the decision as application/json")
		return
	}
	var req decisionRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxDecisionBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid decision body: "+err.Error())
		return
	}
	if _, err := review.StatusFor(req.Decision); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(req.Reason) > 2000 {
		writeError(w, http.StatusBadRequest, "reason is longer than 2000 characters")
		return
	}
	reviewer := req.Reviewer
	if reviewer == "" {
		reviewer = "local-moderator"
	}

	res, err := h.rt.Decide(r.Context(), r.PathValue("id"), req.Decision, req.Reason, reviewer)
	var decisionErr *local.DecisionError
	if errors.As(err, &decisionErr) {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, review.ErrNotFound):
			status = http.StatusNotFound
		case errors.Is(err, review.ErrAlreadyDecided):
			status = http.StatusConflict
		case errors.Is(err, review.ErrExpired):
			status = http.StatusGone
		}
		writeJSON(w, status, map[string]any{"error": err.Error(), "review": view(decisionErr.Review)})
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (h *Handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	h.rt.Logger().ErrorContext(context.WithoutCancel(r.Context()), "serving review API", "path", r.URL.Path, "error", err)
	writeError(w, http.StatusInternalServerError, "internal error; see the server log")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}
