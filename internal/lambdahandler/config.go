package lambdahandler

import (
	"fmt"
	"os"
	"strings"

	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
)

// Env reads a function's configuration from environment variables and
// collects every missing one, so a misconfigured function reports all of
// them at once on its cold start.
type Env struct {
	missing []string
}

// Require returns the variable's value and records it as missing when empty.
func (e *Env) Require(name string) string {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		e.missing = append(e.missing, name)
	}
	return v
}

// Optional returns the variable's value, or fallback when it is empty.
func (e *Env) Optional(name, fallback string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return fallback
}

// List returns the comma-separated values of the variable, without empty
// entries.
func (e *Env) List(name string) []string {
	var list []string
	for _, v := range strings.Split(os.Getenv(name), ",") {
		if v = strings.TrimSpace(v); v != "" {
			list = append(list, v)
		}
	}
	return list
}

// Buckets returns the output buckets from APPROVED_BUCKET,
// QUARANTINE_BUCKET, REDACTED_BUCKET and WORK_BUCKET, requiring the named
// ones.
func (e *Env) Buckets(required ...string) pipeline.Buckets {
	get := func(name string) string {
		for _, r := range required {
			if r == name {
				return e.Require(name)
			}
		}
		return e.Optional(name, "")
	}
	return pipeline.Buckets{
		Approved:   get("APPROVED_BUCKET"),
		Quarantine: get("QUARANTINE_BUCKET"),
		Redacted:   get("REDACTED_BUCKET"),
		Work:       get("WORK_BUCKET"),
	}
}

// Policy returns the policy in POLICY_JSON, or the built-in default policy
// when the variable is empty.
func (e *Env) Policy() (*policy.Policy, error) {
	doc := os.Getenv("POLICY_JSON")
	if strings.TrimSpace(doc) == "" {
		return policy.Default(), nil
	}
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		return nil, fmt.Errorf("parsing POLICY_JSON: %w", err)
	}
	return p, nil
}

// Err returns an error naming every missing variable, or nil.
func (e *Env) Err() error {
	if len(e.missing) == 0 {
		return nil
	}
	return fmt.Errorf("missing environment variables: %s", strings.Join(e.missing, ", "))
}
