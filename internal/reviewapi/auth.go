package reviewapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/moderato/moderato/internal/review"
)

// ErrUnauthenticated means the request carries no identity that the
// configured authorizer vouches for.
var ErrUnauthenticated = errors.New("unauthenticated")

// Authenticator returns the moderator that made a request.
type Authenticator interface {
	Authenticate(r *http.Request) (review.Moderator, error)
}

// LocalModerator authenticates every request as one moderator with access
// to every queue. It is for `moderato serve`, whose server answers loopback
// requests from the machine's own user only.
type LocalModerator struct {
	ID string
}

// Authenticate returns the local moderator.
func (l LocalModerator) Authenticate(*http.Request) (review.Moderator, error) {
	if l.ID == "" {
		return review.Moderator{}, fmt.Errorf("%w: no local moderator name is configured", ErrUnauthenticated)
	}
	return review.Moderator{ID: l.ID, AllQueues: true}, nil
}

// Auth modes of API Gateway.
const (
	// ModeIAM trusts the SigV4 principal that API Gateway verified.
	ModeIAM = "iam"
	// ModeJWT trusts the claims that API Gateway's JWT authorizer verified
	// against the configured issuer and audience.
	ModeJWT = "jwt"
)

// DefaultQueueGrant is the prefix of the scopes and groups that grant a
// queue: "moderato/queue:images" grants the images queue, and
// "moderato/queue:*" grants every queue.
const DefaultQueueGrant = "moderato/queue"

// Gateway authenticates requests that API Gateway already authorized, from
// the authorizer section of the request context (see WithRequestContext).
// It never reads an identity from the request body or headers, because
// only API Gateway can write the request context.
type Gateway struct {
	// Mode is ModeIAM or ModeJWT.
	Mode string
	// SubjectClaim names the JWT claim that identifies the moderator;
	// empty means "sub".
	SubjectClaim string
	// GroupsClaim names the JWT claim that lists the moderator's groups;
	// empty means "cognito:groups".
	GroupsClaim string
	// QueueGrant is the prefix of the scopes and groups that grant queues;
	// empty means DefaultQueueGrant.
	QueueGrant string
	// RestrictQueues limits moderators to the queues that their grants
	// name. Off, every authenticated moderator may access every queue.
	RestrictQueues bool
	// IAMQueues maps an IAM principal ARN to its queues, for RestrictQueues
	// in IAM mode. A principal that is not listed has no queue.
	IAMQueues map[string][]string
}

// Validate checks the mode.
func (g Gateway) Validate() error {
	if g.Mode != ModeIAM && g.Mode != ModeJWT {
		return fmt.Errorf("invalid auth mode %q: use %q or %q", g.Mode, ModeIAM, ModeJWT)
	}
	return nil
}

// Authenticate returns the moderator of the request context's authorizer.
func (g Gateway) Authenticate(r *http.Request) (review.Moderator, error) {
	rc, ok := RequestContext(r.Context())
	if !ok || rc.Authorizer == nil {
		return review.Moderator{}, fmt.Errorf("%w: the request has no authorizer context", ErrUnauthenticated)
	}

	var mod review.Moderator
	var grants []string
	switch g.Mode {
	case ModeIAM:
		iam := rc.Authorizer.IAM
		if iam == nil || iam.UserARN == "" {
			return review.Moderator{}, fmt.Errorf("%w: the request is not signed with SigV4", ErrUnauthenticated)
		}
		mod.ID = iam.UserARN
		mod.Queues = g.IAMQueues[iam.UserARN]
		mod.AllQueues = !g.RestrictQueues
		return mod, nil
	case ModeJWT:
		jwt := rc.Authorizer.JWT
		if jwt == nil {
			return review.Moderator{}, fmt.Errorf("%w: the request has no verified JWT", ErrUnauthenticated)
		}
		mod.ID = jwt.Claims[orDefault(g.SubjectClaim, "sub")]
		if mod.ID == "" {
			return review.Moderator{}, fmt.Errorf("%w: the JWT has no %s claim", ErrUnauthenticated, orDefault(g.SubjectClaim, "sub"))
		}
		grants = append(slices.Clone(jwt.Scopes), strings.Fields(jwt.Claims["scope"])...)
		grants = append(grants, claimList(jwt.Claims[orDefault(g.GroupsClaim, "cognito:groups")])...)
	default:
		return review.Moderator{}, g.Validate()
	}

	if !g.RestrictQueues {
		mod.AllQueues = true
		return mod, nil
	}
	prefix := orDefault(g.QueueGrant, DefaultQueueGrant) + ":"
	for _, grant := range grants {
		queue, ok := strings.CutPrefix(grant, prefix)
		switch {
		case !ok || queue == "":
		case queue == "*":
			mod.AllQueues = true
		case !slices.Contains(mod.Queues, queue):
			mod.Queues = append(mod.Queues, queue)
		}
	}
	return mod, nil
}

// claimList splits a list claim as API Gateway passes it: a JSON array is
// flattened to "[a b c]"; a plain claim may also use commas.
func claimList(v string) []string {
	v = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "["), "]")
	return strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
}

func orDefault(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

type requestContextKey struct{}

// WithRequestContext returns ctx carrying the API Gateway request context,
// whose authorizer section Gateway reads.
func WithRequestContext(ctx context.Context, rc events.APIGatewayV2HTTPRequestContext) context.Context {
	return context.WithValue(ctx, requestContextKey{}, rc)
}

// RequestContext returns the API Gateway request context carried by ctx.
func RequestContext(ctx context.Context) (events.APIGatewayV2HTTPRequestContext, bool) {
	rc, ok := ctx.Value(requestContextKey{}).(events.APIGatewayV2HTTPRequestContext)
	return rc, ok
}
