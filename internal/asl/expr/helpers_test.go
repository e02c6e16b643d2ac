package expr_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/asl/expr"
)

// jsonValue decodes JSON text the way the executor does, with numbers as
// json.Number.
func jsonValue(t testing.TB, text string) any {
	t.Helper()

	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v), "decoding %s", text)

	return v
}

// fixture decodes a JSON file under testdata/.
func fixture(t testing.TB, name string) any {
	t.Helper()

	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)

	return jsonValue(t, string(data))
}

// assertJSON checks that got is the JSON value that want spells, with
// numbers compared by value.
func assertJSON(t *testing.T, want string, got any) {
	t.Helper()

	wantValue := jsonValue(t, want)
	assert.Truef(t, sameJSON(wantValue, got), "want %s\n got %s", mustJSON(wantValue), mustJSON(got))
}

// assertEvalError checks that err is an *expr.Error with the given name and
// a cause that contains the fragment.
func assertEvalError(t *testing.T, err error, name, causeFragment string) {
	t.Helper()

	var evalErr *expr.Error
	require.Truef(t, errors.As(err, &evalErr), "want an *expr.Error, got %v", err)
	assert.Equal(t, name, evalErr.Name)
	assert.Contains(t, evalErr.Cause, causeFragment)
}

func ptr(s string) *string { return &s }
