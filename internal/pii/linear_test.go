//go:build unix

package pii

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pathologicalUnits are repeated to build inputs that stress one
// recognizer each: long digit runs, text without spaces, many '@' or ':'.
var pathologicalUnits = []struct {
	name string
	unit string
}{
	{name: "digits", unit: "1234567890"},
	{name: "spaced digits", unit: "1 2 3 4 5 "},
	{name: "dashed digits", unit: "123-45-"},
	{name: "letters without spaces", unit: "abcdefghij"},
	{name: "upper case code", unit: "ABCDEFGHJK12"},
	{name: "base64", unit: "aB3/"},
	{name: "colons", unit: "ab:cd:"},
	{name: "at signs", unit: "a@b."},
	{name: "url", unit: "https://a.b/"},
	{name: "name cues", unit: "Dear Dear "},
	{name: "address numbers", unit: "12 Elm Elm "},
	{name: "ocr digits", unit: "4O1l 0I1| "},
	{name: "wrapped digits", unit: "12\n34\r\n"},
	{name: "dots and at signs", unit: "@.@.."},
	{name: "capitalized words", unit: "Abcde Fghij "},
	{name: "name particles", unit: "Ana de la "},
	{name: "street type first", unit: "Calle de Mayor "},
	{name: "lower-case codes", unit: "gb82 ab12 "},
	{name: "wide gaps", unit: "4111  1111\t1\u00a0"},
	{name: "hyphen line breaks", unit: "212-\r\n55-\n"},
	{name: "capitals between invalid bytes", unit: "Ca\xe8"},
}

// TestDetectLinearTime checks that Detect's time grows about linearly on
// inputs that would make a quadratic scan obvious: four times the input
// must not take more than ten times as long (sixteen if quadratic). Time is
// the CPU time of this process, which other processes on a busy machine do
// not inflate as they do wall time, and each size takes the fastest of
// three runs to damp garbage collection.
func TestDetectLinearTime(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test skipped in -short mode")
	}
	detector := NewDetector()
	fastest := func(text string) time.Duration {
		best := time.Duration(1<<63 - 1)
		for range 3 {
			start := cpuTime(t)
			entities := detector.Detect(text)
			best = min(best, cpuTime(t)-start)
			for i := 1; i < len(entities); i++ {
				require.LessOrEqual(t, entities[i-1].End, entities[i].Begin)
			}
		}
		return best
	}
	for _, tt := range pathologicalUnits {
		t.Run(tt.name, func(t *testing.T) {
			small := fastest(strings.Repeat(tt.unit, 64_000/len(tt.unit)))
			large := fastest(strings.Repeat(tt.unit, 256_000/len(tt.unit)))
			t.Logf("64 KB: %v, 256 KB: %v", small, large)
			assert.Less(t, large, 10*small+20*time.Millisecond)
		})
	}
}

// FuzzDetectLinearTime searches for a unit of text whose repeats make
// Detect superlinear. Each input repeats the unit to 16 KB and to 64 KB,
// and the larger text must not take more than ten times as long, in the
// fastest of three runs, plus 20 ms for timer and scheduling noise. A
// quadratic scan would take sixteen times as long. Whatever Detect does
// within those 20 ms on 64 KB stays unseen.
func FuzzDetectLinearTime(f *testing.F) {
	for _, tt := range pathologicalUnits {
		f.Add(tt.unit)
	}
	f.Add("1.")
	f.Add("a@")
	f.Add("+1 ")
	f.Add("Calle ")
	f.Add("1 Oak Street, ")
	f.Add("Www.")
	f.Add("AKIA")
	f.Add("0 ")
	detector := NewDetector()
	fastest := func(t *testing.T, text string) time.Duration {
		best := time.Duration(1<<63 - 1)
		for range 3 {
			start := cpuTime(t)
			detector.Detect(text)
			best = min(best, cpuTime(t)-start)
		}
		return best
	}
	f.Fuzz(func(t *testing.T, unit string) {
		if unit == "" || len(unit) > 64 {
			return
		}
		small := fastest(t, strings.Repeat(unit, 16_000/len(unit)))
		large := fastest(t, strings.Repeat(unit, 64_000/len(unit)))
		assert.Less(t, large, 10*small+20*time.Millisecond, "unit %q: 16 KB took %v, 64 KB took %v", unit, small, large)
	})
}

// cpuTime returns the user and system CPU time that this process has used.
func cpuTime(t *testing.T) time.Duration {
	var usage syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &usage))
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}
