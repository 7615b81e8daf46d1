package wheel

import (
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseFilenameErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		reason string
	}{
		{"foo-1.0-py3-none-any.zip", 20, "extension must be '.whl'"},
		{"foo-1.0.whl", 0, "wrong number of parts"},
		{"foo-1.0-1-2-py3-none-any.whl", 0, "found 6 dashes"},
		{"foo__bar-1.0-py3-none-any.whl", 3, `invalid project name "foo__bar"`},
		{"foo bar-1.0-py3-none-any.whl", 3, `invalid project name "foo bar"`},
		{"-1.0-py3-none-any.whl", 0, `invalid project name ""`},
		{"foo-notaversion-py3-none-any.whl", 4, `invalid version "notaversion"`},
		{"foo-1.0-abc-py3-none-any.whl", 8, `invalid build tag "abc"`},
		{"foo-1.0--py3-none-any.whl", 8, `invalid build tag ""`},
		{"foo-1.0-\u0661-py3-none-any.whl", 8, "must start with a digit"},
		{"foo-1.0-py3..py2-none-any.whl", 12, "empty component"},
		{"foo-1.0-py3-none-.whl", 17, "empty component"},
		{"foo-1.0-3py-none-any.whl", 8, `invalid interpreter tag "3py"`},
		{"foo-1.0-py3.3py-none-any.whl", 12, `invalid interpreter tag "3py"`},
		{"foo-1.0-py3-none-any\xff.whl", 20, "not valid UTF-8"},
		{"foo-1.0-" + strings.Repeat("a.", 16) + "b-" + strings.Repeat("a.", 16) + "b-" + strings.Repeat("a.", 16) + "b.whl", 8, "expands to 4913 tags (limit 4096)"},
	}
	for _, tc := range tests {
		_, err := ParseFilename(tc.in)
		var fe *FilenameError
		if !errors.As(err, &fe) {
			t.Errorf("ParseFilename(%q) error = %v, want *FilenameError", tc.in, err)
			continue
		}
		if fe.Offset != tc.offset || !strings.Contains(fe.Reason, tc.reason) || fe.Filename != tc.in {
			t.Errorf("ParseFilename(%q) = offset %d reason %q; want %d %q", tc.in, fe.Offset, fe.Reason, tc.offset, tc.reason)
		}
		if msg := err.Error(); !strings.Contains(msg, strconv.Quote(tc.in)) {
			t.Errorf("error %q does not name the file", msg)
		}
	}
	_, err := ParseFilenameStrict("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
	if err == nil || !strings.Contains(err.Error(), "not in sorted order") {
		t.Errorf("strict parse of an unsorted tag set: %v", err)
	}
}

func TestParseFilename(t *testing.T) {
	f, err := ParseFilename("Foo.Bar-1.0-12ab-cp38.CP39-abi3-manylinux2014_x86_64.whl")
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "foo-bar" || f.Version.String() != "1.0" || f.BuildNumber != 12 || f.BuildSuffix != "ab" || f.Build != "12ab" {
		t.Errorf("got %+v", f)
	}
	want := []string{"cp38-abi3-manylinux2014_x86_64", "cp39-abi3-manylinux2014_x86_64"}
	if got := tagStrings(f.Tags); !reflect.DeepEqual(got, want) {
		t.Errorf("tags %v, want %v", got, want)
	}
	if got := f.String(); got != "foo_bar-1.0-12ab-cp38.cp39-abi3-manylinux2014_x86_64.whl" {
		t.Errorf("String() = %s", got)
	}
	// No build tag: -1. Duplicate tags after lower-casing collapse.
	f, _ = ParseFilename("foo-1.0-PY3.py3-none-any.whl")
	if f.BuildNumber != -1 || f.Build != "" || len(f.Tags) != 1 || f.String() != "foo-1.0-py3-none-any.whl" {
		t.Errorf("got %+v %s", f, f)
	}
	// A build number beyond int saturates; Build keeps the digits.
	f, err = ParseFilename("foo-1.0-123456789012345678901234567890x-py3-none-any.whl")
	if err != nil || f.BuildNumber != math.MaxInt || f.BuildSuffix != "x" || f.Build != "123456789012345678901234567890x" {
		t.Errorf("big build: %+v, %v", f, err)
	}
	// Like Python's `(\d+)(.*)`, the suffix stops at a newline.
	f, err = ParseFilename("foo-1.0-1a\nb-py3-none-any.whl")
	if err != nil || f.BuildNumber != 1 || f.BuildSuffix != "a" {
		t.Errorf("newline build: %+v, %v", f, err)
	}
}

func TestParseTag(t *testing.T) {
	tags, err := ParseTag("py2.py3-none-any")
	if err != nil || !reflect.DeepEqual(tagStrings(tags), []string{"py2-none-any", "py3-none-any"}) {
		t.Errorf("ParseTag = %v, %v", tags, err)
	}
	for _, bad := range []string{"py3-none", "py3-none-any-x", "py3--any", ".py3-none-any", "3py-none-any", ""} {
		if _, err := ParseTag(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseTag(%q) error = %v", bad, err)
		}
	}
}

func TestParseSdistFilename(t *testing.T) {
	tests := []struct{ in, name, version, ext string }{
		{"foo-1.0.tar.gz", "foo", "1.0", ".tar.gz"},
		{"foo_bar-1.0.tar.gz", "foo-bar", "1.0", ".tar.gz"},
		{"Foo.Bar-2.0rc1.zip", "foo-bar", "2.0rc1", ".zip"},
		{"foo-bar-1.0.tar.gz", "foo-bar", "1.0", ".tar.gz"},
		{"foo-1.0-beta.tar.gz", "foo", "1.0b0", ".tar.gz"},
		{"foo-1.0-1.tar.gz", "foo-1-0", "1", ".tar.gz"}, // the last '-' before a version wins
		{"zope.interface-4.0.tar.bz2", "zope-interface", "4.0", ".tar.bz2"},
		{"pkg-1.0+local.tgz", "pkg", "1.0+local", ".tgz"},
		{"pkg-v1.0.tar", "pkg", "1.0", ".tar"},
	}
	for _, tc := range tests {
		s, err := ParseSdistFilename(tc.in)
		if err != nil || s.Name != tc.name || s.Version.String() != tc.version || s.Ext != tc.ext {
			t.Errorf("ParseSdistFilename(%q) = %+v, %v; want %s %s %s", tc.in, s, err, tc.name, tc.version, tc.ext)
		}
	}
	for _, tc := range []struct{ in, reason string }{
		{"foo-1.0.whl", "extension must be"},
		{"foo.tar.gz", "no '-' separates"},
		{"foo-bar.tar.gz", "no '-' is followed by a valid PEP 440 version"},
		{"-1.0.tar.gz", "no '-' separates"},
		{"foo bar-1.0.tar.gz", `invalid project name "foo bar"`},
		{"___-1.0.zip", `invalid project name "___"`},
	} {
		_, err := ParseSdistFilename(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.reason) || !strings.Contains(err.Error(), tc.in) {
			t.Errorf("ParseSdistFilename(%q) error = %v; want %q", tc.in, err, tc.reason)
		}
	}
}

func TestPlatformGenerators(t *testing.T) {
	if got := ManylinuxPlatforms("aarch64", 2, 17); !reflect.DeepEqual(got, []string{"manylinux_2_17_aarch64", "manylinux2014_aarch64"}) {
		t.Errorf("aarch64 2.17: %v", got)
	}
	if got := ManylinuxPlatforms("aarch64", 2, 16); len(got) != 0 {
		t.Errorf("aarch64 2.16: %v", got)
	}
	got := ManylinuxPlatforms("i686", 2, 12)
	want := []string{"manylinux_2_12_i686", "manylinux2010_i686", "manylinux_2_11_i686", "manylinux_2_10_i686", "manylinux_2_9_i686",
		"manylinux_2_8_i686", "manylinux_2_7_i686", "manylinux_2_6_i686", "manylinux_2_5_i686", "manylinux1_i686"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("i686 2.12: %v", got)
	}
	// A hypothetical glibc 3.1 continues with every 2.x from 2.50 down.
	got = ManylinuxPlatforms("x86_64", 3, 1)
	if got[0] != "manylinux_3_1_x86_64" || got[2] != "manylinux_2_50_x86_64" || got[len(got)-1] != "manylinux1_x86_64" {
		t.Errorf("glibc 3.1: %v", got)
	}
	if got := MusllinuxPlatforms("x86_64", 1, 1); !reflect.DeepEqual(got, []string{"musllinux_1_1_x86_64", "musllinux_1_0_x86_64"}) {
		t.Errorf("musl 1.1: %v", got)
	}
	got = MacPlatforms(10, 5, "x86_64")
	want = nil
	for _, m := range []string{"5", "4"} {
		for _, f := range []string{"x86_64", "intel", "fat64", "fat32", "universal2", "universal"} {
			want = append(want, "macosx_10_"+m+"_"+f)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("macOS 10.5 x86_64:\n got %v\nwant %v", got, want)
	}
	got = MacPlatforms(11, 0, "x86_64")
	if len(got) != 6*14 || got[6] != "macosx_10_16_x86_64" {
		t.Errorf("macOS 11 x86_64: %d %v", len(got), got)
	}
	if got := MacPlatforms(10, 6, "ppc"); got[0] != "macosx_10_6_ppc" || len(got) != 7*4 {
		t.Errorf("macOS 10.6 ppc: %v", got)
	}
	if got := MacPlatforms(10, 6, "ppc64"); got[0] != "macosx_10_5_ppc64" || len(got) != 2*3 {
		t.Errorf("macOS 10.6 ppc64: %v", got)
	}
}

func TestSupported(t *testing.T) {
	plats := []string{"linux_x86_64", "manylinux_2_17_x86_64"}
	s := new(Supported).AddCPython(3, 13, []string{"cp313t"}, plats).AddCompatible(3, 13, "cp313", plats)
	tags := tagStrings(s.Tags())
	if tags[0] != "cp313-cp313t-linux_x86_64" || tags[2] != "cp313-abi3t-linux_x86_64" || tags[4] != "cp313-none-linux_x86_64" || tags[6] != "cp312-abi3t-linux_x86_64" {
		t.Errorf("free-threaded: %v", tags[:8])
	}
	for i, tag := range s.Tags() {
		if j, ok := s.Index(tag); !ok || j != i {
			t.Errorf("Index(%s) = %d, %v; want %d", tag, j, ok, i)
		}
	}
	if _, ok := s.Index(Tag{"cp313", "abi3", "linux_x86_64"}); ok {
		t.Error("abi3 supported on a free-threaded build")
	}
	// Generic: "none" is added unless present; explicit ABIs keep their order.
	g := tagStrings(GenericTags("pp310", []string{"pypy310_pp73"}, []string{"win_amd64"}))
	if !reflect.DeepEqual(g, []string{"pp310-pypy310_pp73-win_amd64", "pp310-none-win_amd64"}) {
		t.Errorf("generic: %v", g)
	}
	if g := GenericTags("pp310", []string{"none", "x"}, []string{"any"}); len(g) != 2 || g[0].ABI != "none" {
		t.Errorf("generic with none: %v", g)
	}
	// "abi3" and "none" among CPython ABIs are handled in their own places.
	c := tagStrings(CPythonTags(3, 2, []string{"none", "cp32mu", "abi3"}, []string{"any"}))
	if !reflect.DeepEqual(c, []string{"cp32-cp32mu-any", "cp32-abi3-any", "cp32-none-any"}) {
		t.Errorf("cpython 3.2: %v", c)
	}
	if c := CompatibleTags(3, 1, "", []string{"x"}); len(c) != 6 {
		t.Errorf("compatible 3.1: %v", c)
	}
}
