package reviewapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// LambdaHandler adapts an http.Handler to API Gateway HTTP API (payload
// format 2.0) events. The request context, with its authorizer section,
// travels in the request's context for Gateway to read.
func LambdaHandler(h http.Handler) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		req, err := httpRequest(WithRequestContext(ctx, ev.RequestContext), ev)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusBadRequest, Body: `{"error":"invalid request"}`,
				Headers: map[string]string{"Content-Type": "application/json"}}, nil
		}
		rec := &responseRecorder{header: http.Header{}}
		h.ServeHTTP(rec, req)
		return rec.response(), nil
	}
}

func httpRequest(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, fmt.Errorf("decoding the request body: %w", err)
		}
		body = decoded
	}
	target := stripStage(ev.RawPath, ev.RequestContext.Stage)
	if ev.RawQueryString != "" {
		target += "?" + ev.RawQueryString
	}
	method := ev.RequestContext.HTTP.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("building the request for %s: %w", ev.RawPath, err)
	}
	for k, v := range ev.Headers {
		req.Header.Set(k, v)
	}
	req.Host = ev.RequestContext.DomainName
	req.RemoteAddr = ev.RequestContext.HTTP.SourceIP
	return req, nil
}

// stripStage returns the path of a request without the stage segment. API
// Gateway serves the $default stage at the root of the API's URL, but it
// keeps the name of any other stage as the first segment of rawPath:
// "/prod/api/reviews" on the stage prod.
func stripStage(rawPath, stage string) string {
	if stage != "" && stage != "$default" {
		if rest, ok := strings.CutPrefix(rawPath, "/"+stage); ok && (rest == "" || strings.HasPrefix(rest, "/")) {
			rawPath = rest
		}
	}
	if rawPath == "" {
		return "/"
	}
	return rawPath
}

// responseRecorder buffers a response for API Gateway, which takes the
// whole body at once.
type responseRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *responseRecorder) Header() http.Header { return r.header }

func (r *responseRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *responseRecorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

func (r *responseRecorder) response() events.APIGatewayV2HTTPResponse {
	res := events.APIGatewayV2HTTPResponse{StatusCode: r.status, Headers: map[string]string{}}
	if res.StatusCode == 0 {
		res.StatusCode = http.StatusOK
	}
	for k, v := range r.header {
		res.Headers[k] = strings.Join(v, ", ")
	}
	contentType := r.header.Get("Content-Type")
	textual := strings.HasPrefix(contentType, "text/") || strings.HasPrefix(contentType, "application/json")
	if textual && utf8.Valid(r.body.Bytes()) {
		res.Body = r.body.String()
	} else {
		res.Body = base64.StdEncoding.EncodeToString(r.body.Bytes())
		res.IsBase64Encoded = true
	}
	return res
}
