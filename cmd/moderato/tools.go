package main

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// zipEpoch is the timestamp of every file in a Lambda zip, so that the same
// binary always gives the same zip and Terraform plans no change.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

func toolsCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "lambda-zip" {
		return fmt.Errorf("%w: tools needs a subcommand: lambda-zip", errUsage)
	}
	fs := newFlagSet("tools lambda-zip", stderr, "tools lambda-zip --output FILE.zip BINARY")
	output := fs.String("output", "", "zip `file` to write")
	positional, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if *output == "" || len(positional) != 1 {
		fs.Usage()
		return fmt.Errorf("%w: tools lambda-zip needs --output and one binary", errUsage)
	}
	size, err := writeLambdaZip(*output, positional[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\t%d bytes\n", *output, size)
	return nil
}

// writeLambdaZip packs binary as "bootstrap", the entry point of the
// provided.al2023 runtime, with a fixed timestamp and mode.
func writeLambdaZip(output, binary string) (int64, error) {
	in, err := os.Open(binary)
	if err != nil {
		return 0, fmt.Errorf("reading binary: %w", err)
	}
	defer in.Close()

	if err := os.MkdirAll(filepath.Dir(output), 0o755); err != nil {
		return 0, fmt.Errorf("creating %s: %w", filepath.Dir(output), err)
	}
	tmp := output + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return 0, fmt.Errorf("creating %s: %w", output, err)
	}
	defer os.Remove(tmp)

	zw := zip.NewWriter(out)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipEpoch}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err == nil {
		_, err = io.Copy(w, in)
	}
	if err == nil {
		err = zw.Close()
	}
	if closeErr := out.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return 0, fmt.Errorf("writing %s: %w", output, err)
	}
	if err := os.Rename(tmp, output); err != nil {
		return 0, fmt.Errorf("writing %s: %w", output, err)
	}
	st, err := os.Stat(output)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
