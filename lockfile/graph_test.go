package lockfile

import (
	"slices"
	"testing"
)

// TestGraphRoots checks that root names come from PEP 508 parsing:
// normalised, with extras, markers and URLs stripped, unparsable entries
// ignored, names outside the lock kept out of the graph's roots.
func TestGraphRoots(t *testing.T) {
	l := &Lock{
		Packages: []Package{
			{Name: "foo-bar", Version: "1.0", Dependencies: []Dependency{{Name: "dep"}}},
			{Name: "dep", Version: "2.0"},
			{Name: "dep", Version: "3.0"},
			{Name: "direct", Version: "0.1"},
		},
		Tool: Tool{Requirements: []string{
			`Foo.Bar[x]>=1 ; python_version > "3"`,
			"direct @ https://example.com/direct-0.1.tar.gz",
			"not-locked==1",
			"===",
		}},
	}
	if got, want := sortedKeys(l.roots()), []string{"direct", "foo-bar", "not-locked"}; !slices.Equal(got, want) {
		t.Errorf("roots = %q, want %q", got, want)
	}
	g := NewGraph(l)
	if got, want := g.Roots(), []string{"direct", "foo-bar"}; !slices.Equal(got, want) {
		t.Errorf("graph roots = %q, want %q", got, want)
	}
	// A dependency entry without version reaches every locked version.
	if got := g.deps[0]; !slices.Equal(got, []int{1, 2}) {
		t.Errorf("foo-bar depends on nodes %v, want [1 2]", got)
	}
	if got := g.Dependencies("Foo_Bar"); !slices.Equal(got, []string{"dep"}) {
		t.Errorf("Dependencies(Foo_Bar) = %q", got)
	}
	g.SetEdgeRequirement("foo-bar", "dep", "dep>=2")
	out, err := g.RenderWhy("DEP")
	if err != nil {
		t.Fatal(err)
	}
	if want := "you require \"Foo.Bar[x]>=1; python_version > \\\"3\\\"\" -> foo-bar==1.0 -(dep>=2)-> dep==3.0\n"; out != want {
		t.Errorf("why dep:\n%s\nwant\n%s", out, want)
	}
	if _, err := g.Why("nope"); err == nil {
		t.Error("why of a package not in the lock: no error")
	}
	if got, want := RenderTree(g.Tree(false, 0)), "direct 0.1\nfoo-bar 1.0\n└── dep 3.0\n"; got != want {
		t.Errorf("tree:\n%s\nwant\n%s", got, want)
	}
}
