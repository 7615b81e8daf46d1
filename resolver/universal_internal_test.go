package resolver

import (
	"testing"

	"github.com/pylock/pylock/pypi/pep508"
)

func TestRequiresPythonMarker(t *testing.T) {
	tests := []struct {
		spec, marker, low string
	}{
		{"", "", ""},
		{">=3.10", `python_full_version >= "3.10" and python_version >= "3.10"`, "3.10"},
		{">=3.10.1", `python_full_version >= "3.10.1" and python_version >= "3.10"`, "3.10.1"},
		{">=3.8,<4", `python_full_version >= "3.8" and python_version >= "3.8" and python_full_version < "4"`, "3.8"},
		{"~=3.11", `python_full_version ~= "3.11" and python_version >= "3.11"`, "3.11"},
		{"<3.13", `python_full_version < "3.13"`, ""},
	}
	for _, tc := range tests {
		m, low, err := requiresPythonMarker(tc.spec)
		if err != nil {
			t.Errorf("%q: %v", tc.spec, err)
			continue
		}
		if m.String() != tc.marker {
			t.Errorf("%q: marker %q, want %q", tc.spec, m, tc.marker)
		}
		if got := low.String(); low.IsZero() && tc.low != "" || !low.IsZero() && got != tc.low {
			t.Errorf("%q: lowest %q, want %q", tc.spec, got, tc.low)
		}
	}
	if _, _, err := requiresPythonMarker(">=three"); err == nil {
		t.Error(`">=three": no error`)
	}
}

func TestCut(t *testing.T) {
	m := pep508.MustParseMarker
	base, _, _ := requiresPythonMarker(">=3.12")
	tests := []struct {
		name    string
		markers []string
		want    []string // child fork conditions; nil = no fork
	}{
		{"one", []string{`sys_platform == "linux"`}, nil},
		{"same marker", []string{`sys_platform == "linux"`, `sys_platform == "linux"`},
			[]string{`sys_platform == "linux"`, `sys_platform != "linux"`}},
		{"unconditional", []string{``, ``}, nil},
		{"overlapping", []string{`python_version >= "3.11"`, `python_version >= "3.12"`}, nil},
		{"disjoint", []string{`sys_platform == "linux"`, `sys_platform == "darwin"`},
			[]string{`sys_platform == "linux"`, `sys_platform == "darwin"`, `sys_platform != "linux" and sys_platform != "darwin"`}},
		{"complete", []string{`sys_platform == "linux"`, `sys_platform != "linux"`},
			[]string{`sys_platform == "linux"`, `sys_platform != "linux"`}},
		{"overlapping cut in three", []string{`python_version < "3.13"`, `python_version >= "3.13"`, `python_version >= "3.14"`},
			[]string{`python_version < "3.13"`, `python_version >= "3.14"`, `python_version >= "3.13" and python_version < "3.14"`}},
		{"overlapping chain", []string{`sys_platform == "linux"`, `sys_platform == "linux" or sys_platform == "darwin"`, `sys_platform == "darwin"`},
			[]string{`sys_platform == "linux"`, `sys_platform == "darwin"`, `sys_platform != "linux" and sys_platform != "darwin"`}},
		{"below requires-python", []string{`python_version < "3.12"`, `python_version >= "3.12"`}, nil},
		{"empty group dropped", []string{`python_version < "3.12"`, `sys_platform == "linux"`, `sys_platform == "win32"`},
			[]string{`sys_platform == "linux"`, `sys_platform == "win32"`, `sys_platform != "linux" and sys_platform != "win32"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ms []pep508.Marker
			for _, s := range tc.markers {
				if s == "" {
					ms = append(ms, pep508.Marker{})
				} else {
					ms = append(ms, m(s))
				}
			}
			f := &fork{marker: base}
			children := f.cut(ms)
			var got []string
			for _, c := range children {
				got = append(got, c.split.String())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("children %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("child %d: %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestLowestPython(t *testing.T) {
	base, floor, _ := requiresPythonMarker(">=3.8")
	tests := []struct {
		split, want string
	}{
		{``, "3.8"},
		{`sys_platform == "linux"`, "3.8"},
		{`python_version >= "3.10"`, "3.10"},
		{`python_version > "3.10"`, "3.10"}, // proven, not tight: "3.11" is not mentioned
		{`python_full_version >= "3.11.2"`, "3.11.2"},
		{`python_version < "3.10"`, "3.8"},
		{`python_version >= "3.10" and python_version >= "3.12"`, "3.12"},
		{`python_version >= "3.12" or sys_platform == "win32"`, "3.8"},
	}
	for _, tc := range tests {
		f := &fork{marker: base}
		if tc.split != "" {
			f = f.child(pep508.MustParseMarker(tc.split))
		}
		if got := f.lowestPython(floor); got.String() != tc.want {
			t.Errorf("%s: lowest Python %s, want %s", tc.split, got, tc.want)
		}
	}
}
