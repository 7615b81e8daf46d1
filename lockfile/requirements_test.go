package lockfile

import (
	"strings"
	"testing"
)

func TestRequirementsVia(t *testing.T) {
	l := mini("a: c", "b", "c")
	l.Tool.Inputs = []string{"r1.txt", "r2.txt", "c.txt"}
	l.Tool.Requirements = []string{"a", "b"}
	for _, tc := range []struct {
		name string
		via  map[string][]string
		want map[string]string // package -> its via lines
	}{
		{"recorded", map[string][]string{"a": {"-r r1.txt"}, "b": {"-r r1.txt", "-r r2.txt"}, "c": {"-c c.txt"}},
			map[string]string{"a": "    # via -r r1.txt\n", "b": "    # via\n    #   -r r1.txt\n    #   -r r2.txt\n", "c": "    # via\n    #   -c c.txt\n    #   a\n"}},
		// A lock without provenance and several inputs names no file.
		{"legacy, several inputs", nil, map[string]string{"a": "", "b": "", "c": "    # via a\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l.Tool.Via = tc.via
			text := string(RenderRequirements(l, ""))
			for pkg, want := range tc.want {
				got := viaOf(text, pkg)
				if got != want {
					t.Errorf("%s via:\n%q\nwant\n%q\nin:\n%s", pkg, got, want, text)
				}
			}
		})
	}
	// A legacy lock with one input names it for the roots.
	l.Tool.Via, l.Tool.Inputs = nil, []string{"requirements.txt"}
	if got := viaOf(string(RenderRequirements(l, "")), "b"); got != "    # via -r requirements.txt\n" {
		t.Errorf("legacy single input: %q", got)
	}
}

// viaOf returns the "# via" lines after pkg's requirement.
func viaOf(text, pkg string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.SplitAfter(text, "\n") {
		switch {
		case strings.HasPrefix(line, pkg+"=="):
			in = true
		case in && strings.HasPrefix(line, "    # "):
			b.WriteString(line)
		case in && !strings.HasPrefix(line, "    --hash"):
			return b.String()
		}
	}
	return b.String()
}

func TestRequirementsEmitOptions(t *testing.T) {
	l := mini("app: pip", "pip 24.0", "setuptools 69.0", "wheel 0.42.0")
	l.Tool.Options = map[string]string{"index-url": "https://${USER}:${TOKEN}@pkgs.example/simple", "extra-index-url": "https://extra.example/simple", "find-links": "./wheels"}
	text := string(RenderRequirementsWith(l, RequirementsOptions{}))
	for _, want := range []string{
		"#\n--index-url https://${USER}:${TOKEN}@pkgs.example/simple\n--extra-index-url https://extra.example/simple\n--find-links ./wheels\n\napp==1.0",
		"\npip==24.0 \\\n", "\nsetuptools==69.0 \\\n", "\nwheel==0.42.0 \\\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	text = string(RenderRequirementsWith(l, RequirementsOptions{NoEmitIndexURL: true, NoEmitPackages: []string{"PIP", "Setuptools"}}))
	for _, absent := range []string{"--index-url", "--extra-index-url", "--find-links", "\npip==", "\nsetuptools=="} {
		if strings.Contains(text, absent) {
			t.Errorf("%q written:\n%s", absent, text)
		}
	}
	if !strings.Contains(text, "\nwheel==0.42.0 \\\n") || !strings.Contains(text, "\napp==1.0 \\\n") {
		t.Errorf("wheel or app missing:\n%s", text)
	}
}

func TestIndexOptionLines(t *testing.T) {
	for _, tc := range []struct {
		opts map[string]string
		pkgs []Package
		want string
	}{
		{map[string]string{"index-url": "https://pypi.org/simple"}, nil, ""},
		{map[string]string{"index-url": "${PIP_INDEX_URL}"}, []Package{{Name: "a", Index: "file:///srv/idx/simple"}}, "--index-url ${PIP_INDEX_URL}"},
		{map[string]string{"index-url": "https://pypi.org/simple/", "extra-index-url": "https://a.example/simple https://b.example/simple"}, nil,
			"--extra-index-url https://a.example/simple|--extra-index-url https://b.example/simple"},
		// A local directory index is written as the file: URL it was read from.
		{map[string]string{"index-url": "/nonexistent/idx"}, []Package{{Name: "a", Index: "file:///elsewhere/idx/simple"}},
			"--index-url file:///elsewhere/idx/simple"},
		{map[string]string{"index-url": "/srv/idx"}, []Package{{Name: "a", Index: "file:///srv/idx/simple"}, {Name: "b", Index: "file:///other/simple"}},
			"--index-url file:///srv/idx/simple"},
	} {
		l := &Lock{Tool: Tool{Options: tc.opts}, Packages: tc.pkgs}
		if got := strings.Join(IndexOptionLines(l), "|"); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.opts, got, tc.want)
		}
	}
}

func TestPlanNotesPipReplacement(t *testing.T) {
	l := mini("app: pip", "pip 24.0")
	p, err := Plan(l, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Steps[0].Notes; len(n) != 1 || !strings.HasPrefix(n[0], "this step replaces the installer's own pip with pip==24.0 while it installs") {
		t.Errorf("notes = %q", n)
	}
	if !strings.Contains(string(p.Shell(RenderOptions{})), "# Note: this step replaces the installer's own pip") {
		t.Error("shell plan lacks the note")
	}
	p, err = Plan(l, []string{"pip"})
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Steps[0].Notes; len(n) != 1 || n[0] != "this step replaces the installer's own pip with pip==24.0 before the other steps" {
		t.Errorf("install-first pip: notes = %q", n)
	}
	if n := p.Steps[1].Notes; len(n) != 0 {
		t.Errorf("step 2 notes = %q", n)
	}
	if p, _ := Plan(mini("app"), nil); len(p.Steps[0].Notes) != 0 {
		t.Errorf("no pip, notes %q", p.Steps[0].Notes)
	}
}
