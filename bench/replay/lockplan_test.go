package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pylock/pylock/lockfile"
)

// lockTOML builds a PEP 751 lock of pkgs ("name version index deps...",
// index "-" for none, deps as names) with one wheel each unless the name
// ends in "!" (then none) and the root requirements roots.
func lockTOML(roots []string, pkgs ...string) string {
	var b strings.Builder
	b.WriteString("lock-version = \"1.0\"\ncreated-by = \"pylock\"\n")
	for _, p := range pkgs {
		f := strings.Fields(p)
		name, version, index := f[0], f[1], f[2]
		noWheel := strings.HasSuffix(name, "!")
		name = strings.TrimSuffix(name, "!")
		b.WriteString("\n[[packages]]\nname = \"" + name + "\"\nversion = \"" + version + "\"\n")
		if index != "-" {
			b.WriteString("index = \"" + index + "\"\n")
		}
		if len(f) > 3 {
			b.WriteString("dependencies = [")
			for i, d := range f[3:] {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("{name = \"" + d + "\"}")
			}
			b.WriteString("]\n")
		}
		if noWheel {
			b.WriteString("sdist = {name = \"" + name + "-" + version + ".tar.gz\", url = \"http://h/files/" + name + "-" + version + ".tar.gz\", hashes = {sha256 = \"" + strings.Repeat("0", 64) + "\"}}\n")
			continue
		}
		file := strings.ReplaceAll(name, "-", "_") + "-" + version + "-py3-none-any.whl"
		b.WriteString("\n[[packages.wheels]]\nname = \"" + file + "\"\nurl = \"http://h/files/" + file + "\"\nhashes = {sha256 = \"" + strings.Repeat("a", 64) + "\"}\n")
	}
	b.WriteString("\n[tool.pylock]\nrequirements = [")
	for i, r := range roots {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("\"" + r + "\"")
	}
	b.WriteString("]\n")
	return b.String()
}

func TestLockPlan(t *testing.T) {
	tests := []struct {
		name  string
		roots []string
		pkgs  []string
		want  [][]string
		err   string
	}{
		{
			// b is named by a and by d; it is fetched once, in the round
			// after the first metadata that names it (a's), as c is after
			// b's, though d's names it too.
			name:  "breadth first, each project once",
			roots: []string{"a>=1", "d"},
			pkgs:  []string{"a 1 - b", "b 2 - c", "c 3 -", "d 4 - b c", "zope-interface 5 -"},
			want: [][]string{
				{"/simple/a/", "/simple/d/"},
				{"/files/a-1-py3-none-any.whl.metadata", "/files/d-4-py3-none-any.whl.metadata"},
				{"/simple/b/", "/simple/c/"},
				{"/files/b-2-py3-none-any.whl.metadata", "/files/c-3-py3-none-any.whl.metadata"},
			},
		},
		{
			name:  "pages below the index URL's path",
			roots: []string{"Zope.Interface[x]"},
			pkgs:  []string{"zope-interface 5 http://h/root/simple/"},
			want:  [][]string{{"/root/simple/zope-interface/"}, {"/files/zope_interface-5-py3-none-any.whl.metadata"}},
		},
		{
			name:  "a package without a wheel",
			roots: []string{"a"},
			pkgs:  []string{"a 1 - b", "b! 2 -"},
			err:   "b has no wheel with a URL",
		},
		{
			name: "no root requirement",
			pkgs: []string{"a 1 -"},
			err:  "names no root requirement",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := lockfile.Parse("pylock.toml", []byte(lockTOML(tt.roots, tt.pkgs...)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := lockPlan(l)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("lockPlan error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("lockPlan =\n%q\nwant\n%q", got, tt.want)
			}
			back, err := parsePlan(strings.NewReader(formatPlan(got)))
			if err != nil || !reflect.DeepEqual(back, got) {
				t.Fatalf("formatPlan does not read back: %q, %v", back, err)
			}
		})
	}
}
