package resolver

import (
	"context"
	"strings"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/wheel"
)

// Required environments
//
// UniversalOptions.RequiredEnvironments (uv's required-environments) are
// environments every locked package must be installable in: wherever a
// package's marker can hold together with a required environment R, the
// locked version needs an sdist or a wheel whose tags can run in R (the
// platform and Python version its tags imply overlap R). The driver
// resolves, checks the merged result, and when a version fails it is
// excluded (in the forks whose environments meet that package's marker and
// R, with a reason naming R) and the resolution runs again, so it
// backtracks to versions that have such files, or fails with an
// explanation naming the environment. Each round excludes at least one
// more version, so the loop ends.

// exclusion makes one version unusable in the forks that meet where.
type exclusion struct {
	name   string
	v      pep440.Version
	where  pep508.Marker
	reason string
}

// excluded returns why version v of name may not be used in f, or "".
func (f *fork) excluded(name string, v pep440.Version) string {
	if f.exclusions == nil {
		return ""
	}
	for _, e := range *f.exclusions {
		if e.name == name && e.v.Equal(v) && !pep508.Disjoint(f.marker, e.where) {
			return e.reason
		}
	}
	return ""
}

// missingRequired lists the versions of res that lack files for a required
// environment where they are installed, as exclusions not yet in known.
func (d *driver) missingRequired(ctx context.Context, res *Result, base pep508.Marker, known []exclusion) ([]exclusion, error) {
	var out []exclusion
	for _, p := range res.Packages {
		for _, r := range d.opts.RequiredEnvironments {
			where := pep508.And(p.Marker, r)
			if pep508.Disjoint(where, base) || isExcluded(known, p.Name, p.Version, where) {
				continue
			}
			cs, err := d.p.Candidates(ctx, p.Name)
			if err != nil {
				return nil, withContext(p.Name, p.Name, err)
			}
			onlyBin, noBin := inPolicy(d.opts.OnlyBinary, p.Name), inPolicy(d.opts.NoBinary, p.Name)
			if !installableIn(cs, p.Version, pep508.And(r, base), onlyBin, noBin) {
				what := "no wheel or source distribution"
				switch {
				case onlyBin:
					what = "no wheel (sdists are excluded by --only-binary)"
				case noBin:
					what = "no source distribution (wheels are excluded by --no-binary)"
				}
				out = append(out, exclusion{name: p.Name, v: p.Version, where: where,
					reason: "has " + what + " for the required environment " + r.String()})
			}
		}
	}
	return out, nil
}

func isExcluded(es []exclusion, name string, v pep440.Version, where pep508.Marker) bool {
	for _, e := range es {
		if e.name == name && e.v.Equal(v) && pep508.Equivalent(e.where, where, pep508.Marker{}) {
			return true
		}
	}
	return false
}

// installableIn reports whether version v among cs has an sdist or a wheel
// whose tags can run somewhere in env; onlyBin and noBin (--only-binary,
// --no-binary for this package) leave out sdists and wheels.
func installableIn(cs []Candidate, v pep440.Version, env pep508.Marker, onlyBin, noBin bool) bool {
	for _, c := range cs {
		if !c.Version.Equal(v) {
			continue
		}
		for _, d := range c.Dists {
			if (d.Wheel && noBin) || (!d.Wheel && onlyBin) {
				continue
			}
			if !d.Wheel || !pep508.Disjoint(wheelMarker(d.Filename), env) {
				return true
			}
		}
	}
	return false
}

// wheelMarker is the marker of the environments a wheel's tags can run in,
// as far as its platform (sys_platform) and Python version (python_version)
// tell: the Or over its tags. Tags it cannot read count as anywhere.
func wheelMarker(filename string) pep508.Marker {
	w, err := wheel.ParseFilename(filename)
	if err != nil || len(w.Tags) == 0 {
		return pep508.Marker{}
	}
	out := pep508.False()
	for _, t := range w.Tags {
		out = pep508.Or(out, pep508.And(platformMarker(t.Platform), pythonTagMarker(t)))
	}
	return out
}

// platformMarker maps a wheel platform tag to sys_platform and, where the
// tag names one, platform_machine (with the spellings platform.machine()
// gives on that system).
func platformMarker(plat string) pep508.Marker {
	var sys string
	var machines []string
	arch := func(prefixParts int) string { // the tag after its first prefixParts "_"-separated parts
		if parts := strings.SplitN(plat, "_", prefixParts+1); len(parts) == prefixParts+1 {
			return parts[prefixParts]
		}
		return ""
	}
	switch {
	case strings.HasPrefix(plat, "win"):
		sys = "win32"
		machines = map[string][]string{"win_amd64": {"AMD64", "x86_64", "amd64"}, "win_arm64": {"ARM64", "arm64", "aarch64"}}[plat]
	case strings.HasPrefix(plat, "manylinux_"), strings.HasPrefix(plat, "musllinux_"):
		sys, machines = "linux", []string{arch(3)}
	case strings.HasPrefix(plat, "manylinux"), strings.HasPrefix(plat, "linux_"):
		sys, machines = "linux", []string{arch(1)}
	case strings.HasPrefix(plat, "macosx"):
		sys = "darwin"
		machines = map[string][]string{"arm64": {"arm64", "aarch64"}, "x86_64": {"x86_64"}, "universal2": {"arm64", "aarch64", "x86_64"}}[arch(3)]
	default:
		return pep508.Marker{}
	}
	m, _ := pep508.Compare("sys_platform", "==", sys)
	if len(machines) == 0 || machines[0] == "" {
		return m
	}
	if machines[0] == "aarch64" {
		machines = append(machines, "arm64")
	}
	either := pep508.False()
	for _, mc := range machines {
		c, _ := pep508.Compare("platform_machine", "==", mc)
		either = pep508.Or(either, c)
	}
	return pep508.And(m, either)
}

// pythonTagMarker maps an interpreter tag to the Python versions it runs
// on: cp312 with an abi3 ABI means python_version >= "3.12", cp312 with
// another ABI python_version == "3.12", py2 / py3 the major version.
func pythonTagMarker(t wheel.Tag) pep508.Marker {
	in := t.Interpreter
	var digits string
	switch {
	case strings.HasPrefix(in, "cp"), strings.HasPrefix(in, "pp"):
		digits = in[2:]
	case strings.HasPrefix(in, "py"):
		digits = in[2:]
		if len(digits) == 1 {
			op := ">="
			if digits == "2" {
				op = "<"
				digits = "3"
			}
			m, _ := pep508.Compare("python_version", op, digits)
			return m
		}
	default:
		return pep508.Marker{}
	}
	if len(digits) < 2 || strings.Trim(digits, "0123456789") != "" {
		return pep508.Marker{}
	}
	ver := digits[:1] + "." + digits[1:]
	op := "=="
	if t.ABI == "abi3" || t.ABI == "none" {
		op = ">="
	}
	m, err := pep508.Compare("python_version", op, ver)
	if err != nil {
		return pep508.Marker{}
	}
	if impl := map[string]string{"cp": "cpython", "pp": "pypy"}[in[:2]]; impl != "" {
		c, _ := pep508.Compare("implementation_name", "==", impl)
		m = pep508.And(m, c)
	}
	return m
}
