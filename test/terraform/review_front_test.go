package terraformtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/review"
	"github.com/moderato/moderato/test/browser"
)

// reviewAudience is the audience (client ID) of the review API's JWT
// authorizer in the moto stack, whose issuer is a browser.Issuer that the
// test starts before the apply.
const reviewAudience = "moderato-review-page"

// reviewFront serves the deployed review API on 127.0.0.1 through a stand-in
// for API Gateway, because moto 5.2.1 stores HTTP APIs without serving
// them. The stand-in reads the API's stage, routes, JWT authorizer and
// Lambda integration from moto. For each request it verifies the bearer
// token as the authorizer is configured, and it invokes the integration's
// function, the deployed review_api, through moto's Lambda Invoke, so the
// function's own code runs behind the Runtime API emulation.
type reviewFront struct {
	url    string
	issuer *browser.Issuer
}

// startReviewFront builds the front from the deployed API and serves it
// until the test ends.
func startReviewFront(t *testing.T, s *stack) *reviewFront {
	t.Helper()
	ctx := context.Background()
	client := apigatewayv2.NewFromConfig(s.cfg)

	apis, err := client.GetApis(ctx, &apigatewayv2.GetApisInput{})
	require.NoError(t, err)
	var apiID string
	for _, api := range apis.Items {
		if aws.ToString(api.Name) == s.name+"-review" {
			apiID = aws.ToString(api.ApiId)
		}
	}
	require.NotEmpty(t, apiID, "no HTTP API named %s-review", s.name)

	integrations, err := client.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: &apiID})
	require.NoError(t, err)
	require.Len(t, integrations.Items, 1, "the routes share one integration")
	integration := integrations.Items[0]
	assert.Equal(t, "AWS_PROXY", string(integration.IntegrationType))
	assert.Equal(t, "2.0", aws.ToString(integration.PayloadFormatVersion))
	function := functionOfInvokeARN(t, aws.ToString(integration.IntegrationUri))
	assert.True(t, strings.HasSuffix(function, ":function:"+s.name+"-review_api"), "the integration invokes review_api, not %s", function)

	stages, err := client.GetStages(ctx, &apigatewayv2.GetStagesInput{ApiId: &apiID})
	require.NoError(t, err)
	require.Len(t, stages.Items, 1)

	routes, err := client.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &apiID})
	require.NoError(t, err)
	gateway := &browser.Gateway{
		Stage:     aws.ToString(stages.Items[0].StageName),
		APIID:     apiID,
		AccountID: motoAccount,
		Logf:      t.Logf,
		Invoke:    invokeFunction(lambda.NewFromConfig(s.cfg), function),
	}
	for _, r := range routes.Items {
		assert.Equal(t, "integrations/"+aws.ToString(integration.IntegrationId), aws.ToString(r.Target), "route %s", aws.ToString(r.RouteKey))
		route := browser.Route{Key: aws.ToString(r.RouteKey)}
		switch string(r.AuthorizationType) {
		case "NONE":
		case "JWT":
			authorizer, err := client.GetAuthorizer(ctx, &apigatewayv2.GetAuthorizerInput{ApiId: &apiID, AuthorizerId: r.AuthorizerId})
			require.NoError(t, err)
			require.NotNil(t, authorizer.JwtConfiguration, "route %s", route.Key)
			assert.Equal(t, []string{"$request.header.Authorization"}, authorizer.IdentitySource)
			route.Authorizer = &browser.JWTAuthorizer{
				Issuer:   aws.ToString(authorizer.JwtConfiguration.Issuer),
				Audience: authorizer.JwtConfiguration.Audience,
			}
		default:
			t.Fatalf("route %s has authorization type %s, which the front does not emulate", route.Key, r.AuthorizationType)
		}
		gateway.Routes = append(gateway.Routes, route)
	}
	require.NotEmpty(t, gateway.Routes)

	srv := httptest.NewServer(gateway)
	t.Cleanup(srv.Close)
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	return &reviewFront{url: srv.URL, issuer: s.issuer}
}

// functionOfInvokeARN returns the function ARN inside a Lambda invoke ARN,
// arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION/invocations.
func functionOfInvokeARN(t *testing.T, invokeARN string) string {
	t.Helper()
	_, rest, ok := strings.Cut(invokeARN, "/functions/")
	function, found := strings.CutSuffix(rest, "/invocations")
	require.True(t, ok && found, "integration URI %s is not a Lambda invoke ARN", invokeARN)
	return function
}

// invokeFunction returns an Invoker that calls the function synchronously;
// a function error becomes an error, as API Gateway turns it into 500.
func invokeFunction(client *lambda.Client, function string) browser.Invoker {
	return func(ctx context.Context, event []byte) ([]byte, error) {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: &function, Payload: event})
		if err != nil {
			return nil, fmt.Errorf("invoking %s: %w", function, err)
		}
		if out.FunctionError != nil {
			return nil, fmt.Errorf("%s failed (%s): %s", function, aws.ToString(out.FunctionError), out.Payload)
		}
		return out.Payload, nil
	}
}

// token returns a valid token of the moderator subject with the groups.
func (f *reviewFront) token(t *testing.T, subject string, groups ...string) string {
	t.Helper()
	return f.issuer.ModeratorToken(t, reviewAudience, subject, groups...)
}

// frontResponse is a response of the front.
type frontResponse struct {
	status int
	header http.Header
	body   string
}

// do sends a request to the front with the token as bearer token (none
// when empty) and returns the response without following redirects.
func (f *reviewFront) do(t *testing.T, method, path, token, body string) frontResponse {
	t.Helper()
	req, err := http.NewRequest(method, f.url+path, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{
		Timeout:       e2eTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := client.Do(req)
	require.NoError(t, err, "%s %s", method, path)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return frontResponse{status: res.StatusCode, header: res.Header, body: string(raw)}
}

// checkFrontAuthorizer checks that requests without a valid token stop at
// the authorizer with API Gateway's 401, that the page itself needs no
// token, and that review_api rejects a valid token without a subject.
func checkFrontAuthorizer(t *testing.T, f *reviewFront) {
	now := time.Now()
	tests := []struct {
		name  string
		token string
	}{
		{"no token", ""},
		{"expired token", f.issuer.Token(t, map[string]any{"sub": "alice", "aud": reviewAudience, "exp": now.Add(-time.Minute).Unix(), "cognito:groups": []string{"moderato/queue:*"}})},
		{"other audience", f.issuer.ModeratorToken(t, "another-client", "alice", "moderato/queue:*")},
		{"other issuer", f.issuer.Token(t, map[string]any{"iss": "https://issuer.example.com", "sub": "alice", "aud": reviewAudience, "exp": now.Add(time.Hour).Unix()})},
		{"tampered token", f.token(t, "alice", "moderato/queue:default") + "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := f.do(t, http.MethodGet, "/api/reviews", tc.token, "")
			assert.Equal(t, http.StatusUnauthorized, res.status, res.body)
			assert.JSONEq(t, `{"message": "Unauthorized"}`, res.body, "API Gateway rejects the request before the function runs")
		})
	}

	t.Run("page without token", func(t *testing.T) {
		res := f.do(t, http.MethodGet, "/", "", "")
		require.Equal(t, http.StatusOK, res.status, res.body)
		assert.Contains(t, res.body, "<title>moderato reviews</title>")
	})

	t.Run("valid token without subject", func(t *testing.T) {
		token := f.issuer.Token(t, map[string]any{"aud": reviewAudience, "exp": now.Add(time.Hour).Unix(), "cognito:groups": []string{"moderato/queue:*"}})
		res := f.do(t, http.MethodGet, "/api/reviews", token, "")
		assert.Equal(t, http.StatusUnauthorized, res.status, res.body)
		assert.Contains(t, res.body, "authentication required", "review_api rejects a moderator without an identity")
	})
}

// approveThroughPage signs in to the review page that the deployed
// review_api function serves, through the front, as a moderator of the
// default queue, and approves the pending review with the page's button. It
// keeps a screenshot as a test artifact.
func approveThroughPage(t *testing.T, f *reviewFront, pending review.Review, token string) {
	ctx := browser.New(t, 2*time.Minute)
	item := fmt.Sprintf(`.item.selected[data-id=%q]`, pending.ID)

	// The page loads without a token. Its first API request gets the
	// authorizer's 401, so it shows the sign-in field. The preview
	// redirects to a presigned URL on moto's http endpoint, which the
	// page's CSP blocks because it allows https: only, as S3 URLs on AWS
	// are. So the browser ignores the CSP here; the cross-origin fetch
	// still needs the bucket's CORS rule.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
			return err
		}),
		chromedp.Navigate(f.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#token`)),
		chromedp.SendKeys(chromedp.CSS(`#token`), token),
		chromedp.Click(chromedp.CSS(`#use-token`)),
		chromedp.WaitVisible(chromedp.CSS(item)),
		chromedp.WaitVisible(chromedp.CSS(`#approve`)),
	))
	preview, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#detail .preview, #detail .preview-error`)))
	require.NoError(t, err)
	assert.Contains(t, preview, "[EMAIL]", "the page shows the redacted copy from S3")
	assert.NotContains(t, preview, flaggedPII)
	me, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#me`)))
	require.NoError(t, err)
	assert.Equal(t, "Signed in as "+alice, me)
	queue, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#queue`)))
	require.NoError(t, err)
	assert.NotContains(t, queue, imageKey, "the page lists only the moderator's queue")
	detail, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#detail`)))
	require.NoError(t, err)
	assert.Contains(t, detail, "PII types found: EMAIL")
	assert.Contains(t, detail, "INSULT")
	assert.NotContains(t, detail, flaggedPII)
	assert.Contains(t, detail, "left", "the remaining SLA time is shown")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#reason`), "satire between colleagues"),
		chromedp.Click(chromedp.CSS(`#approve`)),
		chromedp.WaitVisible(chromedp.CSS(`#status[data-result="decided"]`)),
	))
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#status`)))
	require.NoError(t, err)
	assert.Equal(t, "Done: approve", status)
	t.Logf("screenshot of the review page on the moto stack: %s", browser.SaveScreenshot(t, ctx, "review-page-moto-approved.png"))

	// The queue reloads without the decided review.
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitNotPresent(chromedp.CSS(item))))
}
