package resolver_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/memprovider"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

// parseModeOptions reads a scenario's options section for mode m: the
// single-resolution options of TestScenarios (parseOptions) and, in
// universal mode, requires-python, max-forks, environment and
// required-environment.
func parseModeOptions(src string, m mode) (target.Target, resolver.UniversalOptions, error) {
	var opts resolver.UniversalOptions
	var rest []string
	for _, l := range lines(src) {
		k, v, _ := strings.Cut(l, " ")
		if !m.universal {
			k = "" // every key is parseOptions's
		}
		switch k {
		case "requires-python":
			opts.RequiresPython = strings.TrimSpace(v)
		case "environment", "required-environment":
			mk, err := pep508.ParseMarker(strings.TrimSpace(v))
			if err != nil {
				return target.Target{}, opts, err
			}
			if k == "environment" {
				opts.Environments = append(opts.Environments, mk)
			} else {
				opts.RequiredEnvironments = append(opts.RequiredEnvironments, mk)
			}
		case "max-forks":
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return target.Target{}, opts, err
			}
			opts.MaxForks = n
		default:
			rest = append(rest, l)
		}
	}
	tg, o, err := parseOptions(strings.Join(rest, "\n"))
	opts.Options = o
	return tg, opts, err
}

// TestVerifyUniversalRejects makes sure the sample-environment checker
// used by the universal tests catches broken results.
func TestVerifyUniversalRejects(t *testing.T) {
	idx, err := parseIndex("a 1.0\na 2.0\nb 1.0: c ; sys_platform == 'linux'\nc 1.0\n")
	if err != nil {
		t.Fatal(err)
	}
	root, err := parseReqs([]string{"a>=2 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'darwin'", "b"})
	if err != nil {
		t.Fatal(err)
	}
	pkg := func(name, version, marker string) resolver.Package {
		p := resolver.Package{Name: name, Version: pep440.MustParse(version)}
		if marker != "" {
			p.Marker = pep508.MustParseMarker(marker)
		}
		return p
	}
	good := []resolver.Package{
		pkg("a", "1.0", `sys_platform == "darwin"`), pkg("a", "2.0", `sys_platform == "linux"`),
		pkg("b", "1.0", ""), pkg("c", "1.0", `sys_platform == "linux"`),
	}
	tests := []struct {
		name string
		pkgs []resolver.Package
		want string // substring of the first problem; "" = valid
	}{
		{"valid", good, ""},
		{"two versions at once", []resolver.Package{pkg("a", "1.0", ""), good[1], good[2], good[3]}, "installed at"},
		{"wrong version", []resolver.Package{pkg("a", "1.0", `sys_platform == "darwin" or sys_platform == "linux"`), good[2], good[3]}, "requires a>=2"},
		{"missing on linux", []resolver.Package{good[0], good[1], good[2]}, "requires c"},
		{"unknown release", []resolver.Package{good[0], good[1], good[2], pkg("c", "9.0", `sys_platform == "linux"`)}, "no such release"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			problems := verifyUniversal(idx, root, ">=3.10", &resolver.Result{Packages: tc.pkgs})
			switch {
			case tc.want == "" && len(problems) > 0:
				t.Errorf("unexpected problems: %v", problems)
			case tc.want != "" && (len(problems) == 0 || !strings.Contains(problems[0], tc.want)):
				t.Errorf("problems %v, want one containing %q", problems, tc.want)
			}
		})
	}
}

// TestResolveUniversalRequiresPythonError checks that a malformed
// Requires-Python is an input error naming the text.
func TestResolveUniversalRequiresPythonError(t *testing.T) {
	idx := &corpus.Index{Projects: map[string]*corpus.Project{}}
	p := memprovider.New(idx, mustTarget(t), memprovider.Options{})
	_, err := resolver.ResolveUniversal(context.Background(), p, nil, resolver.UniversalOptions{RequiresPython: ">=3.x"})
	if err == nil || !strings.Contains(err.Error(), `">=3.x"`) {
		t.Fatalf("err = %v, want one naming \">=3.x\"", err)
	}
}

// mustTarget is the machine the in-memory index is served for; universal
// resolution counts every wheel, whatever it says.
func mustTarget(t *testing.T) target.Target {
	t.Helper()
	tg, err := target.New("3.12", defaultPlatform)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestDependencyVersions(t *testing.T) {
	idx, err := parseIndex("a 1.0: c==1 ; sys_platform == 'win32' | c==2 ; sys_platform != 'win32' | d\nc 1.0\nc 2.0\nd 1.0\n")
	if err != nil {
		t.Fatal(err)
	}
	root, err := parseReqs([]string{"a ; os_name == 'nt'"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := resolver.ResolveUniversal(context.Background(), memprovider.New(idx, mustTarget(t), memprovider.Options{}), root, resolver.UniversalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	versions := func(ps []resolver.Package) string {
		var vs []string
		for _, p := range ps {
			vs = append(vs, p.Version.String())
		}
		return strings.Join(vs, ",")
	}
	var a *resolver.Package
	for i := range res.Packages {
		if res.Packages[i].Name == "a" {
			a = &res.Packages[i]
		}
	}
	if a == nil || len(res.Root) != 1 {
		t.Fatalf("unexpected result:\n%s", renderResult(res, nil))
	}
	if got := versions(res.DependencyVersions(nil, res.Root[0])); got != "1.0" {
		t.Errorf("root -> a: %q, want 1.0", got)
	}
	want := map[string]string{
		"c==1; sys_platform == \"win32\"": "1.0",
		"c==2; sys_platform != \"win32\"": "2.0",
		"d":                               "1.0",
	}
	for _, e := range a.Dependencies {
		if got := versions(res.DependencyVersions(a, e)); got != want[e.Requirement] {
			t.Errorf("a -> %s: %q, want %q", e.Requirement, got, want[e.Requirement])
		}
	}
	if len(a.Dependencies) != len(want) {
		t.Errorf("a's dependencies: %v", a.Dependencies)
	}
}
