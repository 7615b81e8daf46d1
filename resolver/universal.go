package resolver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// Universal resolution
//
// ResolveUniversal produces one lock valid for every environment allowed by
// the project's Requires-Python, forking on markers the way uv does:
//
//   - Markers stay symbolic. In a fork whose environments are described by
//     the marker F, a requirement is active when its marker can hold
//     somewhere in F (pep508.Disjoint cannot prove it false there); the
//     rest are dropped. The root fork is Requires-Python as a marker.
//   - A fork happens only where one dependency list (of the root or of one
//     chosen candidate) names the same project more than once with
//     markers: each such marker that holds in part of a cell of the fork
//     (not all of it) cuts the cell in two, so that in every cell each of
//     those requirements applies everywhere or nowhere (uv's Forks::new).
//     The cells, which cover the fork, become child forks. Requirements in
//     different dependency lists never fork (as in uv, the packse
//     fork/non-local-* scenarios).
//   - Each fork is resolved from scratch by the ordinary solver with the
//     fork's marker (restart instead of copying solver state: same answer,
//     since the solver is deterministic and the fork only drops
//     requirements), forks that fork again are refined depth first, and
//     each finished fork's choices become preferences for the next, so
//     forks settle on the same versions where they can.
//   - A split lives only as long as the version whose dependency list
//     caused it: when every child replaced that version by another of its
//     project, the split is discarded and the parent fork is resolved again
//     with that version not allowed to fork there (driver.resolve).
//   - Results merge: the same name and version from several forks gets the
//     Or of their markers, different versions stay separate entries with
//     disjoint markers. A package's marker is the Or, over the paths that
//     reach it, of the fork marker and the markers of the edges along the
//     path. A package no environment reaches (its dependent and its own
//     marker never hold together) is left out, with every edge to it.
//   - Every wheel counts as compatible (a universal lock lists all wheels);
//     a candidate's Requires-Python must admit the lowest Python of the
//     fork (the lower bound of the project's Requires-Python, raised by
//     the fork's python_version / python_full_version conditions), as uv
//     checks it.
//
// Known simplifications: edge markers that mention "extra" count as true
// when computing package markers (over-approximation, never a missing
// package), and requirements whose markers mention "extra" never fork.
// Environments and RequiredEnvironments restrict the lock as uv's
// environments and required-environments do (universal_required.go).

// maxRequiredRounds bounds the resolutions one universal resolution runs
// to meet its required environments (each excludes at least one version).
const maxRequiredRounds = 64

// DefaultMaxForks bounds the number of forks when UniversalOptions.MaxForks
// is 0.
const DefaultMaxForks = 256

// UniversalOptions configure a universal resolution.
type UniversalOptions struct {
	// Options are the policies of a single resolution. Env and Python are
	// ignored: environments come from RequiresPython and the markers.
	Options
	// RequiresPython is the project's Requires-Python (e.g. ">=3.10");
	// "" places no bound.
	RequiresPython string
	// MaxForks bounds the number of forks resolved (0 = DefaultMaxForks);
	// Options.MaxSteps bounds the steps of all forks together. A fork
	// about to be resolved is reported to Options.Progress as an Event of
	// Kind "fork" whose Message is its marker.
	MaxForks int
	// Environments, when set, limit the lock to the environments where one
	// of them holds (uv's environments): the root fork is Requires-Python
	// and their Or.
	Environments []pep508.Marker
	// RequiredEnvironments are environments every locked package must have
	// a compatible wheel or an sdist for, wherever it is installed there
	// (uv's required-environments; see universal_required.go).
	RequiredEnvironments []pep508.Marker
}

// ResolveUniversal resolves root requirements against p for every
// environment allowed by opts.RequiresPython (see "Universal resolution"
// above). The Result lists every locked version with its Marker, the
// Forks resolved and the RequiresPython. Errors are as for Resolve: *NoSolutionError (its explanation
// names the fork's environments when the conflict happened after a fork),
// *BudgetError, or a wrapped provider error.
func ResolveUniversal(ctx context.Context, p Provider, root []pep508.Requirement, opts UniversalOptions) (*Result, error) {
	start := time.Now()
	base, py, err := requiresPythonMarker(opts.RequiresPython)
	if err != nil {
		return nil, err
	}
	if len(opts.Environments) > 0 {
		envs := pep508.False()
		for _, e := range opts.Environments {
			envs = pep508.Or(envs, e)
		}
		base = pep508.And(base, envs)
	}
	var exclusions []exclusion
	var stats Stats
	for round := 0; ; round++ {
		if round >= maxRequiredRounds {
			return nil, &BudgetError{Steps: stats.Steps, Partial: fmt.Sprintf("more than %d resolutions were needed to meet the required environments", maxRequiredRounds)}
		}
		d := &driver{p: universalProvider{p}, root: root, opts: opts, maxForks: opts.MaxForks, stats: stats}
		if d.maxForks <= 0 {
			d.maxForks = DefaultMaxForks
		}
		d.opts.Python, d.opts.Env = py, nil
		known := append([]exclusion(nil), exclusions...)
		res, err := d.run(ctx, &fork{marker: base, requiresPython: opts.RequiresPython, exclusions: &known})
		if err != nil {
			return nil, err
		}
		stats = res.Stats
		more, err := d.missingRequired(ctx, res, base, exclusions)
		if err != nil {
			return nil, err
		}
		if len(more) == 0 {
			res.RequiresPython = opts.RequiresPython
			res.Stats.Duration = time.Since(start)
			return res, nil
		}
		exclusions = append(exclusions, more...)
	}
}

// driver resolves the forks of one universal resolution.
type driver struct {
	p        Provider
	root     []pep508.Requirement
	opts     UniversalOptions
	maxForks int
	stats    Stats
	prefs    map[string]pep440.Version
	splits   []pep508.Marker // every fork's conditions, forks that split included
	forks    int             // forks resolved so far (retries included)
}

// forkResult is one fork's resolution.
type forkResult struct {
	f   *fork
	res *Result
}

// run resolves first and merges the results of its forks.
func (d *driver) run(ctx context.Context, first *fork) (*Result, error) {
	done, err := d.resolve(ctx, first)
	if err != nil {
		return nil, err
	}
	out := merge(done, first.marker, d.splits)
	out.Stats = d.stats
	return out, nil
}

// resolve resolves fork f, refining it depth first when it forks. A split
// lives only as long as the version that caused it: when the children's
// resolutions all replaced that version by another one of its project
// (every child backtracked past it), the split is discarded and f is
// resolved again with that version's dependency list not allowed to fork
// there, so the requirements of the version chosen instead apply together
// (uv discards such forks too: packse
// fork/preferences-dependent-forking-conflicting expects no solution).
// Forks within f's children may still split on that version.
func (d *driver) resolve(ctx context.Context, f *fork) ([]forkResult, error) {
	for {
		if d.forks >= d.maxForks {
			return nil, &BudgetError{Steps: d.stats.Steps, Partial: fmt.Sprintf("more than %d forks were needed", d.maxForks)}
		}
		d.forks++
		d.splits = append(d.splits, f.split)
		res, err := d.solve(ctx, f)
		var sig *forkSignal
		switch {
		case errors.As(err, &sig):
		case err != nil:
			return nil, d.explain(f, d.forks, err)
		default:
			d.prefer(res)
			return []forkResult{{f, res}}, nil
		}
		saved := maps.Clone(d.prefs)
		var out []forkResult
		for _, c := range sig.children {
			r, err := d.resolve(ctx, c)
			if err != nil {
				return nil, err
			}
			out = append(out, r...)
		}
		if used, other := usesVersion(out, sig.project, sig.v); used || !other {
			return out, nil
		}
		d.prefs = saved
		f.forbidFork(sig.project, sig.node, sig.v)
	}
}

// usesVersion reports whether some result chose project at version v
// (used), and whether some chose it at another version (other).
func usesVersion(rs []forkResult, project string, v pep440.Version) (used, other bool) {
	for _, r := range rs {
		for _, p := range r.res.Packages {
			if p.Name == project {
				used = used || p.Version.Equal(v)
				other = other || !p.Version.Equal(v)
			}
		}
	}
	return used, other
}

// solve runs the ordinary solver in fork f.
func (d *driver) solve(ctx context.Context, f *fork) (*Result, error) {
	o := d.opts.Options
	o.Preferences = d.preferences()
	o.MaxSteps = d.remainingSteps()
	o.Python = f.lowestPython(d.opts.Python)
	if o.Progress != nil && !f.split.IsTrue() {
		o.Progress(Event{Kind: "fork", Steps: d.stats.Steps, Message: f.split.String()})
	}
	s := newSolver(d.p, d.root, o)
	s.univ = f
	res, err := s.run(ctx)
	d.stats.Steps += s.stats.Steps
	d.stats.Decisions += s.stats.Decisions
	d.stats.Conflicts += s.stats.Conflicts
	d.stats.Backtracks += s.stats.Backtracks
	return res, err
}

// remainingSteps is what is left of the step budget, shared by all forks.
func (d *driver) remainingSteps() int {
	budget := d.opts.MaxSteps
	if budget <= 0 {
		budget = DefaultMaxSteps
	}
	return max(budget-d.stats.Steps, 1)
}

// preferences are the user's preferences, then the choices of the forks
// resolved so far (unless upgrading).
func (d *driver) preferences() map[string]pep440.Version {
	out := map[string]pep440.Version{}
	if !d.opts.Upgrade {
		for n, v := range d.prefs {
			out[n] = v
		}
	}
	for n, v := range d.opts.Preferences {
		out[n] = v
	}
	return out
}

// prefer records res's choices as preferences for later forks; the first
// fork to choose a package wins.
func (d *driver) prefer(res *Result) {
	if d.prefs == nil {
		d.prefs = map[string]pep440.Version{}
	}
	for _, p := range res.Packages {
		if _, ok := d.prefs[p.Name]; !ok {
			d.prefs[p.Name] = p.Version
		}
	}
}

// universalNote ends every universal conflict explanation.
const universalNote = "note: this lock covers every environment: a requirement applies wherever its marker can hold,\n" +
	"and versions differ between environments only where one dependency list names a package more than once under different markers."

// explain adds the fork's environments to a conflict found inside a fork,
// and the universal note; a budget error names the whole budget, shared
// by the n forks resolved so far.
func (d *driver) explain(f *fork, n int, err error) error {
	var be *BudgetError
	if errors.As(err, &be) {
		p := be.Partial
		if i := strings.Index(p, " ran out"); strings.HasPrefix(p, "the step budget (") && i > 0 {
			budget := d.opts.MaxSteps
			if budget <= 0 {
				budget = DefaultMaxSteps
			}
			p = fmt.Sprintf("the step budget (%d steps, shared by %d forks) ran out", budget, n) + p[i+len(" ran out"):]
		}
		if !f.split.IsTrue() {
			p = "in environments where " + f.split.String() + ": " + p
		}
		return &BudgetError{Steps: d.stats.Steps, Partial: p}
	}
	var ns *NoSolutionError
	if !errors.As(err, &ns) {
		return err
	}
	text := ns.Explanation + "\n" + universalNote
	if !f.split.IsTrue() {
		text = "In environments where " + f.split.String() + ":\n" + text
	}
	return &NoSolutionError{Explanation: text, Derivation: ns.Derivation}
}
