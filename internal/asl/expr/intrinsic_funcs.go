package expr

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"maps"
	"math"
	"math/big"
	mathrand "math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Input limits of intrinsic functions on AWS. The ArrayRange and Hash limits
// were observed on AWS, and the Base64 limit is assumed to be the same as
// the Hash limit.
const (
	maxArrayRangeItems = 1000
	maxHashInputChars  = 10000
	maxBase64Chars     = 10000
)

type intrinsicFunc struct {
	minArgs, maxArgs int // maxArgs < 0 means no limit
	impl             func(call *callNode, args []any) (any, error)
}

func (f *intrinsicFunc) arity() string {
	switch {
	case f.maxArgs < 0:
		return fmt.Sprintf("at least %d arguments", f.minArgs)
	case f.minArgs == f.maxArgs:
		return fmt.Sprintf("%d arguments", f.minArgs)
	}

	return fmt.Sprintf("%d to %d arguments", f.minArgs, f.maxArgs)
}

var intrinsicFuncs map[string]*intrinsicFunc

func init() {
	intrinsicFuncs = map[string]*intrinsicFunc{
		"States.Format":         {1, -1, statesFormat},
		"States.StringToJson":   {1, 1, statesStringToJSON},
		"States.JsonToString":   {1, 1, statesJSONToString},
		"States.Array":          {0, -1, statesArray},
		"States.ArrayPartition": {2, 2, statesArrayPartition},
		"States.ArrayContains":  {2, 2, statesArrayContains},
		"States.ArrayRange":     {3, 3, statesArrayRange},
		"States.ArrayGetItem":   {2, 2, statesArrayGetItem},
		"States.ArrayLength":    {1, 1, statesArrayLength},
		"States.ArrayUnique":    {1, 1, statesArrayUnique},
		"States.Base64Encode":   {1, 1, statesBase64Encode},
		"States.Base64Decode":   {1, 1, statesBase64Decode},
		"States.Hash":           {2, 2, statesHash},
		"States.JsonMerge":      {3, 3, statesJSONMerge},
		"States.MathRandom":     {2, 3, statesMathRandom},
		"States.MathAdd":        {2, 2, statesMathAdd},
		"States.StringSplit":    {2, 2, statesStringSplit},
		"States.UUID":           {0, 0, statesUUID},
	}
}

// invalidArguments is the error AWS raises when an intrinsic function gets
// arguments of the wrong type or out of range: States.Runtime, not
// States.IntrinsicFailure.
func invalidArguments(call *callNode) *Error {
	return runtimeError("Invalid arguments in " + call.name)
}

func statesFormat(call *callNode, args []any) (any, error) {
	template, ok := args[0].(string)
	if !ok {
		return nil, invalidArguments(call)
	}
	// Escapes only exist in literals: a template read from a path has its
	// backslashes taken literally.
	escapes := call.args[0].kind == argString
	if escapes {
		template = call.args[0].raw
	}

	var b strings.Builder
	next := 1
	for i := 0; i < len(template); i++ {
		c := template[i]
		switch {
		case escapes && c == '\\' && i+1 < len(template):
			b.WriteByte(template[i+1])
			i++
		case c == '{' && i+1 < len(template) && template[i+1] == '}':
			if next >= len(args) {
				return nil, invalidArguments(call)
			}
			b.WriteString(formatValue(args[next]))
			next++
			i++
		case c == '{' || c == '}':
			return nil, invalidArguments(call)
		default:
			b.WriteByte(c)
		}
	}
	if next != len(args) {
		return nil, invalidArguments(call)
	}

	return b.String(), nil
}

// formatValue renders a value as States.Format does, which follows Java's
// toString: strings without quotes, objects as {key=value, ...} and arrays
// as [a, b].
func formatValue(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case map[string]any:
		parts := make([]string, 0, len(t))
		for _, k := range sortedKeys(t) {
			parts = append(parts, k+"="+formatValue(t[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = formatValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	if n, ok := asNumber(v); ok {
		return string(n)
	}

	return fmt.Sprint(v)
}

func statesStringToJSON(call *callNode, args []any) (any, error) {
	s, ok := args[0].(string)
	if !ok {
		return nil, invalidArguments(call)
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}

	v, err := decodeJSON(s)
	if err != nil {
		return nil, invalidArguments(call)
	}

	return v, nil
}

// decodeJSON decodes exactly one JSON value, with numbers as json.Number.
func decodeJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value at offset %d", dec.InputOffset())
	}

	return v, nil
}

// statesJSONToString renders compact JSON, with object members in key order.
func statesJSONToString(call *callNode, args []any) (any, error) {
	s, err := marshalJSON(args[0])
	if err != nil {
		return nil, invalidArguments(call)
	}

	return s, nil
}

func statesArray(_ *callNode, args []any) (any, error) {
	out := make([]any, len(args))
	copy(out, args)

	return out, nil
}

func statesArrayPartition(call *callNode, args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, invalidArguments(call)
	}
	size, ok := intArgument(args[1], roundHalfUp)
	if !ok || size <= 0 {
		return nil, invalidArguments(call)
	}

	out := []any{}
	for start := 0; start < len(arr); start += size {
		end := min(start+size, len(arr))
		chunk := make([]any, end-start)
		copy(chunk, arr[start:end])
		out = append(out, chunk)
	}

	return out, nil
}

// intArgument converts a numeric argument to an int with the given rounding,
// reporting false for non-numbers and values outside the int32 range.
func intArgument(v any, round func(json.Number) (*big.Int, bool)) (int, bool) {
	n, ok := asNumber(v)
	if !ok {
		return 0, false
	}
	i, ok := round(n)
	if !ok || !i.IsInt64() {
		return 0, false
	}
	x := i.Int64()
	if x > math.MaxInt32 || x < math.MinInt32 {
		return 0, false
	}

	return int(x), true
}

func statesArrayContains(call *callNode, args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, invalidArguments(call)
	}
	for _, e := range arr {
		if jsonEqual(e, args[1]) {
			return true, nil
		}
	}

	return false, nil
}

// statesArrayRange builds start, start+step, ... up to and including end.
// Fractional arguments are truncated toward zero, which is what AWS was
// observed to do, although its documentation does not specify it.
func statesArrayRange(call *callNode, args []any) (any, error) {
	var bounds [3]int
	for i := range bounds {
		n, ok := intArgument(args[i], truncateNumber)
		if !ok {
			return nil, invalidArguments(call)
		}
		bounds[i] = n
	}
	start, end, stepSize := bounds[0], bounds[1], bounds[2]
	if stepSize == 0 {
		return nil, invalidArguments(call)
	}

	count := 0
	if (stepSize > 0 && start <= end) || (stepSize < 0 && start >= end) {
		count = (end-start)/stepSize + 1
	}
	if count > maxArrayRangeItems {
		return nil, invalidArguments(call)
	}

	out := make([]any, count)
	for i := range out {
		out[i] = json.Number(strconv.Itoa(start + i*stepSize))
	}

	return out, nil
}

func statesArrayGetItem(call *callNode, args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, invalidArguments(call)
	}
	index, ok := intArgument(args[1], exactInteger)
	if !ok || index < 0 || index >= len(arr) {
		return nil, invalidArguments(call)
	}

	return arr[index], nil
}

// exactInteger accepts only numbers with an integer value, such as 3 or 3.0.
func exactInteger(n json.Number) (*big.Int, bool) {
	r, ok := exactRat(n)
	if !ok || !r.IsInt() {
		return nil, false
	}

	return new(big.Int).Set(r.Num()), true
}

func statesArrayLength(call *callNode, args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, invalidArguments(call)
	}

	return json.Number(strconv.Itoa(len(arr))), nil
}

// statesArrayUnique keeps the first of each group of equal values, where
// numbers are equal by value.
func statesArrayUnique(call *callNode, args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, invalidArguments(call)
	}

	seen := make(map[string]bool, len(arr))
	out := []any{}
	for _, e := range arr {
		key := canonicalKey(e)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, e)
	}

	return out, nil
}

// canonicalKey renders a value so that two values have the same key exactly
// when jsonEqual holds for them.
func canonicalKey(v any) string {
	switch t := v.(type) {
	case map[string]any:
		parts := make([]string, 0, len(t))
		for _, k := range sortedKeys(t) {
			parts = append(parts, strconv.Quote(k)+":"+canonicalKey(t[k]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = canonicalKey(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case string:
		return strconv.Quote(t)
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return "null"
	}
	if n, ok := asNumber(v); ok {
		if r, ok := exactRat(n); ok {
			return "n" + r.RatString()
		}
		return "n" + string(n)
	}

	return fmt.Sprintf("%T:%v", v, v)
}

func statesBase64Encode(call *callNode, args []any) (any, error) {
	s, ok := args[0].(string)
	if !ok || utf8.RuneCountInString(s) > maxBase64Chars {
		return nil, invalidArguments(call)
	}

	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func statesBase64Decode(call *callNode, args []any) (any, error) {
	s, ok := args[0].(string)
	if !ok || utf8.RuneCountInString(s) > maxBase64Chars {
		return nil, invalidArguments(call)
	}
	decoded, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, invalidArguments(call)
	}

	return string(decoded), nil
}

var hashAlgorithms = map[string]func() hash.Hash{
	"MD5":     md5.New,
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

// statesHash returns the lowercase hex digest of the data.
// NOTE: AWS was observed to hash a number or an object by its text. This
// code hashes the compact JSON text, which may differ from AWS for objects.
func statesHash(call *callNode, args []any) (any, error) {
	data, ok := args[0].(string)
	if !ok {
		text, err := marshalJSON(args[0])
		if err != nil || args[0] == nil {
			return nil, invalidArguments(call)
		}
		data = text
	}
	algorithm, ok := args[1].(string)
	if !ok {
		return nil, invalidArguments(call)
	}
	newHash, ok := hashAlgorithms[algorithm]
	if !ok || utf8.RuneCountInString(data) > maxHashInputChars {
		return nil, invalidArguments(call)
	}

	h := newHash()
	h.Write([]byte(data))

	return hex.EncodeToString(h.Sum(nil)), nil
}

// statesJSONMerge merges two objects shallowly, the second one winning.
// AWS supports only the shallow merge, so the third argument must be false.
func statesJSONMerge(call *callNode, args []any) (any, error) {
	left, okLeft := args[0].(map[string]any)
	right, okRight := args[1].(map[string]any)
	deep, okDeep := args[2].(bool)
	if !okLeft || !okRight || !okDeep || deep {
		return nil, invalidArguments(call)
	}

	out := maps.Clone(left)
	if out == nil {
		out = map[string]any{}
	}
	maps.Copy(out, right)

	return out, nil
}

// statesMathRandom returns an integer in [start, end), from a generator
// seeded with the third argument when there is one. A seed gives the same
// number on every call, but not the number that AWS gives for that seed.
func statesMathRandom(call *callNode, args []any) (any, error) {
	start, okStart := intArgument(args[0], roundHalfUp)
	end, okEnd := intArgument(args[1], roundHalfUp)
	if !okStart || !okEnd || end <= start {
		return nil, invalidArguments(call)
	}

	span := int64(end) - int64(start)
	var n int64
	if len(args) == 3 {
		seed, ok := intArgument(args[2], roundHalfUp)
		if !ok {
			return nil, invalidArguments(call)
		}
		n = mathrand.New(mathrand.NewPCG(uint64(seed), 0)).Int64N(span)
	} else {
		n = mathrand.Int64N(span)
	}

	return json.Number(strconv.FormatInt(int64(start)+n, 10)), nil
}

// statesMathAdd rounds each argument half up, as AWS does (1.5 to 2, -1.5
// to -1), and adds them.
func statesMathAdd(call *callNode, args []any) (any, error) {
	sum := new(big.Int)
	for _, arg := range args {
		n, ok := asNumber(arg)
		if !ok {
			return nil, invalidArguments(call)
		}
		i, ok := roundHalfUp(n)
		if !ok {
			return nil, invalidArguments(call)
		}
		sum.Add(sum, i)
	}

	return json.Number(sum.String()), nil
}

// statesStringSplit splits at every character of the delimiter string and
// drops empty parts, as AWS does (",,a," gives ["a"]).
func statesStringSplit(call *callNode, args []any) (any, error) {
	s, okString := args[0].(string)
	delimiters, okDelimiters := args[1].(string)
	if !okString || !okDelimiters {
		return nil, invalidArguments(call)
	}

	parts := strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune(delimiters, r)
	})
	out := make([]any, len(parts))
	for i, part := range parts {
		out[i] = part
	}

	return out, nil
}

// statesUUID returns a random version 4 UUID.
func statesUUID(_ *callNode, _ []any) (any, error) {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error.
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80

	h := hex.EncodeToString(b[:])

	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}
