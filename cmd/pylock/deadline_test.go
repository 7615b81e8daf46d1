package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/fakeindex"
	"github.com/pylock/pylock/internal/testenv"
)

// TestTimeoutRetryAfter: an index answering 503 with a huge Retry-After
// cannot keep pylock past its --timeout deadline: it fails with exit 3 and
// says the deadline passed.
func TestTimeoutRetryAfter(t *testing.T) {
	sc, err := corpus.LoadPackse(filepath.Join(testenv.ModuleRoot(), "testdata", "index.toml"))
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeindex.New(sc.Index, fakeindex.Options{FailRate: 1, FailKinds: []fakeindex.Fault{fakeindex.Fault503}, RetryAfter: "3600"})
	defer srv.Close()
	dir := t.TempDir()
	reqs := filepath.Join(dir, "req.txt")
	if err := os.WriteFile(reqs, []byte("numpy\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := run([]string{"resolve", "--index-url", srv.SimpleURL(), reqs, "--no-cache", "--timeout", "1500ms",
		"--python-version", "3.11", "--python-platform", "linux", "-o", filepath.Join(dir, "pylock.toml")},
		strings.NewReader(""), &stdout, &stderr)
	elapsed := time.Since(start)
	if code != 3 {
		t.Fatalf("exit %d, want 3\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "--timeout deadline (1.5s) passed") {
		t.Errorf("stderr does not say the deadline passed:\n%s", stderr.String())
	}
	// Generous slack for a loaded machine; without the deadline the client
	// would wait (capped Retry-After) far longer over its retries.
	if elapsed > 15*time.Second {
		t.Errorf("gave up after %v, want about 1.5s", elapsed)
	}
}
