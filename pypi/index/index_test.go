package index

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/fakeindex"
)

func testIndex() *corpus.Index {
	return &corpus.Index{Projects: map[string]*corpus.Project{
		"foo-bar": {Name: "foo-bar", Releases: []*corpus.Release{
			{Version: "1.0", Requires: []string{"baz>=1", `pytest ; extra == "test"`}, Extras: []string{"test"},
				Wheel: true, Sdist: true, RequiresPython: ">=3.8"},
			{Version: "0.9", Wheel: true, WheelTags: []string{"cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64", "py3-none-any"}},
			{Version: "1.1", Wheel: true, Yanked: true, YankedReason: "broken <b>"},
		}},
		"baz": {Name: "baz", Releases: []*corpus.Release{
			{Version: "1.0", Sdist: true, Requires: []string{"qux"}},
			{Version: "2.0", Wheel: true, Requires: []string{"qux>=2 ; python_version >= \"3.8\""}},
		}},
		"qux": {Name: "qux", Releases: []*corpus.Release{{Version: "2.0", Wheel: true}}},
	}}
}

// newClient returns a client with its own cache dir and fast retries.
func newClient(t *testing.T, o Options) *Client {
	t.Helper()
	if o.CacheDir == "" && !o.NoCache {
		o.CacheDir = t.TempDir()
	}
	if o.RetryWaitMin == 0 {
		o.RetryWaitMin = time.Millisecond
		o.RetryWaitMax = 5 * time.Millisecond
	}
	o.NetrcPath = filepath.Join(t.TempDir(), "no-netrc")
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func byName(p *Project) map[string]File {
	m := map[string]File{}
	for _, f := range p.Files {
		m[f.Filename] = f
	}
	return m
}

func TestProjectJSONAndHTMLAgree(t *testing.T) {
	js := fakeindex.New(testIndex(), fakeindex.Options{})
	defer js.Close()
	hs := fakeindex.New(testIndex(), fakeindex.Options{NoJSON: true})
	defer hs.Close()
	pj, err := newClient(t, Options{IndexURL: js.SimpleURL()}).Project(context.Background(), "Foo_Bar")
	if err != nil {
		t.Fatal(err)
	}
	ph, err := newClient(t, Options{IndexURL: hs.SimpleURL()}).Project(context.Background(), "foo.bar")
	if err != nil {
		t.Fatal(err)
	}
	if js.Stats().ByFormat["json"] != 1 || hs.Stats().ByFormat["html"] != 1 {
		t.Errorf("formats: %v %v", js.Stats().ByFormat, hs.Stats().ByFormat)
	}
	if len(pj.Files) != 5 || pj.Name != "foo-bar" {
		t.Fatalf("files: %+v", pj)
	}
	// Same data apart from the host and what HTML cannot say (size, upload time).
	norm := func(p *Project, host string) map[string]File {
		m := byName(p)
		for k, f := range m {
			f.URL = strings.Replace(f.URL, host, "HOST", 1)
			f.Index = ""
			f.Size, f.UploadTime = -1, time.Time{}
			m[k] = f
		}
		return m
	}
	if d := cmp.Diff(norm(pj, js.URL()), norm(ph, hs.URL())); d != "" {
		t.Errorf("JSON vs HTML (-json +html):\n%s", d)
	}
	f := byName(pj)["foo_bar-1.1-py3-none-any.whl"]
	if !f.Yanked || f.YankedReason != "broken <b>" {
		t.Errorf("yanked: %+v", f)
	}
	f = byName(ph)["foo_bar-1.0.tar.gz"]
	if f.RequiresPython != ">=3.8" || f.CoreMetadata || f.Hashes["sha256"] == "" || f.URL != hs.URL()+"/files/foo_bar-1.0.tar.gz" {
		t.Errorf("sdist: %+v", f)
	}
	f = byName(pj)["foo_bar-1.0-py3-none-any.whl"]
	if !f.CoreMetadata || f.CoreMetadataHashes["sha256"] == "" || f.Size <= 0 || f.UploadTime.IsZero() || f.Index != strings.TrimSuffix(js.SimpleURL(), "/") {
		t.Errorf("wheel: %+v", f)
	}
}

func metadataOf(t *testing.T, c *Client, project, filename string) (*Metadata, error) {
	t.Helper()
	p, err := c.Project(context.Background(), project)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := byName(p)[filename]
	if !ok {
		t.Fatalf("no file %s", filename)
	}
	return c.Metadata(context.Background(), f)
}

var wantFooBar = &Metadata{MetadataVersion: "2.1", Name: "foo-bar", Version: "1.0", RequiresPython: ">=3.8",
	RequiresDist: []string{"baz>=1", `pytest ; extra == "test"`}, ProvidesExtra: []string{"test"}}

// verifiedFooBar is wantFooBar read from a hash-checked source.
var verifiedFooBar = func() *Metadata { m := *wantFooBar; m.Verified = true; return &m }()

func TestMetadataPaths(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      fakeindex.Options
		wantKinds map[string]int // server requests by kind for the metadata step
		ranges    bool
	}{
		{"pep658", fakeindex.Options{}, map[string]int{"metadata": 1}, false},
		{"range", fakeindex.Options{NoMetadata: true}, map[string]int{"file": 1}, true},
		// The server ignores Range and answers 200 with the whole wheel.
		{"download", fakeindex.Options{NoMetadata: true, NoRange: true}, map[string]int{"file": 1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fakeindex.New(testIndex(), tc.opts)
			defer s.Close()
			c := newClient(t, Options{IndexURL: s.SimpleURL()})
			c.Project(context.Background(), "foo-bar")
			s.ResetStats()
			m, err := metadataOf(t, c, "foo-bar", "foo_bar-1.0-py3-none-any.whl")
			if err != nil {
				t.Fatal(err)
			}
			want := *wantFooBar
			want.Verified = !tc.ranges || tc.opts.NoRange // range-read metadata is not hash-checked
			if d := cmp.Diff(&want, m); d != "" {
				t.Errorf("metadata (-want +got):\n%s", d)
			}
			st := s.Stats()
			if d := cmp.Diff(tc.wantKinds, st.ByKind); d != "" {
				t.Errorf("requests by kind (-want +got):\n%s", d)
			}
			for _, r := range s.Log() {
				if (r.Range != "") != tc.ranges {
					t.Errorf("request %s Range=%q", r.Path, r.Range)
				}
			}
			// Memoised: a second call sends nothing.
			if _, err := metadataOf(t, c, "foo-bar", "foo_bar-1.0-py3-none-any.whl"); err != nil || s.Stats().Requests != st.Requests {
				t.Errorf("second call: %v, %d requests", err, s.Stats().Requests)
			}
		})
	}
}

func TestSdistMetadata(t *testing.T) {
	s := fakeindex.New(testIndex(), fakeindex.Options{})
	defer s.Close()
	c := newClient(t, Options{IndexURL: s.SimpleURL()})
	m, err := metadataOf(t, c, "baz", "baz-1.0.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	if m.MetadataVersion != "2.2" || m.Name != "baz" || !cmp.Equal(m.RequiresDist, []string{"qux"}) {
		t.Errorf("sdist metadata %+v", m)
	}
}

// tamper serves h but rewrites bodies of paths matching suffix.
func tamper(h http.Handler, suffix string, f func([]byte) []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, suffix) {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := f(rec.Body.Bytes())
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

func TestHashMismatch(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   fakeindex.Options
		suffix string
	}{
		{"pep658", fakeindex.Options{}, ".metadata"},
		{"download", fakeindex.Options{NoMetadata: true, NoRange: true}, ".whl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := fakeindex.NewHandler(testIndex(), tc.opts)
			ts := httptest.NewServer(tamper(fake, tc.suffix, func(b []byte) []byte {
				return []byte(strings.Replace(string(b), "baz>=1", "evil>=1", 1))
			}))
			defer ts.Close()
			c := newClient(t, Options{IndexURL: ts.URL + "/simple/"})
			_, err := metadataOf(t, c, "foo-bar", "foo_bar-1.0-py3-none-any.whl")
			if !errors.Is(err, ErrHashMismatch) {
				t.Fatalf("want hash mismatch, got %v", err)
			}
			if !strings.Contains(err.Error(), "foo-bar 1.0") {
				t.Errorf("error lacks project/version: %v", err)
			}
		})
	}
}

func zipBytes(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range slices.Sorted(maps.Keys(files)) {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		w.Write([]byte(files[n]))
	}
	zw.Close()
	return buf.Bytes()
}

// TestPlainStaticServer uses a directory served by net/http's FileServer
// (HTML listings, Range support, no hashes, no PEP 658) as an index, and
// checks that metadata naming another project or version is rejected
// (range reads cannot be hash-checked).
func TestPlainStaticServer(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "foo"), 0o755)
	for name, meta := range map[string]string{
		"foo-1.0-py3-none-any.whl": "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nRequires-Dist: bar\n",
		"foo-2.0-py3-none-any.whl": "Metadata-Version: 2.1\nName: evil\nVersion: 2.0\n",
		"foo-3.0-py3-none-any.whl": "Metadata-Version: 2.1\nName: foo\nVersion: 3.1\n",
	} {
		v := strings.Split(name, "-")[1]
		os.WriteFile(filepath.Join(dir, "foo", name), zipBytes(t, map[string]string{
			"foo/__init__.py": strings.Repeat("# padding\n", 10000), "foo-" + v + ".dist-info/METADATA": meta}), 0o644)
	}
	var ranges int
	var mu sync.Mutex
	fs := http.FileServer(http.Dir(dir))
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if r.Header.Get("Range") != "" {
			ranges++
		}
		mu.Unlock()
		fs.ServeHTTP(w, r)
	}))
	defer ts.Close()
	c := newClient(t, Options{IndexURL: ts.URL})
	m, err := metadataOf(t, c, "foo", "foo-1.0-py3-none-any.whl")
	if err != nil || !cmp.Equal(m.RequiresDist, []string{"bar"}) {
		t.Fatalf("%v %+v", err, m)
	}
	if ranges != 2 {
		t.Errorf("%d range requests, want 2 (tail, then METADATA)", ranges)
	}
	for _, f := range []string{"foo-2.0-py3-none-any.whl", "foo-3.0-py3-none-any.whl"} {
		if _, err := metadataOf(t, c, "foo", f); !errors.Is(err, ErrInvalidMetadata) {
			t.Errorf("%s: want invalid metadata, got %v", f, err)
		}
	}
}

func TestJSONAPI(t *testing.T) {
	s := fakeindex.New(testIndex(), fakeindex.Options{})
	defer s.Close()
	c := newClient(t, Options{IndexURL: s.SimpleURL()})
	p, err := c.JSONProject(context.Background(), "Foo.Bar")
	if err != nil {
		t.Fatal(err)
	}
	simple, _ := c.Project(context.Background(), "foo-bar")
	a, b := byName(p), byName(simple)
	if len(a) != len(b) {
		t.Fatalf("JSON API %d files, simple %d", len(a), len(b))
	}
	for k, f := range a {
		g := b[k]
		if f.URL != g.URL || f.Hashes["sha256"] != g.Hashes["sha256"] || f.Size != g.Size || f.Yanked != g.Yanked ||
			f.YankedReason != g.YankedReason || f.RequiresPython != g.RequiresPython || !f.UploadTime.Equal(g.UploadTime) {
			t.Errorf("%s: JSON API %+v vs simple %+v", k, f, g)
		}
	}
	m, files, err := c.JSONRelease(context.Background(), "foo-bar", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(m.RequiresDist, wantFooBar.RequiresDist) || m.RequiresPython != ">=3.8" || len(files) != 2 {
		t.Errorf("release: %+v %d files", m, len(files))
	}
	if _, _, err := c.JSONRelease(context.Background(), "foo-bar", "9.9"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing release: %v", err)
	}
}

func TestNotFound(t *testing.T) {
	s := fakeindex.New(testIndex(), fakeindex.Options{})
	defer s.Close()
	c := newClient(t, Options{IndexURL: s.SimpleURL()})
	_, err := c.Project(context.Background(), "reqeusts")
	want := fmt.Sprintf("no such project %q on %s (404)", "reqeusts", strings.TrimSuffix(s.SimpleURL(), "/"))
	if err == nil || err.Error() != want || !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want %s", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Status != 404 || e.Project != "reqeusts" {
		t.Errorf("error fields %+v", e)
	}
	if n := s.Stats().Requests; n != 1 {
		t.Errorf("404 retried: %d requests", n)
	}
	// Memoised, error included.
	c.Project(context.Background(), "reqeusts")
	if n := s.Stats().Requests; n != 1 {
		t.Errorf("404 not memoised: %d requests", n)
	}
}

func TestRetriesResetTruncate503(t *testing.T) {
	path := "/simple/foo-bar/"
	s := fakeindex.New(testIndex(), fakeindex.Options{Script: map[string][]fakeindex.Fault{
		path: {fakeindex.FaultReset, fakeindex.FaultTruncate, fakeindex.Fault503, fakeindex.Fault429, fakeindex.Fault500}}})
	defer s.Close()
	var events []Event
	c := newClient(t, Options{IndexURL: s.SimpleURL(), Events: func(e Event) { events = append(events, e) }})
	p, err := c.Project(context.Background(), "foo-bar")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 5 {
		t.Errorf("files %d", len(p.Files))
	}
	st := c.Stats()
	if st.Retries != 5 || st.Requests != 6 || s.Stats().Requests != 6 {
		t.Errorf("client %+v server %+v", st, s.Stats())
	}
	n := 0
	for _, e := range events {
		if e.Kind == "retry" {
			n++
		}
	}
	if n != 5 {
		t.Errorf("retry events %d", n)
	}
}

func TestRetriesExhausted(t *testing.T) {
	path := "/simple/foo-bar/"
	s := fakeindex.New(testIndex(), fakeindex.Options{Script: map[string][]fakeindex.Fault{
		path: {fakeindex.Fault503, fakeindex.Fault503, fakeindex.Fault503}}})
	defer s.Close()
	c := newClient(t, Options{IndexURL: s.SimpleURL(), Retries: 2})
	_, err := c.Project(context.Background(), "foo-bar")
	var e *Error
	if !errors.As(err, &e) || e.Status != 503 || e.Retries != 2 {
		t.Fatalf("got %v", err)
	}
	want := "foo-bar: GET " + s.SimpleURL() + "foo-bar/: 503 Service Unavailable (after 2 retries)"
	if err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
}

func TestOversizedNotRetried(t *testing.T) {
	s := fakeindex.New(testIndex(), fakeindex.Options{})
	defer s.Close()
	c := newClient(t, Options{IndexURL: s.SimpleURL(), MaxBodyBytes: 100})
	_, err := c.Project(context.Background(), "foo-bar")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v", err)
	}
	if n := s.Stats().Requests; n != 1 {
		t.Errorf("%d requests", n)
	}
}

func TestCredentialsAndRedaction(t *testing.T) {
	const secret = "s3cr3t-pw"
	s := fakeindex.New(testIndex(), fakeindex.Options{BasicAuth: "alice:" + secret, NoMetadata: true})
	defer s.Close()
	authed := strings.Replace(s.SimpleURL(), "http://", "http://alice:"+secret+"@", 1)
	var events []string
	var mu sync.Mutex
	ev := func(e Event) { mu.Lock(); events = append(events, fmt.Sprintf("%+v", e)); mu.Unlock() }
	c := newClient(t, Options{IndexURL: authed, Events: ev})
	p, err := c.Project(context.Background(), "foo-bar")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.Index, secret) || strings.Contains(p.Files[0].Index, secret) {
		t.Errorf("index URL not redacted: %s", p.Index)
	}
	if !strings.Contains(p.Files[0].URL, secret) {
		t.Errorf("file URL lost its credentials (needed for fetching): %s", Redact(p.Files[0].URL))
	}
	if _, err := metadataOf(t, c, "foo-bar", "foo_bar-1.0-py3-none-any.whl"); err != nil {
		t.Fatalf("range metadata with credentials: %v", err)
	}
	var errs []error
	_, err = c.Project(context.Background(), "nope")
	errs = append(errs, err)
	// Wrong password: 401, not retried, redacted.
	bad := newClient(t, Options{IndexURL: strings.Replace(authed, secret, "wrong-"+secret, 1), Events: ev})
	before := s.Stats().Requests
	_, err = bad.Project(context.Background(), "foo-bar")
	errs = append(errs, err)
	var e *Error
	if !errors.As(err, &e) || e.Status != 401 || s.Stats().Requests-before != 1 {
		t.Errorf("401: %v (%d requests)", err, s.Stats().Requests-before)
	}
	// Network failure to a URL with credentials.
	dead := newClient(t, Options{IndexURL: "http://alice:" + secret + "@127.0.0.1:1/simple/", Retries: -1, Events: ev})
	_, err = dead.Project(context.Background(), "foo-bar")
	errs = append(errs, err)
	_, _, err = dead.JSONRelease(context.Background(), "foo-bar", "1.0")
	errs = append(errs, err)
	// Offline miss.
	off := newClient(t, Options{IndexURL: authed, Offline: true, Events: ev})
	_, err = off.Project(context.Background(), "foo-bar")
	errs = append(errs, err)
	for _, err := range errs {
		if err == nil {
			t.Fatal("expected an error")
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "alice") {
			t.Errorf("credentials in error: %v", err)
		}
	}
	for _, e := range events {
		if strings.Contains(e, secret) || strings.Contains(e, "alice") {
			t.Errorf("credentials in event: %s", e)
		}
	}
	filepath.WalkDir(c.cache.dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), secret) {
				t.Errorf("credentials in cache file %s", p)
			}
		}
		return nil
	})
	for _, l := range s.Log() {
		if !l.Auth {
			t.Errorf("request without credentials: %s", l.Path)
		}
	}
}

func TestNetrc(t *testing.T) {
	s := fakeindex.New(testIndex(), fakeindex.Options{BasicAuth: "bob:pw"})
	defer s.Close()
	netrc := filepath.Join(t.TempDir(), "netrc")
	os.WriteFile(netrc, []byte("machine example.com login x password y\nmachine 127.0.0.1\n  login bob\n  password pw\n"), 0o600)
	c, err := New(Options{IndexURL: s.SimpleURL(), NetrcPath: netrc, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Project(context.Background(), "qux"); err != nil {
		t.Fatal(err)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pass@example.com/simple/":   "https://example.com/simple/",
		"https://__token__@example.com/simple":    "https://example.com/simple",
		"https://example.com/simple":              "https://example.com/simple",
		"see https://a:b@h/x and http://t@h2/y z": "see https://h/x and http://h2/y z",
		"/local/dir": "/local/dir",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func twoIndexes(t *testing.T) (*fakeindex.Server, *fakeindex.Server) {
	a := fakeindex.New(&corpus.Index{Projects: map[string]*corpus.Project{
		"foo": {Name: "foo", Releases: []*corpus.Release{{Version: "1.0", Wheel: true}}},
	}}, fakeindex.Options{})
	b := fakeindex.New(&corpus.Index{Projects: map[string]*corpus.Project{
		"foo": {Name: "foo", Releases: []*corpus.Release{{Version: "1.0", Wheel: true}, {Version: "9.0", Wheel: true}}},
		"bar": {Name: "bar", Releases: []*corpus.Release{{Version: "2.0", Wheel: true}}},
	}}, fakeindex.Options{})
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	return a, b
}

func filenames(p *Project) string {
	var out []string
	for _, f := range p.Files {
		out = append(out, f.Filename+"@"+f.Index)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestIndexStrategies(t *testing.T) {
	a, b := twoIndexes(t)
	ia, ib := strings.TrimSuffix(a.SimpleURL(), "/"), strings.TrimSuffix(b.SimpleURL(), "/")
	first := newClient(t, Options{IndexURL: a.SimpleURL(), ExtraIndexURLs: []string{b.SimpleURL()}})
	p, err := first.Project(context.Background(), "foo")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := filenames(p), "foo-1.0-py3-none-any.whl@"+ia; got != want || p.Index != ia {
		t.Errorf("first-index foo: %s (index %s)", got, p.Index)
	}
	if b.Stats().Requests != 0 {
		t.Errorf("first-index asked the second index for a project the first has")
	}
	p, err = first.Project(context.Background(), "bar")
	if err != nil || p.Index != ib {
		t.Errorf("first-index bar: %v %+v", err, p)
	}
	best := newClient(t, Options{IndexURL: a.SimpleURL(), ExtraIndexURLs: []string{b.SimpleURL()}, Strategy: UnsafeBestMatch})
	p, err = best.Project(context.Background(), "foo")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := filenames(p), "foo-1.0-py3-none-any.whl@"+ia+" foo-9.0-py3-none-any.whl@"+ib; got != want {
		t.Errorf("best-match foo: %s", got)
	}
	_, err = best.Project(context.Background(), "nope")
	if err == nil || err.Error() != fmt.Sprintf("no such project \"nope\" on %s, %s (404)", ia, ib) {
		t.Errorf("not found on two: %v", err)
	}
	if _, err := New(Options{Strategy: "best"}); err == nil {
		t.Error("bad strategy accepted")
	}
}

func TestCacheRevalidation(t *testing.T) {
	s := fakeindex.New(testIndex(), fakeindex.Options{})
	defer s.Close()
	dir := t.TempDir()
	run := func(o Options) Stats {
		o.IndexURL, o.CacheDir = s.SimpleURL(), dir
		c := newClient(t, o)
		for _, n := range []string{"foo-bar", "baz", "qux"} {
			p, err := c.Project(context.Background(), n)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range p.Files {
				if _, err := c.Metadata(context.Background(), f); err != nil {
					t.Fatal(err)
				}
			}
		}
		return c.Stats()
	}
	cold := run(Options{})
	if cold.Requests != 3+8 || cold.CacheHits != 0 {
		t.Errorf("cold: %+v", cold)
	}
	s.ResetStats()
	warm := run(Options{})
	if warm.Requests != 0 || warm.CacheHits != 11 || s.Stats().Requests != 0 {
		t.Errorf("warm (fresh): %+v, server %d", warm, s.Stats().Requests)
	}
	refresh := run(Options{Refresh: true})
	if refresh.Requests != 3 || refresh.Revalidated != 3 || s.Stats().ByStatus[304] != 3 {
		t.Errorf("refresh: %+v, server %+v", refresh, s.Stats())
	}
	for _, l := range s.Log() {
		if l.IfNoneMatch == "" {
			t.Errorf("unconditional request on revalidation: %s", l.Path)
		}
	}
	// max-age=0 pages: revalidate every time; changed pages are refetched.
	s.SetOptions(func(o *fakeindex.Options) { o.PageCacheControl = "max-age=0" })
	run(Options{Refresh: true})
	s.ResetStats()
	idx := testIndex()
	idx.Projects["qux"].Releases[0].Yanked = true
	s.SetIndex(idx)
	st := run(Options{})
	if st.Requests != 3 || st.Revalidated != 2 || s.Stats().ByStatus[200] != 1 {
		t.Errorf("after change: %+v, server %+v", st, s.Stats())
	}
	off := run(Options{Offline: true})
	if off.Requests != 0 {
		t.Errorf("offline: %+v", off)
	}
}

// quxCached serves the test index and fetches qux 2.0's metadata (its
// page and metadata) through a client caching in dir, a new temporary
// directory.
func quxCached(t *testing.T) (s *fakeindex.Server, dir string, c *Client) {
	t.Helper()
	s = fakeindex.New(testIndex(), fakeindex.Options{})
	t.Cleanup(s.Close)
	dir = t.TempDir()
	c = newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir})
	if _, err := metadataOf(t, c, "qux", "qux-2.0-py3-none-any.whl"); err != nil {
		t.Fatal(err)
	}
	return s, dir, c
}

func TestOffline(t *testing.T) {
	s, dir, _ := quxCached(t)
	s.Close()
	off := newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir, Offline: true})
	if _, err := metadataOf(t, off, "qux", "qux-2.0-py3-none-any.whl"); err != nil {
		t.Fatalf("offline hit: %v", err)
	}
	_, err := off.Project(context.Background(), "baz")
	if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), s.SimpleURL()+"baz/") {
		t.Fatalf("offline miss: %v", err)
	}
	if off.Stats().Requests != 0 {
		t.Errorf("offline sent requests")
	}
}

func TestCorruptCacheEntry(t *testing.T) {
	s, dir, c := quxCached(t)
	c.Close() // its cache stores have landed
	var entries []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			entries = append(entries, p)
		}
		return nil
	})
	if len(entries) != 2 { // page (parsed), metadata
		t.Fatalf("cache entries %v", entries)
	}
	for _, p := range entries { // flip the last byte of each body
		b, _ := os.ReadFile(p)
		b[len(b)-1] ^= 1
		os.WriteFile(p, b, 0o644)
	}
	s.ResetStats()
	var kinds []string
	c2 := newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir, Events: func(e Event) { kinds = append(kinds, e.Kind) }})
	if _, err := metadataOf(t, c2, "qux", "qux-2.0-py3-none-any.whl"); err != nil {
		t.Fatal(err)
	}
	if s.Stats().Requests != 2 || !strings.Contains(strings.Join(kinds, " "), "cache-corrupt") {
		t.Errorf("refetch after corruption: %+v %v", s.Stats(), kinds)
	}
	c3 := newClient(t, Options{IndexURL: s.SimpleURL(), CacheDir: dir})
	if _, err := metadataOf(t, c3, "qux", "qux-2.0-py3-none-any.whl"); err != nil || c3.Stats().Requests != 0 {
		t.Errorf("repaired cache not used: %v %+v", err, c3.Stats())
	}
}

func TestCacheSharedByConcurrentClients(t *testing.T) {
	s := fakeindex.New(testIndex(), fakeindex.Options{PageCacheControl: "max-age=0"})
	defer s.Close()
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := New(Options{IndexURL: s.SimpleURL(), CacheDir: dir, NetrcPath: os.DevNull})
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close() // its cache stores land before the directory is checked
			for j := 0; j < 5; j++ {
				for _, n := range []string{"foo-bar", "baz", "qux"} {
					if _, err := c.Project(context.Background(), n); err != nil {
						t.Error(err)
					}
				}
				c.projects = memo[*Project]{} // forget, to hit the disk again
			}
		}()
	}
	wg.Wait()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if strings.HasPrefix(d.Name(), ".tmp-") {
				t.Errorf("leftover temp file %s", p)
			}
			b, _ := os.ReadFile(p)
			if err := checkEntry(b); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
		return nil
	})
}

// TestKeepAliveReuse checks over real connections that concurrent requests
// reuse keep-alive connections instead of dialing one per request. The
// concurrency bound itself is checked on a virtual clock by
// TestConcurrencyBoundAndMemo. The bound on connections is loose: a
// request may dial before the previous response's connection is back in
// the idle pool (a scheduling race in net/http), which must not fail the
// test on a loaded machine; without reuse there would be 40.
func TestKeepAliveReuse(t *testing.T) {
	idx, all := manyProjects(40)
	s := fakeindex.New(idx, fakeindex.Options{})
	defer s.Close()
	c := newClient(t, Options{IndexURL: s.SimpleURL(), Concurrency: 4, NoCache: true})
	projectsAtOnce(t, c, all)
	if st := c.Stats(); st.Requests != 40 || st.PeakConcurrency > 4 {
		t.Errorf("client %+v", st)
	}
	n := s.Stats().Connections
	t.Logf("%d connections for 40 requests", n)
	if n > 20 {
		t.Errorf("%d connections for 40 requests at concurrency 4: keep-alive not reused", n)
	}
}

// manyProjects returns an index of n projects p00, p01, ... with one wheel
// each, and their names.
func manyProjects(n int) (*corpus.Index, []string) {
	idx := &corpus.Index{Projects: map[string]*corpus.Project{}}
	var all []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("p%02d", i)
		all = append(all, name)
		idx.Projects[name] = &corpus.Project{Name: name, Releases: []*corpus.Release{{Version: "1.0", Wheel: true}}}
	}
	return idx, all
}

func TestLocalDirectoryIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	if err := fakeindex.Build(testIndex(), dir); err != nil {
		t.Fatal(err)
	}
	for _, loc := range []string{dir, "file://" + dir, filepath.Join(dir, "simple")} {
		c := newClient(t, Options{IndexURL: loc})
		p, err := c.Project(context.Background(), "Foo_Bar")
		if err != nil {
			t.Fatalf("%s: %v", loc, err)
		}
		if len(p.Files) != 5 || !strings.HasPrefix(p.Files[0].URL, "file://"+dir+"/files/") {
			t.Fatalf("%s: %+v", loc, p.Files[0])
		}
		m, err := metadataOf(t, c, "foo-bar", "foo_bar-1.0-py3-none-any.whl")
		if err != nil || !cmp.Equal(m, verifiedFooBar) {
			t.Errorf("%s: %v %+v", loc, err, m)
		}
		if m, err := metadataOf(t, c, "baz", "baz-1.0.tar.gz"); err != nil || m.Name != "baz" {
			t.Errorf("%s sdist: %v", loc, err)
		}
		_, err = c.Project(context.Background(), "nope")
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `no such project "nope" on `) {
			t.Errorf("%s: %v", loc, err)
		}
	}
	if _, err := New(Options{IndexURL: filepath.Join(dir, "missing"), NoCache: true}); err == nil {
		t.Error("missing directory accepted")
	}
}

func TestFindLinks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	if err := fakeindex.Build(testIndex(), dir); err != nil {
		t.Fatal(err)
	}
	files := filepath.Join(dir, "files")
	empty := fakeindex.New(&corpus.Index{Projects: map[string]*corpus.Project{}}, fakeindex.Options{})
	defer empty.Close()
	c := newClient(t, Options{IndexURL: empty.SimpleURL(), FindLinks: []string{files}})
	p, err := c.Project(context.Background(), "foo-bar")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 5 || p.Files[0].Hashes["sha256"] == "" || p.Files[0].Size <= 0 || p.Index != files {
		t.Fatalf("find-links dir: %+v", p)
	}
	m, err := c.Metadata(context.Background(), byName(p)["foo_bar-1.0-py3-none-any.whl"])
	if err != nil || !cmp.Equal(m, verifiedFooBar) {
		t.Errorf("%v %+v", err, m)
	}
	// A page of links (served over HTTP).
	s := fakeindex.New(testIndex(), fakeindex.Options{})
	defer s.Close()
	c = newClient(t, Options{IndexURL: empty.SimpleURL(), FindLinks: []string{s.SimpleURL() + "baz/"}})
	p, err = c.Project(context.Background(), "baz")
	if err != nil || len(p.Files) != 2 {
		t.Fatalf("find-links page: %v %+v", err, p)
	}
	if _, err := c.Project(context.Background(), "qux"); !errors.Is(err, ErrNotFound) {
		t.Errorf("qux: %v", err)
	}
}

func TestNeedsBuild(t *testing.T) {
	dir := t.TempDir()
	write := func(name, pkginfo string) {
		data := tarGz(t, map[string]string{strings.TrimSuffix(name, ".tar.gz") + "/PKG-INFO": pkginfo})
		project, _, _ := strings.Cut(name, "-")
		os.MkdirAll(filepath.Join(dir, project), 0o755)
		os.WriteFile(filepath.Join(dir, project, name), data, 0o644)
	}
	write("old-1.0.tar.gz", "Metadata-Version: 2.1\nName: old\nVersion: 1.0\nRequires-Dist: x\n")
	write("dyn-1.0.tar.gz", "Metadata-Version: 2.2\nName: dyn\nVersion: 1.0\nDynamic: Requires-Dist\n")
	write("ok-1.0.tar.gz", "Metadata-Version: 2.4\nName: ok\nVersion: 1.0\nDynamic: Summary\nRequires-Dist: x\n")
	c := newClient(t, Options{IndexURL: dir})
	for _, n := range []string{"old", "dyn"} {
		_, err := metadataOf(t, c, n, n+"-1.0.tar.gz")
		if !errors.Is(err, ErrNeedsBuild) || !strings.Contains(err.Error(), n+" 1.0") {
			t.Errorf("%s: %v", n, err)
		}
	}
	if m, err := metadataOf(t, c, "ok", "ok-1.0.tar.gz"); err != nil || len(m.RequiresDist) != 1 {
		t.Errorf("ok: %v", err)
	}
}

func TestOptionsFromEnv(t *testing.T) {
	t.Setenv("PIP_INDEX_URL", "https://pip.example/simple")
	t.Setenv("PYLOCK_INDEX_URL", "")
	t.Setenv("PIP_EXTRA_INDEX_URL", "https://a/simple https://b/simple")
	o := OptionsFromEnv(Options{})
	if o.IndexURL != "https://pip.example/simple" || len(o.ExtraIndexURLs) != 2 {
		t.Errorf("%+v", o)
	}
	t.Setenv("PYLOCK_INDEX_URL", "https://pylock.example/simple")
	if o := OptionsFromEnv(Options{}); o.IndexURL != "https://pylock.example/simple" {
		t.Errorf("%+v", o)
	}
	if o := OptionsFromEnv(Options{IndexURL: "x"}); o.IndexURL != "x" {
		t.Errorf("explicit option overridden: %+v", o)
	}
	if got := deriveJSONAPI("https://u:p@pypi.org/simple/"); got != "https://u:p@pypi.org/pypi/" {
		t.Errorf("deriveJSONAPI: %s", got)
	}
}

// TestCacheTwoProcesses runs two processes (this test binary re-executed)
// that revalidate and rewrite the same cache entries concurrently, then
// checks every entry is whole and valid.
func TestCacheTwoProcesses(t *testing.T) {
	if url := os.Getenv("PYLOCK_CACHE_WORKER_URL"); url != "" {
		for j := 0; j < 20; j++ {
			c, err := New(Options{IndexURL: url, CacheDir: os.Getenv("PYLOCK_CACHE_WORKER_DIR"), NetrcPath: os.DevNull})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []string{"foo-bar", "baz", "qux"} {
				p, err := c.Project(context.Background(), n)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range p.Files {
					if _, err := c.Metadata(context.Background(), f); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		return
	}
	if testing.Short() {
		t.Skip("short")
	}
	s := fakeindex.New(testIndex(), fakeindex.Options{PageCacheControl: "max-age=0"})
	defer s.Close()
	dir := t.TempDir()
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for i := 0; i < 2; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCacheTwoProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "PYLOCK_CACHE_WORKER_URL="+s.SimpleURL(), "PYLOCK_CACHE_WORKER_DIR="+dir)
		out := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("worker: %v\n%s", err, outs[i])
		}
	}
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
			b, _ := os.ReadFile(p)
			if err := checkEntry(b); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
		return nil
	})
	if n != 3+8 { // 3 pages (parsed), 8 metadata files
		t.Errorf("%d cache entries, want 11", n)
	}
	if st := s.Stats(); st.ByStatus[304] == 0 {
		t.Errorf("no revalidation happened: %+v", st)
	}
}
