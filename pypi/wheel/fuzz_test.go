package wheel

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseFilename: no panics; errors are *FilenameError naming the input;
// the strict parse accepts a subset with the same result; a parsed wheel
// re-rendered with String() parses (strictly) to the same name, version,
// build and tags, and re-renders identically.
func FuzzParseFilename(f *testing.F) {
	for _, s := range []string{
		"foo-1.0-py3-none-any.whl",
		"numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
		"foo-1.0-1_2-py2.py3-none-any.whl",
		"foo.-v1!1.0rc1.post2.dev3+Local.7-007x-cp3\u00e9.py_3-abi3.none-any.whl.whl",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseFilename(s)
		sw, serr := ParseFilenameStrict(s)
		if err != nil {
			var fe *FilenameError
			if !errors.As(err, &fe) || fe.Filename != s || !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("ParseFilename(%q): error %v does not name the file", s, err)
			}
			if fe.Offset < 0 || fe.Offset > len(s) {
				t.Fatalf("ParseFilename(%q): offset %d out of range", s, fe.Offset)
			}
			if serr == nil {
				t.Fatalf("strict parse accepts %q, default rejects it: %v", s, err)
			}
			return
		}
		if serr == nil && !sameWheel(w, sw) {
			t.Fatalf("strict and default parses of %q differ: %+v vs %+v", s, sw, w)
		}
		r := w.String()
		w2, err := ParseFilenameStrict(r)
		if err != nil {
			t.Fatalf("ParseFilename(%q) re-rendered as %q, which does not parse: %v", s, r, err)
		}
		if !sameWheel(w, w2) {
			t.Fatalf("%q -> %q: %+v != %+v", s, r, w, w2)
		}
		if r2 := w2.String(); r2 != r {
			t.Fatalf("String() not stable: %q -> %q", r, r2)
		}
	})
}

func sameWheel(a, b Filename) bool {
	return a.Name == b.Name && a.Version.String() == b.Version.String() && a.Version.Equal(b.Version) &&
		a.BuildNumber == b.BuildNumber && a.BuildSuffix == b.BuildSuffix && a.Build == b.Build &&
		reflect.DeepEqual(a.Tags, b.Tags)
}

// FuzzParseSdistFilename: no panics; errors name the input; a parsed sdist
// re-rendered as name_version.ext parses to the same name and version.
func FuzzParseSdistFilename(f *testing.F) {
	for _, s := range []string{"foo-1.0.tar.gz", "foo_bar-2.0rc1.zip", "foo-bar-1.0-beta.tar.bz2", "x-1!2+local.tgz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sd, err := ParseSdistFilename(s)
		if err != nil {
			var fe *FilenameError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), strconv.Quote(s)) || fe.Offset < 0 || fe.Offset > len(s) {
				t.Fatalf("ParseSdistFilename(%q): bad error %v", s, err)
			}
			return
		}
		r := strings.ReplaceAll(sd.Name, "-", "_") + "-" + sd.Version.String() + sd.Ext
		sd2, err := ParseSdistFilename(r)
		if err != nil {
			t.Fatalf("%q re-rendered as %q does not parse: %v", s, r, err)
		}
		if sd2.Name != sd.Name || !sd2.Version.Equal(sd.Version) || sd2.Version.String() != sd.Version.String() || sd2.Ext != sd.Ext {
			t.Fatalf("%q -> %q: %+v != %+v", s, r, sd, sd2)
		}
	})
}

// FuzzSupportedIndex: for CPython and PyPy tag lists over fuzzed platform
// lists, Index agrees with the position in Tags().
func FuzzSupportedIndex(f *testing.F) {
	f.Add(3, 11, "linux_x86_64 manylinux_2_17_x86_64", "cp311", false)
	f.Add(3, 10, "win_amd64", "pypy310_pp73", true)
	f.Fuzz(func(t *testing.T, major, minor int, plats, abi string, pypy bool) {
		if major < 0 || major > 9 || minor < 0 || minor > 40 {
			return
		}
		platforms := strings.Fields(plats)
		s := new(Supported)
		if pypy {
			s.AddGeneric("pp"+nodot(major, minor), []string{abi}, platforms).AddCompatible(major, minor, "pp3", platforms)
		} else {
			s.AddCPython(major, minor, []string{abi}, platforms).AddCompatible(major, minor, "cp"+nodot(major, minor), platforms)
		}
		tags := s.Tags()
		if len(tags) != s.Len() {
			t.Fatalf("Len %d, %d tags", s.Len(), len(tags))
		}
		first := map[Tag]int{}
		for i, tg := range tags {
			if _, ok := first[tg]; !ok {
				first[tg] = i
			}
		}
		for tg, i := range first {
			if j, ok := s.Index(tg); !ok || j != i {
				t.Fatalf("Index(%s) = %d, %v; want %d", tg, j, ok, i)
			}
		}
		if _, ok := s.Index(Tag{"zz", "zz", "zz"}); ok {
			t.Fatal("Index of an unsupported tag")
		}
	})
}

// FuzzFilenameParser: a FilenameParser that has parsed other names gives
// exactly ParseFilename's answer (result or error), whatever tag parts it
// has seen before: a tag part that failed fails again at the same offset.
func FuzzFilenameParser(f *testing.F) {
	f.Add("foo-1.0-py3-none-any.whl", "bar-2.0-py3-none-any.whl")
	f.Add("foo-1.0-py2.py3-none-any.whl", "foo-1.1-1-py2.py3-none-any.whl")
	f.Add("foo-1.0-py2..py3-none-any.whl", "bar-2.0-py2..py3-none-any.whl")
	f.Add("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "numpy-1.26.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
	f.Fuzz(func(t *testing.T, a, b string) {
		var p FilenameParser
		for _, s := range []string{a, b, a, b} {
			got, gerr := p.Parse(s)
			want, werr := ParseFilename(s)
			if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
				t.Fatalf("Parse(%q) error %v, ParseFilename %v", s, gerr, werr)
			}
			if gerr == nil && !sameWheel(got, want) {
				t.Fatalf("Parse(%q) = %+v, ParseFilename %+v", s, got, want)
			}
		}
	})
}
