package nsfw

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The model comes from the npm package nsfwjs (MIT licence), which ships
// its weights inside the package tarball as JavaScript modules.
const (
	// PackageVersion is the pinned version of the nsfwjs npm package.
	PackageVersion = "4.4.0"
	// packageSHA256 is the SHA-256 of nsfwjs-4.4.0.tgz as the npm registry
	// serves it (the registry lists its SHA-512 integrity as
	// sha512-krC1fgeTLXtZw…R8Aa7dc+MA==).
	packageSHA256 = "585cd178f3b994337c4d10a87b080d342fc52f8b9bf0085c4d1f345a3a1c5382"
	// modelPath is the MobileNetV2 "mid" model inside the tarball.
	modelPath = "package/dist/models/mobilenet_v2_mid/"
)

// modelFiles are the files of an installed model and their SHA-256. Load
// checks them, so a damaged or replaced cache is never used.
var modelFiles = map[string]string{
	"model.json":       "935a537cc627402ee7303f75e59083809ab857ae99969523ba1aa726c65c8161",
	"group1-shard1of2": "70e4519134a0a12417ad80b6c299d8a2b90e52ce389d03d9d56b08df6b7f5b09",
	"group1-shard2of2": "70f6216b39b52b6f1e31e13683c71987a587dc1a85644adffa17cb48c2e9bee7",
}

// CacheEnv is the environment variable that overrides the cache directory
// where models are installed.
const CacheEnv = "MODERATO_CACHE_DIR"

// ErrNotInstalled reports that the model files are not in the model
// directory.
var ErrNotInstalled = errors.New("nsfw model is not installed")

// DefaultDir returns the directory of the model: under $MODERATO_CACHE_DIR
// when it is set, otherwise under the user cache directory
// ($XDG_CACHE_HOME or ~/.cache on Linux) in "moderato".
func DefaultDir() (string, error) {
	root := os.Getenv(CacheEnv)
	if root == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("finding the model cache directory: %w (set %s)", err, CacheEnv)
		}
		root = filepath.Join(base, "moderato")
	}
	return filepath.Join(root, "nsfwjs-"+PackageVersion, "mobilenet_v2_mid"), nil
}

// Installed returns nil when dir contains every model file with its pinned
// SHA-256. The error wraps ErrNotInstalled when a file is missing.
func Installed(dir string) error {
	for name, want := range modelFiles {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %s is missing", ErrNotInstalled, path)
		}
		if err != nil {
			return fmt.Errorf("reading model file %s: %w", path, err)
		}
		if got := sha256Hex(data); got != want {
			return fmt.Errorf("checking model file %s: SHA-256 is %s, expected %s (delete %s and fetch the model again)", path, got, want, dir)
		}
	}
	return nil
}

// Fetch installs the model into dir unless it is already there. It
// downloads the pinned nsfwjs tarball with `npm pack`, so npm's registry
// configuration and proxy settings apply, and checks its SHA-256. Node.js
// then converts the model's JavaScript modules into model.json and binary
// weight shards, and every file is checked against its pinned SHA-256
// before it replaces the file in dir. It needs npm and node on the PATH.
func Fetch(ctx context.Context, dir string) error {
	if err := Installed(dir); err == nil {
		return nil
	}
	for _, tool := range []string{"npm", "node"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("fetching nsfwjs %s: %s is not installed (install Node.js and npm, for example `apt-get install npm`): %w", PackageVersion, tool, err)
		}
	}

	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating model directory %s: %w", parent, err)
	}
	work, err := os.MkdirTemp(parent, ".fetch-")
	if err != nil {
		return fmt.Errorf("creating temporary directory in %s: %w", parent, err)
	}
	defer os.RemoveAll(work)

	tarball, err := npmPack(ctx, work)
	if err != nil {
		return err
	}
	sources, err := extractModelSources(tarball)
	if err != nil {
		return err
	}
	files, err := convertModel(ctx, work, sources)
	if err != nil {
		return err
	}

	for name, want := range modelFiles {
		data, ok := files[name]
		if !ok {
			return fmt.Errorf("converting nsfwjs %s: %s was not produced", PackageVersion, name)
		}
		if got := sha256Hex(data); got != want {
			return fmt.Errorf("converting nsfwjs %s: %s has SHA-256 %s, expected %s", PackageVersion, name, got, want)
		}
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating model directory %s: %w", dir, err)
	}
	if err := replaceFile(filepath.Join(dir, "LICENSE"), sources["LICENSE"]); err != nil {
		return err
	}
	for name := range modelFiles {
		if err := replaceFile(filepath.Join(dir, name), files[name]); err != nil {
			return err
		}
	}
	return nil
}

// replaceFile writes data to a temporary file next to path and renames it
// over path, so a process that loads the model while another one installs
// it reads either the old file or the new one, never a partial file.
func replaceFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("writing model file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing model file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing model file %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing model file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("installing model file %s: %w", path, err)
	}
	return nil
}

// npmPack downloads the pinned tarball into dir and returns its content
// after checking its SHA-256.
func npmPack(ctx context.Context, dir string) ([]byte, error) {
	spec := "nsfwjs@" + PackageVersion
	cmd := exec.CommandContext(ctx, "npm", "pack", spec, "--pack-destination", dir, "--silent")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("downloading %s with npm pack: %w: %s", spec, err, strings.TrimSpace(stderr.String()))
	}

	path := filepath.Join(dir, "nsfwjs-"+PackageVersion+".tgz")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading downloaded %s: %w", spec, err)
	}
	if got := sha256Hex(data); got != packageSHA256 {
		return nil, fmt.Errorf("checking downloaded %s: SHA-256 is %s, expected %s", spec, got, packageSHA256)
	}
	return data, nil
}

// extractModelSources returns the model's JavaScript modules, keyed by
// their base name, and the package licence under "LICENSE".
func extractModelSources(tarball []byte) (map[string][]byte, error) {
	gz, err := gzip.NewReader(bytes.NewReader(tarball))
	if err != nil {
		return nil, fmt.Errorf("opening nsfwjs tarball: %w", err)
	}
	tr := tar.NewReader(gz)
	out := make(map[string][]byte)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading nsfwjs tarball: %w", err)
		}
		name := hdr.Name
		switch {
		case name == "package/LICENSE":
			name = "LICENSE"
		case strings.HasPrefix(name, modelPath) && strings.HasSuffix(name, ".min.js"):
			name = strings.TrimPrefix(name, modelPath)
		default:
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, 64<<20))
		if err != nil {
			return nil, fmt.Errorf("reading %s from nsfwjs tarball: %w", hdr.Name, err)
		}
		out[name] = data
	}
	for _, name := range []string{"LICENSE", "model.min.js"} {
		if _, ok := out[name]; !ok {
			return nil, fmt.Errorf("reading nsfwjs tarball: %s is missing", name)
		}
	}
	return out, nil
}

// convertScript loads the model's browserify bundles, which export the
// model.json object and each weight shard as a base64 string, and prints
// them as one JSON object.
const convertScript = `
const path = require("path");
const dir = process.argv[1];
const model = require(path.join(dir, "model.min.cjs"));
const shards = {};
for (const group of model.weightsManifest) {
  for (const p of group.paths) {
    shards[p] = require(path.join(dir, p + ".min.cjs"));
  }
}
process.stdout.write(JSON.stringify({ model, shards }));
`

// convertModel turns the JavaScript modules into model.json and binary
// shards. The modules come from the checked tarball, so running them runs
// only pinned code.
func convertModel(ctx context.Context, work string, sources map[string][]byte) (map[string][]byte, error) {
	src := filepath.Join(work, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", src, err)
	}
	for name, data := range sources {
		if !strings.HasSuffix(name, ".min.js") {
			continue
		}
		// The .cjs extension makes Node.js load each bundle as CommonJS.
		path := filepath.Join(src, strings.TrimSuffix(name, ".js")+".cjs")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return nil, fmt.Errorf("writing %s: %w", path, err)
		}
	}

	cmd := exec.CommandContext(ctx, "node", "-e", convertScript, src)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("converting nsfwjs %s model with node: %w: %s", PackageVersion, err, strings.TrimSpace(stderr.String()))
	}
	var converted struct {
		Model  json.RawMessage   `json:"model"`
		Shards map[string]string `json:"shards"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &converted); err != nil {
		return nil, fmt.Errorf("parsing converted nsfwjs %s model: %w", PackageVersion, err)
	}

	files := map[string][]byte{"model.json": converted.Model}
	for name, b64 := range converted.Shards {
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, fmt.Errorf("decoding weight shard %s: %w", name, err)
		}
		files[name] = data
	}
	return files, nil
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
