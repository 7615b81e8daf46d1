package pylock

import (
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/resolver"
)

// lockMarker is the marker written for a universal lock entry: "" when m
// holds everywhere in region (lockRegion), else the shortest equivalent
// marker there that pep508.Minimize finds. The resolver's merged markers
// are often a long Or of fork conditions that together reduce to one
// comparison (or to true), which the symbolic algebra alone cannot always
// prove.
func lockMarker(m pep508.Marker, region pep508.Marker) string {
	return pep508.Minimize(m, region).String()
}

// lockRegion is the marker of the environments a lock may be installed in:
// its requires-python and, for a universal lock, the Or of its environments.
// A part that does not parse (never the case for what pylock writes)
// limits nothing.
func lockRegion(o LockOptions) pep508.Marker {
	region, err := pep508.RequiresPython(o.RequiresPython)
	if err != nil {
		region = pep508.Marker{}
	}
	if !o.Universal || len(o.Environments) == 0 {
		return region
	}
	envs := pep508.False()
	for _, e := range o.Environments {
		m, err := pep508.ParseMarker(e)
		if err != nil {
			return region
		}
		envs = pep508.Or(envs, m)
	}
	return pep508.And(region, envs)
}

// runsIn reports whether a wheel can run somewhere in region, as far as its
// tags tell (resolver.WheelMarker).
func runsIn(filename string, region pep508.Marker) bool {
	return !pep508.Disjoint(resolver.WheelMarker(filename), region)
}
