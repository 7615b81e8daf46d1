package reqfile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseDirectRef(t *testing.T) {
	for _, c := range []struct {
		in, dir string
		want    DirectRef
		extras  []string
	}{
		{"https://h/x-1.0-py3-none-any.whl", "", DirectRef{Kind: RefArchive, URL: "https://h/x-1.0-py3-none-any.whl"}, nil},
		{"https://h/x-1.0.tar.gz#sha256=AB&subdirectory=a/./b", "", DirectRef{Kind: RefArchive, URL: "https://h/x-1.0.tar.gz", Subdirectory: "a/b", Hashes: []string{"sha256:ab"}}, nil},
		{"git+https://h/o/r.git@v1.0", "", DirectRef{Kind: RefVCS, VCS: "git", URL: "https://h/o/r.git", Ref: "v1.0"}, nil},
		{"git+ssh://git@h/o/r.git", "", DirectRef{Kind: RefVCS, VCS: "git", URL: "ssh://git@h/o/r.git"}, nil},
		{"git+ssh://git@h/o/r.git@feature/x#subdirectory=py", "", DirectRef{Kind: RefVCS, VCS: "git", URL: "ssh://git@h/o/r.git", Ref: "feature/x", Subdirectory: "py"}, nil},
		{"git+file:///srv/repo@0123abc", "", DirectRef{Kind: RefVCS, VCS: "git", URL: "file:///srv/repo", Ref: "0123abc"}, nil},
		{"file:///srv/pkg", "d", DirectRef{Kind: RefDirectory, Path: "/srv/pkg"}, nil},
		{"file:pkg", "d", DirectRef{Kind: RefDirectory, Path: "d/pkg"}, nil},
		{"./pkg[a, b]", "d", DirectRef{Kind: RefDirectory, Path: "d/pkg"}, []string{"a", "b"}},
		{"../dist/x-1.0.zip", "d/e", DirectRef{Kind: RefArchive, Path: "d/dist/x-1.0.zip"}, nil},
		{"/abs/x-1.0-py3-none-any.whl", "d", DirectRef{Kind: RefArchive, Path: "/abs/x-1.0-py3-none-any.whl"}, nil},
	} {
		d, extras, err := ParseDirectRef(c.in, c.dir)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		c.want.Path = filepath.FromSlash(c.want.Path)
		if !reflect.DeepEqual(*d, c.want) || !reflect.DeepEqual(extras, c.extras) {
			t.Errorf("%q:\n got %+v %v\nwant %+v %v", c.in, *d, extras, c.want, c.extras)
		}
	}
}

func TestDirectRefString(t *testing.T) {
	for in, want := range map[string]string{
		"git+https://h/o/r.git@v1#subdirectory=py&egg=r": "git+https://h/o/r.git@v1#subdirectory=py",
		"https://h/x-1.0.tar.gz#sha256=ab":               "https://h/x-1.0.tar.gz",
		"./pkg":                                          "pkg",
	} {
		d, _, err := ParseDirectRef(in, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := d.String(); got != want {
			t.Errorf("%q: String() = %q, want %q", in, got, want)
		}
	}
}

func TestCheckDirect(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("proj/pyproject.toml")
	write("legacy/setup.py")
	write("mono/sub/setup.cfg")
	write("empty/README")
	write("x-1.0.tar.gz")
	for _, c := range []struct {
		ref     DirectRef
		wantErr string
	}{
		{DirectRef{Kind: RefDirectory, Path: "proj"}, ""},
		{DirectRef{Kind: RefDirectory, Path: "legacy"}, ""},
		{DirectRef{Kind: RefDirectory, Path: "mono", Subdirectory: "sub"}, ""},
		{DirectRef{Kind: RefDirectory, Path: "mono"}, "is not a Python project (no pyproject.toml, setup.py or setup.cfg)"},
		{DirectRef{Kind: RefDirectory, Path: "empty"}, "is not a Python project"},
		{DirectRef{Kind: RefDirectory, Path: "missing"}, "no such file or directory"},
		{DirectRef{Kind: RefDirectory, Path: "x-1.0.tar.gz"}, "is not a directory nor an archive"},
		{DirectRef{Kind: RefArchive, Path: "x-1.0.tar.gz"}, ""},
		{DirectRef{Kind: RefArchive, Path: "proj"}, "is a directory, not an archive file"},
		{DirectRef{Kind: RefVCS, URL: "https://h/r.git"}, ""},
	} {
		c.ref.Path = filepath.Join(dir, c.ref.Path)
		if c.ref.Kind == RefVCS {
			c.ref.Path = ""
		}
		err := CheckDirect(&c.ref)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%+v: %v", c.ref, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%+v: err %v, want %q", c.ref, err, c.wantErr)
		}
	}
}

// FuzzParseDirectRef checks that ParseDirectRef never panics and that what
// it returns is well-formed and reads back the same from String().
func FuzzParseDirectRef(f *testing.F) {
	for _, s := range []string{
		"git+https://h/o/r.git@v1#egg=r&subdirectory=a", "git+ssh://git@h/r@x", "git+file:///r",
		"https://h/x-1.0.tar.gz#sha256=00", "file:///a/b", "file:rel", "./p[x]", "../a.whl",
		"hg+https://h/r", "foo+bar://x", "git+https://h", "git+https://h/r@", "x.zip#subdirectory=../a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, _, err := ParseDirectRef(s, "base")
		if err != nil {
			return
		}
		switch d.Kind {
		case RefVCS:
			if d.URL == "" || d.Path != "" || d.VCS != "git" || strings.HasPrefix(d.URL, "git+") || len(d.Hashes) > 0 {
				t.Fatalf("%q: bad VCS ref %+v", s, d)
			}
		case RefArchive:
			if (d.URL == "") == (d.Path == "") {
				t.Fatalf("%q: archive needs exactly one of URL and Path: %+v", s, d)
			}
		case RefDirectory:
			if d.Path == "" || d.URL != "" || len(d.Hashes) > 0 {
				t.Fatalf("%q: bad directory ref %+v", s, d)
			}
		default:
			t.Fatalf("%q: kind %q", s, d.Kind)
		}
		if strings.HasPrefix(d.Subdirectory, "/") || strings.HasPrefix(d.Subdirectory, "..") {
			t.Fatalf("%q: subdirectory %q escapes", s, d.Subdirectory)
		}
		if d.Kind == RefVCS || d.URL != "" {
			back, _, err := ParseDirectRef(d.String(), "base")
			if err != nil {
				t.Fatalf("%q: String() %q does not parse: %v", s, d.String(), err)
			}
			back.Hashes = d.Hashes
			if !reflect.DeepEqual(back, d) {
				t.Fatalf("%q: round trip via %q:\n got %+v\nwant %+v", s, d.String(), back, d)
			}
		}
	})
}
