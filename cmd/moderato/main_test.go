package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFlagsInterspersed(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		positional []string
		reason     string
	}{
		{name: "flags first", args: []string{"--reason", "ok", "rv-1", "approve"}, positional: []string{"rv-1", "approve"}, reason: "ok"},
		{name: "flags last", args: []string{"rv-1", "approve", "--reason", "ok"}, positional: []string{"rv-1", "approve"}, reason: "ok"},
		{name: "double dash", args: []string{"--reason", "ok", "--", "--reason"}, positional: []string{"--reason"}, reason: "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			reason := fs.String("reason", "", "")
			got, err := parseFlags(fs, tt.args)
			require.NoError(t, err)
			assert.Equal(t, tt.positional, got)
			assert.Equal(t, tt.reason, *reason)
		})
	}

	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	_, err := parseFlags(fs, []string{"--nope"})
	assert.ErrorIs(t, err, errUsage)
}

func TestCheckLoopback(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:8080", "[::1]:80", "localhost:9000", "127.0.0.2:1"} {
		assert.NoError(t, checkLoopback(ok), ok)
	}
	for _, bad := range []string{"0.0.0.0:8080", ":8080", "192.0.2.1:80", "example.com:80", "nonsense"} {
		assert.Error(t, checkLoopback(bad), bad)
	}
}

func TestLambdaZipIsReproducible(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	require.NoError(t, os.WriteFile(bin, []byte("#!binary"), 0o755))

	first := filepath.Join(dir, "a.zip")
	second := filepath.Join(dir, "b.zip")
	_, err := writeLambdaZip(first, bin)
	require.NoError(t, err)
	require.NoError(t, os.Chtimes(bin, laterTime(), laterTime()))
	_, err = writeLambdaZip(second, bin)
	require.NoError(t, err)

	a, err := os.ReadFile(first)
	require.NoError(t, err)
	b, err := os.ReadFile(second)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(a, b), "the same binary must give the same zip")
}

func TestUsageExitCodes(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), nil, nil, &stdout, &stderr))
	assert.Equal(t, 0, run(context.Background(), []string{"help"}, nil, &stdout, &stderr))
	assert.Contains(t, stdout.String(), "moderato run")
	assert.Equal(t, 2, run(context.Background(), []string{"reviews"}, nil, &stdout, &stderr))
	assert.Equal(t, 2, run(context.Background(), []string{"statemachine", "walk"}, nil, &stdout, &stderr))
}

func laterTime() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }

// serve takes the same quorum range as a policy's review.quorum and fails
// before it opens the data directory or listens.
func TestServeQuorumRange(t *testing.T) {
	for _, quorum := range []string{"0", "11", "99"} {
		var stdout, stderr bytes.Buffer
		data := filepath.Join(t.TempDir(), "data")
		code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--quorum", quorum}, nil, &stdout, &stderr)
		assert.Equal(t, 2, code, "--quorum %s", quorum)
		assert.Contains(t, stderr.String(), "--quorum "+quorum+" is outside 1..10", "--quorum %s", quorum)
		assert.NoDirExists(t, data, "--quorum %s must not create the data directory", quorum)
	}
}

// serve logs one line when it starts, with its address and data directory,
// and one when it stops, so moderato.log shows each run of the server.
func TestServeLogsStartAndStop(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	logFile := filepath.Join(data, "moderato.log")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", data}, nil, &stdout, &stderr)
	}()

	require.Eventually(t, func() bool {
		raw, _ := os.ReadFile(logFile)
		return bytes.Contains(raw, []byte(`"msg":"serve started"`))
	}, 10*time.Second, 20*time.Millisecond, "serve logs its start")
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, "stderr: %s", stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after its context was cancelled")
	}

	raw, err := os.ReadFile(logFile)
	require.NoError(t, err)
	logs := string(raw)
	assert.Contains(t, logs, `"data_dir":"`+data+`"`, "the start line names the data directory")
	assert.Contains(t, logs, `"addr":"127.0.0.1:`, "the start line names the address")
	assert.Contains(t, logs, `"msg":"serve stopped"`, "serve logs its stop")
}
