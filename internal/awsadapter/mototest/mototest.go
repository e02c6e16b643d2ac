// Package mototest starts a moto server (a local emulator of AWS APIs) for
// the tests of the AWS adapters. Each server binds to 127.0.0.1 on a free
// port and stops when the test ends.
//
// Tests that call Start skip when moto_server is not installed, so a plain
// `go test ./...` runs them wherever moto is present. Install it with
// `pip install "moto[server]"`, or point MOTO_SERVER at the executable.
package mototest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Region is the region every test client uses.
const Region = "us-east-1"

// AccountID is the account moto reports by default.
const AccountID = "123456789012"

// startTimeout bounds how long a server may take to respond to its first
// request; moto imports every service model on start.
const startTimeout = 60 * time.Second

// Server is a running moto server.
type Server struct {
	// Endpoint is the server's base URL, http://127.0.0.1:PORT.
	Endpoint string
}

// Start starts a moto server for the test and stops it in the test's
// cleanup. It skips the test when moto_server is not installed.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := os.Getenv("MOTO_SERVER")
	if bin == "" {
		bin = "moto_server"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		t.Skipf("moto_server not found (%v): install it with `pip install \"moto[server]\"` or set MOTO_SERVER to its path to run this test", err)
	}

	port, err := freePort()
	if err != nil {
		t.Fatalf("finding a free port for moto: %v", err)
	}
	var logs bytes.Buffer
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = &logs, &logs
	// A process group lets the cleanup stop moto and any child it forks.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})

	s := &Server{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port)}
	if err := s.waitReady(); err != nil {
		t.Fatalf("moto on %s did not start: %v\n%s", s.Endpoint, err, logs.String())
	}
	return s
}

// Config returns an SDK configuration whose clients send every request to
// the server with static test credentials.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(s.Endpoint),
		// moto responds at once, and the SDK's default backoff only slows tests.
		RetryMaxAttempts: 1,
	}
}

// SetConfig posts a moto configuration document, for example
// {"stepfunctions": {"execute_state_machine": true}}.
func (s *Server) SetConfig(t testing.TB, doc string) {
	t.Helper()
	resp, err := http.Post(s.Endpoint+"/moto-api/config", "application/json", bytes.NewBufferString(doc))
	if err != nil {
		t.Fatalf("configuring moto: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		t.Fatalf("configuring moto: HTTP %d", resp.StatusCode)
	}
}

func (s *Server) waitReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint+"/moto-api/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
