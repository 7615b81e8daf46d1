package target

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzNew: New never panics; an error names the rejected value; a target it
// builds has tags and a complete environment, and rebuilding it from
// PythonSpec() and Platform() gives the same target.
func FuzzNew(f *testing.F) {
	for _, s := range [][2]string{
		{"3.11", "linux"}, {"3.12.4", "aarch64-apple-darwin"}, {"3.13t", "x86_64-musllinux_1_2"},
		{"pypy3.10", "aarch64-unknown-linux-gnu"}, {"cp39", "win32"}, {"3.14.0rc2", "manylinux_2_17_x86_64"},
		{"", "x86_64-manylinux2014"}, {"3.8", "x86_64-macosx_10_9"}, {"2.7", "solaris"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, py, plat string) {
		tg, err := New(py, plat)
		if err != nil {
			msg := err.Error()
			if !strings.Contains(msg, "python version") && !strings.Contains(msg, "python platform") {
				t.Fatalf("New(%q, %q): error %q names neither value", py, plat, msg)
			}
			return
		}
		if len(tg.Tags()) == 0 || len(tg.Env()) != 11 || tg.Marker() == "" {
			t.Fatalf("New(%q, %q) = %s: incomplete", py, plat, tg)
		}
		back, err := New(tg.PythonSpec(), tg.Platform())
		if err != nil {
			t.Fatalf("New(%q, %q) = %s; New(%q, %q): %v", py, plat, tg, tg.PythonSpec(), tg.Platform(), err)
		}
		if back.String() != tg.String() || !reflect.DeepEqual(back.Env(), tg.Env()) || !reflect.DeepEqual(back.Platforms(), tg.Platforms()) {
			t.Fatalf("round trip of %s gave %s", tg, back)
		}
	})
}
