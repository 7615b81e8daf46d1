package fakeindex

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"github.com/pylock/pylock/internal/testenv"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pylock/pylock/internal/corpus"
)

func testIndex() *corpus.Index {
	return &corpus.Index{Projects: map[string]*corpus.Project{
		"foo-bar": {Name: "foo-bar", Releases: []*corpus.Release{
			{Version: "1.0", Requires: []string{"baz>=1", `pytest ; extra == "test"`}, Wheel: true, Sdist: true,
				RequiresPython: ">=3.8"},
			{Version: "0.9", Wheel: true, WheelTags: []string{"cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64", "py3-none-any"}},
			{Version: "2.0rc1", Wheel: true},
			{Version: "1.1", Wheel: true, Yanked: true, YankedReason: "broken <b>"},
		}},
		"baz":   {Name: "baz", Releases: []*corpus.Release{{Version: "1.0", Sdist: true}}},
		"empty": {Name: "empty"},
	}}
}

func get(t *testing.T, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestPagesAndNegotiation(t *testing.T) {
	s := New(testIndex(), Options{})
	defer s.Close()
	resp, body := get(t, s.SimpleURL()+"foo-bar/")
	if ct := resp.Header.Get("Content-Type"); ct != ctHTML {
		t.Fatalf("default content type %q", ct)
	}
	for _, want := range []string{`data-requires-python="&gt;=3.8"`, `data-yanked="broken &lt;b&gt;"`,
		`data-core-metadata="sha256=`, `data-dist-info-metadata="sha256=`, `href="../../files/foo_bar-1.0.tar.gz#sha256=`,
		"foo_bar-0.9-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "foo_bar-2.0rc1-py3-none-any.whl"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("HTML page lacks %q:\n%s", want, body)
		}
	}
	resp, body = get(t, s.SimpleURL()+"foo-bar/", "Accept", "application/vnd.pypi.simple.v1+json, text/html;q=0.1")
	if ct := resp.Header.Get("Content-Type"); ct != ctSimpleJSON {
		t.Fatalf("json content type %q", ct)
	}
	var page struct {
		Name     string
		Versions []string
		Files    []map[string]any
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(page.Versions, " "); got != "0.9 1.0 1.1 2.0rc1" {
		t.Errorf("versions %q", got)
	}
	if len(page.Files) != 6 {
		t.Fatalf("files: %d", len(page.Files))
	}
	// Redirect to the normalised name; 404; 406.
	resp, _ = get(t, s.SimpleURL()+"Foo_Bar")
	if resp.Request.URL.Path != "/simple/foo-bar/" {
		t.Errorf("redirected to %s", resp.Request.URL.Path)
	}
	if resp, _ = get(t, s.SimpleURL()+"nope/"); resp.StatusCode != 404 {
		t.Errorf("missing project: %d", resp.StatusCode)
	}
	if resp, _ = get(t, s.SimpleURL()+"baz/", "Accept", "image/png"); resp.StatusCode != 406 {
		t.Errorf("406 expected, got %d", resp.StatusCode)
	}
	if resp, _ = get(t, s.SimpleURL()+"empty/"); resp.StatusCode != 200 {
		t.Errorf("empty project: %d", resp.StatusCode)
	}
	if resp, _ = get(t, s.URL()+"/pypi/empty/json"); resp.StatusCode != 404 {
		t.Errorf("empty project JSON API: %d", resp.StatusCode)
	}
	st := s.Stats()
	if st.ByKind["simple-project"] != 6 || st.ByStatus[301] != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestNegotiate(t *testing.T) {
	for _, c := range []struct{ accept, format, want string }{
		{"", "", ctHTML},
		{"*/*", "", ctHTML},
		{"application/vnd.pypi.simple.v1+json", "", ctSimpleJSON},
		{"application/vnd.pypi.simple.latest+json;q=0.9, text/html;q=0.5", "", ctSimpleJSON},
		{"application/*", "", ctSimpleHTML},
		{"text/html, application/vnd.pypi.simple.v1+json", "", ctHTML},
		{"text/html", "application/vnd.pypi.simple.v1+json", ctSimpleJSON},
		{"image/png", "", ""},
	} {
		got, _, _ := negotiate(c.accept, c.format)
		if got != c.want {
			t.Errorf("negotiate(%q, %q) = %q, want %q", c.accept, c.format, got, c.want)
		}
	}
}

func TestArtifacts(t *testing.T) {
	s := New(testIndex(), Options{})
	defer s.Close()
	_, whl := get(t, s.URL()+"/files/foo_bar-1.0-py3-none-any.whl")
	zr, err := zip.NewReader(bytes.NewReader(whl), int64(len(whl)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var meta []byte
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == "foo_bar-1.0.dist-info/METADATA" {
			rc, _ := f.Open()
			meta, _ = io.ReadAll(rc)
		}
	}
	if got := strings.Join(names, " "); got != "foo_bar/__init__.py foo_bar-1.0.dist-info/METADATA foo_bar-1.0.dist-info/WHEEL foo_bar-1.0.dist-info/RECORD" {
		t.Errorf("wheel entries %s", got)
	}
	_, m := get(t, s.URL()+"/files/foo_bar-1.0-py3-none-any.whl.metadata")
	if !bytes.Equal(m, meta) || !bytes.Contains(m, []byte("Requires-Dist: baz>=1\n")) || !bytes.Contains(m, []byte("Provides-Extra: test\n")) {
		t.Errorf("metadata:\n%s\nvs\n%s", m, meta)
	}
	_, sd := get(t, s.URL()+"/files/baz-1.0.tar.gz")
	gz, err := gzip.NewReader(bytes.NewReader(sd))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	found := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == "baz-1.0/PKG-INFO" {
			b, _ := io.ReadAll(tr)
			found = bytes.HasPrefix(b, []byte("Metadata-Version: 2.2\nName: baz\nVersion: 1.0\n"))
		}
	}
	if !found {
		t.Error("sdist PKG-INFO missing or wrong")
	}
	if resp, _ := get(t, s.URL()+"/files/baz-1.0.tar.gz.metadata"); resp.StatusCode != 404 {
		t.Errorf("sdist .metadata: %d", resp.StatusCode)
	}
	// Determinism: a second server renders identical bytes.
	s2 := New(testIndex(), Options{})
	defer s2.Close()
	_, whl2 := get(t, s2.URL()+"/files/foo_bar-1.0-py3-none-any.whl")
	_, sd2 := get(t, s2.URL()+"/files/baz-1.0.tar.gz")
	if !bytes.Equal(whl, whl2) || !bytes.Equal(sd, sd2) {
		t.Error("artifacts are not deterministic")
	}
	if py, err := exec.LookPath("python3"); err == nil {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "w.whl"), whl, 0o644)
		os.WriteFile(filepath.Join(dir, "s.tar.gz"), sd, 0o644)
		out, err := exec.Command(py, "-c", `import zipfile,tarfile,sys
z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
print(z.read("foo_bar-1.0.dist-info/WHEEL").decode())
t=tarfile.open(sys.argv[2]); print(t.getnames())`, filepath.Join(dir, "w.whl"), filepath.Join(dir, "s.tar.gz")).CombinedOutput()
		if err != nil {
			t.Errorf("python cannot read the artifacts: %v\n%s", err, out)
		}
	}
}

func TestConditionalRangeHead(t *testing.T) {
	s := New(testIndex(), Options{})
	defer s.Close()
	u := s.URL() + "/files/foo_bar-1.0-py3-none-any.whl"
	resp, full := get(t, u)
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("headers %v", resp.Header)
	}
	if resp, _ = get(t, u, "If-None-Match", etag); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	resp, part := get(t, u, "Range", "bytes=-100")
	if resp.StatusCode != 206 || !bytes.Equal(part, full[len(full)-100:]) {
		t.Errorf("suffix range: %d %d bytes", resp.StatusCode, len(part))
	}
	if got := resp.Header.Get("Content-Range"); got != "bytes "+itoa(len(full)-100)+"-"+itoa(len(full)-1)+"/"+itoa(len(full)) {
		t.Errorf("Content-Range %q", got)
	}
	resp, part = get(t, u, "Range", "bytes=10-19")
	if resp.StatusCode != 206 || !bytes.Equal(part, full[10:20]) {
		t.Errorf("range: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("HEAD", u, nil)
	hr, err := http.DefaultClient.Do(req)
	if err != nil || hr.StatusCode != 200 || hr.ContentLength != int64(len(full)) {
		t.Errorf("HEAD: %v %v", hr, err)
	}
	lm := resp.Header.Get("Last-Modified")
	if resp, _ = get(t, s.SimpleURL()+"baz/", "If-Modified-Since", lm); resp.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %d", resp.StatusCode)
	}
	s.SetIndex(testIndex())
	if resp, _ = get(t, s.SimpleURL()+"baz/", "If-Modified-Since", lm); resp.StatusCode != 200 {
		t.Errorf("If-Modified-Since after SetIndex: %d", resp.StatusCode)
	}
	s2 := New(testIndex(), Options{NoRange: true, NoMetadata: true})
	defer s2.Close()
	if resp, _ = get(t, s2.URL()+"/files/foo_bar-1.0-py3-none-any.whl", "Range", "bytes=-100"); resp.StatusCode != 200 {
		t.Errorf("NoRange: %d", resp.StatusCode)
	}
	if resp, _ = get(t, s2.URL()+"/files/foo_bar-1.0-py3-none-any.whl.metadata"); resp.StatusCode != 404 {
		t.Errorf("NoMetadata: %d", resp.StatusCode)
	}
	if _, b := get(t, s2.SimpleURL()+"foo-bar/"); bytes.Contains(b, []byte("core-metadata")) {
		t.Error("NoMetadata page still advertises metadata")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestFaultsScripted(t *testing.T) {
	path := "/simple/baz/"
	s := New(testIndex(), Options{Script: map[string][]Fault{path: {Fault503, FaultReset, FaultTruncate, FaultNone}}, RetryAfter: "7"})
	defer s.Close()
	c := &http.Client{Transport: &http.Transport{}}
	resp, err := c.Get(s.URL() + path)
	if err != nil || resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "7" {
		t.Fatalf("503: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err = c.Get(s.URL() + path); err == nil {
		t.Fatal("reset: no error")
	}
	resp, err = c.Get(s.URL() + path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncate: %v", err)
	}
	resp, body := get(t, s.URL()+path)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("baz-1.0.tar.gz")) {
		t.Fatalf("after script: %d", resp.StatusCode)
	}
	st := s.Stats()
	if st.Requests != 4 || st.Faults[Fault503] != 1 || st.Faults[FaultReset] != 1 || st.Faults[FaultTruncate] != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestFailRateDeterministic(t *testing.T) {
	run := func() []Fault {
		s := New(testIndex(), Options{FailRate: 0.5, Seed: 3, FailKinds: []Fault{Fault503, Fault429}})
		defer s.Close()
		var out []Fault
		for i := 0; i < 20; i++ {
			get(t, s.SimpleURL()+"baz/")
		}
		for _, r := range s.Log() {
			out = append(out, r.Fault)
		}
		return out
	}
	a, b := run(), run()
	n := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("faults differ at %d: %v vs %v", i, a, b)
		}
		if a[i] != "" {
			n++
		}
	}
	if n == 0 || n == 20 {
		t.Errorf("implausible fault count %d", n)
	}
}

// TestBasicAuth checks that every counted request needs the configured
// credentials, over a real connection.
func TestBasicAuth(t *testing.T) {
	s := New(testIndex(), Options{BasicAuth: "u:p"})
	defer s.Close()
	if resp, _ := get(t, s.SimpleURL()+"baz/"); resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("no auth: %d %v", resp.StatusCode, resp.Header)
	}
	bad := strings.Replace(s.SimpleURL(), "http://", "http://u:wrong@", 1) + "baz/"
	if resp, _ := get(t, bad); resp.StatusCode != 401 {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	u := strings.Replace(s.SimpleURL(), "http://", "http://u:p@", 1) + "baz/"
	if resp, _ := get(t, u); resp.StatusCode != 200 {
		t.Fatalf("with auth: %d", resp.StatusCode)
	}
	if log := s.Log(); len(log) != 3 || !log[2].Auth || log[0].Auth {
		t.Errorf("log %+v", log)
	}
}

// TestLatencyConcurrent checks on a virtual clock (testing/synctest, over
// the in-memory Transport) that Latency delays every request by exactly its
// value and that delayed requests overlap instead of queueing: 8 requests
// with 50 ms latency are all in flight at once and finish at 50 ms.
func TestLatencyConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const latency = 50 * time.Millisecond
		s := NewHandler(testIndex(), Options{BasicAuth: "u:p", Latency: latency})
		client := &http.Client{Transport: Transport(s)}
		start := time.Now()
		done := make(chan int, 8)
		for i := 0; i < 8; i++ {
			go func() {
				resp, err := client.Get("http://u:p@index.test/simple/baz/")
				if err != nil {
					t.Error(err)
					done <- 0
					return
				}
				resp.Body.Close()
				done <- resp.StatusCode
			}()
		}
		synctest.Wait() // every request is now blocked in the latency wait
		if p := s.Stats().PeakConcurrency; p != 8 {
			t.Errorf("peak concurrency %d while all requests wait, want 8", p)
		}
		for i := 0; i < 8; i++ {
			if c := <-done; c != 200 {
				t.Errorf("status %d", c)
			}
		}
		if el := time.Since(start); el != latency {
			t.Errorf("virtual time %v for 8 concurrent requests, want %v", el, latency)
		}
		if st := s.Stats(); st.Requests != 8 || st.PeakConcurrency != 8 {
			t.Errorf("stats %+v", st)
		}
	})
}

func TestJSONAPI(t *testing.T) {
	s := New(testIndex(), Options{})
	defer s.Close()
	_, b := get(t, s.URL()+"/pypi/Foo_Bar/json")
	var doc struct {
		Info struct {
			Version      string
			RequiresDist []string `json:"requires_dist"`
		}
		Releases map[string][]struct{ URL string }
		URLs     []struct{ URL string }
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Info.Version != "1.0" || len(doc.Releases) != 4 || !strings.HasPrefix(doc.URLs[0].URL, s.URL()+"/files/") {
		t.Errorf("project doc: %s", b)
	}
	_, b = get(t, s.URL()+"/pypi/foo-bar/1.0.0/json")
	doc.Info.RequiresDist = nil
	json.Unmarshal(b, &doc)
	if len(doc.Info.RequiresDist) != 2 {
		t.Errorf("release doc: %s", b)
	}
}

func TestBuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	if err := Build(testIndex(), dir); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"simple/index.html", "simple/index.json", "simple/foo-bar/index.html", "simple/empty/index.json",
		"files/foo_bar-1.0-py3-none-any.whl.metadata", "files/baz-1.0.tar.gz", "pypi/foo-bar/json", "pypi/foo-bar/2.0rc1/json"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Error(err)
		}
	}
	s := New(testIndex(), Options{})
	defer s.Close()
	_, page := get(t, s.SimpleURL()+"foo-bar/")
	disk, _ := os.ReadFile(filepath.Join(dir, "simple/foo-bar/index.html"))
	if !bytes.Equal(page, disk) {
		t.Error("built page differs from served page")
	}
}

// TestPipUsesFakeIndex checks the fake index against a real client: pip
// resolves through the Simple API (PEP 658 metadata) and downloads wheels
// and sdists, verifying their #sha256 hashes.
func TestPipUsesFakeIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	py, err := exec.LookPath("python3")
	if err != nil || exec.Command(py, "-m", "pip", "--version").Run() != nil {
		testenv.Require(t, false, "python3 -m pip not available")
	}
	idx := testIndex()
	idx.Projects["baz"].Releases[0].Wheel = true
	s := New(idx, Options{})
	defer s.Close()
	dir := t.TempDir()
	cmd := exec.Command(py, "-m", "pip", "download", "--isolated", "--no-cache-dir", "--disable-pip-version-check",
		"--no-input", "--progress-bar", "off", "--index-url", s.SimpleURL(), "-d", dir, "--only-binary", ":all:",
		"foo-bar==1.0")
	cmd.Env = append(os.Environ(), "PIP_CONFIG_FILE=/dev/null", "NO_PROXY=*")
	for _, e := range []string{"PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"} {
		cmd.Env = append(cmd.Env, e+"=")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pip download: %v\n%s", err, out)
	}
	got, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(got) != 2 {
		t.Errorf("downloaded %v\n%s", got, out)
	}
	if s.Stats().ByKind["metadata"] == 0 {
		t.Errorf("pip did not use PEP 658 metadata: %+v", s.Stats())
	}
}
