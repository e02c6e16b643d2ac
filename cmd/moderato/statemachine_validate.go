package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/statemachines"
)

func statemachineValidateCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("statemachine validate", stderr, "statemachine validate [--render] FILE...")
	render := fs.Bool("render", false, "fill each ${placeholder} with a dummy Lambda function ARN first, for templates that Terraform renders")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return fmt.Errorf("%w: statemachine validate needs a definition file", errUsage)
	}

	failed := false
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("reading definition: %w", err)
		}
		definition := raw
		if *render {
			if definition, err = renderWithDummies(raw); err != nil {
				return fmt.Errorf("rendering %s: %w", file, err)
			}
		}

		problems := asl.Validate(definition)
		if len(problems) == 0 {
			fmt.Fprintf(stdout, "%s: valid\n", file)
			continue
		}
		failed = true
		for _, p := range problems {
			fmt.Fprintf(stdout, "%s: %s\n", file, p)
		}
		fmt.Fprintf(stdout, "%s: %d problem(s)\n", file, len(problems))
	}
	if failed {
		return exitError{1}
	}
	return nil
}

// renderWithDummies substitutes every ${name} of a definition template
// so that the template validates as the definition Terraform would deploy:
// a placeholder inside a JSON string becomes a Lambda function ARN named
// after it, and one outside a string, such as a TimeoutSeconds value,
// becomes the number 60.
func renderWithDummies(template []byte) ([]byte, error) {
	text := string(template)
	vars := map[string]string{}
	for _, name := range statemachines.Placeholders(text) {
		vars[name] = "60"
		if strings.Contains(text, `"${`+name+`}`) {
			vars[name] = "arn:aws:lambda:us-east-1:000000000000:function:" + name
		}
	}
	out, err := statemachines.Render(string(template), vars)
	return []byte(out), err
}
