package index

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pylock/pylock/pypi/pep440"
)

func tarGz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg})
		tw.Write([]byte(files[n]))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func TestParseMetadata(t *testing.T) {
	in := "Metadata-Version: 2.3\r\n" +
		"name: Foo.Bar\r\n" +
		"Version: 1.0\r\n" +
		"Summary: a\r\n" +
		"  folded summary\r\n" +
		"Requires-Dist: a>=1\r\n" +
		"Requires-Dist: b ;\r\n" +
		"\tpython_version < \"3.8\"\r\n" +
		"REQUIRES-PYTHON: >=3.7\r\n" +
		"Provides-Extra: test\r\n" +
		"Dynamic: License\r\n" +
		"\r\n" +
		"Requires-Dist: not-a-header\r\n"
	m, err := ParseMetadata([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &Metadata{MetadataVersion: "2.3", Name: "Foo.Bar", Version: "1.0", RequiresPython: ">=3.7",
		RequiresDist: []string{"a>=1", `b ; python_version < "3.8"`}, ProvidesExtra: []string{"test"}, Dynamic: []string{"License"}}
	if d := cmp.Diff(want, m); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, bad := range []string{"", "no colon here\n", "Name: x\n", "  cont\nName: x\nVersion: 1\n"} {
		if _, err := ParseMetadata([]byte(bad)); !errors.Is(err, ErrInvalidMetadata) {
			t.Errorf("ParseMetadata(%q) = %v", bad, err)
		}
	}
}

func TestStaticMetadata(t *testing.T) {
	for _, c := range []struct {
		mv      string
		dynamic []string
		ok      bool
	}{
		{"2.2", nil, true}, {"2.10", []string{"Summary"}, true}, {"2.1", nil, false}, {"1.0", nil, false},
		{"2.2", []string{"requires-dist"}, false}, {"2.4", []string{"Requires-Python"}, false}, {"x", nil, false},
	} {
		err := staticMetadataError(&Metadata{MetadataVersion: c.mv, Dynamic: c.dynamic})
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrNeedsBuild)) {
			t.Errorf("%s %v: %v", c.mv, c.dynamic, err)
		}
	}
}

func TestParseHTMLPage(t *testing.T) {
	page := `<!DOCTYPE html><html><head><base href="https://files.example/base/"></head><body>
<!-- <a href="commented.whl">x</a> -->
<a href="../pkgs/foo-1.0-py3-none-any.whl#sha256=ABCDEF" data-requires-python="&gt;=3.8" data-core-metadata="sha256=1234">foo</a>
<A HREF='foo-1.1.tar.gz#md5=00' data-yanked data-dist-info-metadata="true">foo</A>
<a href="foo%2B1.2.zip" data-requires-python=">=3.9,<4" data-yanked="bad &amp; old">x</a>
<a name="anchor-without-href">x</a>
<a href="bar-1.0.tar.gz#sha256=../../../etc/passwd" data-core-metadata="sha256=zz">x</a>
</body></html>`
	base, _ := url.Parse("https://index.example/simple/foo/")
	files, err := parseHTMLPage([]byte(page), base)
	if err != nil {
		t.Fatal(err)
	}
	want := []File{
		{Filename: "foo-1.0-py3-none-any.whl", URL: "https://files.example/pkgs/foo-1.0-py3-none-any.whl", Size: -1,
			Hashes: map[string]string{"sha256": "abcdef"}, RequiresPython: ">=3.8", CoreMetadata: true,
			CoreMetadataHashes: map[string]string{"sha256": "1234"}},
		{Filename: "foo-1.1.tar.gz", URL: "https://files.example/base/foo-1.1.tar.gz", Size: -1,
			Hashes: map[string]string{"md5": "00"}, Yanked: true, CoreMetadata: true},
		{Filename: "foo+1.2.zip", URL: "https://files.example/base/foo%2B1.2.zip", Size: -1, Hashes: map[string]string{},
			RequiresPython: ">=3.9,<4", Yanked: true, YankedReason: "bad & old"},
		{Filename: "bar-1.0.tar.gz", URL: "https://files.example/base/bar-1.0.tar.gz", Size: -1, Hashes: map[string]string{},
			CoreMetadata: true, CoreMetadataHashes: map[string]string{}},
	}
	if d := cmp.Diff(want, files); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestParseJSONPage(t *testing.T) {
	page := `{"meta": {"api-version": "1.1"}, "name": "foo", "files": [
 {"filename": "foo-1.0.tar.gz", "url": "https://f.example/foo-1.0.tar.gz", "hashes": {"sha256": "AA"},
  "requires-python": null, "yanked": "reason", "size": 10, "upload-time": "2020-01-02T03:04:05.123456Z"},
 {"filename": "foo-1.0-py3-none-any.whl", "url": "../../x/foo-1.0-py3-none-any.whl", "hashes": {},
  "yanked": false, "dist-info-metadata": {"sha256": "BB"}},
 {"filename": "foo-1.1-py3-none-any.whl", "url": "foo-1.1-py3-none-any.whl", "hashes": {},
  "core-metadata": true, "dist-info-metadata": false}]}`
	base, _ := url.Parse("https://i.example/simple/foo/")
	files, err := parseJSONPage([]byte(page), base)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 || !files[0].Yanked || files[0].YankedReason != "reason" || files[0].Size != 10 ||
		files[0].UploadTime.Nanosecond() != 123456000 || files[0].Hashes["sha256"] != "aa" {
		t.Errorf("file 0: %+v", files[0])
	}
	if files[1].URL != "https://i.example/x/foo-1.0-py3-none-any.whl" || !files[1].CoreMetadata || files[1].CoreMetadataHashes["sha256"] != "bb" || files[1].Size != -1 {
		t.Errorf("file 1: %+v", files[1])
	}
	if !files[2].CoreMetadata || files[2].CoreMetadataHashes != nil {
		t.Errorf("file 2: %+v", files[2])
	}
	if _, err := parseJSONPage([]byte(`{"meta": {"api-version": "2.0"}, "files": []}`), base); err == nil {
		t.Error("api-version 2 accepted")
	}
}

func TestFilenameHelpers(t *testing.T) {
	for _, c := range []struct {
		file, project, version string
	}{
		{"foo_bar-1.0-py3-none-any.whl", "foo-bar", "1.0"},
		{"Foo.Bar-1.0.post1.tar.gz", "foo-bar", "1.0.post1"},
		{"python-dateutil-2.8.2.tar.gz", "python-dateutil", "2.8.2"},
		{"pyzmq-18.1.0_0_py38h16f9016-py3-none-any.whl", "pyzmq", "18.1.0_0_py38h16f9016"},
	} {
		if p := projectOfFilename(c.file); p != c.project {
			t.Errorf("projectOfFilename(%s) = %s", c.file, p)
		}
		if v := versionOfFilename(c.file, c.project); v != c.version {
			t.Errorf("versionOfFilename(%s) = %s", c.file, v)
		}
		if !filenameMatches(c.file, c.project) {
			t.Errorf("filenameMatches(%s, %s) = false", c.file, c.project)
		}
		if p, v := splitFilename(c.file); p != c.project || v != c.version {
			t.Errorf("splitFilename(%s) = %s, %s", c.file, p, v)
		}
	}
	if p, v := splitFilename("python-3parclient-4.2.tar.gz"); p != "python-3parclient" || v != "4.2" {
		t.Errorf("splitFilename(python-3parclient-4.2.tar.gz) = %s, %s", p, v)
	}
	if !filenameMatches("python-3parclient-4.2.tar.gz", "python-3parclient") {
		t.Error("filenameMatches(python-3parclient-4.2.tar.gz)")
	}
	for a, b := range map[string]string{"1.0": "1.0.0", "1.0-1": "1.0.post1", "2.0RC1": "2.0rc1", "18.1.0-0_py38h16f9016": "18.1.0_0_py38h16f9016"} {
		if !pep440.SameVersion(a, b) {
			t.Errorf("pep440.SameVersion(%s, %s) = false", a, b)
		}
	}
	if pep440.SameVersion("1.0", "1.0.post1") || pep440.SameVersion("1.0", "1.1") {
		t.Error("sameVersion too lax")
	}
	if filenameMatches("foo-1.0.tar.gz", "foo-bar") || filenameMatches("foo-1.0.exe", "foo") || filenameMatches("foobar-1.0.tar.gz", "foo") {
		t.Error("filenameMatches too lax")
	}
}

func TestCachePolicy(t *testing.T) {
	for cc, want := range map[string][3]any{
		"":                             {true, int64(0), false},
		"max-age=600, public":          {true, int64(600), false},
		"max-age=365000000, immutable": {true, int64(365000000), true},
		"no-store":                     {false, int64(0), false},
		"no-cache, max-age=600":        {true, int64(-1), false},
		`max-age="30"`:                 {true, int64(30), false},
	} {
		h := map[string][]string{"Cache-Control": {cc}}
		s, m, i := cachePolicy(h)
		if s != want[0] || m != want[1] || i != want[2] {
			t.Errorf("%q: %v %v %v", cc, s, m, i)
		}
	}
}

// parseMetadataOracle is ParseMetadata as it was before it stopped copying
// the body: the reference FuzzParseMetadata compares with.
func parseMetadataOracle(data []byte) (*Metadata, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	var fields [][2]string
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			if len(fields) > 0 {
				break // body follows
			}
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(fields) == 0 {
				return nil, fmt.Errorf("%w: continuation line before any field", ErrInvalidMetadata)
			}
			last := &fields[len(fields)-1]
			if strings.TrimSpace(last[1]) == "" {
				last[1] = strings.TrimSpace(line)
			} else {
				last[1] += " " + strings.TrimSpace(line)
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(k, " \t") {
			if len(fields) == 0 {
				return nil, fmt.Errorf("%w: line %q is not a field", ErrInvalidMetadata, truncate(line, 60))
			}
			break // malformed header ends the header section, as in email.parser
		}
		fields = append(fields, [2]string{strings.ToLower(k), strings.TrimSpace(v)})
	}
	m := &Metadata{}
	for _, f := range fields {
		switch f[0] {
		case "metadata-version":
			m.MetadataVersion = f[1]
		case "name":
			m.Name = f[1]
		case "version":
			m.Version = f[1]
		case "requires-dist":
			m.RequiresDist = append(m.RequiresDist, f[1])
		case "requires-python":
			m.RequiresPython = f[1]
		case "provides-extra":
			m.ProvidesExtra = append(m.ProvidesExtra, f[1])
		case "dynamic":
			m.Dynamic = append(m.Dynamic, f[1])
		}
	}
	if m.Name == "" || m.Version == "" {
		return nil, fmt.Errorf("%w: missing Name or Version", ErrInvalidMetadata)
	}
	return m, nil
}

// ParseMetadata gives what the straightforward parser gives, errors
// included.
func FuzzParseMetadata(f *testing.F) {
	for _, s := range []string{
		"Metadata-Version: 2.1\nName: a\nVersion: 1.0\nRequires-Dist: b>=1\n\nbody: x\n",
		"\ufeffName: a\r\nVersion: 1\r\n\r\nRequires-Dist: body\r\n",
		"Name: a\nVersion: 1\nRequires-Dist: b;\n  extra == 'x'\n \t\nProvides-Extra: x\n",
		"  cont\nName: a\n", "bad line\nName: a\n", "Name: a\nbad line\nVersion: 1\n",
		"\n\n\nNAME: a\nVERSION: 1\nDYNAMIC: x\nrequires-python: >=3\n",
		"Name: a\r\r\nVersion: 1\r\n\r\r\nRequires-Dist: c\n", "Requİres-Dist: x\nName: a\nVersion: 1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseMetadata(data)
		want, werr := parseMetadataOracle(data)
		if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
			t.Fatalf("error %v, want %v", err, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v\nwant %+v", got, want)
		}
	})
}
