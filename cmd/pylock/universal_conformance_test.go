package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/fakeindex"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
)

// universalCLI runs `pylock resolve --universal` for a scenario: its root
// requirements as a pyproject.toml when the scenario sets requires_python
// (the only way to give the CLI a project range), else on stdin.
func universalCLI(t *testing.T, sc *corpus.Scenario) (code int, stderr string, lock *lockfile.Lock) {
	t.Helper()
	srv := fakeindex.New(sc.Index, fakeindex.Options{})
	defer srv.Close()
	dir := t.TempDir()
	out := filepath.Join(dir, "pylock.toml")
	input, stdin := "-", strings.Join(sc.Root, "\n")+"\n"
	if sc.RequiresPython != "" {
		input = filepath.Join(dir, "pyproject.toml")
		var deps []string
		for _, r := range sc.Root {
			deps = append(deps, strconv.Quote(r))
		}
		py := fmt.Sprintf("[project]\nname = \"scenario\"\nversion = \"0\"\nrequires-python = %q\ndependencies = [%s]\n",
			sc.RequiresPython, strings.Join(deps, ", "))
		if err := os.WriteFile(input, []byte(py), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"resolve", input, "--universal", "--python-version", sc.Python,
		"--index-url", srv.SimpleURL(), "--no-cache", "-q", "-o", out}
	if sc.Options.Prereleases {
		args = append(args, "--prerelease", "allow")
	}
	for _, p := range sc.Options.NoBinary {
		args = append(args, "--no-binary", p)
	}
	for _, p := range sc.Options.NoBuild {
		args = append(args, "--only-binary", p)
	}
	for _, e := range sc.Options.RequiredEnvironments {
		args = append(args, "--required-environment", e)
	}
	var so, se bytes.Buffer
	code = run(args, strings.NewReader(stdin), &so, &se)
	if code == 0 {
		l, err := lockfile.ReadFile(out)
		if err != nil {
			t.Fatalf("reading the lock pylock wrote: %v", err)
		}
		lock = l
	}
	return code, se.String(), lock
}

// checkUniversal compares a universal CLI run with the scenario's
// expectation: the verdict, a valid lock, and every expected pin present.
func checkUniversal(sc *corpus.Scenario, code int, l *lockfile.Lock) string {
	if !sc.Expected.Satisfiable {
		if code != 1 {
			return fmt.Sprintf("want no solution (exit 1), got exit %d", code)
		}
		return ""
	}
	if code != 0 {
		return fmt.Sprintf("want a universal lock, got exit %d", code)
	}
	if err := l.Validate(); err != nil {
		return "the lock does not validate: " + err.Error()
	}
	for name, want := range sc.Expected.Packages {
		wv, err := pep440.Parse(want)
		found := false
		for _, p := range l.Packages {
			v, err2 := pep440.Parse(p.Version)
			found = found || (names.Canonicalize(p.Name) == name && err == nil && err2 == nil && v.Equal(wv))
		}
		if !found {
			return fmt.Sprintf("no entry %s==%s in the lock", name, want)
		}
	}
	return ""
}

// TestPackseUniversalCLI runs every universal packse scenario through
// `pylock resolve --universal`; any failure fails the test (there is no
// list of known failures).
func TestPackseUniversalCLI(t *testing.T) {
	dir := filepath.Join(testenv.CorpusDir(t), "packse")
	scs, err := corpus.LoadAllPackse(dir)
	if err != nil {
		t.Fatal(err)
	}
	var passed, failed int
	for _, sc := range scs {
		if !sc.Options.Universal {
			continue
		}
		name := sc.Topic(dir)
		t.Run(name, func(t *testing.T) {
			code, stderr, l := universalCLI(t, sc)
			msg := checkUniversal(sc, code, l)
			if msg == "" {
				passed++
				return
			}
			failed++
			t.Errorf("%s\nstderr:\n%s", msg, stderr)
		})
	}
	if passed+failed == 0 {
		t.Fatal("no universal scenarios found")
	}
	fmt.Printf("packse universal cli: %d passed, %d failed\n", passed, failed)
}
