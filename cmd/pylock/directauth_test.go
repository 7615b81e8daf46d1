package main

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pylock/pylock/internal/buildtest"
)

// TestDirectReferenceCredentials: a wheel URL with user:password needs
// basic auth on a loopback server that also fails twice with 503. pylock
// resolves it (retrying), and the password appears nowhere: not on stdout or
// stderr of resolve -v, plan (shell, dockerfile), export and audit, not in
// the lock, the pinned requirements or any cache file. --offline re-runs
// from the cached copy; offline with an empty cache, and a wrong password,
// fail with exit 3 and no secret.
func TestDirectReferenceCredentials(t *testing.T) {
	const secret = "Zq9pSecretPw"
	var mu sync.Mutex
	work := t.TempDir()
	idx := staticIndex{t, filepath.Join(work, "index")}
	fn, data := buildtest.Wheel("dep", "1.0")
	idx.add("dep", fn, data)
	var asked []string // index pages asked for
	files := http.FileServer(http.Dir(idx.dir))
	index := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	defer index.Close()

	afn, adata := buildtest.Wheel("authpkg", "2.0", "dep")
	fail503, gets := 2, 0
	auth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if u, p, ok := r.BasicAuth(); !ok || u != "user" || p != secret {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		gets++
		if fail503 > 0 {
			fail503--
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path != "/files/"+afn {
			http.NotFound(w, r)
			return
		}
		w.Write(adata)
	}))
	defer auth.Close()
	host := strings.TrimPrefix(auth.URL, "http://")

	t.Setenv("NETRC", filepath.Join(work, "no-netrc"))
	t.Setenv("PYLOCK_HTTP_RETRIES", "3")
	cache := filepath.Join(work, "cache")
	lock := filepath.Join(work, "pylock.toml")
	reqs := filepath.Join(work, "requirements.txt")
	write := func(user, pw string) {
		line := "authpkg @ http://" + user + ":" + pw + "@" + host + "/files/" + afn + "\n"
		if err := os.WriteFile(reqs, []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var all bytes.Buffer // every output of every command
	pylock := func(wantCode int, args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := run(args, nil, &stdout, &stderr)
		all.Write(stdout.Bytes())
		all.Write(stderr.Bytes())
		if code != wantCode {
			t.Fatalf("pylock %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, wantCode, stdout.String(), stderr.String())
		}
		return stdout.String() + stderr.String()
	}
	resolve := []string{"resolve", reqs, "--index-url", index.URL + "/simple/", "--cache-dir", cache, "-v"}

	write("user", secret)
	pylock(0, append(resolve, "-o", lock)...)
	if gets != 3 {
		t.Errorf("%d authorised GETs, want 3 (two 503s retried)", gets)
	}
	for _, p := range asked {
		if strings.Contains(p, "authpkg") {
			t.Errorf("the index was asked about the direct reference's project: %s", p)
		}
	}
	lockText, _ := os.ReadFile(lock)
	if want := `url = "http://` + host + "/files/" + afn + `"`; !strings.Contains(string(lockText), want) {
		t.Errorf("lock lacks %s:\n%s", want, lockText)
	}
	pylock(0, append(resolve, "-o", filepath.Join(work, "requirements.lock.txt"))...)
	pylock(0, "plan", lock)
	pylock(0, "plan", lock, "--format", "dockerfile")
	pylock(0, "export", lock, "--format", "requirements")
	pylock(0, "audit", "--lock", lock, "--offline")
	// The lock has no credentials: audit (like pip) finds them in ~/.netrc
	// to check that the archive's bytes are unchanged.
	netrc := filepath.Join(t.TempDir(), "netrc")
	os.WriteFile(netrc, []byte("machine 127.0.0.1 login user password "+secret+"\n"), 0o600)
	t.Setenv("NETRC", netrc)
	before := gets
	pylock(0, "audit", "--lock", lock, "--cache-dir", cache)
	if gets != before+1 {
		t.Errorf("audit made %d authorised requests for the archive, want 1", gets-before)
	}
	t.Setenv("NETRC", filepath.Join(work, "no-netrc"))

	before = gets
	pylock(0, append(resolve, "--offline", "-o", filepath.Join(work, "offline.toml"))...)
	if gets != before {
		t.Errorf("--offline made %d requests", gets-before)
	}
	pkgs := func(b []byte) string { s, _, _ := strings.Cut(string(b), "[tool.pylock]"); return s }
	if off, _ := os.ReadFile(filepath.Join(work, "offline.toml")); pkgs(off) != pkgs(lockText) {
		t.Errorf("offline lock differs:\n%s\nwant:\n%s", off, lockText)
	}
	out := pylock(3, "resolve", reqs, "--index-url", index.URL+"/simple/", "--cache-dir", filepath.Join(work, "empty-cache"), "--offline", "-o", filepath.Join(work, "x.toml"))
	if !strings.Contains(out, "offline") || !strings.Contains(out, host) {
		t.Errorf("offline without a cached copy: %s", out)
	}
	write("user", "Wr0ngPassword")
	out = pylock(3, append(resolve, "-o", filepath.Join(work, "y.toml"))...)
	if !strings.Contains(out, "401") {
		t.Errorf("wrong password: %s", out)
	}

	if bytes.Contains(all.Bytes(), []byte(secret)) || bytes.Contains(all.Bytes(), []byte("Wr0ngPassword")) {
		t.Errorf("a password is in the output:\n%s", all.String())
	}
	filepath.WalkDir(work, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == reqs {
			return err
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("the password is in %s", p)
		}
		return nil
	})
}
