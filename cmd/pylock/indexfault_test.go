package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/fakeindex"
	"github.com/pylock/pylock/internal/testenv"
)

// TestIndexFaultsCLI: files an index lists with unsafe names or file://
// URLs are named in a warning (without -v); a project all of whose files
// were rejected is an index failure (exit 3), not "no solution" (exit 1).
func TestIndexFaultsCLI(t *testing.T) {
	sc, err := corpus.LoadPackse(filepath.Join(testenv.ModuleRoot(), "testdata", "index.toml"))
	if err != nil {
		t.Fatal(err)
	}
	up := fakeindex.New(sc.Index, fakeindex.Options{})
	defer up.Close()
	// A proxy that adds bad links to sniffio's page and serves only bad ones for idna.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/simple/idna/":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `<html><body><a href="..%2F..%2Fidna-3.4.tar.gz">x</a><a href="file:///tmp/idna-3.4-py3-none-any.whl">x</a></body></html>`)
			return
		}
		req, _ := http.NewRequest(r.Method, up.URL()+r.URL.Path, nil)
		if r.URL.Path == "/simple/sniffio/" {
			req.Header.Set("Accept", "text/html")
		} else {
			req.Header = r.Header.Clone()
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if r.URL.Path == "/simple/sniffio/" {
			body = bytes.Replace(body, []byte("</body>"), []byte(`<a href="/files/%2E%2E%2Fsniffio-9.9.tar.gz">x</a></body>`), 1)
		}
		for k, v := range resp.Header {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(body)
	}))
	defer srv.Close()
	dir := t.TempDir()
	t.Setenv("PYLOCK_CACHE_DIR", filepath.Join(dir, "cache"))
	for _, tc := range []struct {
		req, want string
		code      int
	}{
		{"sniffio", `warning: sniffio on http://127.0.0.1:\d+/simple: 1 file\(s\) rejected: "../sniffio-9.9.tar.gz" \(unsafe file name`, 0},
		{"idna", `idna: GET http://127.0.0.1:\d+/simple: index fault: every file was rejected: 2 file\(s\) rejected: "../../idna-3.4.tar.gz" \(unsafe file name \(path separator\)\), "idna-3.4-py3-none-any.whl" \(file:// URL on a remote index\)`, 3},
	} {
		t.Run(tc.req, func(t *testing.T) {
			req := filepath.Join(dir, tc.req+".txt")
			os.WriteFile(req, []byte(tc.req+"\n"), 0o666)
			var stdout, stderr bytes.Buffer
			code := run([]string{"resolve", req, "--index-url", srv.URL + "/simple/", "--python-version", "3.11",
				"--python-platform", "linux", "-o", filepath.Join(dir, tc.req+".toml")}, strings.NewReader(""), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, stderr.String())
			}
			if !regexpMatch(tc.want, stderr.String()) {
				t.Errorf("stderr does not match %s:\n%s", tc.want, stderr.String())
			}
		})
	}
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }
