package terraformtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// motoRegion and motoAccount are the region the stack is applied in and the
// account ID moto reports.
const (
	motoRegion  = "us-east-1"
	motoAccount = "123456789012"
)

// motoStartTimeout bounds the wait for the server's first response; moto
// imports every service model on start.
const motoStartTimeout = 60 * time.Second

// motoServer is a moto server started through moto_launcher.py, which
// patches the gaps of moto 5.2.1 that break the apply.
type motoServer struct {
	endpoint string

	mu   sync.Mutex
	logs bytes.Buffer
}

func (s *motoServer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.Write(p)
}

// tail returns the last bytes of the server's log, for failure messages.
func (s *motoServer) tail(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.logs.Bytes()
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// functionLogs returns the last n bytes of the log lines that the
// functions and the launcher's fixes wrote, which the request log of a
// failed run would push out of tail.
func (s *motoServer) functionLogs(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if strings.HasPrefix(line, "lambda ") || strings.HasPrefix(line, "moto_launcher:") {
			out = append(out, line)
		}
	}
	text := strings.Join(out, "\n")
	if len(text) > n {
		text = text[len(text)-n:]
	}
	return text
}

// startMoto starts the patched moto server on a free port of 127.0.0.1 and
// stops it when the test ends. Each functionEnv entry, NAME=VALUE, is set
// in the environment of every Lambda function the server runs. It skips
// the test when python3 or moto is missing.
func startMoto(t *testing.T, functionEnv ...string) *motoServer {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: install Python 3 and moto 5.2.1 (pip install \"moto[server]==5.2.1\") to run the Terraform apply test")
	}
	if err := exec.Command(python, "-c", "import moto.server").Run(); err != nil {
		t.Skip("moto is not installed: run pip install \"moto[server]==5.2.1\" to run the Terraform apply test")
	}

	port, err := freePort()
	if err != nil {
		t.Fatalf("finding a free port for moto: %v", err)
	}
	s := &motoServer{endpoint: fmt.Sprintf("http://127.0.0.1:%d", port)}
	launcher, err := filepath.Abs("moto_launcher.py")
	if err != nil {
		t.Fatalf("resolving moto_launcher.py: %v", err)
	}
	cmd := exec.Command(python, append([]string{launcher, strconv.Itoa(port)}, functionEnv...)...)
	cmd.Stdout, cmd.Stderr = s, s
	// The launcher unpacks the functions' packages under TMPDIR, which the
	// test removes at the end even though moto is killed.
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	// A process group lets the cleanup stop moto and the function
	// processes it starts.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting moto_launcher.py: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})

	if err := s.waitReady(); err != nil {
		t.Fatalf("moto on %s did not start: %v\n%s", s.endpoint, err, s.tail(4000))
	}
	return s
}

// config returns an SDK configuration whose clients send every request to
// the server with static test credentials.
func (s *motoServer) config() aws.Config {
	return aws.Config{
		Region:           motoRegion,
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:     aws.String(s.endpoint),
		RetryMaxAttempts: 1,
	}
}

func (s *motoServer) waitReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), motoStartTimeout)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.endpoint+"/moto-api/", nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
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
