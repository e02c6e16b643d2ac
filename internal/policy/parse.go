package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// maxVersionBytes bounds the "version" field, which every outcome record
// and event carries.
const maxVersionBytes = 128

// FieldError is a validation error of one policy field.
type FieldError struct {
	// Field is the path of the field, with keys joined by dots, such as
	// "categories.INSULT.review_at". It is empty for an error of the whole
	// document.
	Field string
	// Problem describes what is wrong and what is expected.
	Problem string
}

// Error returns the problem prefixed with the field path.
func (e *FieldError) Error() string {
	if e.Field == "" {
		return "invalid policy: " + e.Problem
	}
	return "invalid policy field " + e.Field + ": " + e.Problem
}

func fieldErrorf(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// Load reads and parses the policy file at path.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading policy %s: %w", path, err)
	}
	p, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("parsing policy %s: %w", path, err)
	}
	return p, nil
}

// Parse parses and validates a policy document. It rejects unknown fields,
// values of the wrong type, thresholds outside 0..1, a review_at above its
// reject_at, unknown actions and review timeouts outside 1..31536000
// seconds, with a *FieldError that names the field. A field that is missing
// or null takes its default.
func Parse(data []byte) (*Policy, error) {
	p := &Policy{
		categories:    map[string]Thresholds{},
		piiAction:     DefaultPIIAction,
		piiTypes:      map[string]Action{},
		reviewTimeout: DefaultReviewTimeout,
		onTimeout:     DefaultOnTimeout,
	}
	partial := map[string]partialThresholds{}

	err := decodeObject(data, "", map[string]fieldDecoder{
		"version": func(raw json.RawMessage, field string) error {
			return decodeVersion(raw, field, &p.version)
		},
		"categories": func(raw json.RawMessage, field string) error {
			return decodeCategories(raw, field, partial)
		},
		"pii": func(raw json.RawMessage, field string) error {
			return decodePII(raw, field, p)
		},
		"review": func(raw json.RawMessage, field string) error {
			return decodeReview(raw, field, p)
		},
	})
	if err != nil {
		return nil, err
	}

	if err := p.resolveCategories(partial); err != nil {
		return nil, err
	}
	if e := p.escalation; e != nil && p.reviewTimeout+e.Timeout > MaxReviewTimeout {
		return nil, fieldErrorf("review.escalation.timeout_seconds",
			"%d plus review.timeout_seconds %d is more than %d, the longest that an execution can wait",
			int64(e.Timeout/time.Second), int64(p.reviewTimeout/time.Second), int64(MaxReviewTimeout/time.Second))
	}
	if p.version == "" {
		p.version = p.derivedVersion()
	}
	return p, nil
}

// fieldDecoder decodes the value of one field whose path is field.
type fieldDecoder func(raw json.RawMessage, field string) error

// decodeObject decodes a JSON object and calls the decoder of each key. A
// key without a decoder is an error. A null value is skipped, so the field
// keeps its default.
func decodeObject(data []byte, path string, decoders map[string]fieldDecoder) error {
	fields, err := decodeRawObject(data, path)
	if err != nil {
		return err
	}
	for _, key := range sortedKeys(fields) {
		field := joinPath(path, key)
		decode, ok := decoders[key]
		if !ok {
			return fieldErrorf(field, "unknown field (expected one of %s)", strings.Join(sortedKeys(decoders), ", "))
		}
		if isNull(fields[key]) {
			continue
		}
		if err := decode(fields[key], field); err != nil {
			return err
		}
	}
	return nil
}

// decodeRawObject decodes a JSON object into its raw member values. It
// rejects any other JSON value, trailing data and duplicate keys, which
// encoding/json would otherwise resolve silently in favor of the last one.
func decodeRawObject(data []byte, path string) (map[string]json.RawMessage, error) {
	decoder := json.NewDecoder(bytes.NewReader(data))
	start, err := decoder.Token()
	if err != nil {
		return nil, fieldErrorf(path, "invalid JSON: %v", err)
	}
	if start != json.Delim('{') {
		return nil, fieldErrorf(path, "expected a JSON object, got %s", describeToken(start))
	}

	fields := map[string]json.RawMessage{}
	for decoder.More() {
		keyToken, err := decoder.Token()
		if err != nil {
			return nil, fieldErrorf(path, "invalid JSON: %v", err)
		}
		key := keyToken.(string) // inside an object, the decoder only returns string keys here
		var value json.RawMessage
		if err := decoder.Decode(&value); err != nil {
			return nil, fieldErrorf(joinPath(path, key), "invalid JSON: %v", err)
		}
		if _, duplicate := fields[key]; duplicate {
			return nil, fieldErrorf(joinPath(path, key), "duplicate key")
		}
		fields[key] = value
	}
	if _, err := decoder.Token(); err != nil {
		return nil, fieldErrorf(path, "invalid JSON: %v", err)
	}
	if _, err := decoder.Token(); !errors.Is(err, io.EOF) {
		return nil, fieldErrorf(path, "unexpected data after the JSON object")
	}
	return fields, nil
}

func describeToken(token json.Token) string {
	switch token.(type) {
	case json.Delim:
		if token == json.Delim('[') {
			return "an array"
		}
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprint(token)
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys
}

func decodeString(raw json.RawMessage, field string) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fieldErrorf(field, "expected a string, got %s", string(raw))
	}
	return s, nil
}

func decodeVersion(raw json.RawMessage, field string, version *string) error {
	s, err := decodeString(raw, field)
	if err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(s) == "":
		return fieldErrorf(field, "empty (leave the field out to derive a version from the content)")
	case len(s) > maxVersionBytes:
		return fieldErrorf(field, "longer than %d bytes", maxVersionBytes)
	case strings.ContainsFunc(s, unicode.IsControl):
		return fieldErrorf(field, "contains a control character")
	}
	*version = s
	return nil
}

// partialThresholds are the thresholds that a category sets. A nil field
// takes its value from the default category.
type partialThresholds struct {
	reviewAt, rejectAt *float64
}

func decodeCategories(raw json.RawMessage, field string, partial map[string]partialThresholds) error {
	fields, err := decodeRawObject(raw, field)
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(fields) {
		categoryField := joinPath(field, name)
		if strings.TrimSpace(name) == "" {
			return fieldErrorf(categoryField, "empty category name")
		}
		if isNull(fields[name]) {
			continue
		}

		var t partialThresholds
		err := decodeObject(fields[name], categoryField, map[string]fieldDecoder{
			"review_at": func(raw json.RawMessage, field string) error {
				return decodeScore(raw, field, &t.reviewAt)
			},
			"reject_at": func(raw json.RawMessage, field string) error {
				return decodeScore(raw, field, &t.rejectAt)
			},
		})
		if err != nil {
			return err
		}
		partial[name] = t
	}
	return nil
}

func decodeScore(raw json.RawMessage, field string, score **float64) error {
	var value float64
	if err := json.Unmarshal(raw, &value); err != nil {
		return fieldErrorf(field, "expected a number between 0 and 1, got %s", string(raw))
	}
	if value < 0 || value > 1 {
		return fieldErrorf(field, "%v is outside 0..1", value)
	}
	*score = &value
	return nil
}

// resolveCategories fills missing thresholds, from the default category for
// other categories and from DefaultReviewAt and DefaultRejectAt for the
// default category, and checks that review_at is at most reject_at.
func (p *Policy) resolveCategories(partial map[string]partialThresholds) error {
	base := partial[DefaultCategory]
	defaults := Thresholds{ReviewAt: DefaultReviewAt, RejectAt: DefaultRejectAt}
	if base.reviewAt != nil {
		defaults.ReviewAt = *base.reviewAt
	}
	if base.rejectAt != nil {
		defaults.RejectAt = *base.rejectAt
	}
	p.categories[DefaultCategory] = defaults

	for name, t := range partial {
		resolved := defaults
		if t.reviewAt != nil {
			resolved.ReviewAt = *t.reviewAt
		}
		if t.rejectAt != nil {
			resolved.RejectAt = *t.rejectAt
		}
		p.categories[name] = resolved
	}

	for _, name := range sortedKeys(p.categories) {
		t := p.categories[name]
		if t.ReviewAt > t.RejectAt {
			return fieldErrorf(joinPath("categories", name)+".review_at",
				"%v is above reject_at %v (missing thresholds come from categories.default, then %v and %v)",
				t.ReviewAt, t.RejectAt, DefaultReviewAt, DefaultRejectAt)
		}
	}
	return nil
}

func decodePII(raw json.RawMessage, field string, p *Policy) error {
	return decodeObject(raw, field, map[string]fieldDecoder{
		"action": func(raw json.RawMessage, field string) error {
			action, err := decodeAction(raw, field)
			p.piiAction = action
			return err
		},
		"types": func(raw json.RawMessage, field string) error {
			types, err := decodeRawObject(raw, field)
			if err != nil {
				return err
			}
			for _, piiType := range sortedKeys(types) {
				typeField := joinPath(field, piiType)
				if strings.TrimSpace(piiType) == "" {
					return fieldErrorf(typeField, "empty PII type")
				}
				action, err := decodeAction(types[piiType], typeField)
				if err != nil {
					return err
				}
				p.piiTypes[piiType] = action
			}
			return nil
		},
	})
}

func decodeAction(raw json.RawMessage, field string) (Action, error) {
	s, err := decodeString(raw, field)
	if err != nil {
		return "", err
	}
	switch action := Action(s); action {
	case ActionRedact, ActionReview, ActionReject, ActionAllow:
		return action, nil
	}
	return "", fieldErrorf(field, "unknown action %q (expected redact, review, reject or allow)", s)
}

func decodeReview(raw json.RawMessage, field string, p *Policy) error {
	return decodeObject(raw, field, map[string]fieldDecoder{
		"timeout_seconds": func(raw json.RawMessage, field string) error {
			d, err := decodeTimeout(raw, field)
			if err != nil {
				return err
			}
			p.reviewTimeout = d
			return nil
		},
		"on_timeout": func(raw json.RawMessage, field string) error {
			s, err := decodeString(raw, field)
			if err != nil {
				return err
			}
			switch s {
			case "approve":
				p.onTimeout = Approved
			case "reject":
				p.onTimeout = Rejected
			default:
				return fieldErrorf(field, "unknown action %q (expected approve or reject)", s)
			}
			return nil
		},
		"escalation": func(raw json.RawMessage, field string) error {
			e, err := decodeEscalation(raw, field)
			p.escalation = e
			return err
		},
		"quorum": func(raw json.RawMessage, field string) error {
			var n int
			if err := json.Unmarshal(raw, &n); err != nil {
				return fieldErrorf(field, "expected a whole number of decisions, got %s", string(raw))
			}
			if n < 1 || n > MaxReviewQuorum {
				return fieldErrorf(field, "%d is outside 1..%d", n, MaxReviewQuorum)
			}
			p.reviewQuorum = n
			return nil
		},
	})
}

// queueNamePattern is the form of a queue name: letters, digits and
// "-", "_", ".", starting with a letter or digit.
var queueNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// decodeEscalation decodes review.escalation, whose queue and
// timeout_seconds are both required.
func decodeEscalation(raw json.RawMessage, field string) (*Escalation, error) {
	var e Escalation
	var hasQueue, hasTimeout bool
	err := decodeObject(raw, field, map[string]fieldDecoder{
		"queue": func(raw json.RawMessage, field string) error {
			s, err := decodeString(raw, field)
			if err != nil {
				return err
			}
			switch {
			case len(s) > MaxQueueNameBytes:
				return fieldErrorf(field, "longer than %d bytes", MaxQueueNameBytes)
			case !queueNamePattern.MatchString(s):
				return fieldErrorf(field, "invalid queue name %q (use letters, digits, \".\", \"-\" and \"_\", starting with a letter or digit)", s)
			}
			e.Queue, hasQueue = s, true
			return nil
		},
		"timeout_seconds": func(raw json.RawMessage, field string) error {
			d, err := decodeTimeout(raw, field)
			e.Timeout, hasTimeout = d, err == nil
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	if !hasQueue {
		return nil, fieldErrorf(field+".queue", "missing: name the queue that reviews escalate to, or leave review.escalation out to apply on_timeout at the first timeout")
	}
	if !hasTimeout {
		return nil, fieldErrorf(field+".timeout_seconds", "missing: set how long the escalated review waits, in seconds")
	}
	return &e, nil
}

// decodeTimeout decodes a whole number of seconds in 1..MaxReviewTimeout.
func decodeTimeout(raw json.RawMessage, field string) (time.Duration, error) {
	var seconds int64
	maxSeconds := int64(MaxReviewTimeout / time.Second)
	if err := json.Unmarshal(raw, &seconds); err != nil {
		return 0, fieldErrorf(field, "expected a whole number of seconds, got %s", string(raw))
	}
	if seconds < 1 || seconds > maxSeconds {
		return 0, fieldErrorf(field, "%d is outside 1..%d", seconds, maxSeconds)
	}
	return time.Duration(seconds) * time.Second, nil
}

// canonicalPolicy is the effective policy, with defaults filled, in the
// form that derivedVersion hashes. encoding/json writes map keys in sorted
// order, so equal policies give equal bytes however their files are laid
// out.
type canonicalPolicy struct {
	Categories map[string]Thresholds `json:"categories"`
	PII        struct {
		Action Action            `json:"action"`
		Types  map[string]Action `json:"types"`
	} `json:"pii"`
	Review struct {
		TimeoutSeconds int64   `json:"timeout_seconds"`
		OnTimeout      Verdict `json:"on_timeout"`
		// Quorum is omitted at its default, so that policies written
		// before it existed keep their derived version.
		Quorum int `json:"quorum,omitempty"`
		// Escalation is omitted when unset, for the same reason.
		Escalation *canonicalEscalation `json:"escalation,omitempty"`
	} `json:"review"`
}

type canonicalEscalation struct {
	Queue          string `json:"queue"`
	TimeoutSeconds int64  `json:"timeout_seconds"`
}

// derivedVersion returns "sha256:" and the first 12 hex digits of the
// SHA-256 of the canonical JSON of the effective policy.
func (p *Policy) derivedVersion() string {
	var c canonicalPolicy
	c.Categories = p.categories
	c.PII.Action = p.piiAction
	c.PII.Types = p.piiTypes
	c.Review.TimeoutSeconds = int64(p.reviewTimeout / time.Second)
	c.Review.OnTimeout = p.onTimeout
	if p.reviewQuorum > 1 {
		c.Review.Quorum = p.reviewQuorum
	}
	if e := p.escalation; e != nil {
		c.Review.Escalation = &canonicalEscalation{Queue: e.Queue, TimeoutSeconds: int64(e.Timeout / time.Second)}
	}

	data, err := json.Marshal(c)
	if err != nil {
		// Thresholds are JSON numbers checked to be within 0..1, so never NaN
		// or infinite, and the other fields are strings and integers, so
		// encoding cannot fail.
		panic("policy: encoding canonical policy: " + err.Error())
	}
	sum := sha256.Sum256(data)
	return derivedVersionPrefix + hex.EncodeToString(sum[:])[:derivedVersionHexSize]
}
