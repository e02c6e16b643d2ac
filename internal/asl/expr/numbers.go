package expr

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// maxExactExponent bounds the decimal exponent of numbers that are
// converted to an exact big.Rat. A larger exponent ("1e999999999") would allocate a huge
// integer, so such numbers are compared as 1024-bit floats instead.
const maxExactExponent = 1000

// asNumber returns v as a json.Number when it is a JSON number. Go numeric
// types are accepted too, so that values built by hand behave like decoded
// ones.
func asNumber(v any) (json.Number, bool) {
	switch n := v.(type) {
	case json.Number:
		if !isJSONNumber(string(n)) {
			return "", false
		}
		return n, true
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return "", false
		}
		return json.Number(strconv.FormatFloat(n, 'g', -1, 64)), true
	case float32:
		return asNumber(float64(n))
	case int:
		return json.Number(strconv.Itoa(n)), true
	case int64:
		return json.Number(strconv.FormatInt(n, 10)), true
	case int32:
		return json.Number(strconv.FormatInt(int64(n), 10)), true
	}

	return "", false
}

// isJSONNumber reports whether s follows the JSON number grammar of RFC 8259.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return false
	}
	switch {
	case s[i] == '0':
		i++
	case s[i] >= '1' && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}

	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return false
		}
	}

	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return false
		}
	}

	return i == len(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// exactRat converts a JSON number to an exact rational, or reports false
// when its exponent is too large to convert cheaply.
func exactRat(n json.Number) (*big.Rat, bool) {
	s := string(n)
	if e := strings.IndexAny(s, "eE"); e >= 0 {
		exp, err := strconv.Atoi(strings.TrimPrefix(s[e+1:], "+"))
		if err != nil || exp > maxExactExponent || exp < -maxExactExponent {
			return nil, false
		}
	}
	if len(s) > 10*maxExactExponent {
		return nil, false
	}

	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// compareNumbers compares two JSON numbers by value, exactly for every
// number with a moderate exponent, so "1", "1.0" and "10e-1" are equal and
// integers beyond 2^53 keep their precision.
func compareNumbers(a, b json.Number) int {
	ra, okA := exactRat(a)
	rb, okB := exactRat(b)
	if okA && okB {
		return ra.Cmp(rb)
	}

	fa, _, errA := big.ParseFloat(string(a), 10, 1024, big.ToNearestEven)
	fb, _, errB := big.ParseFloat(string(b), 10, 1024, big.ToNearestEven)
	if errA != nil || errB != nil {
		return strings.Compare(string(a), string(b))
	}

	return fa.Cmp(fb)
}

// roundHalfUp rounds a JSON number to the nearest integer, with halves
// rounded toward positive infinity, as Java's Math.round does: AWS rounds
// intrinsic function arguments that way (1.5 to 2, -1.5 to -1).
func roundHalfUp(n json.Number) (*big.Int, bool) {
	r, ok := exactRat(n)
	if !ok {
		return nil, false
	}
	r.Add(r, big.NewRat(1, 2))

	return ratFloor(r), true
}

// truncateNumber drops the fraction of a JSON number, rounding toward zero.
func truncateNumber(n json.Number) (*big.Int, bool) {
	r, ok := exactRat(n)
	if !ok {
		return nil, false
	}

	return new(big.Int).Quo(r.Num(), r.Denom()), true
}

// ratFloor rounds toward negative infinity. big.Int.Div is Euclidean
// division, which is the floor because a big.Rat denominator is positive.
func ratFloor(r *big.Rat) *big.Int {
	return new(big.Int).Div(r.Num(), r.Denom())
}
