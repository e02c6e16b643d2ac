package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/pii"
	"github.com/moderato/moderato/internal/textchunk"
)

// runCLI runs the command line with stdin and returns the exit status and
// both outputs.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestPIIDetectText(t *testing.T) {
	code, out, stderr := runCLI(t, "Café ☕ mail jane@example.com now", "pii", "detect")
	require.Equal(t, 0, code, stderr)

	var got struct{ Entities []piiEntity }
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Len(t, got.Entities, 1)
	assert.Equal(t, "EMAIL", got.Entities[0].Type)
	assert.Equal(t, 12, got.Entities[0].Begin, "offsets count code points, not bytes")
	assert.Equal(t, 28, got.Entities[0].End)
	assert.InDelta(t, 0.99, got.Entities[0].Score, 1e-9)
}

func TestPIIDetectJSONLInOrder(t *testing.T) {
	input := `{"id": "a", "text": "Call (415) 555-0134 today"}` + "\n\n" +
		`{"id": 7, "text": "nothing here"}` + "\n" +
		`{"id": "c", "text": "ñ SSN 536-22-8726"}`
	code, out, stderr := runCLI(t, input, "pii", "detect", "--jsonl")
	require.Equal(t, 0, code, stderr)

	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3)
	assert.JSONEq(t, `{"id": "a", "entities": [{"type": "PHONE", "begin": 5, "end": 19, "score": 0.99}]}`, lines[0])
	assert.JSONEq(t, `{"id": 7, "entities": []}`, lines[1])
	assert.JSONEq(t, `{"id": "c", "entities": [{"type": "SSN", "begin": 6, "end": 17, "score": 0.99}]}`, lines[2])
}

func TestPIIDetectJSONLByteOrderMark(t *testing.T) {
	code, out, stderr := runCLI(t, "\uFEFF"+`{"id": "a", "text": "mail a@b.co"}`+"\n", "pii", "detect", "--jsonl")
	require.Equal(t, 0, code, stderr)
	assert.JSONEq(t, `{"id": "a", "entities": [{"type": "EMAIL", "begin": 5, "end": 11, "score": 0.99}]}`, out)
}

// TestPIIDetectJSONLFlushesEachLine checks that the result of a line is
// written before the next line arrives, for a client that waits for it.
func TestPIIDetectJSONLFlushesEachLine(t *testing.T) {
	inReader, inWriter := io.Pipe()
	outReader, outWriter := io.Pipe()
	done := make(chan int)
	go func() {
		done <- run(context.Background(), []string{"pii", "detect", "--jsonl"}, inReader, outWriter, io.Discard)
		outWriter.Close()
	}()
	lines := make(chan string)
	go func() {
		results := bufio.NewScanner(outReader)
		for results.Scan() {
			lines <- results.Text()
		}
		close(lines)
	}()
	for i, text := range []string{"mail a@b.co", "nothing here"} {
		_, err := fmt.Fprintf(inWriter, "{\"id\": %d, \"text\": %q}\n", i, text)
		require.NoError(t, err)
		select {
		case line := <-lines:
			assert.Contains(t, line, fmt.Sprintf(`"id":%d`, i))
		case <-time.After(10 * time.Second):
			require.FailNow(t, "no result before the next line", "line %d", i)
		}
	}
	require.NoError(t, inWriter.Close())
	assert.Equal(t, 0, <-done)
}

func TestPIIDetectJSONLErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{name: "invalid json", input: `{"id": 1, "text": "a"}` + "\n{oops}\n", want: "standard input line 2: decoding document"},
		{name: "missing text", input: `{"id": 1}`, want: `line 1: document has no "text" string`},
		{name: "text not a string", input: `{"id": 1, "text": 5}`, want: `line 1: invalid document: "text" is a JSON number, expected a string`},
		{name: "text an object", input: `{"id": 1, "text": {"a": 1}}`, want: `line 1: invalid document: "text" is a JSON object, expected a string`},
		{name: "text key in another case", input: `{"id": "a", "text": "mail a@b.co", "Text": "nothing"}`,
			want: `line 1: decoding document: key "Text" differs from "text" or "id" only in case`},
		{name: "id key in another case", input: `{"ID": "a", "text": "x"}`, want: `key "ID" differs`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.input, "pii", "detect", "--jsonl")
			assert.Equal(t, 1, code)
			assert.Contains(t, stderr, tt.want)
		})
	}
}

func TestPIIRedactStyles(t *testing.T) {
	text := "Dear Thabo Nkosi, your card 4111 1111 1111 1111 is on file."
	code, out, stderr := runCLI(t, text, "pii", "redact")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "Dear [NAME], your card [CREDIT_DEBIT_NUMBER] is on file.", out)

	code, out, stderr = runCLI(t, text, "pii", "redact", "--style", "mask")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "Dear ***********, your card ******************* is on file.", out)
}

// TestPIIReadsTextAsPipeline checks that the commands decode and clean
// their input as the pipeline's text path does, so that an encoding,
// an invisible character or an HTML reference hides no PII from them.
func TestPIIReadsTextAsPipeline(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{name: "soft hyphen", input: "mail jo\u00adhn@example.com now", want: "mail [EMAIL] now"},
		{name: "zero-width space", input: "mail john\u200b@example.com now", want: "mail [EMAIL] now"},
		{name: "character reference", input: "mail john&#64;example.com now", want: "mail [EMAIL] now"},
		{name: "utf-16 with bom", input: utf16LE("\ufeffmail john@example.com now"), want: "mail [EMAIL] now"},
		{name: "utf-16 without bom", input: utf16LE("mail john@example.com now"), want: "mail [EMAIL] now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, tt.input, "pii", "redact")
			require.Equal(t, 0, code, stderr)
			assert.Equal(t, tt.want, strings.TrimPrefix(out, "\ufeff"))

			code, out, stderr = runCLI(t, tt.input, "pii", "detect")
			require.Equal(t, 0, code, stderr)
			var got struct{ Entities []piiEntity }
			require.NoError(t, json.Unmarshal([]byte(out), &got))
			require.Len(t, got.Entities, 1)
			assert.Equal(t, "EMAIL", got.Entities[0].Type)
		})
	}

	code, out, stderr := runCLI(t, `{"id": 1, "text": "mail john&#64;example.com, jo\u00adhn@example.com"}`, "pii", "detect", "--jsonl")
	require.Equal(t, 0, code, stderr)
	assert.JSONEq(t, `{"id": 1, "entities": [{"type": "EMAIL", "begin": 5, "end": 25, "score": 0.99}, {"type": "EMAIL", "begin": 27, "end": 44, "score": 0.99}]}`, out,
		"offsets cover the reference and the soft hyphen in the original text")
}

// utf16LE encodes s as UTF-16 little endian, as Windows editors save text.
func utf16LE(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3FF)
			b.Write([]byte{byte(hi), byte(hi >> 8), byte(lo), byte(lo >> 8)})
			continue
		}
		b.Write([]byte{byte(r), byte(r >> 8)})
	}
	return b.String()
}

func TestPIIDetectJSONLInvalidID(t *testing.T) {
	code, out, stderr := runCLI(t, "{\"id\": \"a\xffb\", \"text\": \"x\"}\n", "pii", "detect", "--jsonl")
	require.Equal(t, 0, code, stderr)
	assert.True(t, utf8.ValidString(out), "the output line is valid UTF-8: %q", out)
	assert.JSONEq(t, `{"id": "a\ufffdb", "entities": []}`, out)
}

func TestPIIUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "no subcommand", args: []string{"pii"}, want: "pii needs a subcommand"},
		{name: "unknown subcommand", args: []string{"pii", "scan"}, want: `unknown pii subcommand "scan"`},
		{name: "unknown style", args: []string{"pii", "redact", "--style", "blur"}, want: `unknown --style "blur"`},
		{name: "score out of range", args: []string{"pii", "detect", "--min-score", "2"}, want: "outside 0 to 1"},
		{name: "score NaN on detect", args: []string{"pii", "detect", "--min-score", "NaN"}, want: "outside 0 to 1"},
		{name: "score NaN on redact", args: []string{"pii", "redact", "--min-score", "nan"}, want: "outside 0 to 1"},
		{name: "two inputs", args: []string{"pii", "detect", "a.txt", "b.txt"}, want: "at most one input file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tt.args...)
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr, tt.want)
		})
	}

	code, _, stderr := runCLI(t, "", "pii", "detect", filepath.Join(t.TempDir(), "missing.txt"))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "opening input")
}

// TestPIIDetectJSONLLongLines checks lines longer than the 64 KB read
// buffer, among them one longer than MaxChunkBytes, between short lines
// and with a CRLF and a missing final line end, because detectLines reuses
// its line and output buffers from line to line.
func TestPIIDetectJSONLLongLines(t *testing.T) {
	email := "jane.doe@example.com"
	// textOf returns about n bytes of prose that end in the email
	// address, with a two-byte rune in every word so that code point and
	// byte offsets differ.
	textOf := func(n int) string {
		prose := strings.Repeat("café ", n/6)
		return prose + email
	}
	texts := []string{textOf(70_000), "short", textOf(65_536), textOf(pii.MaxChunkBytes + 30_000), "x", textOf(64 << 10)}
	var input strings.Builder
	for i, text := range texts {
		fmt.Fprintf(&input, `{"id": "doc-%d", "text": %q}`, i, text)
		if i == 2 {
			input.WriteString("\r")
		}
		if i < len(texts)-1 {
			input.WriteString("\n")
		}
	}

	code, out, stderr := runCLI(t, input.String(), "pii", "detect", "--jsonl")
	require.Equal(t, 0, code, stderr)

	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, len(texts))
	for i, text := range texts {
		var got struct {
			ID       string      `json:"id"`
			Entities []piiEntity `json:"entities"`
		}
		require.NoError(t, json.Unmarshal([]byte(lines[i]), &got), "output line %d", i+1)
		assert.Equal(t, fmt.Sprintf("doc-%d", i), got.ID)
		if !strings.HasSuffix(text, email) {
			assert.Empty(t, got.Entities, "document %d", i)
			continue
		}
		runes := utf8.RuneCountInString(text)
		require.Len(t, got.Entities, 1, "document %d", i)
		assert.Equal(t, piiEntity{Type: pii.TypeEmail, Begin: runes - len(email), End: runes, Score: got.Entities[0].Score},
			got.Entities[0], "document %d", i)
	}
}

// TestPIIDetectJSONLMatchesEngine runs the held-out PII test texts through
// "pii detect --jsonl" from a file and checks that every line carries the
// engine's entities, converted to code points, so that scoring the
// command's output scores the engine the pipeline uses.
func TestPIIDetectJSONLMatchesEngine(t *testing.T) {
	path := filepath.Join("..", "..", "internal", "pii", "testdata", "heldout.jsonl")
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	code, out, stderr := runCLI(t, "", "pii", "detect", "--jsonl", path)
	require.Equal(t, 0, code, stderr)

	detector := pii.NewDetector()
	scanner := bufio.NewScanner(strings.NewReader(out))
	scanner.Buffer(nil, 1<<24)
	inputs := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i, input := range inputs {
		require.True(t, scanner.Scan(), "output line %d missing", i+1)
		var doc struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		}
		require.NoError(t, json.Unmarshal([]byte(input), &doc))
		var got struct {
			ID       string      `json:"id"`
			Entities []piiEntity `json:"entities"`
		}
		require.NoError(t, json.Unmarshal(scanner.Bytes(), &got))

		assert.Equal(t, doc.ID, got.ID)
		assert.Equal(t, entitiesOf(doc.Text, detector.DetectLong(doc.Text)), got.Entities, "document %s", doc.ID)
	}
	assert.False(t, scanner.Scan(), "more output lines than documents")
}

// BenchmarkPIIDetectLines measures "pii detect --jsonl" on the team's
// labelled corpus, JSON decoding and encoding included, as the corpus row
// of bench/pii/run.sh measures it. PII_CORPUS overrides the corpus path.
func BenchmarkPIIDetectLines(b *testing.B) {
	path := os.Getenv("PII_CORPUS")
	if path == "" {
		path = "../../../shared/pii-corpus/corpus.jsonl"
	}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		b.Skipf("corpus %s not found; set PII_CORPUS to a corpus.jsonl file", path)
	}
	require.NoError(b, err)
	// MB/s counts the bytes of the texts, as bench/pii/run.sh does.
	size := 0
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		doc, err := decodeDocument(line)
		require.NoError(b, err)
		require.NotNil(b, doc.Text)
		size += len(*doc.Text)
	}
	b.SetBytes(int64(size))
	detector := pii.NewDetector()
	for b.Loop() {
		out := bufio.NewWriter(io.Discard)
		require.NoError(b, detectLines(detector, bytes.NewReader(data), "corpus", out))
		require.NoError(b, out.Flush())
	}
}

// FuzzPIIRedact runs the path of "pii redact" and "pii detect" on
// arbitrary input bytes: decoding as the pipeline decodes text, detection
// in the pipeline's text view with offsets mapped back, then Redact and
// Mask. The mapped entities must lie inside the decoded text, on code
// point boundaries, in order and without overlaps, and Mask must keep the
// length in code points.
func FuzzPIIRedact(f *testing.F) {
	f.Add([]byte("Mail jane&#64;example.com or call 415&#8203;555\u00ad0134"))
	f.Add([]byte("Card 4111&nbsp;1111 1111 1111, SSN 536-22-8726, Dear Thabo Nkosi"))
	f.Add([]byte("&fjlig;&nvlt;&#x1F600;&#55357;&#0;&amp;&#64&AMP;&notin"))
	f.Add([]byte("\xff\xfeM\x00a\x00i\x00l\x00 \x00a\x00@\x00b\x00.\x00c\x00o\x00"))
	f.Add([]byte("caf\xe9 4111 1111 1111 1111"))
	f.Fuzz(func(t *testing.T, data []byte) {
		text, err := readText(bytes.NewReader(data), "fuzz input")
		if err != nil {
			return
		}

		entities := detect(pii.NewDetector(pii.WithMinScore(0)), text)

		for i, e := range entities {
			require.True(t, e.Begin >= 0 && e.Begin < e.End && e.End <= len(text), "entity %d offsets %d-%d in %d bytes", i, e.Begin, e.End, len(text))
			assert.True(t, textchunk.IsBoundary(text, e.Begin), "entity %d begins inside a code point", i)
			assert.True(t, textchunk.IsBoundary(text, e.End), "entity %d ends inside a code point", i)
			if i > 0 {
				assert.LessOrEqual(t, entities[i-1].End, e.Begin, "entity %d overlaps or precedes the one before", i)
			}
		}
		redacted := pii.Redact(text, entities)
		masked := pii.Mask(text, entities)
		assert.Equal(t, utf8.RuneCountInString(text), utf8.RuneCountInString(masked), "Mask changed the length in code points")
		if len(entities) == 0 {
			assert.Equal(t, text, redacted)
			assert.Equal(t, text, masked)
		}
		for i, span := range pii.CodePointSpans(text, entities) {
			assert.True(t, span.Begin < span.End && span.End <= utf8.RuneCountInString(text), "entity %d code point offsets %d-%d", i, span.Begin, span.End)
		}
	})
}
