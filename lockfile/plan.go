package lockfile

import (
	"fmt"
	"strings"

	"github.com/pylock/pylock/pypi/names"
)

// StepKind says why a step exists.
type StepKind string

const (
	// StepInstallFirst installs an --install-first hint with its
	// not-yet-installed dependencies.
	StepInstallFirst StepKind = "install-first"
	// StepHeavy installs the packages that are heavy themselves (big or
	// platform-specific wheels), without their light dependencies; only
	// Dockerfile layering (DockerSteps) makes such steps.
	StepHeavy StepKind = "heavy"
	// StepPackages installs everything else.
	StepPackages StepKind = "packages"
	// StepUnhashed installs the VCS and local-directory packages of the
	// step before it, without --require-hashes (pip refuses it for them).
	StepUnhashed StepKind = "unhashed"
)

// Step is one pip invocation: its packages are installed together with
// --no-deps, listed dependencies first.
type Step struct {
	Kind     StepKind
	Hint     string    // the canonical hint name for StepInstallFirst
	Packages []Package // copies of the lock's entries, in install order
	Notes    []string  // broken cycles, hints already covered, ...
}

// InstallPlan is an ordered list of install steps for a lock. (The brief's
// name for this type was Plan; Go cannot have a type and the function Plan
// of the same name, so the function kept it.)
type InstallPlan struct {
	Steps []Step
	// InstallFirst is the canonicalised hint list that shaped the plan.
	InstallFirst []string
}

// UnknownPackageError reports an install-first hint that names no package
// of the lock.
type UnknownPackageError struct{ Name string }

// Error names the unknown package.
func (e *UnknownPackageError) Error() string {
	return fmt.Sprintf("unknown package %q: not in the lock", e.Name)
}

// Plan orders l's packages into install steps. First, for each installFirst
// hint in order (canonicalised; l.Tool.InstallFirst when installFirst is
// empty), one step installing that package with its dependencies not
// installed by an earlier step; then one step with every other package.
// Within a step dependencies come before dependents; ties go to name then
// version order; a dependency cycle is installed together, in name order,
// and a note says so. A hint already installed by an earlier step (as a
// dependency of a previous hint) adds a note to that step instead of a step.
// A hint that is not in the lock is an *UnknownPackageError.
func Plan(l *Lock, installFirst []string) (*InstallPlan, error) {
	if len(installFirst) == 0 {
		installFirst = l.Tool.InstallFirst
	}
	g := NewGraph(l)
	byName := g.byName
	plan := &InstallPlan{}
	installed := make([]bool, len(l.Packages))
	stepOf := make([]int, len(l.Packages))
	seenHint := map[string]bool{}
	for _, h := range installFirst {
		h = names.Canonicalize(strings.TrimSpace(h))
		if seenHint[h] {
			continue
		}
		seenHint[h] = true
		roots, ok := byName[h]
		if !ok {
			return nil, &UnknownPackageError{Name: h}
		}
		plan.InstallFirst = append(plan.InstallFirst, h)
		set := g.closure(roots, installed)
		if len(set) == 0 {
			s := &plan.Steps[stepOf[roots[0]]]
			s.Notes = append(s.Notes, fmt.Sprintf("install-first %s: already installed by this step", h))
			continue
		}
		plan.Steps = append(plan.Steps, g.step(set, StepInstallFirst, h, installed, stepOf, len(plan.Steps)))
	}
	var rest []int
	for i := range l.Packages {
		if !installed[i] {
			rest = append(rest, i)
		}
	}
	if len(rest) > 0 {
		plan.Steps = append(plan.Steps, g.step(rest, StepPackages, "", installed, stepOf, len(plan.Steps)))
	}
	plan.Steps = splitUnhashable(plan.Steps)
	return plan, nil
}

// step orders set into a step and marks it installed.
func (g *Graph) step(set []int, kind StepKind, hint string, installed []bool, stepOf []int, n int) Step {
	order, notes := g.order(set)
	s := Step{Kind: kind, Hint: hint, Notes: notes}
	for _, i := range order {
		installed[i] = true
		stepOf[i] = n
		s.Packages = append(s.Packages, g.l.Packages[i])
		if note := pipNote(&g.l.Packages[i], kind, hint); note != "" {
			s.Notes = append(s.Notes, note)
		}
	}
	return s
}

// pipNote says so when a step replaces the installer's own pip: pip
// installing a pinned pip swaps itself out mid-install.
func pipNote(p *Package, kind StepKind, hint string) string {
	if names.Canonicalize(p.Name) != "pip" {
		return ""
	}
	if kind == StepInstallFirst && names.Canonicalize(hint) == "pip" {
		return fmt.Sprintf("this step replaces the installer's own pip with %s before the other steps", p.label())
	}
	return fmt.Sprintf("this step replaces the installer's own pip with %s while it installs (--install-first pip does that in a step of its own; --no-emit-package pip leaves it out of pinned requirements)", p.label())
}

// Order returns the plan's packages as "name" in install order (the value
// for Tool.InstallOrder); a name locked at several versions appears once.
func (p *InstallPlan) Order() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range p.Steps {
		for _, pkg := range s.Packages {
			if !seen[pkg.Name] {
				seen[pkg.Name] = true
				out = append(out, pkg.Name)
			}
		}
	}
	return out
}

// DefaultHeavySize is the wheel size from which a package counts as heavy
// for Dockerfile layering.
const DefaultHeavySize = 5 << 20

// IsHeavy reports whether p is worth its own Dockerfile layer: some wheel of
// p is at least heavySize bytes (DefaultHeavySize when 0), or p ships
// platform-specific wheels (compiled code: slow to build, rarely changed).
func IsHeavy(p *Package, heavySize int64) bool {
	if heavySize <= 0 {
		heavySize = DefaultHeavySize
	}
	for i := range p.Wheels {
		w := &p.Wheels[i]
		if w.Size >= heavySize || !strings.HasSuffix(w.filename(), "-any.whl") {
			return true
		}
	}
	return false
}

// DockerSteps is the plan arranged for Docker layer caching: install-first
// steps unchanged, then each other step split in two, the packages that are
// heavy themselves (see IsHeavy) first, the light rest after, so that a
// change to a light package does not rebuild the heavy layer. The heavy
// layer holds no light package, not even a dependency of a heavy one: every
// step installs with --no-deps, so a dependency may come in a later layer.
func (p *InstallPlan) DockerSteps(heavySize int64) []Step {
	var out []Step
	for _, s := range p.Steps {
		if s.Kind != StepPackages {
			out = append(out, s)
			continue
		}
		heavy, light := splitHeavy(s.Packages, heavySize)
		if len(heavy) > 0 && len(light) > 0 {
			out = append(out,
				Step{Kind: StepHeavy, Packages: heavy, Notes: s.Notes},
				Step{Kind: StepPackages, Packages: light})
			continue
		}
		out = append(out, s)
	}
	return out
}

// splitHeavy splits an ordered step into its heavy packages and the rest,
// both keeping the step's order.
func splitHeavy(pkgs []Package, heavySize int64) (heavy, light []Package) {
	for i := range pkgs {
		if IsHeavy(&pkgs[i], heavySize) {
			heavy = append(heavy, pkgs[i])
		} else {
			light = append(light, pkgs[i])
		}
	}
	return heavy, light
}
