package audit

import (
	"context"
	"slices"
	"strings"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/pep508"
)

// MetadataFunc returns the core metadata of a locked package.
type MetadataFunc func(ctx context.Context, p *lockfile.Package) (*index.Metadata, error)

// AddEdgeRequirements labels g's edges (see lockfile.Graph.RenderWhy) from
// each package's Requires-Dist (markers evaluated in env, extras
// requirements left out): the edge from a to b reads "b>=1,<2", the
// specifiers of every matching requirement joined. With a nil env (a
// universal lock: no single target), a requirement whose marker cannot hold
// where the package is installed (the lock's requires-python and
// environments and the package's own marker) is left out, and one whose
// marker still matters there is shown on its own with that marker reduced
// to what those do not decide: "b>=1 | b>=2 ; python_version >= "3.12"".
// Only packages in only (all when nil) are fetched. It stops at the first
// fetch error, keeping the labels found so far.
func AddEdgeRequirements(ctx context.Context, g *lockfile.Graph, l *lockfile.Lock, env pep508.Env, only map[string]bool, fetch MetadataFunc) error {
	for i := range l.Packages {
		p := &l.Packages[i]
		from := canonical(p.Name)
		out := g.Dependencies(from)
		if (only != nil && !only[from]) || len(out) == 0 {
			continue
		}
		md, err := fetch(ctx, p)
		if err != nil {
			return err
		}
		var within pep508.Marker
		if env == nil {
			within = installRegion(l, p)
		}
		specs := map[string][]string{}
		conds := map[string][]string{} // to -> "to<spec> ; <marker>" (nil env only)
		for _, s := range md.RequiresDist {
			r, err := pep508.ParseRequirement(s)
			if err != nil || !slices.Contains(out, r.NormalizedName()) {
				continue
			}
			to := r.NormalizedName()
			if !r.Marker.IsTrue() && env != nil {
				if ok, err := r.Marker.Evaluate(env); err == nil && !ok {
					continue
				}
			}
			if !r.Marker.IsTrue() && env == nil {
				if pep508.Disjoint(r.Marker, within) {
					continue
				}
				if m := pep508.Restrict(r.Marker, within); m.IsFalse() {
					continue
				} else if !m.IsTrue() {
					c := to + r.Specifier.String() + " ; " + m.String()
					if !slices.Contains(conds[to], c) {
						conds[to] = append(conds[to], c)
					}
					continue
				}
			}
			if sp := r.Specifier.String(); sp != "" && !slices.Contains(specs[to], sp) {
				specs[to] = append(specs[to], sp)
			}
			if specs[to] == nil {
				specs[to] = []string{}
			}
		}
		for to, sp := range specs {
			g.SetEdgeRequirement(from, to, strings.Join(append([]string{to + strings.Join(sp, ",")}, conds[to]...), " | "))
		}
		for to, cs := range conds {
			if _, ok := specs[to]; !ok {
				g.SetEdgeRequirement(from, to, strings.Join(cs, " | "))
			}
		}
	}
	return nil
}

// installRegion returns the marker where a universal lock's package p can
// be installed: the lock's requires-python, the union of its environments
// and p's own marker (parts that do not parse are left out).
func installRegion(l *lockfile.Lock, p *lockfile.Package) pep508.Marker {
	var within pep508.Marker
	if m, err := pep508.RequiresPython(l.RequiresPython); err == nil {
		within = m
	}
	envs := pep508.False()
	for _, s := range l.Environments {
		m, err := pep508.ParseMarker(s)
		if err != nil {
			envs = pep508.Marker{}
			break
		}
		envs = pep508.Or(envs, m)
	}
	if len(l.Environments) > 0 {
		within = pep508.And(within, envs)
	}
	if m, err := pep508.ParseMarker(p.Marker); err == nil && p.Marker != "" {
		within = pep508.And(within, m)
	}
	return within
}
