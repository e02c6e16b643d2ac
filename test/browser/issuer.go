package browser

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Issuer is an OpenID Connect identity provider for tests: it serves its
// discovery document and its JSON Web Key Set on 127.0.0.1, and signs
// tokens with an RSA key that only the test holds.
type Issuer struct {
	// URL is the issuer identifier, the iss claim of its tokens.
	URL string

	key *rsa.PrivateKey
	kid string
}

// NewIssuer starts an issuer that stops when the test ends.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	iss := &Issuer{key: key, kid: "test-key-1"}

	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	iss.URL = srv.URL

	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		writeJSONBody(w, map[string]any{
			"issuer":                                iss.URL,
			"jwks_uri":                              iss.URL + "/jwks.json",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		pub := key.PublicKey
		writeJSONBody(w, map[string]any{"keys": []map[string]string{{
			"kty": "RSA",
			"use": "sig",
			"alg": "RS256",
			"kid": iss.kid,
			"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		}}})
	})
	return iss
}

// Token returns an RS256-signed JWT with the claims; iss is the issuer's
// URL unless the claims set it.
func (i *Issuer) Token(t testing.TB, claims map[string]any) string {
	t.Helper()
	body := map[string]any{"iss": i.URL}
	for k, v := range claims {
		body[k] = v
	}
	return i.sign(t, map[string]any{"alg": "RS256", "typ": "JWT", "kid": i.kid}, body)
}

// ModeratorToken returns a token for subject, valid for an hour for the
// audience, whose cognito:groups claim lists groups.
func (i *Issuer) ModeratorToken(t testing.TB, audience, subject string, groups ...string) string {
	t.Helper()
	now := time.Now()
	return i.Token(t, map[string]any{
		"sub":            subject,
		"aud":            audience,
		"iat":            now.Unix(),
		"exp":            now.Add(time.Hour).Unix(),
		"cognito:groups": groups,
	})
}

func (i *Issuer) sign(t testing.TB, header, claims map[string]any) string {
	t.Helper()
	h, err := json.Marshal(header)
	require.NoError(t, err)
	c, err := json.Marshal(claims)
	require.NoError(t, err)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, i.key, crypto.SHA256, digest[:])
	require.NoError(t, err)
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func writeJSONBody(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
