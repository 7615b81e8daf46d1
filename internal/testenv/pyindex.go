package testenv

import (
	"bufio"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"
)

var portLine = regexp.MustCompile(`port=(\d+)`)

// StartPyindex runs `pyindex.py serve DIR --port 0 ARGS...` from the bench
// directory with the interpreter py and returns the server's base URL
// (http://127.0.0.1:PORT); the server is stopped (SIGTERM, then killed after
// 10 s) when the test ends.
func StartPyindex(t testing.TB, py, bench, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(py, append([]string{filepath.Join(bench, "pyindex.py"), "serve", dir, "--port", "0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("pyindex.py serve: %v", err)
	}
	m := portLine.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("pyindex.py serve printed %q", line)
	}
	go io.Copy(io.Discard, stdout)
	return "http://127.0.0.1:" + m[1]
}
