// Command moderato runs the moderation pipeline on this machine: it
// moderates files and folders, lists and decides pending reviews, serves the
// review page, and runs state machine definitions.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `moderato moderates content and redacts the PII in it.

Usage:
  moderato run [--data DIR] [--policy FILE] [--json] [--workers N] PATH...
  moderato reviews list [--data DIR] [--json]
  moderato reviews decide [--data DIR] [--json] [--reason TEXT] [--reviewer NAME] REVIEW_ID approve|reject
  moderato reviews history [--data DIR] [--json] REVIEW_ID
  moderato serve [--addr 127.0.0.1:8080] [--data DIR] [--inbox DIR] [--policy FILE] [--moderator NAME] [--quorum N]
  moderato statemachine run --definition FILE [--input FILE|-]
  moderato statemachine validate [--render] FILE...
  moderato statemachine test --definition FILE --mocks FILE [--input FILE] [--render] [--json]
  moderato pii detect [--jsonl] [--min-score S] [FILE|-]
  moderato pii redact [--style label|mask] [--min-score S] [FILE|-]
  moderato tools lambda-zip --output FILE.zip BINARY

The data directory (default: $MODERATO_DATA, else ./.moderato) holds the
database, the uploaded objects and the approved/, quarantine/ and redacted/
copies. Run "moderato COMMAND --help" for the options of a command.
`

// errUsage marks command-line mistakes, which exit with status 2.
var errUsage = errors.New("usage")

// exitError carries an exit status for an error that has been reported.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdin, stdout, stderr)
	var exit exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.code
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "moderato:", err)
		return 2
	}
	fmt.Fprintln(stderr, "moderato:", err)
	return 1
}

func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError{2}
	}
	switch args[0] {
	case "run":
		return runCommand(ctx, args[1:], stdout, stderr)
	case "reviews":
		if len(args) < 2 {
			return fmt.Errorf("%w: reviews needs a subcommand: list, decide or history", errUsage)
		}
		switch args[1] {
		case "list":
			return reviewsListCommand(ctx, args[2:], stdout, stderr)
		case "decide":
			return reviewsDecideCommand(ctx, args[2:], stdout, stderr)
		case "history":
			return reviewsHistoryCommand(ctx, args[2:], stdout, stderr)
		}
		return fmt.Errorf("%w: unknown reviews subcommand %q: use list, decide or history", errUsage, args[1])
	case "serve":
		return serveCommand(ctx, args[1:], stdout, stderr)
	case "statemachine":
		if len(args) < 2 {
			return fmt.Errorf("%w: statemachine needs a subcommand: run, validate or test", errUsage)
		}
		switch args[1] {
		case "run":
			return statemachineRunCommand(ctx, args[2:], stdin, stdout, stderr)
		case "validate":
			return statemachineValidateCommand(args[2:], stdout, stderr)
		case "test":
			return statemachineTestCommand(ctx, args[2:], stdout, stderr)
		}
		return fmt.Errorf("%w: unknown statemachine subcommand %q: use run, validate or test", errUsage, args[1])
	case "pii":
		return piiCommand(args[1:], stdin, stdout, stderr)
	case "tools":
		return toolsCommand(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("%w: unknown command %q (run \"moderato help\")", errUsage, args[0])
}

// parseFlags parses flags that may appear before, between or after the
// positional arguments, which the flag package alone does not allow.
// Everything after "--" is positional.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for i, a := range args {
		if a == "--" {
			rest = args[i+1:]
			args = args[:i]
			break
		}
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	return append(positional, rest...), nil
}

func newFlagSet(name string, stderr io.Writer, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: moderato %s\n\nOptions:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func defaultDataDir() string {
	if d := os.Getenv("MODERATO_DATA"); d != "" {
		return d
	}
	return ".moderato"
}
