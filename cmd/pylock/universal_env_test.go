package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/fakeindex"
	"github.com/pylock/pylock/lockfile"
)

// TestUniversalEnvironmentsCLI runs --environment and --required-environment
// (and their [tool.pylock] forms) against an index where a 2.0 has only a
// Windows wheel and a 1.0 a pure-Python one.
func TestUniversalEnvironmentsCLI(t *testing.T) {
	idx := &corpus.Index{Projects: map[string]*corpus.Project{
		"a": {Name: "a", Releases: []*corpus.Release{
			{Version: "1.0", Wheel: true, WheelTags: []string{"py3-none-any"}},
			{Version: "2.0", Wheel: true, WheelTags: []string{"cp312-abi3-win_amd64"}},
		}},
		"b": {Name: "b", Releases: []*corpus.Release{{Version: "1.0", Wheel: true, WheelTags: []string{"cp312-abi3-manylinux_2_17_x86_64"}}}},
	}}
	srv := fakeindex.New(idx, fakeindex.Options{})
	defer srv.Close()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	reqs := write("requirements.txt", "a\n")
	pyproject := write("pyproject.toml", "[project]\nname = \"p\"\nversion = \"1\"\nrequires-python = \">=3.12\"\ndependencies = [\"a\"]\n\n"+
		"[tool.pylock]\nrequired-environments = [\"sys_platform == 'linux'\"]\nenvironments = [\"sys_platform == 'linux'\", \"sys_platform == 'win32'\"]\n")
	tests := []struct {
		name     string
		args     []string
		code     int
		versions string // a's locked versions, comma-separated
		envs     string // the lock's environments, " | "-separated
		stderr   string // substring of stderr
	}{
		{"no flags: newest", []string{reqs}, 0, "2.0", "", ""},
		{"required linux: backtracks", []string{reqs, "--required-environment", "sys_platform == 'linux'"}, 0, "1.0", "", ""},
		{"required windows: newest", []string{reqs, "--required-environment", "sys_platform == 'win32'"}, 0, "2.0", "", ""},
		{"limited to windows", []string{reqs, "--environment", "sys_platform == 'win32'", "--required-environment", "sys_platform == 'linux'"}, 0, "2.0",
			`sys_platform == "win32"`, ""},
		{"pyproject", []string{pyproject}, 0, "1.0", `sys_platform == "linux" | sys_platform == "win32"`, ""},
		{"flags replace pyproject", []string{pyproject, "--required-environment", "sys_platform == 'win32'"}, 0, "2.0",
			`sys_platform == "linux" | sys_platform == "win32"`, ""},
		{"no files for darwin", []string{write("b.txt", "b\n"), "--required-environment", "sys_platform == 'darwin'"}, 1, "", "",
			`has no wheel or source distribution for the required environment sys_platform == "darwin"`},
		{"bad marker", []string{reqs, "--required-environment", "sys_platform = 'linux'"}, 2, "", "", `invalid --required-environment "sys_platform = 'linux'"`},
		{"not universal", []string{reqs, "--environment", "sys_platform == 'linux'", "--universal=false"}, 2, "", "", "add --universal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "pylock.toml")
			args := append([]string{"resolve", "--universal", "--python-version", "3.12", "--index-url", srv.SimpleURL(),
				"--no-cache", "-q", "-o", out}, tc.args...)
			var so, se bytes.Buffer
			code := run(args, strings.NewReader(""), &so, &se)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", code, tc.code, se.String())
			}
			if !strings.Contains(se.String(), tc.stderr) {
				t.Errorf("stderr %q, want %q", se.String(), tc.stderr)
			}
			if code != 0 {
				if _, err := os.Stat(out); err == nil {
					t.Error("a lock was written")
				}
				return
			}
			l, err := lockfile.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Validate(); err != nil {
				t.Fatal(err)
			}
			var vs []string
			for _, p := range l.Packages {
				if p.Name == "a" {
					vs = append(vs, p.Version)
				}
			}
			if got := strings.Join(vs, ","); got != tc.versions {
				t.Errorf("a locked at %q, want %q", got, tc.versions)
			}
			if got := strings.Join(l.Environments, " | "); got != tc.envs {
				t.Errorf("environments %q, want %q", got, tc.envs)
			}
		})
	}
}
