package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeCases are input lines of "pii detect --jsonl". The first six have
// the common form that decodeDocument reads without encoding/json, and the
// rest have escapes, odd keys, nested values or errors.
var decodeCases = []string{
	`{"id": "a", "text": "Call (415) 555-0134 today"}`,
	`{"text":"plain","id":7}`,
	`{ "id" : {"k": [1, 2, {"x": "y"}]} , "text" : "ñ 😀 text" , "entities": [{"type": "NAME", "begin": 0, "end": 3}], "kind": "chat" }`,
	`{"id": null, "text": ""}`,
	`{"id": -1.5e+3, "text": "x"}`,
	`{"id": true, "text": "x", "other": false, "n": null}`,
	`{"text": "quote \" and newline \n and \u00e9 and \ud83d\ude00"}`,
	`{"text": "lone surrogate \ud83d"}`,
	"{\"text\": \"invalid \xff byte\"}",
	`{"text": "a", "text": "b"}`,
	`{"TEXT": "upper", "id": 1}`,
	`{"Text": "title", "text": "lower"}`,
	`{"Id": "x", "text": "y"}`,
	`{"te\u0078t": "escaped key"}`,
	`{"text": 5}`,
	`{"text": null}`,
	`{"id": "x"}`,
	`{}`,
	`[]`,
	`"text"`,
	`{"text": "x"} trailing`,
	`{"text": "x",}`,
	`{"text": "x" "id": 1}`,
	`{"text": "unterminated}`,
	`{"id": 01, "text": "x"}`,
	`{"id": [1, 2, "text": "x"}`,
	`{"id": {"a": }, "text": "x"}`,
	`{"id": tru, "text": "x"}`,
	`{"id": "bad \q escape", "text": "x"}`,
	"{\"text\": \"control \x01 char\"}",
	`{"id": "<b>&amp;</b>", "text": "x"}`,
	`{"id": { "spaced" : 1 }, "text": "x"}`,
	`{"id": [ ], "text": "x", "entities": [{"type": "NAME", "begin": 0, "end": 1, "tags": [[], {}, [null, -0.5]]}]}`,
	`{"id": {"a": [{"b": null}], "c": "\u00e9"}, "text": "x"}`,
	`{"id": [1, 2,], "text": "x"}`,
	`{"id": [1 2], "text": "x"}`,
	`{"id": {"a" 1}, "text": "x"}`,
	`{"id": {"a": 1,}, "text": "x"}`,
	`{"id": {1: 2}, "text": "x"}`,
	`{"id": [-], "text": "x"}`,
	`{"id": [1e], "text": "x"}`,
	`{"id": [truex], "text": "x"}`,
	`{"id": ["a\"], "text": "x"}`,
	`{"id": [}, "text": "x"}`,
	`{"id": {"a": 1], "text": "x"}`,
	`{"id": [[[[]]]]`,
	`{"id": ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `, "text": "x"}`,
	`{"id": ` + strings.Repeat("[", 100) + strings.Repeat("]", 99) + `, "text": "x"}`,
}

// nestedCases are the lines of decodeCases with a valid nested value,
// which decodeDocument reads without encoding/json.
var nestedCases = []string{decodeCases[2], decodeCases[31], decodeCases[32], decodeCases[33]}

// TestDecodeDocumentMatchesUnmarshal checks that decodeDocument returns
// what json.Unmarshal returns, errors included, on lines of the common
// form and on lines that must fall back.
func TestDecodeDocumentMatchesUnmarshal(t *testing.T) {
	for _, line := range append(decodeCases[:6:6], nestedCases...) {
		_, direct := decodeDocumentDirect([]byte(line))
		assert.True(t, direct, "line %s", line)
	}
	for _, line := range decodeCases {
		checkDecodeDocument(t, line)
	}
}

// FuzzDecodeDocument checks decodeDocument against json.Unmarshal on
// arbitrary lines.
func FuzzDecodeDocument(f *testing.F) {
	for _, line := range decodeCases {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		checkDecodeDocument(t, line)
	})
}

// checkDecodeDocument checks that decodeDocument returns the document and
// error that json.Unmarshal returns for line, or the error for a key that
// differs from "text" or "id" only in case.
func checkDecodeDocument(t *testing.T, line string) {
	t.Helper()
	var want piiDocument
	wantErr := json.Unmarshal([]byte(line), &want)
	if key := caseVariantKey([]byte(line)); wantErr == nil && key != "" {
		want, wantErr = piiDocument{}, fmt.Errorf(`key %q differs from "text" or "id" only in case: keys are case-sensitive`, key)
	}

	got, gotErr := decodeDocument([]byte(line))

	if wantErr != nil {
		require.Error(t, gotErr, "line %q", line)
		assert.Equal(t, wantErr.Error(), gotErr.Error(), "line %q", line)
		return
	}
	require.NoError(t, gotErr, "line %q", line)
	assert.Equal(t, string(want.ID), string(got.ID), "id of line %q", line)
	require.Equal(t, want.Text == nil, got.Text == nil, "text of line %q", line)
	if want.Text != nil {
		assert.Equal(t, *want.Text, *got.Text, "text of line %q", line)
	}
}

// TestAppendDetectionMatchesMarshal checks that appendDetection writes
// the bytes that json.Marshal writes for the same id and entities.
func TestAppendDetectionMatchesMarshal(t *testing.T) {
	ids := []string{`"a"`, `7`, `null`, `{ "k" : [1, 2] }`, `"<b>&</b>"`, `"\u2028"`, "\"\u2028\"", `"main-00001"`,
		`{"k":[1,"x"]}`, `-1.5e+3`, `"a b"`, `"é"`, "\"\xff\"", `"tab\t"`}
	entities := []piiEntity{
		{Type: "EMAIL", Begin: 0, End: 12, Score: 0.99},
		{Type: "CREDIT_DEBIT_NUMBER", Begin: 12, End: 13, Score: 0.5},
		{Type: "<b>é\u2028", Begin: 13, End: 14, Score: 0.5},
		{Type: "", Begin: 14, End: 15, Score: 0.5},
		{Type: "PHONE", Begin: 15, End: 29, Score: 0.85 + 0.15},
		{Type: "NAME", Begin: 30, End: 40, Score: 0.1 + 0.2},
		{Type: "SSN", Begin: 41, End: 52, Score: 0},
		{Type: "URL", Begin: 53, End: 60, Score: 1e-7},
		{Type: "URL", Begin: 61, End: 70, Score: 2.5e-12},
	}
	for _, id := range ids {
		for n := 0; n <= len(entities); n++ {
			want, err := json.Marshal(struct {
				ID       json.RawMessage `json:"id"`
				Entities []piiEntity     `json:"entities"`
			}{json.RawMessage(id), entities[:n]})
			require.NoError(t, err)

			got, err := appendDetection(nil, json.RawMessage(id), entities[:n])

			require.NoError(t, err)
			assert.Equal(t, string(want)+"\n", string(got))
		}
	}
}
