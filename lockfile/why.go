package lockfile

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep508"
)

// RootName is the pseudo-package standing for the lock's inputs in a
// Graph's name view: the dependents of a root package include it.
const RootName = "<inputs>"

// MaxWhyPaths bounds Why: a dense graph can have exponentially many paths.
const MaxWhyPaths = 1000

// nameView is a Graph seen by canonical project name: a name locked at
// several versions is one vertex (its version is the last entry's), with
// the union of the versions' edges.
type nameView struct {
	versions map[string]string             // name -> version
	out      map[string][]string           // name -> dependencies (sorted)
	in       map[string][]string           // name -> dependents, RootName for roots (sorted)
	roots    []string                      // root packages (sorted)
	reqOf    map[string]pep508.Requirement // root requirement per name
	req      map[[2]string]string          // (from, to) -> requirement text, when known
}

func newNameView(g *Graph) nameView {
	v := nameView{versions: map[string]string{}, out: map[string][]string{}, in: map[string][]string{},
		reqOf: map[string]pep508.Requirement{}, req: map[[2]string]string{}}
	for _, p := range g.l.Packages {
		v.versions[names.Canonicalize(p.Name)] = p.Version
	}
	for i, ds := range g.deps {
		from := names.Canonicalize(g.l.Packages[i].Name)
		for _, j := range ds {
			if to := names.Canonicalize(g.l.Packages[j].Name); !slices.Contains(v.out[from], to) {
				v.out[from] = append(v.out[from], to)
				v.in[to] = append(v.in[to], from)
			}
		}
	}
	for _, s := range g.l.Tool.Requirements {
		r, err := pep508.ParseRequirement(s)
		if err != nil {
			continue
		}
		n := r.NormalizedName()
		if _, ok := v.versions[n]; ok && !slices.Contains(v.roots, n) {
			v.roots = append(v.roots, n)
			v.reqOf[n] = r
			v.in[n] = append(v.in[n], RootName)
		}
	}
	sort.Strings(v.roots)
	for _, m := range []map[string][]string{v.out, v.in} {
		for k := range m {
			sort.Strings(m[k])
		}
	}
	return v
}

// Roots returns the canonical names of the locked packages the root
// requirements name, sorted.
func (g *Graph) Roots() []string { return slices.Clone(g.view.roots) }

// Dependencies returns the canonical names of the locked packages that
// name's entries depend on, sorted.
func (g *Graph) Dependencies(name string) []string {
	return slices.Clone(g.view.out[names.Canonicalize(name)])
}

// SetEdgeRequirement records the requirement text shown by RenderWhy on the
// edge from one package to another (canonical names), e.g. "b>=1,<2".
func (g *Graph) SetEdgeRequirement(from, to, requirement string) {
	g.view.req[[2]string{names.Canonicalize(from), names.Canonicalize(to)}] = requirement
}

// Why returns every path from the inputs to name (each path starts with a
// root package and ends with name), sorted; cycles are not followed. At
// most MaxWhyPaths paths are returned.
func (g *Graph) Why(name string) ([][]string, error) {
	v := &g.view
	name = names.Canonicalize(name)
	if _, ok := v.versions[name]; !ok {
		return nil, fmt.Errorf("%s is not in the lock", name)
	}
	var paths [][]string
	var walk func(n string, suffix []string)
	walk = func(n string, suffix []string) {
		path := append([]string{n}, suffix...)
		for _, from := range v.in[n] {
			if len(paths) >= MaxWhyPaths {
				return
			}
			if from == RootName {
				paths = append(paths, path)
				continue
			}
			if slices.Contains(path, from) {
				continue
			}
			walk(from, path)
		}
	}
	walk(name, nil)
	sort.Slice(paths, func(i, j int) bool { return strings.Join(paths[i], " ") < strings.Join(paths[j], " ") })
	return paths, nil
}

// label renders "name==version" for a canonical name.
func (v *nameView) label(n string) string { return n + "==" + v.versions[n] }

// RenderWhy renders Why's paths with the root requirement on the first
// edge and the requirements set by SetEdgeRequirement on the others.
func (g *Graph) RenderWhy(name string) (string, error) {
	paths, err := g.Why(name)
	if err != nil {
		return "", err
	}
	v := &g.view
	var b strings.Builder
	if len(paths) == 0 {
		fmt.Fprintf(&b, "%s is in the lock but no input requires it\n", v.label(names.Canonicalize(name)))
	}
	for _, p := range paths {
		fmt.Fprintf(&b, "you require %q -> %s", v.reqOf[p[0]].String(), v.label(p[0]))
		for i := 1; i < len(p); i++ {
			if r := v.req[[2]string{p[i-1], p[i]}]; r != "" {
				fmt.Fprintf(&b, " -(%s)-> %s", r, v.label(p[i]))
			} else {
				fmt.Fprintf(&b, " -> %s", v.label(p[i]))
			}
		}
		b.WriteString("\n")
	}
	if len(paths) >= MaxWhyPaths {
		fmt.Fprintf(&b, "(stopped after %d paths)\n", MaxWhyPaths)
	}
	return b.String(), nil
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
	v := &g.view
	next, starts := v.out, v.roots
	if invert {
		next, starts = v.dependents(), v.sortedNames(func(string) bool { return true })
	}
	if len(starts) == 0 {
		starts = v.sortedNames(func(n string) bool { return len(v.in[n]) == 0 })
	}
	expanded := map[string]bool{}
	var build func(n string, level int, path []string) *TreeNode
	build = func(n string, level int, path []string) *TreeNode {
		node := &TreeNode{Name: n, Version: v.versions[n]}
		if len(next[n]) > 0 && (expanded[n] || slices.Contains(path, n)) {
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

// dependents is in without RootName.
func (v *nameView) dependents() map[string][]string {
	next := map[string][]string{}
	for k, ns := range v.in {
		for _, n := range ns {
			if n != RootName {
				next[k] = append(next[k], n)
			}
		}
	}
	return next
}

// sortedNames returns the locked names keep accepts, sorted.
func (v *nameView) sortedNames(keep func(string) bool) []string {
	var out []string
	for n := range v.versions {
		if keep(n) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
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
