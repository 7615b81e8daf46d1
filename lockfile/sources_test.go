package lockfile

import (
	"strings"
	"testing"
)

// directLock is a lock with every kind of source: index packages, a wheel
// at a URL, a local sdist, a git repository at a tag and an editable local
// project that depends on the others.
func directLock() *Lock {
	const idx = "https://pypi.org/simple"
	wheelURL := whl("urlpkg-2.0-py3-none-any.whl", 1234)
	return &Lock{
		LockVersion: "1.0", CreatedBy: "pylock", RequiresPython: ">=3.9",
		Packages: []Package{
			{Name: "six", Version: "1.16.0", Index: idx, Wheels: []Artifact{whl("six-1.16.0-py2.py3-none-any.whl", 11053)}},
			{Name: "urlpkg", Version: "2.0", Archive: &wheelURL},
			{Name: "oldsdist", Version: "0.6.2", Dependencies: deps("six"),
				Archive: &Artifact{Path: "vendor/oldsdist-0.6.2.tar.gz", Size: 2048, Hashes: map[string]string{"sha256": fakeHash("oldsdist")}}},
			{Name: "gitpkg", Version: "1.0", Dependencies: deps("six"),
				VCS: VCSSource{Type: "git", URL: "https://git.example/org/gitpkg.git", RequestedRevision: "v1.0", CommitID: "0123456789abcdef0123456789abcdef01234567"}.Table()},
			{Name: "localpkg", Dependencies: deps("gitpkg", "oldsdist", "urlpkg"),
				Directory: DirectorySource{Path: "localpkg", Editable: true}.Table()},
		},
		Tool: Tool{Requirements: []string{"six", "urlpkg", "oldsdist", "gitpkg", "localpkg"}, Inputs: []string{"requirements.txt"}},
	}
}

func TestDirectSourcesGolden(t *testing.T) {
	l := directLock()
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	toml, err := l.MarshalTOML()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "golden/direct.pylock.toml", toml)
	back, err := ParseValid("direct.pylock.toml", toml)
	if err != nil {
		t.Fatalf("marshalled lock does not read back: %v", err)
	}
	sorted := l.clone()
	sorted.Sort()
	if d := lockDiff(sorted, back); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	golden(t, "golden/direct.requirements.txt", RenderRequirements(l, "pylock resolve requirements.txt"))
	p, err := Plan(l, nil)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "golden/direct.plan.sh", p.Shell(RenderOptions{}))
	golden(t, "golden/direct.inline.Dockerfile", p.Dockerfile(RenderOptions{Inline: true}))
	golden(t, "golden/direct.Dockerfile", p.Dockerfile(RenderOptions{}))
	js, err := p.JSON(RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "golden/direct.plan.json", js)
}

func TestPlanSplitsUnhashable(t *testing.T) {
	p, err := Plan(directLock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 2 || p.Steps[0].Kind != StepPackages || p.Steps[1].Kind != StepUnhashed {
		t.Fatalf("steps %v, want packages then unhashed", planString(p))
	}
	for _, pkg := range p.Steps[0].Packages {
		if pkg.Unhashable() {
			t.Errorf("%s in the hash-checked step", pkg.Name)
		}
	}
	var un []string
	for _, pkg := range p.Steps[1].Packages {
		un = append(un, pkg.Name)
	}
	if got := strings.Join(un, " "); got != "gitpkg localpkg" {
		t.Errorf("unhashed step %q, want gitpkg localpkg (dependencies first)", got)
	}
	sh := string(p.Shell(RenderOptions{}))
	if n := strings.Count(sh, "pip install --no-deps --require-hashes"); n != 1 || !strings.Contains(sh, "pip install --no-deps -r") {
		t.Errorf("%d --require-hashes in the shell plan, want 1 (the unhashed step has none):\n%s", n, sh)
	}
	df := string(p.Dockerfile(RenderOptions{Inline: true}))
	if !strings.Contains(df, "COPY localpkg ./localpkg") || !strings.Contains(df, "COPY vendor/oldsdist-0.6.2.tar.gz ./vendor/oldsdist-0.6.2.tar.gz") {
		t.Errorf("Dockerfile does not say what to COPY:\n%s", df)
	}
}

func TestSourceAccessors(t *testing.T) {
	v := VCSSource{Type: "git", URL: "https://h/r.git", RequestedRevision: "main", CommitID: "abc", Subdirectory: "py"}
	p := Package{Name: "r", VCS: v.Table()}
	if got, ok := p.VCSSource(); !ok || got != v {
		t.Errorf("VCSSource() = %+v, %v; want %+v", got, ok, v)
	}
	d := DirectorySource{Path: "../x", Editable: true, Subdirectory: "s"}
	p = Package{Name: "x", Directory: d.Table()}
	if got, ok := p.DirectorySource(); !ok || got != d {
		t.Errorf("DirectorySource() = %+v, %v; want %+v", got, ok, d)
	}
	if _, ok := (&Package{}).VCSSource(); ok {
		t.Error("VCSSource on an index package")
	}
}
