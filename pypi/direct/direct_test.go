package direct

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/pypi/sdist"
	"github.com/pylock/pylock/pypi/vcs"
)

func makeWheel(t *testing.T, name, version string, requires ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create(name + "-" + version + ".dist-info/METADATA")
	meta := "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"
	for _, r := range requires {
		meta += "Requires-Dist: " + r + "\n"
	}
	w.Write([]byte(meta))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// fakeTree reads "name version" from a NAME file: a stand-in for static
// metadata or a build.
func fakeTree(ctx context.Context, dir, key string) (*index.Metadata, string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "NAME"))
	if err != nil {
		return nil, "", err
	}
	f := strings.Fields(string(b))
	return &index.Metadata{Name: f[0], Version: f[1]}, "fake", nil
}

// newClient is an index client for downloads, with a private cache and
// fast retries.
func newClient(t *testing.T, o index.Options) *index.Client {
	t.Helper()
	o.IndexURL = t.TempDir() // a local (empty) index: nothing is asked of it
	o.CacheDir = t.TempDir()
	o.NetrcPath = filepath.Join(t.TempDir(), "no-netrc")
	o.RetryWaitMin, o.RetryWaitMax = time.Millisecond, 5*time.Millisecond
	c, err := index.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func ref(t *testing.T, s, dir string) *reqfile.DirectRef {
	t.Helper()
	d, _, err := reqfile.ParseDirectRef(s, dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestArchives(t *testing.T) {
	dir := t.TempDir()
	whl := makeWheel(t, "Foo_Bar", "1.2", "six>=1")
	if err := os.WriteFile(filepath.Join(dir, "Foo_Bar-1.2-py3-none-any.whl"), whl, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/files/Foo_Bar-1.2-py3-none-any.whl" {
			http.NotFound(w, r)
			return
		}
		w.Write(whl)
	}))
	defer srv.Close()
	r := &Resolver{CacheDir: t.TempDir(), LockDir: dir, Client: newClient(t, index.Options{})}
	ctx := context.Background()

	d, err := r.Resolve(ctx, ref(t, "./Foo_Bar-1.2-py3-none-any.whl", dir), "foo-bar")
	if err != nil {
		t.Fatal(err)
	}
	if d.Name() != "foo-bar" || d.Metadata.Version != "1.2" || d.Metadata.RequiresDist[0] != "six>=1" || d.MetadataFrom != "wheel METADATA" {
		t.Errorf("metadata %+v from %s", d.Metadata, d.MetadataFrom)
	}
	if a := d.Archive; a == nil || a.Path != "Foo_Bar-1.2-py3-none-any.whl" || a.URL != "" || a.Hashes["sha256"] != sum(whl) || a.Size != int64(len(whl)) {
		t.Errorf("archive %+v", d.Archive)
	}

	u := srv.URL + "/files/Foo_Bar-1.2-py3-none-any.whl"
	d, err = r.Resolve(ctx, ref(t, u+"#sha256="+sum(whl), ""), "")
	if err != nil {
		t.Fatal(err)
	}
	if a := d.Archive; a.URL != u || a.Path != "" || a.Hashes["sha256"] != sum(whl) {
		t.Errorf("URL archive %+v", a)
	}

	bad := strings.Repeat("0", 64)
	_, err = r.Resolve(ctx, ref(t, u+"#sha256="+bad, ""), "")
	var hm *HashMismatchError
	if !errors.As(err, &hm) || hm.Got != sum(whl) || !strings.Contains(err.Error(), "hash mismatch") {
		t.Errorf("wrong hash: %v", err)
	}
	_, err = r.Resolve(ctx, ref(t, srv.URL+"/files/missing-1.0-py3-none-any.whl", ""), "")
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing URL: %v", err)
	}
	_, err = r.Resolve(ctx, ref(t, u, ""), "other")
	var nm *NameMismatchError
	if !errors.As(err, &nm) {
		t.Errorf("name mismatch: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "x-1.0.tar.gz"), []byte("sdist"), 0o644)
	if _, err := r.Resolve(ctx, ref(t, "x-1.0.tar.gz", dir), ""); !errors.Is(err, ErrNoBuilder) {
		t.Errorf("sdist without a builder: %v", err)
	}
	r.Sdist = func(ctx context.Context, path, key string) (*index.Metadata, string, error) {
		if key != sum([]byte("sdist")) {
			t.Errorf("sdist key %s", key)
		}
		return &index.Metadata{Name: "x", Version: "1.0"}, "PKG-INFO", nil
	}
	if d, err := r.Resolve(ctx, ref(t, "x-1.0.tar.gz", dir), "x"); err != nil || d.MetadataFrom != "PKG-INFO" || d.Archive.Path != "x-1.0.tar.gz" {
		t.Errorf("sdist: %+v, %v", d, err)
	}
}

func TestDirectory(t *testing.T) {
	root := t.TempDir()
	proj := filepath.Join(root, "proj")
	os.MkdirAll(proj, 0o755)
	os.WriteFile(filepath.Join(proj, "pyproject.toml"), []byte("[project]\n"), 0o644)
	os.WriteFile(filepath.Join(proj, "NAME"), []byte("proj 0.1"), 0o644)
	lockDir := filepath.Join(root, "app")
	r := &Resolver{LockDir: lockDir, Tree: fakeTree}
	d, err := r.Resolve(context.Background(), &reqfile.DirectRef{Kind: reqfile.RefDirectory, Path: proj, Editable: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := sdist.TreeHash(proj)
	if d.Name() != "proj" || d.Directory.Path != "../proj" || !d.Directory.Editable || d.TreeHash != want {
		t.Errorf("dist %+v, directory %+v", d, d.Directory)
	}
	if _, err := r.Resolve(context.Background(), &reqfile.DirectRef{Kind: reqfile.RefDirectory, Path: root}, ""); err == nil || !strings.Contains(err.Error(), "not a Python project") {
		t.Errorf("not a project: %v", err)
	}
}

func TestVCS(t *testing.T) {
	repo := t.TempDir()
	git := func(args ...string) string { return testenv.Git(t, repo, args...) }
	git("init", "--quiet")
	os.MkdirAll(filepath.Join(repo, "py"), 0o755)
	os.WriteFile(filepath.Join(repo, "py", "NAME"), []byte("gitpkg 1.0"), 0o644)
	os.WriteFile(filepath.Join(repo, "py", "setup.py"), []byte(""), 0o644)
	git("add", "-A")
	git("commit", "--quiet", "-m", "one")
	git("tag", "v1.0")
	commit := git("rev-parse", "HEAD")
	r := &Resolver{Git: &vcs.Git{CacheDir: t.TempDir()}, Tree: fakeTree}
	url := "git+file://" + filepath.ToSlash(repo) + "@v1.0#subdirectory=py"
	d, err := r.Resolve(context.Background(), ref(t, url, ""), "gitpkg")
	if err != nil {
		t.Fatal(err)
	}
	v := d.VCS
	if v == nil || v.CommitID != commit || v.RequestedRevision != "v1.0" || v.Subdirectory != "py" || v.Type != "git" || v.URL != "file://"+filepath.ToSlash(repo) {
		t.Errorf("vcs source %+v", v)
	}
	_, err = r.Resolve(context.Background(), ref(t, "git+file://"+filepath.ToSlash(repo)+"@v9", ""), "")
	var nf *vcs.RefNotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("missing tag: %v", err)
	}
}

// TestArchiveURLDownload: an archive URL goes through the index client:
// basic auth from the URL's userinfo (never shown: not in the lock's URL,
// not in messages), transient 503s retried, a hash-pinned copy reused
// without the network, --offline served from the cache or failing clearly.
func TestArchiveURLDownload(t *testing.T) {
	whl := makeWheel(t, "authpkg", "2.0")
	var mu sync.Mutex
	gets, fail503 := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if u, p, ok := r.BasicAuth(); !ok || u != "user" || p != "s3cr3tpw" {
			w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		gets++
		if fail503 > 0 {
			fail503--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path != "/authpkg-2.0-py3-none-any.whl" {
			http.NotFound(w, r)
			return
		}
		w.Write(whl)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	u := "http://user:s3cr3tpw@" + host + "/authpkg-2.0-py3-none-any.whl"
	cache := t.TempDir()
	r := &Resolver{CacheDir: cache, Client: newClient(t, index.Options{})}
	ctx := context.Background()

	fail503 = 2
	d, err := r.Resolve(ctx, ref(t, u, ""), "authpkg")
	if err != nil {
		t.Fatal(err)
	}
	if gets != 3 {
		t.Errorf("%d GETs, want 3 (two 503s retried)", gets)
	}
	if want := "http://" + host + "/authpkg-2.0-py3-none-any.whl"; d.Archive.URL != want {
		t.Errorf("lock URL %q, want %q (no credentials)", d.Archive.URL, want)
	}
	if got := Display(d.Ref); strings.Contains(got, "s3cr3tpw") || !strings.Contains(got, host) {
		t.Errorf("Display = %q", got)
	}

	// Pinned by hash: the cached copy is used, offline too.
	pinned := ref(t, u+"#sha256="+sum(whl), "")
	off := &Resolver{CacheDir: cache, Client: newClient(t, index.Options{Offline: true})}
	before := gets
	if _, err := off.Resolve(ctx, pinned, ""); err != nil {
		t.Errorf("offline, hash-pinned and cached: %v", err)
	}
	// Not pinned: online it is fetched again; offline the cached copy serves.
	if _, err := off.Resolve(ctx, ref(t, u, ""), ""); err != nil {
		t.Errorf("offline, cached: %v", err)
	}
	if gets != before {
		t.Errorf("%d GETs with a cached copy, want none", gets-before)
	}
	if _, err := r.Resolve(ctx, ref(t, u, ""), ""); err != nil || gets != before+1 {
		t.Errorf("online, unpinned: %v, %d GETs", err, gets-before)
	}

	// Offline without a cached copy: a clear error; wrong password, 404
	// and persistent 503: FetchErrors without the secret.
	empty := &Resolver{CacheDir: t.TempDir(), Client: newClient(t, index.Options{Offline: true})}
	bad := "http://user:wr0ngpw@" + host + "/authpkg-2.0-py3-none-any.whl"
	missing := "http://user:s3cr3tpw@" + host + "/authpkg-9.0-py3-none-any.whl"
	for _, tc := range []struct {
		r    *Resolver
		url  string
		fail int
		want string
	}{
		{empty, u, 0, "offline"},
		{r, bad, 0, "401"},
		{r, missing, 0, "404"},
		{r, u, 100, "503"},
	} {
		fail503 = tc.fail
		_, err := tc.r.Resolve(ctx, ref(t, tc.url, ""), "")
		var fe *FetchError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a FetchError with %q", tc.url, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), "s3cr3tpw") || strings.Contains(err.Error(), "wr0ngpw")) {
			t.Errorf("secret in %q", err)
		}
	}
	fail503 = 0
}

func TestLockURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:p@host/x.whl":        "https://host/x.whl",
		"https://token@host/x.whl":      "https://host/x.whl",
		"ssh://git@github.com/o/r.git":  "ssh://git@github.com/o/r.git",
		"ssh://git:pw@github.com/o/r":   "ssh://github.com/o/r",
		"https://host/x.whl":            "https://host/x.whl",
		"file:///tmp/x":                 "file:///tmp/x",
		"https://u:p%2Fq@host:8080/a/b": "https://host:8080/a/b",
	} {
		if got := LockURL(in); got != want {
			t.Errorf("LockURL(%q) = %q, want %q", in, got, want)
		}
	}
}
