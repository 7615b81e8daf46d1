//go:build unix

package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCancelKillsBackend: cancelling a build kills the backend's whole
// process group (proc_unix.go), the backend's own children included.
func TestCancelKillsBackend(t *testing.T) {
	needPython(t)
	pids := filepath.Join(t.TempDir(), "pids")
	dir := writeBackend(t, "sleepy", `
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
open(`+strconv.Quote(pids)+`, "w").write("%d %d" % (os.getpid(), child.pid))
time.sleep(60)`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := New(Options{}).DirMetadata(ctx, dir, Package{Name: "sleepy"}, "")
		done <- err
	}()
	var ids []int
	for ids == nil {
		select {
		case err := <-done:
			t.Fatalf("build ended before cancel: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if b, err := os.ReadFile(pids); err == nil && strings.Count(string(b), " ") == 1 {
			for _, f := range strings.Fields(string(b)) {
				n, _ := strconv.Atoi(f)
				ids = append(ids, n)
			}
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	for _, id := range ids {
		// The group was killed; wait for the zombie child to be reaped by init.
		for i := 0; syscall.Kill(id, 0) == nil; i++ {
			if i == 500 {
				t.Fatalf("process %d survived the cancellation", id)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
