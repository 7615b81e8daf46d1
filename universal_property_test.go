package pylock

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/fakeindex"
	pyinputs "github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
)

// lockPropertyGraphs is how many random graphs TestUniversalLockProperty
// locks through the whole pipeline (a fake index server each).
const lockPropertyGraphs = 120

// lockPropertyMarkers are the markers of random edges (see the resolver's
// TestUniversalProperty, which checks the resolutions themselves).
var lockPropertyMarkers = []string{
	"", "", "",
	`sys_platform == 'linux'`, `sys_platform == 'win32'`, `sys_platform != 'win32'`,
	`python_version >= '3.11'`, `python_version < '3.11'`, `os_name == 'nt'`,
	`sys_platform == 'linux' and python_version >= '3.11'`, `sys_platform == 'win32' or python_version < '3.11'`,
}

// randomLockIndex builds projects p0..pN with one to three versions, each
// depending on up to three others with random specifiers and markers, and
// one to three root requirements.
func randomLockIndex(r *rand.Rand) (*corpus.Index, []string) {
	n := 3 + r.IntN(3)
	req := func(self int) string {
		t := r.IntN(n)
		if t == self {
			return ""
		}
		s := "p" + strconv.Itoa(t)
		switch v := 1 + r.IntN(3); r.IntN(5) {
		case 0:
			s += fmt.Sprintf("==%d.0", v)
		case 1:
			s += fmt.Sprintf(">=%d.0", v)
		case 2:
			s += fmt.Sprintf("<%d.0", v)
		}
		if m := lockPropertyMarkers[r.IntN(len(lockPropertyMarkers))]; m != "" {
			s += " ; " + m
		}
		return s
	}
	idx := &corpus.Index{Projects: map[string]*corpus.Project{}}
	for i := range n {
		name := "p" + strconv.Itoa(i)
		p := &corpus.Project{Name: name}
		for v := 1; v <= 1+r.IntN(3); v++ {
			rel := &corpus.Release{Version: strconv.Itoa(v) + ".0", Wheel: true, Sdist: true, WheelTags: []string{"py3-none-any"}}
			for range r.IntN(4) {
				if d := req(i); d != "" {
					rel.Requires = append(rel.Requires, d)
				}
			}
			p.Releases = append(p.Releases, rel)
		}
		idx.Projects[name] = p
	}
	var root []string
	for len(root) == 0 {
		for range 1 + r.IntN(3) {
			if d := req(-1); d != "" {
				root = append(root, d)
			}
		}
	}
	return idx, root
}

// lockEnvs are the concrete environments the lock is read in.
func lockEnvs() []pep508.Env {
	var out []pep508.Env
	for _, pl := range [][3]string{{"linux", "posix", "Linux"}, {"win32", "nt", "Windows"}, {"darwin", "posix", "Darwin"}} {
		for _, py := range []string{"3.10.4", "3.11.0", "3.12.3"} {
			out = append(out, pep508.Env{"sys_platform": pl[0], "os_name": pl[1], "platform_system": pl[2],
				"python_full_version": py, "python_version": py[:strings.LastIndexByte(py, '.')], "platform_machine": "x86_64",
				"implementation_name": "cpython", "platform_python_implementation": "CPython", "implementation_version": py,
				"platform_release": "", "platform_version": ""})
		}
	}
	return out
}

// TestUniversalLockProperty locks random marker-annotated graphs with
// --universal through a fake index: every lock validates (a dependency
// never names a package the lock left out), and in each concrete
// environment the entries whose (minimised) markers hold are exactly the
// versions the universal resolution selects there.
func TestUniversalLockProperty(t *testing.T) {
	graphs := lockPropertyGraphs
	if testing.Short() {
		graphs = 20
	}
	locked := 0
	for seed := range graphs {
		idx, root := randomLockIndex(rand.New(rand.NewPCG(uint64(seed), 751)))
		desc := fmt.Sprintf("seed %d, root %q", seed, root)
		srv := fakeindex.New(idx, fakeindex.Options{})
		var deps []string
		for _, r := range root {
			deps = append(deps, strconv.Quote(r))
		}
		py := writeFile(t, "pyproject.toml", "[project]\nname = \"app\"\nversion = \"1\"\nrequires-python = \">=3.10\"\ndependencies = ["+
			strings.Join(deps, ", ")+"]\n")
		res, err := Resolve(context.Background(), Options{Universal: true, IndexURL: srv.SimpleURL(), NoCache: true,
			Inputs: pyinputs.FromPaths(reqfile.PyprojectOptions{}, py), Target: TargetSpec{PythonVersion: "3.12"},
			Getenv: func(string) string { return "" }})
		srv.Close()
		if KindOf(err) == KindNoSolution {
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		locked++
		if err := res.Lock.Validate(); err != nil {
			t.Fatalf("%s: the lock does not validate: %v", desc, err)
		}
		for _, env := range lockEnvs() {
			var want []string
			for _, p := range res.Universal.Packages {
				if ok, err := p.Marker.Evaluate(env); ok && err == nil {
					want = append(want, p.Name+"=="+p.Version.String())
				}
			}
			got := installed(t, res.Lock, env)
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s, %s py%s: the lock installs %v, the resolution selects %v", desc, env["sys_platform"], env["python_full_version"], got, want)
			}
		}
	}
	t.Logf("%d graphs, %d locked", graphs, locked)
	if locked < graphs/4 {
		t.Errorf("only %d of %d graphs locked: the generator needs adjusting", locked, graphs)
	}
}

// TestUniversalDisjointChild is issue 15's case: a dependency whose marker
// can never hold together with its parent's (parent only on Windows, child
// only on Linux) is left out of the lock with its edge, instead of an
// "internal error: the universal lock pylock built is invalid".
func TestUniversalDisjointChild(t *testing.T) {
	idx := &corpus.Index{Projects: map[string]*corpus.Project{
		"a": {Name: "a", Releases: []*corpus.Release{{Version: "1.0", Wheel: true, WheelTags: []string{"py3-none-any"},
			Requires: []string{"b ; sys_platform == 'linux'", "c"}}}},
		"b": {Name: "b", Releases: []*corpus.Release{{Version: "1.0", Wheel: true, WheelTags: []string{"py3-none-any"}}}},
		"c": {Name: "c", Releases: []*corpus.Release{{Version: "1.0", Wheel: true, WheelTags: []string{"py3-none-any"}}}},
	}}
	srv := fakeindex.New(idx, fakeindex.Options{})
	defer srv.Close()
	reqs := writeFile(t, "requirements.txt", "a ; sys_platform == 'win32'\n")
	l := mustUniversal(t, Options{Inputs: pyinputs.FromPaths(reqfile.PyprojectOptions{}, reqs), IndexURL: srv.SimpleURL()})
	var got []string
	for _, p := range l.Packages {
		got = append(got, p.Name+" "+p.Marker)
		for _, d := range p.Dependencies {
			got = append(got, "  -> "+d.Name)
		}
	}
	want := []string{`a sys_platform == "win32"`, "  -> c", `c sys_platform == "win32"`}
	if !slices.Equal(got, want) {
		t.Errorf("lock:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
