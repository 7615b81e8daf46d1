package engine

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// maxMarkerPoints bounds the environments alwaysTrue evaluates.
const maxMarkerPoints = 20000

// markerAtom matches one comparison of a rendered marker.
var markerAtom = regexp.MustCompile(`([a-z_]+) (===|==|!=|<=|>=|~=|<|>) "([^"]*)"`)

// stringKeys are the marker variables alwaysTrue enumerates by value.
var stringKeys = []string{"os_name", "sys_platform", "platform_system", "platform_machine",
	"platform_python_implementation", "implementation_name"}

// lockMarker is the marker written for a universal lock entry: "" when m
// holds in every environment allowed by requiresPython. The resolver's
// merged markers are often a long Or of fork conditions that together
// cover everything, which its symbolic algebra cannot always prove.
func lockMarker(m pep508.Marker, requiresPython string) string {
	if m.IsTrue() || alwaysTrue(m, requiresPython) {
		return ""
	}
	return m.String()
}

// alwaysTrue reports whether m is true in every environment whose Python
// satisfies requiresPython, by evaluating m at one point of every region
// its comparisons cut: each Python version the marker names and its
// neighbours, and each compared string plus one other value. It answers
// false (unknown) for markers it cannot enumerate: other variables, other
// operators on strings, or too many combinations.
func alwaysTrue(m pep508.Marker, requiresPython string) bool {
	s := m.String()
	atoms := markerAtom.FindAllStringSubmatch(s, -1)
	if len(atoms) == 0 || 2*len(atoms) != strings.Count(s, `"`) {
		return false // reversed or "in" comparisons: not enumerated
	}
	values := map[string][]string{}
	var pyBounds []string
	for _, a := range atoms {
		key, op, val := a[1], a[2], a[3]
		switch {
		case key == "python_version" || key == "python_full_version":
			pyBounds = append(pyBounds, strings.TrimSuffix(val, ".*"))
		case (op == "==" || op == "!=") && isStringKey(key):
			if !containsString(values[key], val) {
				values[key] = append(values[key], val)
			}
		default:
			return false
		}
	}
	pythons := pythonPoints(pyBounds, requiresPython)
	if len(pythons) == 0 {
		return false
	}
	envs := []pep508.Env{{}}
	for _, k := range stringKeys {
		vals := append(values[k], "\x00other")
		if len(envs)*len(vals)*len(pythons) > maxMarkerPoints {
			return false
		}
		envs = expand(envs, k, vals)
	}
	for _, py := range pythons {
		for _, env := range envs {
			env["python_full_version"], env["python_version"] = py.full, py.minor
			if ok, err := m.Evaluate(env); err != nil || !ok {
				return false
			}
		}
	}
	return true
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
