package reviewapi

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/review"
)

// Page sizes of the list endpoint.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// View is a review as the API shows it: no task token, the stored details
// decoded, and the queue it is in now. Escalated is true for a review in
// the policy's escalation queue and for one that the age-based Router
// moved.
type View struct {
	review.Review
	Queue     string   `json:"queue"`
	Escalated bool     `json:"escalated"`
	PIITypes  []string `json:"pii_types"`
	// Previews is the number of previews that the preview endpoint serves,
	// numbered from 0 with its n parameter.
	Previews int `json:"previews"`
	// Details replaces the stored JSON with its decoded form.
	Details *details `json:"details,omitempty"`
}

func (s *Service) view(r review.Review) View {
	now := s.cfg.Now()
	v := View{
		Review:    r,
		Queue:     s.cfg.Router.Queue(r, now),
		Escalated: r.EscalationLevel > 0 || s.cfg.Router.Escalated(r, now),
		Details:   decodeDetails(r.Details),
		PIITypes:  []string{},
	}
	v.Review.Details = nil
	if v.Details != nil {
		for _, a := range v.Details.Analysis {
			for _, p := range a.PII {
				if !slices.Contains(v.PIITypes, p.Type) {
					v.PIITypes = append(v.PIITypes, p.Type)
				}
			}
		}
	}
	v.Previews = len(previewLocations(v, s.cfg.AllowOriginal))
	return v
}

// Filter selects the reviews of a list request.
type Filter struct {
	// Status is the review status; empty lists every status.
	Status    review.Status
	MediaType string
	// Category keeps reviews whose policy decision scored the category.
	Category string
	Queue    string
	// MinAge keeps reviews created at least this long ago.
	MinAge time.Duration
	// After is the cursor returned with the previous page.
	After string
	Limit int
}

// ListPage is one page of reviews.
type ListPage struct {
	Reviews []View `json:"reviews"`
	// NextCursor is set when more reviews match; pass it as the cursor
	// parameter to get the next page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// List returns the reviews that match the filter and that the moderator may
// access, oldest first.
func (s *Service) List(ctx context.Context, mod review.Moderator, f Filter) (ListPage, error) {
	if f.Limit <= 0 || f.Limit > maxPageSize {
		f.Limit = defaultPageSize
	}
	after, err := decodeCursor(f.After)
	if err != nil {
		return ListPage{}, err
	}
	reviews, err := s.cfg.Backend.Reviews().ListReviews(ctx, f.Status)
	if err != nil {
		return ListPage{}, err
	}

	now := s.cfg.Now()
	page := ListPage{Reviews: []View{}}
	for _, r := range reviews {
		if !after.before(r) {
			continue
		}
		v := s.view(r)
		if !mod.CanAccess(v.Queue) || !f.matches(v, now) {
			continue
		}
		if len(page.Reviews) == f.Limit {
			last := page.Reviews[len(page.Reviews)-1]
			page.NextCursor = encodeCursor(last.Review)
			break
		}
		page.Reviews = append(page.Reviews, v)
	}
	return page, nil
}

func (f Filter) matches(v View, now time.Time) bool {
	if f.MediaType != "" && v.MediaType != f.MediaType {
		return false
	}
	if f.Queue != "" && v.Queue != f.Queue {
		return false
	}
	if f.MinAge > 0 && now.Sub(v.CreatedAt) < f.MinAge {
		return false
	}
	if f.Category != "" {
		if v.Details == nil {
			return false
		}
		found := slices.ContainsFunc(v.Details.Decision.Categories, func(c pipeline.Score) bool {
			return strings.EqualFold(c.Name, f.Category)
		})
		if !found {
			return false
		}
	}
	return true
}

// cursor is the position after the last review of a page, in the store's
// order: creation time, then ID.
type cursor struct {
	created int64
	id      string
}

func (c cursor) before(r review.Review) bool {
	if c.id == "" {
		return true
	}
	n := r.CreatedAt.UnixNano()
	return n > c.created || (n == c.created && r.ID > c.id)
}

func encodeCursor(r review.Review) string {
	raw := strconv.FormatInt(r.CreatedAt.UnixNano(), 10) + "|" + r.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(s string) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, fmt.Errorf("%w: the cursor is not one this API returned; list again without it", ErrInvalidCursor)
	}
	created, id, ok := strings.Cut(string(raw), "|")
	n, err := strconv.ParseInt(created, 10, 64)
	if !ok || err != nil || id == "" {
		return cursor{}, fmt.Errorf("%w: the cursor is not one this API returned; list again without it", ErrInvalidCursor)
	}
	return cursor{created: n, id: id}, nil
}

// PreviewOf returns preview number n of a review that the moderator may
// access. The previews are the distinct redacted derivatives of its
// analysis, extracted text first (for a document, the redacted text and
// then the redacted file), or the original object when the configuration
// allows it and no derivative exists.
func (s *Service) PreviewOf(ctx context.Context, mod review.Moderator, id string, n int) (Preview, error) {
	v, err := s.Get(ctx, mod, id)
	if err != nil {
		return Preview{}, err
	}
	locations := previewLocations(v, s.cfg.AllowOriginal)
	if n < 0 || n >= len(locations) {
		return Preview{}, fmt.Errorf("previewing review %s: preview %d of %d: %w", id, n, len(locations), ErrNoPreview)
	}
	return s.cfg.Backend.Preview(ctx, locations[n])
}

func previewLocations(v View, allowOriginal bool) []objects.Location {
	var out []objects.Location
	if v.Details != nil {
		for _, a := range v.Details.Analysis {
			for _, loc := range []*objects.Location{a.RedactedText, a.Redacted} {
				if loc != nil && !slices.Contains(out, *loc) {
					out = append(out, *loc)
				}
			}
		}
	}
	if len(out) == 0 && allowOriginal && v.Bucket != "" && v.Key != "" {
		out = append(out, objects.Location{Bucket: v.Bucket, Key: v.Key, VersionID: v.VersionID})
	}
	return out
}
