package browser

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Invoker runs the integration's Lambda function with an event and returns
// its response payload. An error means the invocation or the function
// failed, and API Gateway returns 500 for it.
type Invoker func(ctx context.Context, event []byte) ([]byte, error)

// Route is a route of an HTTP API.
type Route struct {
	// Key is the route key: "GET /", "ANY /api/{proxy+}" or "$default".
	Key string
	// Authorizer verifies the bearer token of the route's requests; nil
	// means authorization type NONE.
	Authorizer *JWTAuthorizer
}

// Gateway is a stand-in for an API Gateway HTTP API whose routes share one
// Lambda proxy integration with payload format version 2.0. It turns
// requests into the events that API Gateway sends, runs the JWT authorizer
// of the matched route first, and turns the function's response back into
// HTTP. Tests serve it on 127.0.0.1 and point a browser at it.
//
// It covers what the review page needs: route matching with greedy path
// variables, stages, the JWT authorizer and the 2.0 request and response
// formats. It has no throttling, CORS configuration, IAM authorization or
// Lambda authorizers, and it does not enforce API Gateway's payload limits.
type Gateway struct {
	// Stage is the stage name. "$default" or empty serves the API at the
	// root. Another name must be the first path segment, and rawPath keeps
	// it, as on API Gateway.
	Stage  string
	Routes []Route
	Invoke Invoker
	// APIID and AccountID fill the request context.
	APIID     string
	AccountID string
	// Logf, if set, reports invocation errors, which the client sees only
	// as 500.
	Logf func(format string, args ...any)

	requests atomic.Int64
}

// ServeHTTP handles one request as API Gateway would.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	if stage := g.Stage; stage != "" && stage != "$default" {
		rest, ok := strings.CutPrefix(path, "/"+stage)
		if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
			gatewayError(w, http.StatusNotFound, "Not Found", "")
			return
		}
		path = orRoot(rest)
	}
	route, params, ok := g.match(r.Method, path)
	if !ok {
		gatewayError(w, http.StatusNotFound, "Not Found", "")
		return
	}

	var authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription
	if route.Authorizer != nil {
		claims, err := route.Authorizer.Verify(r.Context(), r.Header.Get("Authorization"), time.Now())
		if err != nil {
			gatewayError(w, http.StatusUnauthorized, "Unauthorized", err.Error())
			return
		}
		authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}

	event, err := g.event(r, route, params, authorizer)
	if err != nil {
		gatewayError(w, http.StatusBadRequest, "Bad Request", "")
		return
	}
	payload, err := json.Marshal(event)
	if err != nil {
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error", "")
		return
	}
	out, err := g.Invoke(r.Context(), payload)
	if err != nil {
		g.logf("invoking the integration for %s %s: %v", r.Method, r.URL.Path, err)
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error", "")
		return
	}
	if err := writeResponse(w, out); err != nil {
		g.logf("reading the response to %s %s: %v", r.Method, r.URL.Path, err)
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error", "")
	}
}

func (g *Gateway) logf(format string, args ...any) {
	if g.Logf != nil {
		g.Logf(format, args...)
	}
}

// match returns the route for the method and path: a route without a
// greedy variable first, then the greedy route with the longest prefix,
// then $default.
func (g *Gateway) match(method, path string) (Route, map[string]string, bool) {
	var best Route
	var bestParams map[string]string
	bestPrefix := -1
	var fallback *Route
	for i, route := range g.Routes {
		if route.Key == "$default" {
			fallback = &g.Routes[i]
			continue
		}
		routeMethod, template, ok := strings.Cut(route.Key, " ")
		if !ok || (routeMethod != "ANY" && routeMethod != method) {
			continue
		}
		if prefix, ok := strings.CutSuffix(template, "{proxy+}"); ok {
			if rest, ok := strings.CutPrefix(path, prefix); ok && rest != "" && len(prefix) > bestPrefix {
				best, bestParams, bestPrefix = route, map[string]string{"proxy": rest}, len(prefix)
			}
			continue
		}
		if template == path {
			return route, nil, true
		}
	}
	if bestPrefix >= 0 {
		return best, bestParams, true
	}
	if fallback != nil {
		return *fallback, nil, true
	}
	return Route{}, nil, false
}

// event builds the payload format 2.0 event of a request.
func (g *Gateway) event(r *http.Request, route Route, params map[string]string, authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription) (events.APIGatewayV2HTTPRequest, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return events.APIGatewayV2HTTPRequest{}, err
	}
	headers := map[string]string{}
	var cookies []string
	for name, values := range r.Header {
		if strings.EqualFold(name, "Cookie") {
			for _, v := range values {
				for _, c := range strings.Split(v, ";") {
					cookies = append(cookies, strings.TrimSpace(c))
				}
			}
			continue
		}
		headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	host := r.Host
	headers["host"] = host
	query := map[string]string{}
	for k, v := range r.URL.Query() {
		query[k] = strings.Join(v, ",")
	}
	domain, _, err := net.SplitHostPort(host)
	if err != nil {
		domain = host
	}
	sourceIP, _, _ := net.SplitHostPort(r.RemoteAddr)
	now := time.Now()
	stage := g.Stage
	if stage == "" {
		stage = "$default"
	}

	ev := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       route.Key,
		RawPath:        r.URL.EscapedPath(),
		RawQueryString: r.URL.RawQuery,
		Cookies:        cookies,
		Headers:        headers,
		PathParameters: params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     route.Key,
			AccountID:    g.AccountID,
			Stage:        stage,
			RequestID:    "gw-" + strconv.FormatInt(g.requests.Add(1), 10),
			Authorizer:   authorizer,
			APIID:        g.APIID,
			DomainName:   domain,
			DomainPrefix: strings.Split(domain, ".")[0],
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(query) > 0 {
		ev.QueryStringParameters = query
	}
	if len(body) > 0 {
		if textual(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev, nil
}

// writeResponse writes the function's response. A payload without a
// statusCode is a 200 response with the payload as its JSON body, as API
// Gateway reads payload format 2.0.
func writeResponse(w http.ResponseWriter, payload []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(payload, &fields); err != nil || fields["statusCode"] == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(payload)
		return nil
	}

	var res events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(payload, &res); err != nil {
		return fmt.Errorf("decoding the function's response: %w", err)
	}
	body := []byte(res.Body)
	if res.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(res.Body)
		if err != nil {
			return fmt.Errorf("decoding the function's base64 body: %w", err)
		}
		body = decoded
	}

	for k, v := range res.Headers {
		w.Header().Set(k, v)
	}
	for k, values := range res.MultiValueHeaders {
		for _, v := range values {
			w.Header().Add(k, v)
		}
	}
	for _, c := range res.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(res.StatusCode)
	w.Write(body)
	return nil
}

// gatewayError writes an error of API Gateway itself, which has a JSON
// body with a message field.
func gatewayError(w http.ResponseWriter, status int, message, description string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer scope="" error="invalid_token" error_description=%q`, description))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": message})
}

func textual(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	return strings.HasPrefix(ct, "text/") || ct == "application/json" || strings.HasSuffix(ct, "+json") ||
		ct == "application/xml" || ct == "application/x-www-form-urlencoded" || ct == "application/javascript"
}

func orRoot(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// JWTAuthorizer verifies bearer tokens as an HTTP API's JWT authorizer
// does. It checks the RS256 signature with a key of the issuer's JSON Web
// Key Set, which its OpenID Connect discovery document names. Then the iss
// claim must equal Issuer, an aud or client_id claim must be in Audience,
// and exp, nbf and iat must fit the current time.
type JWTAuthorizer struct {
	Issuer   string
	Audience []string
	// Client fetches the discovery document and the key set; nil means
	// http.DefaultClient.
	Client *http.Client

	mu   sync.Mutex
	keys map[string]*rsa.PublicKey
}

// Verify checks the value of an Authorization header, with or without the
// "Bearer " prefix, and returns the token's claims as API Gateway passes
// them to the integration: strings as they are, numbers in decimal, and
// arrays as "[a b c]".
func (a *JWTAuthorizer) Verify(ctx context.Context, authorization string, now time.Time) (map[string]string, error) {
	token := strings.TrimSpace(authorization)
	if token == "" {
		return nil, errors.New("no token in the Authorization header")
	}
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("the token is not a signed JWT")
	}

	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return nil, fmt.Errorf("invalid token header: %w", err)
	}
	if header.Alg != "RS256" {
		return nil, fmt.Errorf("unsupported signing algorithm %q", header.Alg)
	}
	key, err := a.key(ctx, header.Kid)
	if err != nil {
		return nil, err
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("invalid token signature encoding: %w", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		return nil, errors.New("the token signature is invalid")
	}

	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, fmt.Errorf("invalid token claims: %w", err)
	}
	if iss, _ := claims["iss"].(string); iss != a.Issuer {
		return nil, fmt.Errorf("the token issuer %q is not %q", iss, a.Issuer)
	}
	if !a.audienceMatches(claims) {
		return nil, errors.New("the token audience is not allowed")
	}
	exp, ok := claims["exp"].(float64)
	if !ok {
		return nil, errors.New("the token has no exp claim")
	}
	if now.Unix() >= int64(exp) {
		return nil, errors.New("the token has expired")
	}
	if nbf, ok := claims["nbf"].(float64); ok && now.Unix() < int64(nbf) {
		return nil, errors.New("the token is not valid yet")
	}
	if iat, ok := claims["iat"].(float64); ok && now.Unix() < int64(iat) {
		return nil, errors.New("the token was issued in the future")
	}

	flat := make(map[string]string, len(claims))
	for k, v := range claims {
		flat[k] = claimString(v)
	}
	return flat, nil
}

func (a *JWTAuthorizer) audienceMatches(claims map[string]any) bool {
	var audiences []string
	switch aud := claims["aud"].(type) {
	case string:
		audiences = append(audiences, aud)
	case []any:
		for _, v := range aud {
			if s, ok := v.(string); ok {
				audiences = append(audiences, s)
			}
		}
	}
	if clientID, ok := claims["client_id"].(string); ok {
		audiences = append(audiences, clientID)
	}
	for _, aud := range audiences {
		if slices.Contains(a.Audience, aud) {
			return true
		}
	}
	return false
}

// key returns the issuer's public key with the ID kid, fetching the key set
// on first use.
func (a *JWTAuthorizer) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.keys == nil {
		keys, err := a.fetchKeys(ctx)
		if err != nil {
			return nil, err
		}
		a.keys = keys
	}
	key, ok := a.keys[kid]
	if !ok {
		return nil, fmt.Errorf("no key %q in the issuer's key set", kid)
	}
	return key, nil
}

func (a *JWTAuthorizer) fetchKeys(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	var discovery struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := a.getJSON(ctx, strings.TrimSuffix(a.Issuer, "/")+"/.well-known/openid-configuration", &discovery); err != nil {
		return nil, err
	}
	if discovery.Issuer != a.Issuer {
		return nil, fmt.Errorf("the discovery document names issuer %q, not %q", discovery.Issuer, a.Issuer)
	}
	var set struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := a.getJSON(ctx, discovery.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" {
			continue
		}
		n, errN := base64.RawURLEncoding.DecodeString(k.N)
		e, errE := base64.RawURLEncoding.DecodeString(k.E)
		if errN != nil || errE != nil {
			return nil, fmt.Errorf("invalid RSA key %q in the key set", k.Kid)
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return keys, nil
}

func (a *JWTAuthorizer) getJSON(ctx context.Context, target string, into any) error {
	if _, err := url.Parse(target); err != nil {
		return fmt.Errorf("invalid URL %q: %w", target, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	client := a.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", target, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("fetching %s: HTTP %d", target, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(into); err != nil {
		return fmt.Errorf("decoding %s: %w", target, err)
	}
	return nil
}

func decodeSegment(segment string, into any) error {
	raw, err := base64.RawURLEncoding.DecodeString(segment)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, into)
}

// claimString formats a claim value as API Gateway passes it in the
// authorizer context.
func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		items := make([]string, len(v))
		for i, item := range v {
			items[i] = claimString(item)
		}
		return "[" + strings.Join(items, " ") + "]"
	default:
		raw, _ := json.Marshal(v)
		return string(raw)
	}
}
