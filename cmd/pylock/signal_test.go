//go:build unix

package main

import (
	"bytes"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterrupt: SIGINT and SIGTERM while pylock waits on a silent index
// end it with exit 130 / 143 and "interrupted" (not an index failure), and
// leave no lock and no temporary file behind.
func TestInterrupt(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			arrived := make(chan struct{}, 100)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrived <- struct{}{}
				<-r.Context().Done() // silent until the client goes away
			}))
			defer srv.Close()
			dir := t.TempDir()
			// The test binary acts as pylock when called by that name (TestMain).
			bin := filepath.Join(dir, "pylock")
			if err := os.Symlink(os.Args[0], bin); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "req.txt"), []byte("sniffio\nidna\nh11\n"), 0o666); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "pylock.toml")
			cmd := exec.Command(bin, "resolve", "req.txt", "--index-url", srv.URL+"/simple/", "-o", out,
				"--python-version", "3.11", "--python-platform", "linux", "--no-progress")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "PYLOCK_CACHE_DIR="+filepath.Join(dir, "cache"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-arrived:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatal("no request reached the index")
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
				t.Fatalf("exit: %v, want status %d\nstderr:\n%s", err, tc.code, stderr.String())
			}
			if got := strings.TrimSpace(stderr.String()); got != "interrupted" {
				t.Errorf("stderr = %q, want \"interrupted\"", got)
			}
			if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a lock was written: %v", err)
			}
			filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err == nil && strings.HasPrefix(d.Name(), ".tmp") {
					t.Errorf("temporary file left: %s", p)
				}
				return nil
			})
		})
	}
}

// TestNotifySignalsReady: once ready returns, a SIGTERM to the process
// cancels the context and is reported (not the default action, which
// would kill the test binary); ready returns too when stop came first,
// and start may be called any number of times.
func TestNotifySignalsReady(t *testing.T) {
	ctx, w := notifySignals()
	w.start()
	w.start()
	w.ready()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
	if got := w.which(); got != syscall.SIGTERM {
		t.Errorf("which() = %v, want SIGTERM", got)
	}
	if code, ok := interrupted(w.which); !ok || code != 143 {
		t.Errorf("interrupted = %d, %v; want 143, true", code, ok)
	}
	w.stop()

	ctx, w = notifySignals()
	w.stop()
	w.ready()
	if ctx.Err() == nil {
		t.Error("stop did not cancel the context")
	}
	if got := w.which(); got != nil {
		t.Errorf("which() = %v after stop, want nil", got)
	}
}
