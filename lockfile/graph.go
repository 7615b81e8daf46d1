package lockfile

import (
	"sort"
	"strings"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep508"
)

// Graph is the dependency graph of a lock, the one graph type behind the
// install plan, the requirements export, the report, and audit's why and
// tree. Nodes are indices into the lock's Packages; edges go from a package
// to the packages its dependencies entries name (every matching version
// when an entry gives none). The roots are the packages the lock's root
// requirements ([tool.pylock] requirements, parsed as PEP 508) name.
//
// Why, RenderWhy, OnPaths and Tree (why.go) view the graph by canonical
// project name, as the CLI's why and tree commands do. A Graph reads its
// lock when built; do not change the lock afterwards.
type Graph struct {
	l      *Lock
	deps   [][]int // sorted by node order
	rdeps  [][]int
	rank   []int            // position of each node in (name, version, marker) order
	byName map[string][]int // canonical name -> nodes, in lock order

	view nameView // by canonical name: see why.go
}

// NewGraph builds the graph of l.
func NewGraph(l *Lock) *Graph {
	n := len(l.Packages)
	g := &Graph{l: l, deps: make([][]int, n), rdeps: make([][]int, n), rank: make([]int, n), byName: map[string][]int{}}
	byName := g.byName
	for i := range l.Packages {
		byName[names.Canonicalize(l.Packages[i].Name)] = append(byName[names.Canonicalize(l.Packages[i].Name)], i)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return pkgLess(&l.Packages[order[a]], &l.Packages[order[b]]) })
	for r, i := range order {
		g.rank[i] = r
	}
	for i := range l.Packages {
		seen := map[int]bool{}
		for _, d := range l.Packages[i].Dependencies {
			for _, j := range byName[names.Canonicalize(d.Name)] {
				if d.Version != "" && compareVersions(d.Version, l.Packages[j].Version) != 0 {
					continue
				}
				if !seen[j] {
					seen[j] = true
					g.deps[i] = append(g.deps[i], j)
					g.rdeps[j] = append(g.rdeps[j], i)
				}
			}
		}
	}
	for i := range g.deps {
		g.sortNodes(g.deps[i])
		g.sortNodes(g.rdeps[i])
	}
	g.view = newNameView(g)
	return g
}

func pkgLess(a, b *Package) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	if c := compareVersions(a.Version, b.Version); c != 0 {
		return c < 0
	}
	return a.Marker < b.Marker
}

func (g *Graph) sortNodes(s []int) {
	sort.Slice(s, func(a, b int) bool { return g.rank[s[a]] < g.rank[s[b]] })
}

// label is "name==version" (or the name alone when there is no version).
func (p *Package) label() string {
	if p.Version == "" {
		return p.Name
	}
	return p.Name + "==" + p.Version
}

// closure returns the nodes reachable from roots (roots included) that are
// not in skip.
func (g *Graph) closure(roots []int, skip []bool) []int {
	seen := make([]bool, len(g.deps))
	var out []int
	var visit func(int)
	visit = func(i int) {
		if seen[i] || skip[i] {
			return
		}
		seen[i] = true
		out = append(out, i)
		for _, j := range g.deps[i] {
			visit(j)
		}
	}
	for _, r := range roots {
		visit(r)
	}
	return out
}

// order sorts set so that dependencies come before dependents. Among the
// packages ready at any point the first in (name, version) order goes
// first, so the result is deterministic. A dependency cycle (a strongly
// connected component of more than one package) is installed as a block in
// name order and described in the returned notes.
func (g *Graph) order(set []int) ([]int, []string) {
	in := make(map[int]bool, len(set))
	for _, i := range set {
		in[i] = true
	}
	comps := g.sccs(set, in)
	compOf := map[int]int{}
	for c, members := range comps {
		for _, i := range members {
			compOf[i] = c
		}
	}
	// pending[c] counts the distinct components c depends on.
	pending := make([]int, len(comps))
	users := make([][]int, len(comps))
	for c, members := range comps {
		seen := map[int]bool{}
		for _, i := range members {
			for _, j := range g.deps[i] {
				if !in[j] || compOf[j] == c || seen[compOf[j]] {
					continue
				}
				seen[compOf[j]] = true
				pending[c]++
				users[compOf[j]] = append(users[compOf[j]], c)
			}
		}
	}
	var ready []int
	for c := range comps {
		if pending[c] == 0 {
			ready = append(ready, c)
		}
	}
	var out []int
	var notes []string
	for len(ready) > 0 {
		sort.Slice(ready, func(a, b int) bool { return g.rank[comps[ready[a]][0]] < g.rank[comps[ready[b]][0]] })
		c := ready[0]
		ready = ready[1:]
		out = append(out, comps[c]...)
		if len(comps[c]) > 1 {
			notes = append(notes, g.cycleNote(comps[c]))
		}
		for _, u := range users[c] {
			pending[u]--
			if pending[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	return out, notes
}

func (g *Graph) cycleNote(members []int) string {
	labels := make([]string, len(members))
	for i, m := range members {
		labels[i] = g.l.Packages[m].label()
	}
	return "dependency cycle between " + strings.Join(labels, ", ") + ": broken by installing them together, in name order"
}

// sccs returns the strongly connected components of the subgraph on set,
// each sorted in node order (Tarjan's algorithm, iterative over sorted
// nodes so the result does not depend on map order).
func (g *Graph) sccs(set []int, in map[int]bool) [][]int {
	nodes := append([]int(nil), set...)
	g.sortNodes(nodes)
	index := map[int]int{}
	low := map[int]int{}
	onStack := map[int]bool{}
	var stack []int
	var comps [][]int
	next := 0
	var strong func(v int)
	strong = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range g.deps[v] {
			if !in[w] {
				continue
			}
			if _, ok := index[w]; !ok {
				strong(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var comp []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			g.sortNodes(comp)
			comps = append(comps, comp)
		}
	}
	for _, v := range nodes {
		if _, ok := index[v]; !ok {
			strong(v)
		}
	}
	return comps
}

// roots returns the canonical names of the lock's root requirements
// (Tool.Requirements); a requirement that does not parse names nothing
// (Validate reports it).
func (l *Lock) roots() map[string]bool {
	out := map[string]bool{}
	for _, r := range l.Tool.Requirements {
		if req, err := pep508.ParseRequirement(r); err == nil {
			out[req.NormalizedName()] = true
		}
	}
	return out
}
