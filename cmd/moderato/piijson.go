package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeDocument decodes one input line of "pii detect --jsonl" as
// json.Unmarshal decodes it into a piiDocument. encoding/json validates
// and decodes through reflection, which costs about as much as detection
// on short texts, so decodeDocument reads the common form itself: an
// object whose keys have no escapes and whose "text" string has no
// escapes. Any other line, a malformed one among them, goes to
// json.Unmarshal, so the result and the errors stay the same. Unlike
// json.Unmarshal, it rejects a key such as "Text" that differs from
// "text" or "id" only in case.
func decodeDocument(line []byte) (piiDocument, error) {
	if doc, ok := decodeDocumentDirect(line); ok {
		return doc, nil
	}
	var doc piiDocument
	if err := json.Unmarshal(line, &doc); err != nil {
		return doc, err
	}
	if key := caseVariantKey(line); key != "" {
		return piiDocument{}, fmt.Errorf(`key %q differs from "text" or "id" only in case: keys are case-sensitive`, key)
	}
	return doc, nil
}

// caseVariantKey returns a key of the object in line, a valid JSON value,
// that equals "text" or "id" only when case is ignored, such as "Text", or
// "". json.Unmarshal matches keys without regard to case, and the last of
// two such keys wins, where other JSON readers take "text" itself, so
// such a line is ambiguous.
func caseVariantKey(line []byte) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(line, &fields) != nil {
		return ""
	}
	keys := slices.Sorted(maps.Keys(fields))
	for _, key := range keys {
		if key != "text" && key != "id" && (strings.EqualFold(key, "text") || strings.EqualFold(key, "id")) {
			return key
		}
	}
	return ""
}

// decodeDocumentDirect returns the document and true when line has the
// common form, and false when json.Unmarshal has to decide.
func decodeDocumentDirect(line []byte) (piiDocument, bool) {
	var doc piiDocument
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return doc, false
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		return doc, skipSpace(line, i+1) == len(line)
	}
	for {
		if i >= len(line) || line[i] != '"' {
			return doc, false
		}
		keyEnd := i + 1
		for keyEnd < len(line) && line[keyEnd] != '"' {
			// Escaped or non-ASCII keys may still name a field, as
			// json.Unmarshal matches names without regard to case.
			if c := line[keyEnd]; c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
				return doc, false
			}
			keyEnd++
		}
		if keyEnd >= len(line) {
			return doc, false
		}
		key := string(line[i+1 : keyEnd])
		i = skipSpace(line, keyEnd+1)
		if i >= len(line) || line[i] != ':' {
			return doc, false
		}
		valueStart := skipSpace(line, i+1)
		valueEnd, plainString := skipValue(line, valueStart)
		if valueEnd < 0 {
			return doc, false
		}

		switch {
		case key == "text":
			if doc.Text != nil || !plainString || !utf8.Valid(line[valueStart+1:valueEnd-1]) {
				return doc, false
			}
			text := string(line[valueStart+1 : valueEnd-1])
			doc.Text = &text
		case key == "id":
			if doc.ID != nil {
				return doc, false
			}
			doc.ID = json.RawMessage(line[valueStart:valueEnd])
		case strings.EqualFold(key, "text"), strings.EqualFold(key, "id"):
			return doc, false
		}

		i = skipSpace(line, valueEnd)
		switch {
		case i < len(line) && line[i] == ',':
			i = skipSpace(line, i+1)
		case i < len(line) && line[i] == '}':
			return doc, skipSpace(line, i+1) == len(line)
		default:
			return doc, false
		}
	}
}

// skipSpace returns the offset of the first byte at or after i that is
// not JSON white space.
func skipSpace(line []byte, i int) int {
	for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\n' || line[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the valid JSON value that starts at i, and
// whether it is a string without escapes or control characters, or -1
// when the value is invalid or ends the line early.
func skipValue(line []byte, i int) (end int, plainString bool) {
	if i >= len(line) {
		return -1, false
	}
	switch c := line[i]; {
	case c == '"':
		return skipString(line, i)
	case c == '{' || c == '[':
		return skipNested(line, i, 1), false
	case c == '-' || (c >= '0' && c <= '9'):
		return skipNumber(line, i), false
	}
	for _, literal := range []string{"true", "false", "null"} {
		if strings.HasPrefix(string(line[i:min(len(line), i+5)]), literal) {
			return i + len(literal), false
		}
	}
	return -1, false
}

// skipString returns the end of the string that starts with the quote at
// i and whether it has no escapes, or -1 when it is invalid.
func skipString(line []byte, i int) (int, bool) {
	plain := true
	for j := i + 1; j < len(line); j++ {
		if !stringSpecial[line[j]] {
			continue
		}
		switch c := line[j]; {
		case c == '"':
			return j + 1, plain
		case c < 0x20:
			return -1, false
		case c == '\\':
			plain = false
			if j+1 >= len(line) {
				return -1, false
			}
			switch line[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if j+5 >= len(line) {
					return -1, false
				}
				for _, h := range line[j+2 : j+6] {
					if !isHexDigit(h) {
						return -1, false
					}
				}
				j += 5
			default:
				return -1, false
			}
		}
	}
	return -1, false
}

// stringSpecial contains the bytes that skipString must look at inside a
// string: the quote, the backslash and the control characters, which JSON
// does not allow unescaped.
var stringSpecial = func() (special [256]bool) {
	for c := range 0x20 {
		special[c] = true
	}
	special['"'], special['\\'] = true, true
	return special
}()

func isHexDigit(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// maxNestedDepth is the deepest nesting of objects and arrays that
// skipNested reads. A line with a deeper value goes to json.Unmarshal,
// which has its own limit and error.
const maxNestedDepth = 64

// skipNested returns the end of the valid object or array that starts at
// i, at nesting depth depth, or -1 when it is invalid, ends the line early
// or nests deeper than maxNestedDepth. It accepts what json.Valid accepts,
// which spares a second pass over values such as a document's gold
// entities.
func skipNested(line []byte, i, depth int) int {
	if depth > maxNestedDepth {
		return -1
	}
	closing := byte(']')
	if line[i] == '{' {
		closing = '}'
	}
	j := skipSpace(line, i+1)
	if j < len(line) && line[j] == closing {
		return j + 1
	}
	for {
		if closing == '}' {
			if j >= len(line) || line[j] != '"' {
				return -1
			}
			keyEnd, _ := skipString(line, j)
			if keyEnd < 0 {
				return -1
			}
			j = skipSpace(line, keyEnd)
			if j >= len(line) || line[j] != ':' {
				return -1
			}
			j = skipSpace(line, j+1)
		}

		var end int
		if j < len(line) && (line[j] == '{' || line[j] == '[') {
			end = skipNested(line, j, depth+1)
		} else {
			end, _ = skipValue(line, j)
		}
		if end < 0 {
			return -1
		}

		j = skipSpace(line, end)
		switch {
		case j < len(line) && line[j] == ',':
			j = skipSpace(line, j+1)
		case j < len(line) && line[j] == closing:
			return j + 1
		default:
			return -1
		}
	}
}

// skipNumber returns the end of the JSON number that starts at i, or -1.
func skipNumber(line []byte, i int) int {
	digits := func(j int) int {
		start := j
		for j < len(line) && line[j] >= '0' && line[j] <= '9' {
			j++
		}
		if j == start {
			return -1
		}
		return j
	}
	j := i
	if line[j] == '-' {
		j++
	}
	if j < len(line) && line[j] == '0' {
		j++
	} else if j = digits(j); j < 0 {
		return -1
	}
	if j < len(line) && line[j] == '.' {
		if j = digits(j + 1); j < 0 {
			return -1
		}
	}
	if j < len(line) && (line[j] == 'e' || line[j] == 'E') {
		j++
		if j < len(line) && (line[j] == '+' || line[j] == '-') {
			j++
		}
		if j = digits(j); j < 0 {
			return -1
		}
	}
	return j
}

// appendDetection appends the output line of one document, as json.Marshal
// encodes the struct of an id and its entities, and a newline.
func appendDetection(buf []byte, id json.RawMessage, entities []piiEntity) ([]byte, error) {
	buf = append(buf, `{"id":`...)
	if isPlainJSON(id) {
		buf = append(buf, id...)
	} else {
		idJSON, err := json.Marshal(id)
		if err != nil {
			return buf, err
		}
		buf = append(buf, idJSON...)
	}
	buf = append(buf, `,"entities":[`...)
	for i, e := range entities {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"type":`...)
		if isPlainTypeName(e.Type) {
			buf = append(buf, '"')
			buf = append(buf, e.Type...)
			buf = append(buf, '"')
		} else {
			typ, err := json.Marshal(e.Type)
			if err != nil {
				return buf, err
			}
			buf = append(buf, typ...)
		}
		buf = append(buf, `,"begin":`...)
		buf = strconv.AppendInt(buf, int64(e.Begin), 10)
		buf = append(buf, `,"end":`...)
		buf = strconv.AppendInt(buf, int64(e.End), 10)
		buf = append(buf, `,"score":`...)
		var err error
		if buf, err = appendJSONFloat(buf, e.Score); err != nil {
			return buf, err
		}
		buf = append(buf, '}')
	}
	return append(buf, "]}\n"...), nil
}

// isPlainJSON reports whether value, valid JSON, is made of printable ASCII
// bytes other than white space and the <, > and & that json.Marshal
// escapes, so that json.Marshal writes it unchanged.
func isPlainJSON(value json.RawMessage) bool {
	for _, c := range value {
		if c <= ' ' || c > '~' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return len(value) > 0
}

// isPlainTypeName reports whether t consists of upper-case ASCII letters and
// underscores, as the entity type names do, so that its JSON string is t
// in quotes.
func isPlainTypeName(t string) bool {
	for i := 0; i < len(t); i++ {
		if (t[i] < 'A' || t[i] > 'Z') && t[i] != '_' {
			return false
		}
	}
	return true
}

// appendJSONFloat appends f as encoding/json writes a float64: in
// exponent form only below 1e-6 or from 1e21 on, with a one-digit negative
// exponent written without its leading zero.
func appendJSONFloat(buf []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		_, err := json.Marshal(f)
		return buf, err
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	buf = strconv.AppendFloat(buf, f, format, -1, 64)
	if n := len(buf); format == 'e' && n >= 4 && buf[n-4] == 'e' && buf[n-3] == '-' && buf[n-2] == '0' {
		buf[n-2] = buf[n-1]
		buf = buf[:n-1]
	}
	return buf, nil
}
