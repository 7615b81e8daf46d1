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
// requirements left out; nil env keeps all): the edge from a to b reads
// "b>=1,<2", the specifiers of every matching requirement joined. Only
// packages in only (all when nil) are fetched. It stops at the first fetch
// error, keeping the labels found so far.
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
		specs := map[string][]string{}
		for _, s := range md.RequiresDist {
			r, err := pep508.ParseRequirement(s)
			if err != nil || !slices.Contains(out, r.NormalizedName()) {
				continue
			}
			if !r.Marker.IsTrue() && env != nil {
				if ok, err := r.Marker.Evaluate(env); err == nil && !ok {
					continue
				}
			}
			to := r.NormalizedName()
			if sp := r.Specifier.String(); sp != "" && !slices.Contains(specs[to], sp) {
				specs[to] = append(specs[to], sp)
			}
			if specs[to] == nil {
				specs[to] = []string{}
			}
		}
		for to, sp := range specs {
			g.SetEdgeRequirement(from, to, to+strings.Join(sp, ","))
		}
	}
	return nil
}
