package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/fakeindex"
	"github.com/pylock/pylock/internal/testenv"
)

// TestResolveRedactsCredentials: URL credentials given on the command line
// never reach the lock, the pinned requirements, the JSON report or stderr.
func TestResolveRedactsCredentials(t *testing.T) {
	sc, err := corpus.LoadPackse(filepath.Join(testenv.ModuleRoot(), "testdata", "index.toml"))
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeindex.New(sc.Index, fakeindex.Options{})
	defer srv.Close()
	secretURL := strings.Replace(srv.SimpleURL(), "http://", "http://alice:s3cret@", 1)
	extraURL := strings.Replace(srv.SimpleURL(), "http://", "http://bob:s3cret2@", 1)
	dir := t.TempDir()
	reqs := filepath.Join(dir, "req.txt")
	if err := os.WriteFile(reqs, []byte("sniffio\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PYLOCK_CACHE_DIR", filepath.Join(dir, "cache"))
	for _, out := range []string{"pylock.toml", "req.lock.txt", "report.json"} {
		t.Run(out, func(t *testing.T) {
			path := filepath.Join(dir, out)
			var stdout, stderr bytes.Buffer
			args := []string{"resolve", "--index-url", secretURL, "--extra-index-url=" + extraURL, reqs,
				"--python-version", "3.11", "--python-platform", "linux", "-v", "-o", path}
			if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr.String())
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for what, s := range map[string]string{out: string(data), "stdout": stdout.String(), "stderr": stderr.String()} {
				if strings.Contains(s, "s3cret") || strings.Contains(s, "alice") || strings.Contains(s, "bob:") {
					t.Errorf("%s leaks the credentials:\n%s", what, s)
				}
			}
			if !strings.Contains(string(data), "--index-url") {
				t.Errorf("%s does not record the command:\n%s", out, data)
			}
		})
	}
}
