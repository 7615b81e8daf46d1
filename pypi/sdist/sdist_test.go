package sdist

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pylock/pylock/pypi/index"
)

type ent struct {
	name string
	body string
	typ  byte // tar typeflag; 0 = regular
	link string
}

func tarGz(t testing.TB, ents []ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range ents {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg, Linkname: e.link}
		if e.typ != 0 {
			h.Typeflag = e.typ
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func zipOf(t testing.TB, ents []ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range ents {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	zw.Close()
	return buf.Bytes()
}

const pkginfo11 = "Metadata-Version: 1.1\nName: docopt\nVersion: 0.6.2\n\nlong description\n"
const pkginfo22 = "Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nRequires-Python: >=3.8\nRequires-Dist: idna>=2\nProvides-Extra: socks\nRequires-Dist: pysocks; extra == \"socks\"\n"
const pkginfo22Dyn = "Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nDynamic: Requires-Dist\n"
const pyprojectStatic = `[build-system]
requires = ["flit_core>=3.2"]
build-backend = "flit_core.buildapi"

[project]
name = "Demo"
version = "1.0"
requires-python = ">=3.9"
dependencies = ["idna>=2", "colorama; sys_platform == 'win32'"]
dynamic = ["readme"]

[project.optional-dependencies]
Socks = ["pysocks>=1.5", "win-inet-pton; sys_platform == 'win32' or python_version < '3'"]
url = ["pkg @ https://example.com/pkg-1.0.tar.gz"]
`

func TestStatic(t *testing.T) {
	tests := []struct {
		name    string
		files   Files
		version string
		src     Source
		want    *index.Metadata
		build   string // substring of the NeedsBuildError
		err     string // substring of another error
	}{
		{name: "pkginfo 2.2", files: Files{PKGINFO: []byte(pkginfo22)}, src: SourcePKGINFO,
			want: &index.Metadata{MetadataVersion: "2.2", Name: "demo", Version: "1.0", RequiresPython: ">=3.8",
				RequiresDist: []string{"idna>=2", `pysocks; extra == "socks"`}, ProvidesExtra: []string{"socks"}}},
		{name: "pkginfo 1.1 alone", files: Files{PKGINFO: []byte(pkginfo11)}, build: `Metadata-Version "1.1"`},
		{name: "pkginfo dynamic", files: Files{PKGINFO: []byte(pkginfo22Dyn)}, build: "marks Requires-Dist as Dynamic"},
		{name: "pkginfo 1.1 + static pyproject", files: Files{PKGINFO: []byte(strings.Replace(pkginfo11, "docopt", "demo", 1)), Pyproject: []byte(pyprojectStatic)},
			src: SourcePyproject,
			want: &index.Metadata{MetadataVersion: "2.2", Name: "Demo", Version: "1.0", RequiresPython: ">=3.9",
				RequiresDist: []string{"idna>=2", "colorama; sys_platform == 'win32'",
					`pysocks>=1.5; extra == "socks"`,
					`win-inet-pton; (sys_platform == "win32" or python_version < "3") and extra == "socks"`,
					`pkg @ https://example.com/pkg-1.0.tar.gz ; extra == "url"`},
				ProvidesExtra: []string{"socks", "url"}}},
		{name: "pyproject dynamic deps", files: Files{Pyproject: []byte("[project]\nname='x'\nversion='1'\ndynamic=['dependencies']\n")},
			build: "lists dependencies in [project].dynamic"},
		{name: "pyproject dynamic version, filename version", files: Files{Pyproject: []byte("[project]\nname='x'\ndynamic=['version']\n")},
			version: "2.0", src: SourcePyproject, want: &index.Metadata{MetadataVersion: "2.2", Name: "x", Version: "2.0"}},
		{name: "pyproject dynamic version, tree", files: Files{Pyproject: []byte("[project]\nname='x'\ndynamic=['version']\n")},
			build: "lists version in [project].dynamic"},
		{name: "pyproject without project", files: Files{Pyproject: []byte("[build-system]\nrequires=['setuptools']\n")},
			build: "no [project] table"},
		{name: "nothing", build: "no PKG-INFO; no pyproject.toml"},
		{name: "bad toml", files: Files{Pyproject: []byte("[project\nname='x'\n")}, err: "pyproject.toml:1:"},
		{name: "bad dependency", files: Files{Pyproject: []byte("[project]\nname='x'\nversion='1'\ndependencies=['x >>> 1']\n")},
			err: `[project].dependencies: "x >>> 1"`},
		{name: "bad requires-python", files: Files{Pyproject: []byte("[project]\nname='x'\nversion='1'\nrequires-python='three'\n")},
			err: `requires-python: "three"`},
		{name: "bad pkginfo", files: Files{PKGINFO: []byte("garbage\n")}, err: "PKG-INFO:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, src, err := Static(tc.files, tc.version)
			var nb *NeedsBuildError
			switch {
			case tc.build != "":
				if !errors.As(err, &nb) || !errors.Is(err, index.ErrNeedsBuild) || !strings.Contains(err.Error(), tc.build) {
					t.Fatalf("err = %v, want NeedsBuildError containing %q", err, tc.build)
				}
			case tc.err != "":
				if err == nil || errors.As(err, &nb) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want error containing %q", err, tc.err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if src != tc.src {
					t.Errorf("source = %q, want %q", src, tc.src)
				}
				if diff := cmp.Diff(tc.want, m); diff != "" {
					t.Errorf("metadata (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestStaticArchive(t *testing.T) {
	ents := []ent{
		{name: "demo-1.0/", typ: tar.TypeDir},
		{name: "demo-1.0/PKG-INFO", body: pkginfo22},
		{name: "demo-1.0/demo.egg-info/PKG-INFO", body: pkginfo11},
		{name: "demo-1.0/setup.py", body: "raise SystemExit"},
	}
	for _, kind := range []string{"demo-1.0.tar.gz", "demo-1.0.zip"} {
		t.Run(kind, func(t *testing.T) {
			var data []byte
			if strings.HasSuffix(kind, ".zip") {
				data = zipOf(t, ents)
			} else {
				data = tarGz(t, ents)
			}
			m, src, err := StaticArchive(kind, bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if src != SourcePKGINFO || m.Name != "demo" || len(m.RequiresDist) != 2 {
				t.Errorf("got %q %+v", src, m)
			}
		})
	}
	// Metadata-Version 1.1 with a dynamic-version pyproject: version from PKG-INFO.
	data := tarGz(t, []ent{
		{name: "x-3.1/PKG-INFO", body: "Metadata-Version: 1.1\nName: x\nVersion: 3.1\n"},
		{name: "x-3.1/pyproject.toml", body: "[project]\nname='x'\ndynamic=['version']\ndependencies=['a']\n"},
	})
	m, src, err := StaticArchive("x-3.1.tar.gz", bytes.NewReader(data), int64(len(data)))
	if err != nil || src != SourcePyproject || m.Version != "3.1" || len(m.RequiresDist) != 1 {
		t.Fatalf("got %v %q %+v", err, src, m)
	}
	// Needs a build: old PKG-INFO only.
	data = tarGz(t, []ent{{name: "docopt-0.6.2/PKG-INFO", body: pkginfo11}, {name: "docopt-0.6.2/setup.py", body: ""}})
	_, _, err = StaticArchive("docopt-0.6.2.tar.gz", bytes.NewReader(data), int64(len(data)))
	if !errors.Is(err, index.ErrNeedsBuild) || !strings.Contains(err.Error(), "docopt-0.6.2.tar.gz") {
		t.Fatalf("err = %v", err)
	}
}

func TestUnpack(t *testing.T) {
	data := tarGz(t, []ent{
		{name: "./demo-1.0/", typ: tar.TypeDir},
		{name: "./demo-1.0/setup.py", body: "print(1)"},
		{name: "demo-1.0/pkg/__init__.py", body: "x = 1"},
		{name: "demo-1.0/evil", typ: tar.TypeSymlink, link: "/etc/passwd"},
		{name: "demo-1.0/hard", typ: tar.TypeLink, link: "demo-1.0/setup.py"},
	})
	dest := t.TempDir()
	root, err := Unpack("demo-1.0.tar.gz", bytes.NewReader(data), int64(len(data)), dest, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if root != filepath.Join(dest, "demo-1.0") {
		t.Errorf("root = %s", root)
	}
	if b, err := os.ReadFile(filepath.Join(root, "pkg", "__init__.py")); err != nil || string(b) != "x = 1" {
		t.Errorf("pkg/__init__.py = %q, %v", b, err)
	}
	for _, n := range []string{"evil", "hard"} {
		if _, err := os.Lstat(filepath.Join(root, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("link %s was materialised (%v)", n, err)
		}
	}
}

func TestUnpackRefuses(t *testing.T) {
	big := strings.Repeat("x", 1000)
	tests := []struct {
		name string
		data func(t *testing.T) []byte
		file string
		lim  Limits
		want string
	}{
		{"dotdot tar", func(t *testing.T) []byte { return tarGz(t, []ent{{name: "a-1/../../etc/x", body: "x"}}) }, "a-1.tar.gz", DefaultLimits, `".." in path`},
		{"absolute tar", func(t *testing.T) []byte { return tarGz(t, []ent{{name: "/etc/x", body: "x"}}) }, "a-1.tar.gz", DefaultLimits, "absolute path"},
		{"dotdot zip", func(t *testing.T) []byte { return zipOf(t, []ent{{name: "../x", body: "x"}}) }, "a-1.zip", DefaultLimits, `".." in path`},
		{"backslash zip", func(t *testing.T) []byte { return zipOf(t, []ent{{name: "a\\..\\..\\x", body: "x"}}) }, "a-1.zip", DefaultLimits, "backslash"},
		{"drive zip", func(t *testing.T) []byte { return zipOf(t, []ent{{name: "C:/x", body: "x"}}) }, "a-1.zip", DefaultLimits, "drive letter"},
		{"file too big", func(t *testing.T) []byte { return tarGz(t, []ent{{name: "a-1/x", body: big}}) }, "a-1.tar.gz", Limits{10, 100, 1 << 20}, "limit 100"},
		{"total too big", func(t *testing.T) []byte {
			return zipOf(t, []ent{{name: "a-1/x", body: big}, {name: "a-1/y", body: big}})
		}, "a-1.zip", Limits{10, 1 << 20, 1500}, "over the limit"},
		{"too many", func(t *testing.T) []byte {
			return tarGz(t, []ent{{name: "a-1/x"}, {name: "a-1/y"}, {name: "a-1/z"}})
		}, "a-1.tar.gz", Limits{2, 1 << 20, 1 << 20}, "more than 2 members"},
		{"not gzip", func(t *testing.T) []byte { return []byte("plain text") }, "a-1.tar.gz", DefaultLimits, "bad gzip"},
		{"unknown type", func(t *testing.T) []byte { return []byte("x") }, "a-1.rar", DefaultLimits, "unsupported sdist archive type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data(t)
			dest := t.TempDir()
			_, err := Unpack(tc.file, bytes.NewReader(data), int64(len(data)), filepath.Join(dest, "out"), tc.lim)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.file) {
				t.Fatalf("err = %v, want it to contain %q and the file name", err, tc.want)
			}
			// Nothing escaped dest.
			if _, err := os.Stat(filepath.Join(dest, "x")); err == nil {
				t.Error("a member was written outside the destination")
			}
		})
	}
}

func TestStaticDir(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := StaticDir(dir); !errors.Is(err, ErrNotProject) {
		t.Fatalf("empty dir: err = %v", err)
	}
	os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(pyprojectStatic), 0o644)
	m, src, err := StaticDir(dir)
	if err != nil || src != SourcePyproject || m.Name != "Demo" {
		t.Fatalf("got %v %q %+v", err, src, m)
	}
	os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname='x'\ndynamic=['version']\n"), 0o644)
	if _, _, err := StaticDir(dir); !errors.Is(err, index.ErrNeedsBuild) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("dynamic version: err = %v", err)
	}
}
