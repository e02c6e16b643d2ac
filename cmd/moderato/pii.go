package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/moderato/moderato/internal/pii"
	"github.com/moderato/moderato/internal/pipeline"
)

// piiEntity is one entity in the output of "pii detect", with offsets in
// Unicode code points and an exclusive end, as Comprehend reports them.
type piiEntity struct {
	Type  string  `json:"type"`
	Begin int     `json:"begin"`
	End   int     `json:"end"`
	Score float64 `json:"score"`
}

// piiDocument is one input line of "pii detect --jsonl".
type piiDocument struct {
	ID   json.RawMessage `json:"id"`
	Text *string         `json:"text"`
}

func piiCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: pii needs a subcommand: detect or redact", errUsage)
	}
	switch args[0] {
	case "detect":
		return piiDetectCommand(args[1:], stdin, stdout, stderr)
	case "redact":
		return piiRedactCommand(args[1:], stdin, stdout, stderr)
	}
	return fmt.Errorf("%w: unknown pii subcommand %q: use detect or redact", errUsage, args[0])
}

func piiDetectCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("pii detect", stderr, "pii detect [--jsonl] [--min-score S] [FILE|-]")
	jsonl := fs.Bool("jsonl", false, `read one {"id", "text"} JSON object a line and write one {"id", "entities"} object a line`)
	minScore := fs.Float64("min-score", pii.DefaultMinScore, "drop entities that score below `S`, from 0 to 1")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := checkMinScore(*minScore); err != nil {
		return err
	}
	in, name, err := openInput(positional, stdin)
	if err != nil {
		return err
	}
	defer in.Close()

	detector := pii.NewDetector(pii.WithMinScore(*minScore))
	out := bufio.NewWriterSize(stdout, 64<<10)
	if *jsonl {
		err = detectLines(detector, in, name, out)
	} else {
		err = detectText(detector, in, name, out)
	}
	if flushErr := out.Flush(); err == nil && flushErr != nil {
		err = fmt.Errorf("writing entities: %w", flushErr)
	}
	return err
}

// checkMinScore rejects a --min-score outside 0..1, NaN included, which
// no score reaches and would turn detection off.
func checkMinScore(minScore float64) error {
	if !(minScore >= 0 && minScore <= 1) {
		return fmt.Errorf("%w: --min-score %v is outside 0 to 1", errUsage, minScore)
	}
	return nil
}

// readText reads the whole input as the pipeline reads a text object:
// UTF-8, UTF-16 or Windows-1252, returned as UTF-8.
func readText(in io.Reader, name string) (string, error) {
	data, err := io.ReadAll(in)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	text, err := pipeline.DecodeText(data)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	return text, nil
}

// detect finds the entities of text as the pipeline does: in the view
// with HTML character references decoded and invisible format characters
// removed, with offsets mapped back to text.
func detect(detector *pii.Detector, text string) []pii.Entity {
	view := pipeline.NewTextView(text)
	return view.OriginalEntities(detector.DetectLong(view.Text))
}

// detectText detects the entities of the whole input and writes them as
// one JSON object.
func detectText(detector *pii.Detector, in io.Reader, name string, out *bufio.Writer) error {
	text, err := readText(in, name)
	if err != nil {
		return err
	}
	line, err := json.Marshal(struct {
		Entities []piiEntity `json:"entities"`
	}{entitiesOf(text, detect(detector, text))})
	if err != nil {
		return fmt.Errorf("encoding entities: %w", err)
	}
	if _, err := out.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("writing entities: %w", err)
	}
	return nil
}

// detectLines reads one JSON document a line and writes the entities of
// each as soon as it is read, in input order, so memory stays bounded by
// the longest line. Empty lines are skipped. The line and output buffers
// are reused from line to line, which spares two allocations per line.
func detectLines(detector *pii.Detector, in io.Reader, name string, out *bufio.Writer) error {
	reader := bufio.NewReaderSize(in, 64<<10)
	// long collects a line longer than the reader's buffer.
	var long, encoded []byte
	for number := 1; ; number++ {
		line, readErr := reader.ReadSlice('\n')
		if errors.Is(readErr, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(readErr, bufio.ErrBufferFull) {
				line, readErr = reader.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if readErr != nil && !errors.Is(readErr, io.EOF) {
			return fmt.Errorf("reading %s: %w", name, readErr)
		}
		if number == 1 {
			// A byte order mark, which some editors write, is no part
			// of the first document.
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
		}
		if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 {
			var err error
			if encoded, err = detectLine(detector, trimmed, out, encoded[:0]); err != nil {
				return fmt.Errorf("%s line %d: %w", name, number, err)
			}
		}
		if readErr != nil {
			return nil
		}
		// The output is flushed before a read that could wait for input,
		// so a client that writes one line at a time gets each result in
		// turn. A file's results are written a buffer at a time.
		if reader.Buffered() == 0 {
			if err := out.Flush(); err != nil {
				return fmt.Errorf("writing entities: %w", err)
			}
		}
	}
}

// detectLine detects the entities of one input line and writes its output
// line, encoded in buf, which it returns for reuse. The document it
// decodes may refer to line, which the caller keeps until detectLine
// returns.
func detectLine(detector *pii.Detector, line []byte, out *bufio.Writer, buf []byte) ([]byte, error) {
	doc, err := decodeDocument(line)
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field == "text" {
		return buf, fmt.Errorf(`invalid document: "text" is a JSON %s, expected a string`, typeErr.Value)
	}
	if err != nil {
		return buf, fmt.Errorf("decoding document: %w", err)
	}
	if doc.Text == nil {
		return buf, errors.New(`document has no "text" string: each line must be an object such as {"id": "a1", "text": "..."}`)
	}
	if len(doc.ID) == 0 {
		doc.ID = json.RawMessage("null")
	}
	if !utf8.Valid(doc.ID) {
		// Invalid bytes can only sit inside the id's strings, where U+FFFD
		// keeps the output valid JSON, as json.Unmarshal does for text.
		doc.ID = bytes.ToValidUTF8(doc.ID, []byte("\uFFFD"))
	}

	buf, err = appendDetection(buf, doc.ID, entitiesOf(*doc.Text, detect(detector, *doc.Text)))
	if err != nil {
		return buf, fmt.Errorf("encoding entities: %w", err)
	}
	if _, err := out.Write(buf); err != nil {
		return buf, fmt.Errorf("writing entities: %w", err)
	}
	return buf, nil
}

// entitiesOf converts entities to code point offsets of text. It returns
// an empty slice rather than nil, so the JSON has "entities": [].
func entitiesOf(text string, entities []pii.Entity) []piiEntity {
	spans := pii.CodePointSpans(text, entities)
	out := make([]piiEntity, len(entities))
	for i, e := range entities {
		out[i] = piiEntity{Type: e.Type, Begin: spans[i].Begin, End: spans[i].End, Score: e.Score}
	}
	return out
}

func piiRedactCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("pii redact", stderr, "pii redact [--style label|mask] [--min-score S] [FILE|-]")
	style := fs.String("style", "label", "`style` of the replacement: label writes [TYPE], mask writes one * per character")
	minScore := fs.Float64("min-score", pii.DefaultMinScore, "redact only entities that score at least `S`, from 0 to 1")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *style != "label" && *style != "mask" {
		return fmt.Errorf("%w: unknown --style %q: use label or mask", errUsage, *style)
	}
	if err := checkMinScore(*minScore); err != nil {
		return err
	}
	in, name, err := openInput(positional, stdin)
	if err != nil {
		return err
	}
	defer in.Close()

	text, err := readText(in, name)
	if err != nil {
		return err
	}
	entities := detect(pii.NewDetector(pii.WithMinScore(*minScore)), text)
	redacted := pii.Redact(text, entities)
	if *style == "mask" {
		redacted = pii.Mask(text, entities)
	}
	if _, err := io.WriteString(stdout, redacted); err != nil {
		return fmt.Errorf("writing redacted text: %w", err)
	}
	return nil
}

// openInput opens the one optional positional argument, a file name or
// "-" for standard input, which is also the default.
func openInput(positional []string, stdin io.Reader) (io.ReadCloser, string, error) {
	switch {
	case len(positional) > 1:
		return nil, "", fmt.Errorf("%w: expected at most one input file, got %d", errUsage, len(positional))
	case len(positional) == 0 || positional[0] == "-":
		return io.NopCloser(stdin), "standard input", nil
	}
	f, err := os.Open(positional[0])
	if err != nil {
		return nil, "", fmt.Errorf("opening input: %w", err)
	}
	return f, positional[0], nil
}
