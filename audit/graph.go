package audit

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/pep508"
)

// RootName is the pseudo-package standing for the lock's inputs.
const RootName = "<inputs>"

// Graph is the dependency graph of a lock.
type Graph struct {
	Versions map[string]string             // name -> version
	Out      map[string][]string           // name -> dependencies (sorted)
	Req      map[[2]string]string          // (from, to) -> requirement text, when known (AddEdgeRequirements)
	In       map[string][]string           // name -> dependents (sorted)
	Roots    []string                      // direct requirements (sorted)
	ReqOf    map[string]pep508.Requirement // root requirement per name
}

// NewGraph builds the graph from packages' dependencies and the root
// requirements recorded in [tool.pylock] (or given).
func NewGraph(l *lockfile.Lock, roots []pep508.Requirement) *Graph {
	g := &Graph{Versions: map[string]string{}, Out: map[string][]string{}, In: map[string][]string{},
		Req: map[[2]string]string{}, ReqOf: map[string]pep508.Requirement{}}
	for _, p := range l.Packages {
		g.Versions[canonical(p.Name)] = p.Version
	}
	for _, p := range l.Packages {
		from := canonical(p.Name)
		for _, d := range p.Dependencies {
			to := canonical(d.Name)
			if _, ok := g.Versions[to]; ok && !contains(g.Out[from], to) {
				g.Out[from] = append(g.Out[from], to)
				g.In[to] = append(g.In[to], from)
			}
		}
	}
	if roots == nil {
		for _, s := range l.Tool.Requirements {
			if r, err := pep508.ParseRequirement(s); err == nil {
				roots = append(roots, r)
			}
		}
	}
	for _, r := range roots {
		n := r.NormalizedName()
		if _, ok := g.Versions[n]; ok && !contains(g.Roots, n) {
			g.Roots = append(g.Roots, n)
			g.ReqOf[n] = r
			g.In[n] = append(g.In[n], RootName)
		}
	}
	sort.Strings(g.Roots)
	for _, m := range []map[string][]string{g.Out, g.In} {
		for k := range m {
			sort.Strings(m[k])
		}
	}
	return g
}

func contains(s []string, x string) bool {
	for _, e := range s {
		if e == x {
			return true
		}
	}
	return false
}

// MaxWhyPaths bounds Why: a dense graph can have exponentially many paths.
const MaxWhyPaths = 1000

// Why returns every path from the inputs to name (each path starts with a
// root package and ends with name), sorted; cycles are not followed. At
// most MaxWhyPaths paths are returned.
func (g *Graph) Why(name string) ([][]string, error) {
	name = canonical(name)
	if _, ok := g.Versions[name]; !ok {
		return nil, fmt.Errorf("%s is not in the lock", name)
	}
	var paths [][]string
	var walk func(n string, suffix []string)
	walk = func(n string, suffix []string) {
		path := append([]string{n}, suffix...)
		for _, from := range g.In[n] {
			if len(paths) >= MaxWhyPaths {
				return
			}
			if from == RootName {
				paths = append(paths, path)
				continue
			}
			if contains(path, from) {
				continue
			}
			walk(from, path)
		}
	}
	walk(name, nil)
	sort.Slice(paths, func(i, j int) bool { return strings.Join(paths[i], " ") < strings.Join(paths[j], " ") })
	return paths, nil
}

// Label renders "name==version".
func (g *Graph) Label(n string) string { return n + "==" + g.Versions[n] }

// RenderWhy renders Why's paths with the root requirement on the first edge.
func (g *Graph) RenderWhy(name string) (string, error) {
	paths, err := g.Why(name)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if len(paths) == 0 {
		fmt.Fprintf(&b, "%s is in the lock but no input requires it\n", g.Label(canonical(name)))
	}
	for _, p := range paths {
		fmt.Fprintf(&b, "you require %q -> %s", g.ReqOf[p[0]].String(), g.Label(p[0]))
		for i := 1; i < len(p); i++ {
			if r := g.Req[[2]string{p[i-1], p[i]}]; r != "" {
				fmt.Fprintf(&b, " -(%s)-> %s", r, g.Label(p[i]))
			} else {
				fmt.Fprintf(&b, " -> %s", g.Label(p[i]))
			}
		}
		b.WriteString("\n")
	}
	if len(paths) >= MaxWhyPaths {
		fmt.Fprintf(&b, "(stopped after %d paths)\n", MaxWhyPaths)
	}
	return b.String(), nil
}

// MetadataFunc returns the core metadata of a locked package.
type MetadataFunc func(ctx context.Context, p *lockfile.Package) (*index.Metadata, error)

// AddEdgeRequirements fills g.Req from each package's Requires-Dist (markers
// evaluated in env, extras requirements left out; nil env keeps all): the
// edge from a to b reads "b>=1,<2", the specifiers of every matching
// requirement joined. Only packages in only (all when nil) are fetched.
// It stops at the first fetch error, keeping the edges found so far.
func (g *Graph) AddEdgeRequirements(ctx context.Context, l *lockfile.Lock, env pep508.Env, only map[string]bool, fetch MetadataFunc) error {
	for i := range l.Packages {
		p := &l.Packages[i]
		from := canonical(p.Name)
		if (only != nil && !only[from]) || len(g.Out[from]) == 0 {
			continue
		}
		md, err := fetch(ctx, p)
		if err != nil {
			return err
		}
		specs := map[string][]string{}
		for _, s := range md.RequiresDist {
			r, err := pep508.ParseRequirement(s)
			if err != nil || !contains(g.Out[from], r.NormalizedName()) {
				continue
			}
			if !r.Marker.IsTrue() && env != nil {
				if ok, err := r.Marker.Evaluate(env); err == nil && !ok {
					continue
				}
			}
			to := r.NormalizedName()
			if sp := r.Specifier.String(); sp != "" && !contains(specs[to], sp) {
				specs[to] = append(specs[to], sp)
			}
			if specs[to] == nil {
				specs[to] = []string{}
			}
		}
		for to, sp := range specs {
			g.Req[[2]string{from, to}] = to + strings.Join(sp, ",")
		}
	}
	return nil
}

// OnPaths returns the packages with an outgoing edge on some path to name.
func (g *Graph) OnPaths(name string) map[string]bool {
	out := map[string]bool{}
	paths, _ := g.Why(name)
	for _, p := range paths {
		for _, n := range p[:len(p)-1] {
			out[n] = true
		}
	}
	return out
}

// TreeNode is one node of a rendered tree (JSON shape of `pylock tree`).
type TreeNode struct {
	Name     string      `json:"name"`
	Version  string      `json:"version"`
	Repeated bool        `json:"repeated,omitempty"` // expanded earlier in the output (or a cycle); children omitted
	Children []*TreeNode `json:"children,omitempty"`
}

// Tree returns the dependency forest from the roots (or, inverted, from
// every package up to the roots), to depth levels (0 = unlimited). A
// package already expanded earlier in the forest (inverted: earlier under
// the same top-level package) is marked Repeated and not expanded again,
// so the output stays linear (inverted: quadratic) in the size of the lock.
func (g *Graph) Tree(invert bool, depth int) []*TreeNode {
	next := g.Out
	starts := g.Roots
	if invert {
		next = map[string][]string{}
		for k, v := range g.In {
			for _, n := range v {
				if n != RootName {
					next[k] = append(next[k], n)
				}
			}
		}
		starts = nil
		for n := range g.Versions {
			starts = append(starts, n)
		}
		sort.Strings(starts)
	}
	if len(starts) == 0 {
		for n := range g.Versions {
			if len(g.In[n]) == 0 {
				starts = append(starts, n)
			}
		}
		sort.Strings(starts)
	}
	expanded := map[string]bool{}
	var build func(n string, level int, path []string) *TreeNode
	build = func(n string, level int, path []string) *TreeNode {
		node := &TreeNode{Name: n, Version: g.Versions[n]}
		if len(next[n]) > 0 && (expanded[n] || contains(path, n)) {
			node.Repeated = true
			return node
		}
		if depth > 0 && level >= depth {
			return node
		}
		expanded[n] = true
		for _, c := range next[n] {
			node.Children = append(node.Children, build(c, level+1, append(path, n)))
		}
		return node
	}
	var out []*TreeNode
	for _, s := range starts {
		if invert {
			expanded = map[string]bool{} // each package's dependents in full
		}
		out = append(out, build(s, 0, nil))
	}
	return out
}

// RenderTree renders the forest as indented text.
func RenderTree(nodes []*TreeNode) string {
	var b strings.Builder
	var walk func(n *TreeNode, prefix string, last, top bool)
	walk = func(n *TreeNode, prefix string, last, top bool) {
		line := n.Name + " " + n.Version
		if n.Repeated {
			line += " (*)"
		}
		child := prefix
		switch {
		case top:
			b.WriteString(line + "\n")
		case last:
			b.WriteString(prefix + "└── " + line + "\n")
			child = prefix + "    "
		default:
			b.WriteString(prefix + "├── " + line + "\n")
			child = prefix + "│   "
		}
		for i, c := range n.Children {
			walk(c, child, i == len(n.Children)-1, false)
		}
	}
	for _, n := range nodes {
		walk(n, "", true, true)
	}
	return b.String()
}
