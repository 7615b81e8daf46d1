package main

import (
	"regexp"
	"testing"
)

// isPEP751Name agrees with the pattern PEP 751 gives for lock file names.
func TestIsPEP751Name(t *testing.T) {
	re := regexp.MustCompile(`^pylock\.([^.]+\.)?toml$`)
	for _, name := range []string{
		"pylock.toml", "pylock.dev.toml", "pylock.a-b_c.toml", "pylock..toml", "pylock.a.b.toml",
		"pylock.toml.toml", "pylock.tom", "pylock", "pylock.", "xpylock.toml", "pylock.tomlx",
		"Pylock.toml", "pylock.dev.TOML", "pylock.\n.toml", "pylock.é.toml", "pylocktoml", "pylock.dev.",
		"lock.toml", "", "pylock.xtoml",
	} {
		if got, want := isPEP751Name(name), re.MatchString(name); got != want {
			t.Errorf("isPEP751Name(%q) = %v, want %v", name, got, want)
		}
	}
}

// A run that names a subcommand builds only that one; the tree it builds
// prints the same help as the whole tree.
func TestRootCommandBuildsOnlyTheInvokedSubcommand(t *testing.T) {
	a := &app{}
	for _, s := range subcommands {
		root := a.rootCommand([]string{s.name, "--help"})
		if n := len(root.Commands()); n != 1 || root.Commands()[0].Name() != s.name {
			t.Errorf("%s: built %d commands, want only %s", s.name, n, s.name)
			continue
		}
		full := a.rootCommand(nil)
		var whole string
		for _, c := range full.Commands() {
			if c.Name() == s.name {
				whole = c.UsageString() + c.Long
			}
		}
		if got := root.Commands()[0].UsageString() + root.Commands()[0].Long; got != whole {
			t.Errorf("%s: help differs from the whole tree's:\n%s\nwant:\n%s", s.name, got, whole)
		}
	}
	if n := len(a.rootCommand([]string{"help"}).Commands()); n != len(subcommands) {
		t.Errorf("help: %d commands built, want all %d", n, len(subcommands))
	}
}

// stringsValue keeps pflag's StringArray text for values with commas and
// quotes.
func TestStringsValueString(t *testing.T) {
	var v []string
	s := &stringsValue{p: &v}
	if got := s.String(); got != "[]" {
		t.Errorf("empty: %q", got)
	}
	for _, x := range []string{"a", "b,c", `d"e`} {
		if err := s.Set(x); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := s.String(), `[a,"b,c","d""e"]`; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
	if len(v) != 3 || v[1] != "b,c" {
		t.Errorf("values %q", v)
	}
}
