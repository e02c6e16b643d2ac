package reviewapi

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/moderato/moderato/internal/review"
)

//go:embed page.html
var page []byte

// maxDecisionBytes bounds a decision request body.
const maxDecisionBytes = 16 << 10

// ErrNoPreview means the review has no object a moderator may see, or
// that the object is gone. Backends wrap it when the preview is missing.
var ErrNoPreview = errors.New("this item has no redacted preview")

// Handler serves the review page and the review API:
//
//	GET  /                              the review page
//	GET  /api/reviews                   list (status, media_type, category, queue, min_age, cursor, limit)
//	GET  /api/reviews/{id}              one review
//	GET  /api/reviews/{id}/preview      redacted preview n (?n=0 by default): bytes or a redirect to a presigned URL
//	GET  /api/reviews/{id}/history      the audit trail of the review
//	POST /api/reviews/{id}/decision     {"decision": "approve"|"reject", "reason": "...", "corrections": [...]}
//	GET  /api/me                        the authenticated moderator
type Handler struct {
	svc  *Service
	auth Authenticator
	mux  *http.ServeMux
}

// NewHandler returns the handler of a service, authenticating requests with
// auth.
func NewHandler(svc *Service, auth Authenticator) *Handler {
	h := &Handler{svc: svc, auth: auth, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /{$}", h.index)
	h.mux.HandleFunc("GET /api/me", h.authenticated(h.me))
	h.mux.HandleFunc("GET /api/reviews", h.authenticated(h.list))
	h.mux.HandleFunc("GET /api/reviews/{id}", h.authenticated(h.show))
	h.mux.HandleFunc("GET /api/reviews/{id}/preview", h.authenticated(h.preview))
	h.mux.HandleFunc("GET /api/reviews/{id}/history", h.authenticated(h.history))
	h.mux.HandleFunc("POST /api/reviews/{id}/decision", h.authenticated(h.decide))
	return h
}

// ServeHTTP adds the security headers every response carries and routes the
// request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

type moderatorHandler func(w http.ResponseWriter, r *http.Request, mod review.Moderator)

func (h *Handler) authenticated(next moderatorHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		mod, err := h.auth.Authenticate(r)
		if err != nil || mod.ID == "" {
			h.svc.cfg.Logger.WarnContext(r.Context(), "rejecting an unauthenticated review API request", "path", r.URL.Path, "error", err)
			writeError(w, http.StatusUnauthorized, "authentication required")
			return
		}
		next(w, r, mod)
	}
}

func (h *Handler) index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The page loads no script, style or font from other origins, so it
	// works offline. connect-src allows https: because on AWS the preview
	// endpoint redirects to a presigned S3 URL.
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' blob:; object-src blob:; frame-src blob:; connect-src 'self' https:; frame-ancestors 'none'")
	w.Write(page)
}

func (h *Handler) me(w http.ResponseWriter, _ *http.Request, mod review.Moderator) {
	writeJSON(w, http.StatusOK, mod)
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request, mod review.Moderator) {
	q := r.URL.Query()
	f := Filter{MediaType: q.Get("media_type"), Category: q.Get("category"), Queue: q.Get("queue"), After: q.Get("cursor")}
	switch status := review.Status(q.Get("status")); status {
	case "":
		f.Status = review.StatusPending
	case "all":
	case review.StatusPending, review.StatusApproved, review.StatusRejected, review.StatusExpired, review.StatusEscalated:
		f.Status = status
	default:
		writeError(w, http.StatusBadRequest, "invalid status: use pending, approved, rejected, expired, escalated or all")
		return
	}
	if v := q.Get("min_age"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			writeError(w, http.StatusBadRequest, "invalid min_age: use a Go duration such as 30m or 2h")
			return
		}
		f.MinAge = d
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			writeError(w, http.StatusBadRequest, "invalid limit: use 1 to "+strconv.Itoa(maxPageSize))
			return
		}
		f.Limit = n
	}

	page, err := h.svc.List(r.Context(), mod, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request, mod review.Moderator) {
	v, err := h.svc.Get(r.Context(), mod, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *Handler) history(w http.ResponseWriter, r *http.Request, mod review.Moderator) {
	entries, err := h.svc.History(r.Context(), mod, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if entries == nil {
		entries = []review.Entry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}

// preview serves the redacted derivative of the reviewed item, or redirects
// to a short-lived presigned URL of it.
func (h *Handler) preview(w http.ResponseWriter, r *http.Request, mod review.Moderator) {
	n := 0
	if v := r.URL.Query().Get("n"); v != "" {
		parsed, err := strconv.Atoi(v)
		if err != nil || parsed < 0 {
			writeError(w, http.StatusBadRequest, "invalid n: use a preview number from 0")
			return
		}
		n = parsed
	}
	p, err := h.svc.PreviewOf(r.Context(), mod, r.PathValue("id"), n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if p.URL != "" {
		http.Redirect(w, r, p.URL, http.StatusFound)
		return
	}
	if p.Body == nil {
		h.fail(w, r, ErrNoPreview)
		return
	}
	defer p.Body.Close()

	head := make([]byte, 512)
	size, _ := io.ReadFull(p.Body, head)
	contentType := http.DetectContentType(head[:size])
	if strings.HasPrefix(contentType, "text/html") || strings.HasPrefix(contentType, "text/xml") {
		// Uploaded markup is shown as text, never rendered.
		contentType = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Write(head[:size])
	io.Copy(w, p.Body)
}

func (h *Handler) decide(w http.ResponseWriter, r *http.Request, mod review.Moderator) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "send the decision as application/json")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxDecisionBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "the decision body is larger than "+strconv.Itoa(maxDecisionBytes)+" bytes: shorten the reason or send fewer corrections")
			return
		}
		writeError(w, http.StatusBadRequest, "reading the decision body failed: "+err.Error())
		return
	}
	req, err := parseDecisionBody(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid decision body: "+err.Error())
		return
	}

	out, err := h.svc.Decide(r.Context(), mod, r.PathValue("id"), req)
	var decisionErr *DecisionError
	if errors.As(err, &decisionErr) {
		status := http.StatusConflict
		if errors.Is(err, review.ErrExpired) {
			status = http.StatusGone
		}
		writeJSON(w, status, map[string]any{"error": err.Error(), "review": decisionErr.Review})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if out.Result == review.ResultVote {
		status = http.StatusAccepted
	}
	writeJSON(w, status, out)
}

// fail maps an error to its status. Unexpected errors are logged and get a
// generic message in the response, because they may name internal paths.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, review.ErrNotFound):
		writeError(w, http.StatusNotFound, "review not found")
	case errors.Is(err, ErrForbidden):
		writeError(w, http.StatusForbidden, ErrForbidden.Error())
	case errors.Is(err, ErrNoPreview):
		writeError(w, http.StatusNotFound, ErrNoPreview.Error())
	case errors.Is(err, ErrInvalid), errors.Is(err, ErrInvalidCursor):
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		h.svc.cfg.Logger.ErrorContext(context.WithoutCancel(r.Context()), "serving review API", "path", r.URL.Path, "error", err)
		writeError(w, http.StatusInternalServerError, "internal error; see the server log")
	}
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
