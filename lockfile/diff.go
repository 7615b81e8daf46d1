package lockfile

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/pylock/pylock/pypi/names"
)

// ChangeKind classifies a difference between two locks.
type ChangeKind string

const (
	Added      ChangeKind = "added"      // package only in the new lock
	Removed    ChangeKind = "removed"    // package only in the old lock
	Upgraded   ChangeKind = "upgraded"   // version went up
	Downgraded ChangeKind = "downgraded" // version went down
	// Changed: same version, different files (added, removed, or a file
	// whose hashes or URL changed), marker or dependencies.
	Changed ChangeKind = "changed"
)

// Change is one package's difference between two locks. For a name locked
// at several versions (by marker), the versions are compared as sets:
// OldVersion/NewVersion list them comma-separated.
type Change struct {
	Kind       ChangeKind
	Name       string
	OldVersion string
	NewVersion string
	// Details, for Changed (and alongside version changes of the same
	// version set), each one human line: "file added: X", "file removed: X",
	// "hash changed: X (sha256:aaa -> sha256:bbb)", "marker: A -> B",
	// "dependencies: [a b] -> [a c]".
	Details []string
}

// String renders the change on one line ("~ numpy 1.26.4 -> 2.1.3
// (upgraded)"), details on following indented lines.
func (c Change) String() string {
	var s string
	switch c.Kind {
	case Added:
		s = fmt.Sprintf("+ %s %s", c.Name, c.NewVersion)
	case Removed:
		s = fmt.Sprintf("- %s %s", c.Name, c.OldVersion)
	case Upgraded, Downgraded:
		s = fmt.Sprintf("~ %s %s -> %s (%s)", c.Name, c.OldVersion, c.NewVersion, c.Kind)
	default:
		s = fmt.Sprintf("! %s %s", c.Name, c.NewVersion)
	}
	for _, d := range c.Details {
		s += "\n    " + d
	}
	return s
}

// RenderDiff renders changes one per line (details indented), or
// "no changes".
func RenderDiff(changes []Change) []byte {
	if len(changes) == 0 {
		return []byte("no changes\n")
	}
	var b bytes.Buffer
	for _, c := range changes {
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Diff compares two locks package by package (canonical names), sorted by
// name: packages added or removed, versions changed, and for unchanged
// versions files added/removed/with different hashes or URL, marker and
// dependency changes. Top-level keys and [tool] are not compared.
func Diff(old, new *Lock) []Change {
	o, n := groupByName(old), groupByName(new)
	all := map[string]bool{}
	for k := range o {
		all[k] = true
	}
	for k := range n {
		all[k] = true
	}
	var out []Change
	for _, name := range sortedKeys(all) {
		op, np := o[name], n[name]
		switch {
		case len(op) == 0:
			out = append(out, Change{Kind: Added, Name: name, NewVersion: versions(np)})
		case len(np) == 0:
			out = append(out, Change{Kind: Removed, Name: name, OldVersion: versions(op)})
		default:
			if c, ok := diffPackage(name, op, np); ok {
				out = append(out, c)
			}
		}
	}
	return out
}

func groupByName(l *Lock) map[string][]*Package {
	out := map[string][]*Package{}
	if l == nil {
		return out
	}
	for i := range l.Packages {
		p := &l.Packages[i]
		n := names.Canonicalize(p.Name)
		out[n] = append(out[n], p)
	}
	for _, ps := range out {
		sort.SliceStable(ps, func(i, j int) bool { return pkgLess(ps[i], ps[j]) })
	}
	return out
}

func versions(ps []*Package) string {
	vs := make([]string, len(ps))
	for i, p := range ps {
		vs[i] = p.Version
	}
	return strings.Join(vs, ", ")
}

func diffPackage(name string, op, np []*Package) (Change, bool) {
	c := Change{Name: name, OldVersion: versions(op), NewVersion: versions(np)}
	if c.OldVersion != c.NewVersion {
		c.Kind = Upgraded
		if compareVersions(op[len(op)-1].Version, np[len(np)-1].Version) > 0 {
			c.Kind = Downgraded
		}
		return c, true
	}
	for i := range op {
		c.Details = append(c.Details, diffSameVersion(op[i], np[i])...)
	}
	if len(c.Details) == 0 {
		return c, false
	}
	c.Kind = Changed
	return c, true
}

func diffSameVersion(a, b *Package) []string {
	var out []string
	if a.Marker != b.Marker {
		out = append(out, fmt.Sprintf("marker: %s -> %s", orNone(a.Marker), orNone(b.Marker)))
	}
	if da, db := depNames(a), depNames(b); strings.Join(da, " ") != strings.Join(db, " ") {
		out = append(out, fmt.Sprintf("dependencies: [%s] -> [%s]", strings.Join(da, " "), strings.Join(db, " ")))
	}
	fa, fb := files(a), files(b)
	for _, name := range sortedKeys(fa) {
		x, ok := fb[name]
		if !ok {
			out = append(out, "file removed: "+name)
			continue
		}
		y := fa[name]
		if ha, hb := hashList(y), hashList(x); ha != hb {
			out = append(out, fmt.Sprintf("hash changed: %s (%s -> %s)", name, ha, hb))
		} else if y.URL != x.URL || y.Path != x.Path {
			out = append(out, fmt.Sprintf("location changed: %s (%s -> %s)", name, y.URL+y.Path, x.URL+x.Path))
		}
	}
	for _, name := range sortedKeys(fb) {
		if _, ok := fa[name]; !ok {
			out = append(out, "file added: "+name)
		}
	}
	return out
}

func depNames(p *Package) []string {
	var out []string
	for _, d := range p.Dependencies {
		s := names.Canonicalize(d.Name)
		if d.Version != "" {
			s += "==" + d.Version
		}
		out = append(out, s)
	}
	return uniqueSorted(out)
}

func files(p *Package) map[string]*Artifact {
	out := map[string]*Artifact{}
	for i := range p.Wheels {
		out[p.Wheels[i].filename()] = &p.Wheels[i]
	}
	if p.Sdist != nil {
		out[p.Sdist.filename()] = p.Sdist
	}
	if p.Archive != nil {
		out[p.Archive.filename()] = p.Archive
	}
	return out
}

func hashList(a *Artifact) string {
	var hs []string
	for _, alg := range sortedKeys(a.Hashes) {
		hs = append(hs, alg+":"+strings.ToLower(a.Hashes[alg]))
	}
	return strings.Join(hs, ",")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
