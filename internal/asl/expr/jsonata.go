package expr

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math"
	mathrand "math/rand/v2"
	"reflect"
	"strconv"
	"strings"

	jsonata "github.com/blues/jsonata-go"
	"github.com/blues/jsonata-go/jtypes"
	"github.com/google/uuid"
)

// ErrorQueryEvaluation is the error name of a JSONata expression that
// fails or returns an unexpected value.
const ErrorQueryEvaluation = "States.QueryEvaluationError"

// maxJSONataLength bounds the text of one JSONata expression.
const maxJSONataLength = 64 * 1024

// JSONata evaluation uses github.com/blues/jsonata-go, which states parity
// with jsonata-js 1.5.4. Its gaps are wrapped here: it does not know json.Number, so
// values are converted on the way in and out, and the functions that Step
// Functions adds ($partition, $range, $hash, $random, $uuid, $parse) are
// registered as extensions.
func init() {
	exts := map[string]jsonata.Extension{
		"partition": {Func: jsonataPartition},
		"range":     {Func: jsonataRange},
		"hash":      {Func: jsonataHash},
		"random":    {Func: jsonataRandom},
		"uuid":      {Func: func() string { return uuid.NewString() }},
		"parse":     {Func: jsonataParse},
	}
	if err := jsonata.RegisterExts(exts); err != nil {
		panic("registering the Step Functions JSONata functions: " + err.Error())
	}
}

// IsJSONata reports whether a string field value is a JSONata expression,
// written as "{% expression %}".
func IsJSONata(s string) bool {
	return len(s) >= 4 && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}")
}

func jsonataSource(s string) string {
	return strings.TrimSpace(s[2 : len(s)-2])
}

// CheckJSONata parses every "{% %}" expression in a field value, to report
// syntax errors when a definition is loaded. field names the value in the
// messages, for example "Output/result".
func CheckJSONata(value any, field string) error {
	var firstErr error
	walkJSONata(value, field, func(src, field string) {
		if firstErr != nil {
			return
		}
		if len(src) > maxJSONataLength {
			firstErr = fmt.Errorf("field %s: the JSONata expression is longer than %d bytes", field, maxJSONataLength)
			return
		}
		if _, err := compileJSONata(src); err != nil {
			firstErr = fmt.Errorf("field %s: invalid JSONata expression '%s': %v", field, src, err)
		}
	})
	return firstErr
}

func walkJSONata(value any, field string, visit func(src, field string)) {
	switch t := value.(type) {
	case string:
		if IsJSONata(t) {
			visit(jsonataSource(t), field)
		}
	case map[string]any:
		for _, k := range sortedKeys(t) {
			walkJSONata(t[k], field+"/"+k, visit)
		}
	case []any:
		for i, e := range t {
			walkJSONata(e, field+"/"+strconv.Itoa(i), visit)
		}
	}
}

// compileJSONata parses an expression, turning a parser panic into an
// error so that a hostile definition cannot crash the process.
func compileJSONata(src string) (e *jsonata.Expr, err error) {
	defer func() {
		if p := recover(); p != nil {
			e, err = nil, fmt.Errorf("parsing the expression: %v", p)
		}
	}()
	return jsonata.Compile(src)
}

// EvalJSONata evaluates a JSONata field value: a string "{% expression %}"
// is evaluated, objects and arrays are evaluated member by member, and any
// other value is returned as it is. states is the value of $states; the
// variables come from vars. field names the value in error causes, for
// example "Output" or "Assign/result". Errors are *Error with the name
// States.QueryEvaluationError.
func EvalJSONata(value any, field string, states map[string]any, vars Variables) (any, error) {
	switch t := value.(type) {
	case string:
		if !IsJSONata(t) {
			return t, nil
		}
		return evalJSONataExpr(jsonataSource(t), field, states, vars)
	case map[string]any:
		out := make(map[string]any, len(t))
		for _, k := range sortedKeys(t) {
			v, err := EvalJSONata(t[k], field+"/"+k, states, vars)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			v, err := EvalJSONata(e, field+"/"+strconv.Itoa(i), states, vars)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return value, nil
}

func queryError(cause string) *Error {
	return &Error{Name: ErrorQueryEvaluation, Cause: cause}
}

func evalJSONataExpr(src, field string, states map[string]any, vars Variables) (result any, err error) {
	if v, ok, handled := lookupSimplePath(src, states, vars); handled {
		if !ok {
			return nil, queryError(fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", src, field))
		}
		return v, nil
	}

	e, err := compileJSONata(src)
	if err != nil {
		return nil, queryError(fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' could not be parsed: %v", src, field, err))
	}

	bindings := map[string]any{"states": toJSONata(states)}
	if vars != nil {
		for _, name := range referencedVariables(src) {
			if v, ok := vars.Variable(name); ok {
				bindings[name] = toJSONata(v)
			}
		}
	}
	if err := e.RegisterVars(bindings); err != nil {
		return nil, queryError(fmt.Sprintf("binding the variables of the JSONata expression '%s': %v", src, err))
	}

	defer func() {
		if p := recover(); p != nil {
			result, err = nil, queryError(fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %v", src, field, p))
		}
	}()
	out, err := e.Eval(nil)
	if errors.Is(err, jsonata.ErrUndefined) {
		return nil, queryError(fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", src, field))
	}
	if err != nil {
		return nil, queryError(fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %s", src, field, jsonataErrorText(err)))
	}
	return fromJSONata(out)
}

// jsonataErrorText words the library's errors with the codes of the
// reference JSONata implementation where one corresponds, because AWS
// reports those.
func jsonataErrorText(err error) string {
	var ee *jsonata.EvalError
	if errors.As(err, &ee) && ee.Type == jsonata.ErrNonCallable {
		return "T1006: Attempted to invoke a non-function"
	}
	return err.Error()
}

// referencedVariables lists the names written as $name in an expression,
// so only the variables an expression can read are bound.
func referencedVariables(src string) []string {
	var names []string
	seen := map[string]bool{}
	for i := 0; i < len(src); i++ {
		if src[i] != '$' || i+1 >= len(src) || !isVariableStart(src[i+1]) {
			continue
		}
		j := i + 1
		for j < len(src) && isIdentByte(src[j]) {
			j++
		}
		name := src[i+1 : j]
		if !seen[name] && name != "states" {
			seen[name] = true
			names = append(names, name)
		}
		i = j - 1
	}
	return names
}

// toJSONata converts json.Number values to float64, the number type the
// library computes with.
func toJSONata(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return t.String()
		}
		return f
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = toJSONata(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = toJSONata(e)
		}
		return out
	}
	return v
}

// fromJSONata converts a library result back to the values of this
// package: numbers become json.Number, and Go types that the library
// returns (typed slices and maps, ints) become []any and map[string]any.
func fromJSONata(v any) (any, error) {
	switch t := v.(type) {
	case nil, string, bool:
		return t, nil
	case json.Number:
		return t, nil
	case float64:
		return floatNumber(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			c, err := fromJSONata(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			c, err := fromJSONata(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}

	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(rv.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number(strconv.FormatUint(rv.Uint(), 10)), nil
	case reflect.Float32:
		return floatNumber(rv.Float())
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			c, err := fromJSONata(rv.Index(i).Interface())
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case reflect.Map:
		out := make(map[string]any, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			c, err := fromJSONata(iter.Value().Interface())
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(iter.Key().Interface())] = c
		}
		return out, nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		return fromJSONata(rv.Elem().Interface())
	case reflect.Func:
		return nil, errors.New("the expression returned a function, which is not a JSON value")
	}
	return nil, fmt.Errorf("the expression returned a %T, which is not a JSON value", v)
}

// floatNumber renders a float64 as a JSON number the way JavaScript's
// Number to string conversion does for the common cases: integers below
// 1e21 in full, other values in the shortest form that reads back the same.
func floatNumber(f float64) (any, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("the expression returned %v, which is not a JSON number", f)
	}
	if f == 0 {
		return json.Number("0"), nil // also for -0, as JavaScript prints it
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), nil
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
}

func jsonataPartition(items []any, size float64) ([]any, error) {
	if size != math.Trunc(size) || size <= 0 {
		return nil, fmt.Errorf("$partition: the chunk size must be a positive integer, not %v", size)
	}
	n := int(size)
	out := []any{}
	for start := 0; start < len(items); start += n {
		end := min(start+n, len(items))
		out = append(out, append([]any(nil), items[start:end]...))
	}
	return out, nil
}

// maxRangeItems bounds the array that $range builds.
const maxRangeItems = 1000

// jsonataRange returns the numbers from start to end inclusive, step
// apart. Like a JSONata sequence, a single number is returned as itself.
func jsonataRange(start, end, step float64) (any, error) {
	if step == 0 {
		return nil, errors.New("$range: the step must not be zero")
	}
	var out []any
	for v := start; (step > 0 && v <= end) || (step < 0 && v >= end); v += step {
		if len(out) >= maxRangeItems {
			return nil, fmt.Errorf("$range: more than %d items", maxRangeItems)
		}
		out = append(out, v)
	}
	if len(out) == 1 {
		return out[0], nil
	}
	if out == nil {
		return []any{}, nil
	}
	return out, nil
}

func jsonataHash(value any, algorithm string) (string, error) {
	var h hash.Hash
	switch algorithm {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return "", fmt.Errorf("$hash: unsupported algorithm %q, use MD5, SHA-1, SHA-256, SHA-384 or SHA-512", algorithm)
	}
	text, ok := value.(string)
	if !ok {
		raw, err := json.Marshal(value)
		if err != nil {
			return "", fmt.Errorf("$hash: %w", err)
		}
		text = string(raw)
	}
	h.Write([]byte(text))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// jsonataRandom returns a number in [0, 1). With a seed, the same seed
// gives the same number.
func jsonataRandom(seed jtypes.OptionalFloat64) float64 {
	if seed.IsSet() {
		s := math.Float64bits(seed.Float64)
		return mathrand.New(mathrand.NewPCG(s, s>>1|1)).Float64()
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	r := mathrand.New(mathrand.NewPCG(beUint64(b[:8]), beUint64(b[8:])))
	return r.Float64()
}

func beUint64(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func jsonataParse(text string) (any, error) {
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return nil, fmt.Errorf("$parse: the argument is not valid JSON: %w", err)
	}
	return v, nil
}

// lookupSimplePath evaluates an expression that is only a variable and
// field names, such as $states.input.items, without the library. It is
// faster, and it returns an empty array as it is where the library
// returns undefined. handled is false when the expression is not such a
// path or when a step reaches an array, where JSONata maps the rest of
// the path over the elements.
func lookupSimplePath(src string, states map[string]any, vars Variables) (value any, ok, handled bool) {
	if len(src) < 2 || src[0] != '$' || !isVariableStart(src[1]) {
		return nil, false, false
	}
	parts := strings.Split(src[1:], ".")
	for _, p := range parts {
		if p == "" {
			return nil, false, false
		}
		for i := 0; i < len(p); i++ {
			if !isIdentByte(p[i]) {
				return nil, false, false
			}
		}
		if isDigit(p[0]) {
			return nil, false, false
		}
	}

	var v any
	if parts[0] == "states" {
		v, ok = states, true
	} else if vars != nil {
		v, ok = vars.Variable(parts[0])
	}
	if !ok {
		return nil, false, true
	}
	for _, name := range parts[1:] {
		switch t := v.(type) {
		case map[string]any:
			v, ok = t[name]
			if !ok {
				return nil, false, true
			}
		case []any:
			return nil, false, false
		default:
			return nil, false, true
		}
	}
	return v, true, true
}
