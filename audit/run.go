package audit

import (
	"context"

	"github.com/pylock/pylock/audit/installed"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/target"
)

// Options select which checks run; each runs when its inputs are there.
type Options struct {
	LockPath  string
	Lock      *lockfile.Lock
	Inputs    *Inputs        // nil: the inputs check is skipped
	Installed *installed.Env // nil: the environment check is skipped
	Lookup    Lookup         // nil: index checks are skipped (offline)
	Offline   bool           // say why index checks were skipped
	Target    *target.Target // the lock's target; nil: markers not evaluated, no coverage check
	// InstalledEnv is the marker environment of the installed interpreter
	// (audit --python): the environment check evaluates package markers
	// with it, so a universal lock's packages for other platforms are not
	// "locked but not installed". nil: the Target's.
	InstalledEnv pep508.Env
	Rules        []Rule         // ABI rules; nil = DefaultRules()
	Sources      *SourceOptions // nil: direct-reference sources are not checked
}

// Run performs every check whose inputs are present. An error means an
// index failure (exit 3); findings are in the report.
func Run(ctx context.Context, o Options) (*Report, error) {
	r := &Report{Lock: o.LockPath}
	var env pep508.Env
	if o.Target != nil {
		env = o.Target.Env()
	}
	if o.Inputs != nil {
		r.Checks = append(r.Checks, "inputs")
		r.Add(CheckInputs(o.Lock, *o.Inputs, env)...)
	} else {
		r.Skipped = append(r.Skipped, "inputs: no input files given or recorded in the lock")
	}
	if o.Installed != nil {
		r.Checks = append(r.Checks, "environment")
		ienv := env
		if o.InstalledEnv != nil {
			ienv = o.InstalledEnv
		}
		r.Add(CheckInstalled(o.Lock, o.Installed, ienv)...)
		if ienv == nil && hasMarkers(o.Lock) {
			r.Skipped = append(r.Skipped, "environment: package markers not evaluated (no target or interpreter: use --python, or --python-version/--python-platform with --site-packages), so packages with a marker that are not installed are not reported")
		}
	}
	if o.Lookup != nil {
		r.Checks = append(r.Checks, "index")
		var roots []pep508.Requirement
		if o.Inputs != nil {
			roots = o.Inputs.Requirements
		}
		f, err := CheckIndex(ctx, o.Lock, roots, o.Target, o.Lookup)
		r.Add(f...)
		if err != nil {
			return r, err
		}
	} else if o.Offline {
		r.Skipped = append(r.Skipped, "index: --offline (yanks, hashes and newer versions not checked)")
	}
	if o.Sources != nil {
		r.Checks = append(r.Checks, "sources")
		f, err := CheckSources(ctx, o.Lock, *o.Sources)
		r.Add(f...)
		if err != nil {
			return r, err
		}
	}
	rules := o.Rules
	if rules == nil {
		rules = DefaultRules()
	}
	r.Checks = append(r.Checks, "abi")
	f, notes, err := CheckABI(ctx, o.Lock, rules, o.Lookup)
	held, f := ExplainGuard(o.Lock, f)
	r.Add(f...)
	r.Add(held...)
	r.Skipped = append(r.Skipped, notes...)
	if err != nil {
		return r, err
	}
	if o.Target != nil {
		r.Checks = append(r.Checks, "coverage")
		r.Add(CheckCoverage(o.Lock, *o.Target)...)
	}
	r.Sort()
	return r, nil
}

// hasMarkers reports whether any locked package carries a marker.
func hasMarkers(l *lockfile.Lock) bool {
	for _, p := range l.Packages {
		if p.Marker != "" {
			return true
		}
	}
	return false
}
