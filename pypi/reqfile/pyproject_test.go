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
