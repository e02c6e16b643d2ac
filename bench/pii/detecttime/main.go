// Command detecttime times moderato's PII detection calls alone on a JSONL
// file of {"id", "text"} documents, as bench/pii/compare.js times the npm
// libraries: the documents are decoded first, a few are detected to warm
// up, and only the detection calls are timed. It prints one JSON object
// with the UTF-8 bytes of one pass and the CPU seconds (user and system,
// all threads, the garbage collector's included) that one pass takes.
//
// Usage: go run ./bench/pii/detecttime INPUT.jsonl [MIN_BYTES]
//
// A small input takes a few milliseconds a pass, so the passes repeat
// until they have read MIN_BYTES of text (default 16000000), and the time
// is divided by their number. Detection caches no result between calls,
// so a repeated document costs what it cost the first time.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"syscall"

	"github.com/moderato/moderato/internal/pii"
	"github.com/moderato/moderato/internal/pipeline"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "detecttime:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return fmt.Errorf("usage: detecttime INPUT.jsonl [MIN_BYTES]")
	}
	minBytes := 16_000_000
	if len(args) == 2 {
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 1 {
			return fmt.Errorf("MIN_BYTES %q is not a positive whole number", args[1])
		}
		minBytes = n
	}
	texts, size, err := readTexts(args[0])
	if err != nil {
		return err
	}
	if size == 0 {
		return fmt.Errorf("%s has no text to detect in", args[0])
	}

	// The same calls as "moderato pii detect": the pipeline's text view,
	// detection in chunks, offsets mapped back to the original text.
	detector := pii.NewDetector()
	detect := func(text string) []pii.Entity {
		view := pipeline.NewTextView(text)
		return view.OriginalEntities(detector.DetectLong(view.Text))
	}
	for _, text := range texts[:min(20, len(texts))] {
		detect(text)
	}

	passes := (minBytes + size - 1) / size
	found := 0
	start, err := cpuSeconds()
	if err != nil {
		return err
	}
	for range passes {
		for _, text := range texts {
			found += len(detect(text))
		}
	}
	end, err := cpuSeconds()
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"bytes":       size,
		"passes":      passes,
		"entities":    found / passes,
		"cpu_seconds": (end - start) / float64(passes),
	})
}

// readTexts returns the "text" of each line of the file and their total
// length in bytes.
func readTexts(path string) ([]string, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	var texts []string
	size := 0
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 64<<10), 64<<20)
	for number := 1; scanner.Scan(); number++ {
		if len(scanner.Bytes()) == 0 {
			continue
		}
		var doc struct {
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(scanner.Bytes(), &doc); err != nil {
			return nil, 0, fmt.Errorf("%s line %d: %w", path, number, err)
		}
		if doc.Text == nil {
			return nil, 0, fmt.Errorf(`%s line %d: no "text" string`, path, number)
		}
		texts = append(texts, *doc.Text)
		size += len(*doc.Text)
	}
	if err := scanner.Err(); err != nil {
		return nil, 0, fmt.Errorf("reading %s: %w", path, err)
	}
	return texts, size, nil
}

// cpuSeconds returns the user and system CPU time of the process so far.
func cpuSeconds() (float64, error) {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0, fmt.Errorf("reading the CPU time: %w", err)
	}
	seconds := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return seconds(usage.Utime) + seconds(usage.Stime), nil
}
