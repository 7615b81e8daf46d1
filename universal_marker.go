package pylock

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// maxPairWork bounds the evaluations lockMarker spends on two-comparison
// candidates (pairs of literals times points).
const maxPairWork = 2_000_000

// maxMarkerPoints bounds the environments of a truthTable.
const maxMarkerPoints = 20000

// markerAtom matches one comparison of a rendered marker.
var markerAtom = regexp.MustCompile(`([a-z_]+) (===|==|!=|<=|>=|~=|<|>) "([^"]*)"`)

// stringKeys are the marker variables a truthTable enumerates by value.
var stringKeys = []string{"os_name", "sys_platform", "platform_system", "platform_machine",
	"platform_python_implementation", "implementation_name"}

// lockMarker is the marker written for a universal lock entry: "" when m
// holds in every environment allowed by requiresPython, else the shortest
// marker equivalent to m there among m itself, its comparisons, their
// negations and the And / Or of two of them. The resolver's merged markers
// are often a long Or of fork conditions that together reduce to one
// comparison (or to true), which its symbolic algebra cannot always prove.
func lockMarker(m pep508.Marker, requiresPython string) string {
	if m.IsTrue() {
		return ""
	}
	tt, atoms := newTruthTable(m, requiresPython)
	if tt == nil {
		return m.String()
	}
	want, ok := tt.vector(m)
	if !ok {
		return m.String()
	}
	if allTrue(want) {
		return ""
	}
	best := m.String()
	try := func(c pep508.Marker) {
		if s := c.String(); len(s) < len(best) {
			if v, ok := tt.vector(c); ok && slices.Equal(v, want) {
				best = s
			}
		}
	}
	var lits []pep508.Marker
	for _, a := range atoms {
		lits = append(lits, a, pep508.Not(a))
	}
	for _, a := range lits {
		try(a)
	}
	if len(lits)*len(lits)*len(tt.points) > maxPairWork {
		return best
	}
	for i, a := range lits {
		for _, b := range lits[i+1:] {
			try(pep508.And(a, b))
			try(pep508.Or(a, b))
		}
	}
	return best
}

func allTrue(v []bool) bool {
	return !slices.Contains(v, false)
}

// truthTable is one environment in every region that a marker's
// comparisons cut, among those whose Python satisfies the lock's
// requires-python: each Python version the marker names and its
// neighbours, and each compared string plus one other value. Two markers
// over those comparisons agree everywhere when they agree on every point.
type truthTable struct{ points []pep508.Env }

// newTruthTable builds the table for m and returns m's distinct
// comparisons; nil for markers it cannot enumerate: other variables, other
// operators on strings, or more than maxMarkerPoints points.
func newTruthTable(m pep508.Marker, requiresPython string) (*truthTable, []pep508.Marker) {
	s := m.String()
	found := markerAtom.FindAllStringSubmatch(s, -1)
	if len(found) == 0 || 2*len(found) != strings.Count(s, `"`) {
		return nil, nil // reversed or "in" comparisons: not enumerated
	}
	values := map[string][]string{}
	var pyBounds []string
	var atoms []pep508.Marker
	seen := map[string]bool{}
	for _, a := range found {
		key, op, val := a[1], a[2], a[3]
		switch {
		case key == "python_version" || key == "python_full_version":
			pyBounds = append(pyBounds, strings.TrimSuffix(val, ".*"))
		case (op == "==" || op == "!=") && isStringKey(key):
			if !containsString(values[key], val) {
				values[key] = append(values[key], val)
			}
		default:
			return nil, nil
		}
		if am, err := pep508.ParseMarker(a[0]); err == nil && !seen[am.String()] {
			seen[am.String()] = true
			atoms = append(atoms, am)
		}
	}
	pythons := pythonPoints(pyBounds, requiresPython)
	if len(pythons) == 0 {
		return nil, nil
	}
	envs := []pep508.Env{{}}
	for _, k := range stringKeys {
		vals := append(slices.Clone(values[k]), "\x00other")
		if len(envs)*len(vals)*len(pythons) > maxMarkerPoints {
			return nil, nil
		}
		envs = expand(envs, k, vals)
	}
	tt := &truthTable{}
	for _, py := range pythons {
		for _, env := range envs {
			e := pep508.Env{"python_full_version": py.full, "python_version": py.minor}
			for k, v := range env {
				e[k] = v
			}
			tt.points = append(tt.points, e)
		}
	}
	return tt, atoms
}

// vector evaluates m at every point; ok is false when an evaluation fails.
func (tt *truthTable) vector(m pep508.Marker) ([]bool, bool) {
	out := make([]bool, len(tt.points))
	for i, env := range tt.points {
		v, err := m.Evaluate(env)
		if err != nil {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

func isStringKey(k string) bool { return containsString(stringKeys, k) }

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// expand returns every env of envs with k set to each of vals.
func expand(envs []pep508.Env, k string, vals []string) []pep508.Env {
	out := make([]pep508.Env, 0, len(envs)*len(vals))
	for _, e := range envs {
		for _, v := range vals {
			n := pep508.Env{}
			for kk, vv := range e {
				n[kk] = vv
			}
			n[k] = v
			out = append(out, n)
		}
	}
	return out
}

// pyPoint is one Python version: python_full_version and python_version.
type pyPoint struct{ full, minor string }

// pythonPoints lists Python versions allowed by requiresPython covering
// every region the bounds cut: X.Y.0 for every minor of 2.7 and 3.0 up to
// one past the highest minor named, 4.0.0, and each X.Y.Z bound with its
// neighbours. Nil when requiresPython does not parse or a bound is not a
// plain release.
func pythonPoints(bounds []string, requiresPython string) []pyPoint {
	spec, err := pep440.ParseSpecifierSet(requiresPython)
	if err != nil {
		return nil
	}
	maxMinor := 20
	type rel struct{ major, minor, patch int }
	cands := []rel{{2, 7, 0}, {2, 7, 18}, {4, 0, 0}}
	for _, b := range bounds {
		parts := strings.Split(b, ".")
		nums := make([]int, 3)
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || i > 2 {
				return nil
			}
			nums[i] = n
		}
		if nums[0] == 3 && nums[1]+1 > maxMinor {
			maxMinor = nums[1] + 1
		}
		for d := -1; d <= 1; d++ {
			if nums[2]+d >= 0 {
				cands = append(cands, rel{nums[0], nums[1], nums[2] + d})
			}
		}
	}
	for minor := 0; minor <= maxMinor; minor++ {
		cands = append(cands, rel{3, minor, 0})
	}
	var out []pyPoint
	seen := map[string]bool{}
	for _, c := range cands {
		full := strconv.Itoa(c.major) + "." + strconv.Itoa(c.minor) + "." + strconv.Itoa(c.patch)
		v, err := pep440.Parse(full)
		if err != nil || seen[full] || !spec.Contains(v) {
			continue
		}
		seen[full] = true
		out = append(out, pyPoint{full, strconv.Itoa(c.major) + "." + strconv.Itoa(c.minor)})
	}
	return out
}
