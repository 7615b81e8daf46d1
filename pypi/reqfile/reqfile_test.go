package reqfile

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// memFS is a virtual file system for includes.
type memFS map[string]string

func (m memFS) options(env map[string]string) Options {
	return Options{
		ReadFile: func(p string) ([]byte, error) {
			if s, ok := m[filepath.ToSlash(p)]; ok {
				return []byte(s), nil
			}
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
		},
		LookupEnv: func(n string) (string, bool) { v, ok := env[n]; return v, ok },
	}
}

func parseString(t *testing.T, s string) *File {
	t.Helper()
	f, err := Parse("requirements.txt", []byte(s), memFS{}.options(nil))
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return f
}

func raws(es []Entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Raw)
	}
	return out
}

func TestCommentsAndContinuations(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		line []int
	}{
		{"a\nb\n", []string{"a", "b"}, []int{1, 2}},
		{"# comment\n\n  # indented comment\na", []string{"a"}, []int{4}},
		{"a # trailing\nb\t# tab", []string{"a", "b"}, []int{1, 2}},
		{"a#not-a-comment", []string{"a#not-a-comment"}, []int{1}}, // then pep508 decides
		{"x @ https://h/x.whl#sha256=00", []string{"x @ https://h/x.whl#sha256=00"}, []int{1}},
		{"a>=1,\\\n<2", []string{"a>=1,<2"}, []int{1}},
		{"a>=1 \\\n  <2 \\\n  ,>0\nb", []string{"a>=1   <2   ,>0"}, []int{1}}, // invalid spec but raw is what pip builds
		{"\\a\\\nb", []string{"ab"}, []int{1}},                                // pip strips leading "\" too
		{"a \\\n# comment ends it\nb", []string{"a", "b"}, []int{1, 3}},
		{"# comment \\\nb", []string{"b"}, []int{2}}, // comment lines never continue
		{"a \\", []string{"a"}, []int{1}},            // continuation at end of file
		{"a\r\nb\rc\fd\u0085e\u2028f\vg\x1ch", []string{"a", "b", "c", "d", "e", "f", "g", "h"}, []int{1, 2, 3, 4, 5, 6, 7, 8}},
		{"\ufeffa", []string{"a"}, []int{1}},
		{"  a  \n\t\n\u3000b\u00a0", []string{"a", "b"}, []int{1, 3}},
	} {
		f, err := Parse("requirements.txt", []byte(c.in), memFS{}.options(nil))
		if c.in == "a>=1 \\\n  <2 \\\n  ,>0\nb" {
			if err == nil || !strings.HasPrefix(err.Error(), `requirements.txt:1:2: invalid requirement "a>=1   <2   ,>0"`) {
				t.Errorf("%q: err = %v", c.in, err)
			}
			continue
		}
		if c.in == "a#not-a-comment" {
			if err == nil || !strings.Contains(err.Error(), `"a#not-a-comment"`) {
				t.Errorf("%q: err = %v", c.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got := raws(f.Requirements); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
		var lines []int
		for _, e := range f.Requirements {
			lines = append(lines, e.Line)
		}
		if !reflect.DeepEqual(lines, c.line) {
			t.Errorf("%q: lines %v, want %v", c.in, lines, c.line)
		}
	}
}

func TestEnvVars(t *testing.T) {
	env := map[string]string{"HOST": "pypi.example", "TOKEN": "s3cret", "EMPTY": "", "V": "2.0"}
	for _, c := range []struct {
		in, wantRaw, wantIndex string
		warn                   int
	}{
		{"foo==${V}", "foo==2.0", "", 0},
		{"-i https://u:${TOKEN}@${HOST}/simple", "", "https://u:s3cret@pypi.example/simple", 0},
		{"-i https://${MISSING}/simple", "", "https://${MISSING}/simple", 1},
		{"-i https://${EMPTY}x/simple", "", "https://${EMPTY}x/simple", 1},
		{"-i https://$HOST/simple", "", "https://$HOST/simple", 0},     // only ${NAME}
		{"-i https://${host}/simple", "", "https://${host}/simple", 0}, // only [A-Z0-9_]
		{"-i https://${HOST}/${HOST}", "", "https://pypi.example/pypi.example", 0},
	} {
		f, err := Parse("r.txt", []byte(c.in), memFS{}.options(env))
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if c.wantRaw != "" && (len(f.Requirements) != 1 || f.Requirements[0].Raw != c.wantRaw) {
			t.Errorf("%q: requirements %q, want %q", c.in, raws(f.Requirements), c.wantRaw)
		}
		if f.IndexURL != c.wantIndex {
			t.Errorf("%q: IndexURL %q, want %q", c.in, f.IndexURL, c.wantIndex)
		}
		if len(f.Warnings) != c.warn {
			t.Errorf("%q: warnings %v, want %d", c.in, f.Warnings, c.warn)
		}
	}
}

func TestIndexOptions(t *testing.T) {
	f := parseString(t, strings.Join([]string{
		"--extra-index-url https://a/simple",
		"--index-url=https://main/simple",
		"--extra-index-url=https://b/simple",
		"--extra-index https://c/simple", // unique prefix, like optparse
		"-f ./wheels",
		"--find-links=https://h/links",
		"-fhttps://h/attached",
		"--pre",
		"--prefer-binary",
		"--require-hashes",
		"--trusted-host h --trusted-host=g",
		"--pypi-url https://alias/simple --extra-index-url https://d/simple",
	}, "\n"))
	want := File{
		IndexURL:       "https://alias/simple",
		ExtraIndexURLs: []string{"https://d/simple"}, // a later -i drops earlier extras, as in pip
		FindLinks:      []string{"wheels", "https://h/links", "https://h/attached"},
		TrustedHosts:   []string{"h", "g"},
		Pre:            true, PreferBinary: true, RequireHashes: true,
	}
	got := File{IndexURL: f.IndexURL, ExtraIndexURLs: f.ExtraIndexURLs, FindLinks: f.FindLinks, TrustedHosts: f.TrustedHosts,
		Pre: f.Pre, PreferBinary: f.PreferBinary, RequireHashes: f.RequireHashes}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	f = parseString(t, "-i https://a\n--extra-index-url https://b\n--no-index\n-i https://c\n--extra-index-url https://d")
	if !f.NoIndex || f.IndexURL != "" || f.ExtraIndexURLs != nil {
		t.Errorf("--no-index: %+v", f)
	}

	f, err := Parse("sub/dir/requirements.txt", []byte("-f ../wheels\n-f /abs\n-f file:///x"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.FromSlash("sub/wheels"), "/abs", "file:///x"}; !reflect.DeepEqual(f.FindLinks, want) {
		t.Errorf("find-links %q, want %q", f.FindLinks, want)
	}
}

func TestFormatControl(t *testing.T) {
	for _, c := range []struct {
		lines      []string
		no, only   []string
		pkg        string
		bin, src   bool
		wantErrSub string
	}{
		{[]string{"--no-binary :all:"}, []string{":all:"}, nil, "numpy", false, true, ""},
		{[]string{"--only-binary=:all:"}, nil, []string{":all:"}, "numpy", true, false, ""},
		{[]string{"--only-binary :all:", "--no-binary Foo_Bar,numpy"}, []string{"foo-bar", "numpy"}, []string{":all:"}, "foo.bar", false, true, ""},
		{[]string{"--only-binary :all:", "--no-binary numpy"}, []string{"numpy"}, []string{":all:"}, "scipy", true, false, ""},
		{[]string{"--no-binary numpy", "--only-binary numpy"}, nil, []string{"numpy"}, "numpy", true, false, ""},
		{[]string{"--no-binary a,b", "--no-binary :none:"}, nil, nil, "a", true, true, ""},
		{[]string{"--only-binary a", "--no-binary :all:"}, []string{":all:"}, nil, "a", false, true, ""}, // :all: clears the other list
		{[]string{"--no-binary :all:,:none:,x"}, []string{"x"}, nil, "y", true, true, ""},
		{[]string{"--no-binary=-x"}, nil, nil, "", false, false, "needs a value"},
	} {
		f, err := Parse("r.txt", []byte(strings.Join(c.lines, "\n")), Options{})
		if c.wantErrSub != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErrSub) {
				t.Errorf("%q: err %v, want %q", c.lines, err, c.wantErrSub)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.lines, err)
			continue
		}
		if !reflect.DeepEqual(f.NoBinary, c.no) || !reflect.DeepEqual(f.OnlyBinary, c.only) {
			t.Errorf("%q: no=%q only=%q, want no=%q only=%q", c.lines, f.NoBinary, f.OnlyBinary, c.no, c.only)
		}
		if bin, src := f.Allowed(c.pkg); bin != c.bin || src != c.src {
			t.Errorf("%q: Allowed(%q) = %v,%v want %v,%v", c.lines, c.pkg, bin, src, c.bin, c.src)
		}
	}
}

const (
	h1 = "sha256:0000000000000000000000000000000000000000000000000000000000000001"
	h2 = "sha256:0000000000000000000000000000000000000000000000000000000000000002"
)

func TestHashes(t *testing.T) {
	f := parseString(t, "foo==1.0 \\\n    --hash="+h1+" \\\n    --hash "+h2+"\nbar==2 --hash="+h1+"\n--hash="+h2)
	if got := f.Requirements[0].Hashes; !reflect.DeepEqual(got, []string{h1, h2}) {
		t.Errorf("hashes %q", got)
	}
	if f.Requirements[0].Raw != "foo==1.0" || f.Requirements[1].Raw != "bar==2" {
		t.Errorf("raw %q", raws(f.Requirements))
	}
	if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0].Error(), "r.txt:6:1: --hash without a requirement") && !strings.Contains(f.Warnings[0].Error(), "--hash without a requirement") {
		t.Errorf("warnings %v", f.Warnings)
	}
	sha512 := "sha512:" + strings.Repeat("ab", 64)
	f = parseString(t, "foo --hash="+sha512)
	if f.Requirements[0].Hashes[0] != sha512 {
		t.Errorf("sha512 %q", f.Requirements[0].Hashes)
	}
	for _, bad := range []string{"--hash=sha256", "--hash=md5:00", "--hash=sha256:00", "--hash=sha256:" + strings.Repeat("A", 64)} {
		if _, err := Parse("r.txt", []byte("foo "+bad), Options{}); err == nil || !strings.HasPrefix(err.Error(), "requirements.txt") && !strings.HasPrefix(err.Error(), "r.txt:1:5: invalid ") {
			t.Errorf("%s: err %v", bad, err)
		}
	}
}

func TestRequirementKinds(t *testing.T) {
	type res struct {
		name, url       string
		editable, local bool
	}
	for _, c := range []struct {
		in   string
		want res
	}{
		{"requests[socks]>=2.0", res{name: "requests"}},
		{"requests (>=2.0)", res{name: "requests"}},
		{"name @ https://h/name-1.0.tar.gz", res{name: "name", url: "https://h/name-1.0.tar.gz"}},
		{"name @ https://h/x.whl;python_version>='3'", res{name: "name", url: "https://h/x.whl"}},
		{"name @ file:///src/name", res{name: "name", url: "file:///src/name", local: true}},
		{"https://h/p/Foo_Bar-1.0-py3-none-any.whl", res{name: "Foo_Bar", url: "https://h/p/Foo_Bar-1.0-py3-none-any.whl"}},
		{"https://h/p/pkg.tar.gz#egg=pkg", res{name: "pkg", url: "https://h/p/pkg.tar.gz#egg=pkg"}},
		{"git+https://github.com/o/r.git@v1#egg=r", res{name: "r", url: "git+https://github.com/o/r.git@v1#egg=r"}},
		{"https://h/x.whl ; python_version < \"3.12\"", res{url: "https://h/x.whl"}}, // no name: error, checked below
		{"./pkg", res{local: true}},
		{".", res{local: true}},
		{"../dist/foo-1.0-py3-none-any.whl", res{name: "foo", local: true}},
		{"foo-1.0.tar.gz", res{name: "foo", local: true}},
		{`C:\src\pkg`, res{local: true}},
		{"./pkg[extra] ; python_version < \"3.12\"", res{local: true}},
		{"file:///abs/foo-1.0-py3-none-any.whl", res{name: "foo", url: "file:///abs/foo-1.0-py3-none-any.whl", local: true}},
		{"file:///srv/src/project", res{url: "file:///srv/src/project", local: true}},
		{"-e ./pkg", res{editable: true, local: true}},
		{"--editable=.[dev]", res{editable: true, local: true}},
		{"-e git+https://h/o/r.git#egg=r", res{name: "r", url: "git+https://h/o/r.git#egg=r", editable: true}},
		{"-e file:///src/x#egg=x", res{name: "x", url: "file:///src/x#egg=x", editable: true, local: true}},
	} {
		f, err := Parse("r.txt", []byte(c.in), Options{})
		if c.want.name == "" && !c.want.local && !c.want.editable {
			if err == nil || !strings.Contains(err.Error(), "cannot tell the project name") {
				t.Errorf("%q: err %v", c.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		e := f.Requirements[0]
		got := res{e.Requirement.Name, e.Requirement.URL, e.Editable, e.LocalPath}
		if got != c.want {
			t.Errorf("%q: got %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestMarkerSplitLikePip(t *testing.T) {
	// pip splits the marker off at the first ";" before parsing, so an empty
	// marker is fine and a URL may be followed directly by ";".
	f := parseString(t, "foo ;\nbar @ https://h/bar.whl;python_version < \"3.12\"")
	if !f.Requirements[0].Requirement.Marker.IsTrue() {
		t.Errorf("foo ; has a marker")
	}
	if b := f.Requirements[1].Requirement; b.URL != "https://h/bar.whl" || b.Marker.String() != `python_version < "3.12"` {
		t.Errorf("bar: url %q marker %q", b.URL, b.Marker.String())
	}
}

func TestPerRequirementOptions(t *testing.T) {
	f := parseString(t, "foo --config-settings=k=v -C x=y --global-option=--quiet\n-e ./p --config-settings k=v")
	if got := f.Requirements[0].Options; !reflect.DeepEqual(got, []string{"--config-settings=k=v", "-C x=y", "--global-option=--quiet"}) {
		t.Errorf("options %q", got)
	}
	if got := f.Requirements[1].Options; !reflect.DeepEqual(got, []string{"--config-settings k=v"}) {
		t.Errorf("editable options %q", got)
	}
	f = parseString(t, "--use-feature=truststore\n--global-option x")
	if len(f.Warnings) != 2 {
		t.Errorf("warnings %v", f.Warnings)
	}
}

func TestShlexOptions(t *testing.T) {
	f := parseString(t, `--index-url "https://h/a b" --extra-index-url 'https://h/c d' --trusted-host h\ x --trusted-host "q\"uote"`)
	if f.IndexURL != "https://h/a b" || f.ExtraIndexURLs[0] != "https://h/c d" || !reflect.DeepEqual(f.TrustedHosts, []string{"h x", `q"uote`}) {
		t.Errorf("got %q %q %q", f.IndexURL, f.ExtraIndexURLs, f.TrustedHosts)
	}
}

func TestIncludes(t *testing.T) {
	files := memFS{
		"proj/requirements.txt":     "-r base/base.txt\n--constraint ../constraints.txt\napp==1",
		"proj/base/base.txt":        "# base\nlib>=1\n-r more.txt",
		"proj/base/more.txt":        "more==2\n--pre",
		"constraints.txt":           "lib<2\n-r reqs-from-constraints.txt\n-c proj/base/cons2.txt",
		"reqs-from-constraints.txt": "extra-req",
		"proj/base/cons2.txt":       "more<3",
	}
	f, err := Parse("proj/requirements.txt", []byte(files["proj/requirements.txt"]), files.options(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := raws(f.Requirements), []string{"lib>=1", "more==2", "extra-req", "app==1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("requirements %q, want %q", got, want)
	}
	if got, want := raws(f.Constraints), []string{"lib<2", "more<3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("constraints %q, want %q", got, want)
	}
	wantFiles := []string{"proj/requirements.txt", "proj/base/base.txt", "proj/base/more.txt", "constraints.txt", "reqs-from-constraints.txt", "proj/base/cons2.txt"}
	for i := range wantFiles {
		wantFiles[i] = filepath.FromSlash(wantFiles[i])
	}
	if !reflect.DeepEqual(f.Files, wantFiles) {
		t.Errorf("files %q, want %q", f.Files, wantFiles)
	}
	if !f.Pre {
		t.Errorf("--pre from an included file was lost")
	}
	if e := f.Requirements[1]; e.File != filepath.FromSlash("proj/base/more.txt") || e.Line != 1 {
		t.Errorf("more==2 at %s:%d", e.File, e.Line)
	}
}

func TestIncludeErrors(t *testing.T) {
	cycle := memFS{"a.txt": "x\n-r sub/b.txt", "sub/b.txt": "-r ../a.txt"}
	for _, c := range []struct {
		files memFS
		top   string
		want  string
	}{
		{cycle, "a.txt", `sub/b.txt:1:1: include cycle: a.txt -> sub/b.txt -> a.txt: "-r ../a.txt"`},
		{memFS{"a.txt": "-r a.txt"}, "a.txt", `a.txt:1:1: include cycle: a.txt -> a.txt: "-r a.txt"`},
		{memFS{"a.txt": "  -c missing.txt"}, "a.txt", `a.txt:1:3: cannot read included file "missing.txt": file does not exist`},
		{memFS{"a.txt": "-r https://h/r.txt"}, "a.txt", `a.txt:1:1: cannot include "-r https://h/r.txt": pylock does not download requirement files; fetch it and pass the local path`},
		{memFS{"a.txt": "-r x.txt -r y.txt"}, "a.txt", `a.txt:1:10: put -r/-c alone on its line (pip would ignore this): "-r y.txt"`},
		{memFS{"a.txt": "-r x.txt --pre"}, "a.txt", `a.txt:1:10: put -r/-c alone on its line (pip would ignore this): "--pre"`},
	} {
		_, err := Parse(c.top, []byte(c.files[c.top]), c.files.options(nil))
		if err == nil || filepath.ToSlash(err.Error()) != c.want {
			t.Errorf("got  %v\nwant %s", err, c.want)
		}
		var re *Error
		if !errors.As(err, &re) {
			t.Errorf("%v is not an *Error", err)
		}
	}
	f, err := Parse("a.txt", []byte("-r file:///etc/r.txt"), memFS{"/etc/r.txt": "x"}.options(nil))
	if err != nil || raws(f.Requirements)[0] != "x" {
		t.Errorf("file: include: %v", err)
	}
	// A diamond (the same file included twice, no cycle) is read twice, as pip does.
	d := memFS{"a.txt": "-r b.txt\n-r b.txt", "b.txt": "x"}
	f, err = Parse("a.txt", []byte(d["a.txt"]), d.options(nil))
	if err != nil || len(f.Requirements) != 2 || len(f.Files) != 2 {
		t.Errorf("diamond: %v %q %q", err, raws(f.Requirements), f.Files)
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"foo\n\n  foo>>1", `requirements.txt:3:6: invalid requirement "foo>>1": `},
		{"foo=1.0", `requirements.txt:1:4: invalid requirement "foo=1.0": `},
		{"--frobnicate", `requirements.txt:1:1: unknown option "--frobnicate"`},
		{"--pre -x", `requirements.txt:1:7: unknown option "-x"`},
		{"--p", `requirements.txt:1:1: ambiguous option (could be --pre, --prefer-binary, --pypi-url): "--p"`},
		{"--index-url", `requirements.txt:1:1: option requires a value: "--index-url"`},
		{"--pre=yes", `requirements.txt:1:1: option takes no value: "--pre"`},
		{"foo --pre", `requirements.txt:1:5: option not allowed on a requirement line (pip would ignore it): "--pre"`},
		{"foo -i https://x", `requirements.txt:1:5: option not allowed on a requirement line (pip would ignore it): "-i"`},
		{"-e ./a -e ./b", `requirements.txt:1:8: only one -e per line (pip would ignore the rest): "-e ./b"`},
		{"-e ./a --pre", `requirements.txt:1:8: option not allowed on an -e line (pip would ignore it): "--pre"`},
		{"--pre stray", `requirements.txt:1:7: unexpected argument (pip would ignore it) "stray"`},
		{"--index-url 'https://x", `requirements.txt:1:1: cannot split options "--index-url 'https://x": no closing quotation`},
		{"a \\\n  --frob", `requirements.txt:2:3: unknown option "--frob"`},
		{"https://h/x.tar.gz", `requirements.txt:1:1: invalid requirement "https://h/x.tar.gz": cannot tell the project name from the URL; write it as "name @ https://h/x.tar.gz"`},
		{"ok\nbad\xffbyte", `requirements.txt:2:4: cannot decode file: not valid UTF-8 (save the file as UTF-8)`},
	} {
		_, err := Parse("requirements.txt", []byte(c.in), memFS{}.options(nil))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %s", c.in, err, c.want)
		}
	}
	_, err := Parse("requirements.txt", []byte("foo=1.0"), Options{})
	if err == nil || !strings.Contains(err.Error(), "did you mean ==?") {
		t.Errorf("no == hint: %v", err)
	}
}

func TestDecode(t *testing.T) {
	utf16le := []byte{0xFF, 0xFE, 'a', 0, '\n', 0, 'b', 0}
	utf16be := []byte{0xFE, 0xFF, 0, 'a', 0, '\n', 0, 'b'}
	for _, in := range [][]byte{utf16le, utf16be, []byte("\xEF\xBB\xBFa\nb")} {
		f, err := Parse("r.txt", in, Options{})
		if err != nil || !reflect.DeepEqual(raws(f.Requirements), []string{"a", "b"}) {
			t.Errorf("%q: %v %v", in, err, f)
		}
	}
}

func TestParseFile(t *testing.T) {
	if _, err := ParseFile("testdata/does-not-exist.txt", Options{}); err == nil || err.Error() != "testdata/does-not-exist.txt: cannot read file: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	f, err := ParseFile("testdata/includes/requirements.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Files) != 4 || len(f.Requirements) == 0 || len(f.Constraints) == 0 {
		t.Errorf("files %q requirements %q constraints %q", f.Files, raws(f.Requirements), raws(f.Constraints))
	}
	_, err = ParseFile("testdata/cycle/a.txt", Options{})
	if err == nil || !strings.Contains(filepath.ToSlash(err.Error()), "include cycle: testdata/cycle/a.txt -> testdata/cycle/nested/b.txt -> testdata/cycle/a.txt") {
		t.Errorf("cycle: %v", err)
	}
}

func TestEntryErrorf(t *testing.T) {
	f := parseString(t, "\n  -e ./pkg")
	err := f.Requirements[0].Errorf("editable requirements are not supported:")
	if got := err.Error(); got != `requirements.txt:2:3: editable requirements are not supported: "./pkg"` {
		t.Errorf("got %s", got)
	}
}

// withOS makes o read the real file system (keeping its LookupEnv).
func (o Options) withOS() Options {
	o.ReadFile = nil
	return o
}
