package reqfile

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const selectDoc = `[project]
name = "App"
dependencies = ["base"]
[project.optional-dependencies]
Docs = ["sphinx"]
cli = ["click", "app[docs]"]
[dependency-groups]
Test = ["pytest", {include-group = "Lint_Tools"}]
lint-tools = ["ruff"]
`

func TestPyprojectSelect(t *testing.T) {
	for _, c := range []struct {
		opts    PyprojectOptions
		want    []string
		wantErr string
	}{
		{PyprojectOptions{}, []string{"base"}, ""},
		{PyprojectOptions{Extras: []string{"DOCS"}}, []string{"base", "sphinx"}, ""},
		{PyprojectOptions{Extras: []string{"cli"}}, []string{"base", "click", "sphinx"}, ""}, // app[docs] expands
		{PyprojectOptions{Extras: []string{"cli", "docs"}}, []string{"base", "click", "sphinx"}, ""},
		{PyprojectOptions{AllExtras: true}, []string{"base", "click", "sphinx"}, ""},
		{PyprojectOptions{Groups: []string{"test"}, NoProject: true}, []string{"pytest", "ruff"}, ""},
		{PyprojectOptions{AllGroups: true}, []string{"base", "ruff", "pytest"}, ""},
		{PyprojectOptions{Groups: []string{"nope"}}, nil, `pyproject.toml: no dependency group "nope" in [dependency-groups] (have: lint-tools, test)`},
		{PyprojectOptions{Extras: []string{"nope"}}, nil, `pyproject.toml: no extra "nope" in [project.optional-dependencies] (have: cli, docs)`},
	} {
		p, err := ParsePyproject("pyproject.toml", []byte(selectDoc), c.opts)
		if c.wantErr != "" {
			if err == nil || err.Error() != c.wantErr {
				t.Errorf("%+v: err %v, want %s", c.opts, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%+v: %v", c.opts, err)
			continue
		}
		if got := raws(p.Requirements); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v: got %q, want %q", c.opts, got, c.want)
		}
	}
}

func TestPyprojectErrorsAreTyped(t *testing.T) {
	for _, doc := range []string{
		"[project",
		"project = 1",
		"[project]\nname = 1",
		"[project]\nname = \"-bad-\"",
		"[project]\nname = \"p\"\noptional-dependencies = { x = [1] }",
		"[dependency-groups]\n\"bad name!\" = []",
		"[dependency-groups]\na = [{include-group = 1}]",
		"[dependency-groups]\na = [true]",
		"dependency-groups = 3",
		"[project]\nname = \"p\"\ndynamic = [\"name\"]",
	} {
		_, err := ParsePyproject("pyproject.toml", []byte(doc), PyprojectOptions{})
		var re *Error
		if !errors.As(err, &re) || re.Line < 1 || !strings.HasPrefix(err.Error(), "pyproject.toml:") {
			t.Errorf("%q: %v (want a positioned *Error)", doc, err)
		}
	}
}

// TestPyprojectSyntaxErrorMessages checks that a malformed requirement or
// marker in pyproject.toml is quoted once, with the reason, at the column of
// the offending character when the TOML string has no escapes (as
// requirements files do), and at the string's start (with the column inside
// the string in the reason) when it has.
func TestPyprojectSyntaxErrorMessages(t *testing.T) {
	const head = "[project]\nname = \"x\"\nversion = \"1\"\n"
	tests := []struct {
		name, toml, want string
	}{
		{"requirement", head + "dependencies = [\"numpy>>1\"]\n",
			`pyproject.toml:4:23: invalid requirement "numpy>>1": expected semicolon (after name with no version specifier) or end`},
		{"literal string", head + "dependencies = [\n  'numpy>>1',\n]\n",
			`pyproject.toml:5:9: invalid requirement "numpy>>1": expected semicolon (after name with no version specifier) or end`},
		{"in marker", head + "dependencies = ['a ; python_version <']\n",
			`pyproject.toml:4:38: invalid requirement "a ; python_version <": expected a marker variable or quoted string`},
		{"escaped", head + "dependencies = [\"num\\u0070y>>1\"]\n",
			`pyproject.toml:4:18: invalid requirement "numpy>>1": expected semicolon (after name with no version specifier) or end at column 6 of the string`},
		{"environments", head + "[tool.pylock]\nenvironments = ['os_name ==']\n",
			`pyproject.toml:5:28: invalid marker in tool.pylock.environments "os_name ==": expected a marker variable or quoted string`},
		{"environments escaped", head + "[tool.pylock]\nenvironments = [\"os_name == \\\"nt\\\" and\"]\n",
			`pyproject.toml:5:18: invalid marker in tool.pylock.environments "os_name == \"nt\" and": expected a marker variable or quoted string at column 20 of the string`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePyproject("pyproject.toml", []byte(tc.toml), PyprojectOptions{})
			if err == nil || err.Error() != tc.want {
				t.Errorf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}
