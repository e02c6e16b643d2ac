package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/moderato/moderato/internal/asl"
)

// maxInputBytes bounds the execution input read, well above Step Functions'
// 256 KiB limit so that the executor reports the limit itself.
const maxInputBytes = 16 << 20

func statemachineRunCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("statemachine run", stderr, "statemachine run --definition FILE [--input FILE|-]")
	definitionPath := fs.String("definition", "", "Amazon States Language definition `file`")
	inputPath := fs.String("input", "", "execution input JSON `file`, or - for standard input (default: {})")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return fmt.Errorf("%w: statemachine run takes no arguments, got %q", errUsage, positional)
	}
	if *definitionPath == "" {
		fs.Usage()
		return fmt.Errorf("%w: --definition is required", errUsage)
	}

	definition, err := os.ReadFile(*definitionPath)
	if err != nil {
		return fmt.Errorf("reading definition: %w", err)
	}
	input := []byte("{}")
	switch *inputPath {
	case "":
	case "-":
		input, err = io.ReadAll(io.LimitReader(stdin, maxInputBytes))
	default:
		input, err = os.ReadFile(*inputPath)
	}
	if err != nil {
		return fmt.Errorf("reading input: %w", err)
	}
	if !json.Valid(input) {
		return fmt.Errorf("reading input: %s is not valid JSON", describeInput(*inputPath))
	}

	exec, _, err := asl.Run(ctx, definition, input, noTasks{})
	if err != nil {
		return fmt.Errorf("running %s: %w", *definitionPath, err)
	}
	if exec.Status == asl.StatusSucceeded {
		_, err := fmt.Fprintln(stdout, string(exec.Output))
		return err
	}
	out, err := json.Marshal(map[string]string{"error": exec.Error, "cause": exec.Cause})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(out))
	return exitError{1}
}

func describeInput(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// noTasks fails every Task state: `statemachine run` executes definitions
// that need no task.
type noTasks struct{}

func (noTasks) RunTask(ctx context.Context, req asl.TaskRequest) (any, error) {
	return nil, &asl.Failure{
		Name:  "States.TaskFailed",
		Cause: fmt.Sprintf("state %q calls %s, but statemachine run executes no tasks", req.State, req.Resource),
	}
}
