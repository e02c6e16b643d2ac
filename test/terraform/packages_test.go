package terraformtest

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// buildPackages builds every function under functions/ for goos/goarch and
// zips each binary as bootstrap into dir/<function>.zip, the layout the
// module's functions.package_dir expects. It returns the function names.
func buildPackages(t *testing.T, root, dir, goos, goarch string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		t.Fatalf("listing functions: %v", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}

	bin := filepath.Join(dir, "bin")
	// One go build for all functions shares the compilation of their
	// common packages. A host build uses go test's flags, so that it reuses
	// the build cache of the tests; a Lambda build uses make build's.
	args := []string{"build", "-tags", "lambda.norpc", "-o", bin + string(filepath.Separator)}
	if goos != runtime.GOOS || goarch != runtime.GOARCH {
		args = append(args, "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=")
	}
	cmd := exec.Command("go", append(args, "./functions/...")...)
	cmd.Dir = root
	env := append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch)
	if goos != runtime.GOOS || goarch != runtime.GOARCH {
		env = append(env, "CGO_ENABLED=0")
	}
	cmd.Env = env
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the functions for %s/%s: %v\n%s", goos, goarch, err, out)
	}
	t.Logf("built %d functions for %s/%s in %s", len(names), goos, goarch, time.Since(start).Round(time.Second))

	for _, name := range names {
		if err := zipBootstrap(filepath.Join(bin, name), filepath.Join(dir, name+".zip")); err != nil {
			t.Fatalf("packaging %s: %v", name, err)
		}
	}
	return names
}

// zipBootstrap writes a zip holding src as the executable bootstrap, with a
// fixed timestamp so that the same binary gives the same package hash.
func zipBootstrap(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()

	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(out)
	// The fastest level: the binaries are large and the test runs often.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	header := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
	header.SetMode(0o755)
	w, err := zw.CreateHeader(header)
	if err != nil {
		out.Close()
		return err
	}
	if _, err := io.Copy(w, in); err != nil {
		out.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// copyTree copies the files under src into dst, skipping Terraform's
// working directories and state, so that a test never touches the
// repository's own terraform/ folder.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		base := d.Name()
		if d.IsDir() && base == ".terraform" {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(base, ".tfstate") || strings.Contains(base, ".tfstate.") || base == ".terraform.lock.hcl") {
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// repoRoot returns the repository root: two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatalf("resolving the repository root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", root, err)
	}
	return root
}

// motoProviderOverride points the example's AWS provider at moto. Terraform
// merges a file named *_override.tf into the provider block it overrides.
func motoProviderOverride(endpoint string) string {
	services := []string{"apigatewayv2", "cloudwatch", "dynamodb", "events", "iam", "kms", "lambda", "logs", "s3", "sfn", "sns", "sqs", "sts"}
	var endpoints strings.Builder
	for _, s := range services {
		fmt.Fprintf(&endpoints, "    %s = %q\n", s, endpoint)
	}
	return fmt.Sprintf(`provider "aws" {
  region                      = %q
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  # moto answers an unimplemented call with HTTP 500, which the provider
  # would otherwise retry for more than ten minutes.
  max_retries = 1

  endpoints {
%s  }
}
`, motoRegion, endpoints.String())
}
