package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tamperedIndex lists p-1.0 with the sha256 of an honest wheel but serves
// (with Range support, no PEP 658 metadata) a wheel whose METADATA adds a
// dependency on "evil"; honest serves the listed wheel.
func tamperedIndex(t *testing.T, honest bool) *httptest.Server {
	wheelOf := func(name, requires string) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.Create(name + "/__init__.py")
		w.Write(bytes.Repeat([]byte("# pad\n"), 30000))
		w, _ = zw.Create(name + "-1.0.dist-info/METADATA")
		fmt.Fprintf(w, "Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n%s", name, requires)
		zw.Close()
		return b.Bytes()
	}
	wheel := func(requires string) []byte { return wheelOf("p", requires) }
	evil := wheelOf("evil", "")
	evilSum := sha256.Sum256(evil)
	listed, served := wheel(""), wheel("Requires-Dist: evil\n")
	if honest {
		served = listed
	}
	sum := sha256.Sum256(listed)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/simple/p/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><body><a href="/files/p-1.0-py3-none-any.whl#sha256=%s">p</a></body></html>`, hex.EncodeToString(sum[:]))
		case "/simple/evil/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><body><a href="/files/evil-1.0-py3-none-any.whl#sha256=%s">evil</a></body></html>`, hex.EncodeToString(evilSum[:]))
		case "/files/evil-1.0-py3-none-any.whl":
			http.ServeContent(w, r, "evil.whl", time.Unix(0, 0), bytes.NewReader(evil))
		case "/files/p-1.0-py3-none-any.whl":
			http.ServeContent(w, r, "p.whl", time.Unix(0, 0), bytes.NewReader(served))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestVerifyFiles: without --verify-files a wheel whose bytes do not match
// the index's hash can be locked from range-read metadata (documented:
// unverified); with resolve --verify-files it is an index failure and no
// lock is written; audit --verify-files finds it in an existing lock.
func TestVerifyFiles(t *testing.T) {
	for _, honest := range []bool{true, false} {
		t.Run(fmt.Sprint("honest=", honest), func(t *testing.T) {
			srv := tamperedIndex(t, honest)
			dir := t.TempDir()
			t.Setenv("PYLOCK_CACHE_DIR", filepath.Join(dir, "cache"))
			req := filepath.Join(dir, "req.txt")
			os.WriteFile(req, []byte("p\n"), 0o666)
			args := func(out string, extra ...string) []string {
				return append([]string{"resolve", req, "--index-url", srv.URL + "/simple/", "--python-version", "3.11",
					"--python-platform", "linux", "-o", filepath.Join(dir, out)}, extra...)
			}
			var so, se bytes.Buffer
			code := run(args("verified.toml", "--verify-files"), strings.NewReader(""), &so, &se)
			_, statErr := os.Stat(filepath.Join(dir, "verified.toml"))
			if honest {
				if code != 0 || statErr != nil {
					t.Fatalf("--verify-files on an honest index: exit %d\n%s", code, se.String())
				}
			} else {
				if code != 3 || !strings.Contains(se.String(), "hash mismatch") || statErr == nil {
					t.Fatalf("--verify-files on a tampered wheel: exit %d (lock written: %v)\n%s", code, statErr == nil, se.String())
				}
			}
			// A lock made without verification, then audited with it.
			so.Reset()
			se.Reset()
			if code := run(args("pylock.toml"), strings.NewReader(""), &so, &se); code != 0 {
				t.Fatalf("resolve: exit %d\n%s", code, se.String())
			}
			so.Reset()
			se.Reset()
			code = run([]string{"audit", "--lock", filepath.Join(dir, "pylock.toml"), "--verify-files", "--fail-on", "error"}, strings.NewReader(""), &so, &se)
			if honest && (code != 0 || !strings.Contains(se.String(), "verified 1 locked file(s)")) {
				t.Errorf("audit --verify-files, honest: exit %d\n%s%s", code, so.String(), se.String())
			}
			if !honest && (code != 3 || !strings.Contains(se.String(), "hash mismatch")) {
				t.Errorf("audit --verify-files, tampered: exit %d\n%s%s", code, so.String(), se.String())
			}
		})
	}
}
