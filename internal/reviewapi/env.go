package reviewapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/moderato/moderato/internal/review"
)

// Settings is the part of the review API's configuration that a deployment
// sets through environment variables. See SettingsFromEnv for the names.
type Settings struct {
	Auth          Gateway
	Router        review.Router
	Quorum        int
	AllowOriginal bool
}

// SettingsFromEnv reads the review API's settings with getenv (os.Getenv in
// the Lambda function). Every variable is optional:
//
//	AUTH_MODE               iam (default) or jwt
//	JWT_SUBJECT_CLAIM       claim that names the moderator (default sub)
//	JWT_GROUPS_CLAIM        claim that lists groups (default cognito:groups)
//	QUEUE_GRANT_PREFIX      prefix of queue grants (default moderato/queue)
//	RESTRICT_QUEUES         true limits moderators to their granted queues
//	IAM_QUEUES              JSON object: IAM principal ARN to list of queues
//	REVIEW_QUEUES           JSON object: media type to queue
//	DEFAULT_QUEUE           queue of unmapped media types (default "default")
//	ESCALATION_QUEUE        queue of reviews pending longer than ESCALATE_AFTER
//	ESCALATE_AFTER          Go duration, such as 4h
//	REVIEW_QUORUM           agreeing decisions that settle a review (default 1)
//	ALLOW_ORIGINAL_PREVIEW  true shows the original when no redacted copy exists
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	var s Settings
	var errs []error
	s.Auth = Gateway{
		Mode:         orDefault(getenv("AUTH_MODE"), ModeIAM),
		SubjectClaim: getenv("JWT_SUBJECT_CLAIM"),
		GroupsClaim:  getenv("JWT_GROUPS_CLAIM"),
		QueueGrant:   getenv("QUEUE_GRANT_PREFIX"),
	}
	if err := s.Auth.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("AUTH_MODE: %w", err))
	}
	s.Auth.RestrictQueues = parseBool("RESTRICT_QUEUES", getenv, &errs)
	s.AllowOriginal = parseBool("ALLOW_ORIGINAL_PREVIEW", getenv, &errs)
	parseJSON("IAM_QUEUES", getenv, &s.Auth.IAMQueues, &errs)
	parseJSON("REVIEW_QUEUES", getenv, &s.Router.ByMediaType, &errs)
	s.Router.Default = getenv("DEFAULT_QUEUE")
	s.Router.EscalationQueue = getenv("ESCALATION_QUEUE")

	if v := getenv("ESCALATE_AFTER"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("invalid ESCALATE_AFTER %q: use a positive Go duration such as 4h", v))
		}
		s.Router.EscalateAfter = d
	}
	if (s.Router.EscalationQueue == "") != (s.Router.EscalateAfter == 0) {
		errs = append(errs, errors.New("ESCALATION_QUEUE and ESCALATE_AFTER must be set together"))
	}
	if v := getenv("REVIEW_QUORUM"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("invalid REVIEW_QUORUM %q: use 1 or more", v))
		}
		s.Quorum = n
	}
	return s, errors.Join(errs...)
}

func parseBool(name string, getenv func(string) string, errs *[]error) bool {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("invalid %s %q: use true or false", name, v))
	}
	return b
}

func parseJSON(name string, getenv func(string) string, dst any, errs *[]error) {
	v := getenv(name)
	if v == "" {
		return
	}
	if err := json.Unmarshal([]byte(v), dst); err != nil {
		*errs = append(*errs, fmt.Errorf("invalid %s: %w", name, err))
	}
}
