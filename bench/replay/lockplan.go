package main

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/names"
)

// lockPlan returns the plan of a client that knew lock l in advance: the
// pages of your requirements' projects (below each package's index URL), then the PEP 658 metadata of the
// first locked wheel of each, then the pages of the projects that
// metadata names for the first time (breadth first), and so on; no
// version walked, nothing speculative. Rounds are sorted by path. Every
// package reached needs a wheel with a URL (a lock of sdists, archives or
// directories has no metadata file to fetch).
func lockPlan(l *lockfile.Lock) ([][]string, error) {
	page, meta := map[string]string{}, map[string]string{}
	for _, p := range l.Packages {
		n := names.Canonicalize(p.Name)
		if _, ok := meta[n]; ok || len(p.Wheels) == 0 || p.Wheels[0].URL == "" {
			continue
		}
		u, err := url.Parse(p.Wheels[0].URL)
		if err != nil {
			return nil, fmt.Errorf("%s: wheel URL %q: %w", n, p.Wheels[0].URL, err)
		}
		meta[n] = u.EscapedPath() + ".metadata"
		page[n] = "/simple/" + n + "/"
		if p.Index != "" {
			iu, err := url.Parse(p.Index)
			if err != nil {
				return nil, fmt.Errorf("%s: index URL %q: %w", n, p.Index, err)
			}
			page[n] = strings.TrimSuffix(iu.EscapedPath(), "/") + "/" + n + "/"
		}
	}
	g := lockfile.NewGraph(l)
	level := g.Roots()
	if len(level) == 0 {
		return nil, fmt.Errorf("the lock names no root requirement ([tool.pylock] requirements)")
	}
	seen := map[string]bool{}
	for _, n := range level {
		seen[n] = true
	}
	var rounds [][]string
	for len(level) > 0 {
		slices.Sort(level)
		pages, metas := make([]string, 0, len(level)), make([]string, 0, len(level))
		var next []string
		for _, n := range level {
			m, ok := meta[n]
			if !ok {
				return nil, fmt.Errorf("%s has no wheel with a URL in the lock: nothing to replay for its metadata", n)
			}
			pages, metas = append(pages, page[n]), append(metas, m)
			for _, d := range g.Dependencies(n) {
				if !seen[d] {
					seen[d] = true
					next = append(next, d)
				}
			}
		}
		slices.Sort(metas)
		rounds = append(rounds, pages, metas)
		level = next
	}
	return rounds, nil
}
