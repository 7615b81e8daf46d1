package pylock

import (
	"github.com/pylock/pylock/pypi/pep508"
)

// lockMarker is the marker written for a universal lock entry: "" when m
// holds in every environment allowed by requiresPython, else the shortest
// equivalent marker there that pep508.Minimize finds. The resolver's merged
// markers are often a long Or of fork conditions that together reduce to
// one comparison (or to true), which the symbolic algebra alone cannot
// always prove.
func lockMarker(m pep508.Marker, requiresPython string) string {
	within, err := pep508.RequiresPython(requiresPython)
	if err != nil {
		within = pep508.Marker{}
	}
	return pep508.Minimize(m, within).String()
}
