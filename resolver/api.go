// Package resolver finds a set of package versions satisfying Python
// requirements with a PubGrub-style conflict-driven solver (incompatibility
// learning, backjumping) and explains unsatisfiable requests in plain words.
//
// It does no I/O: everything it knows comes through Provider. The decision
// loop is single-threaded and deterministic.
//
// CONTRACT (stub written by the lead; the owner replaces the panics, may add
// API, must not rename or remove what is declared here).
package resolver

import (
	"context"
	"errors"
	"time"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// Dist is one distribution file of a candidate version, as the provider saw it.
type Dist struct {
	Filename       string
	Wheel          bool // false: sdist
	Compatible     bool // wheel: some tag supported by the target; sdist: always true
	RequiresPython string
	Yanked         bool
	YankedReason   string
	UploadTime     time.Time // zero when unknown
}

// Candidate is one version of a project with its files.
type Candidate struct {
	Version pep440.Version
	Dists   []Dist
}

// Metadata is what the resolver needs from a version's core metadata.
type Metadata struct {
	RequiresDist   []pep508.Requirement // including "; extra == ..." entries
	RequiresPython string
	ProvidesExtra  []string
}

// ErrProjectNotFound is wrapped by Provider.Candidates when the index has no
// such project; the resolver treats it as "no versions", not as a failure.
var ErrProjectNotFound = errors.New("project not found")

// Provider supplies index data. Names are PEP 503 canonical. Implementations
// must be safe for concurrent use; the resolver calls them from one goroutine.
type Provider interface {
	Candidates(ctx context.Context, name string) ([]Candidate, error)
	Metadata(ctx context.Context, name string, v pep440.Version) (Metadata, error)
	// Prefetch hints that these projects (and, if given, versions) are likely
	// needed soon. It must not block.
	Prefetch(name string, versions ...pep440.Version)
}

// PrereleaseMode is uv's --prerelease policy.
type PrereleaseMode string

const (
	PrereleaseIfNecessaryOrExplicit PrereleaseMode = "if-necessary-or-explicit" // default
	PrereleaseDisallow              PrereleaseMode = "disallow"
	PrereleaseAllow                 PrereleaseMode = "allow"
	PrereleaseIfNecessary           PrereleaseMode = "if-necessary"
	PrereleaseExplicit              PrereleaseMode = "explicit"
)

// ResolutionMode is --resolution.
type ResolutionMode string

const (
	ResolutionHighest      ResolutionMode = "highest" // default
	ResolutionLowest       ResolutionMode = "lowest"
	ResolutionLowestDirect ResolutionMode = "lowest-direct"
)

// BinaryPolicy is --only-binary / --no-binary: All or the named packages.
type BinaryPolicy struct {
	All      bool
	Packages []string // canonical names
}

// Conflict declares that a candidate cannot be installed together with some
// versions of another package (used by the ABI guard).
type Conflict struct {
	Name   string     // canonical name of the other package
	Set    pep440.Set // versions of Name that conflict
	Reason string     // shown in explanations
}

// Options configure a resolution.
type Options struct {
	Env             pep508.Env     // target marker environment (required)
	Python          pep440.Version // target Python for Requires-Python (required)
	Prerelease      PrereleaseMode
	Resolution      ResolutionMode
	ExcludeNewer    time.Time // ignore dists uploaded after this (zero = off)
	OnlyBinary      BinaryPolicy
	NoBinary        BinaryPolicy
	Constraints     []pep508.Requirement // restrict, never add
	Overrides       []pep508.Requirement // replace every requirement on that name
	Preferences     map[string]pep440.Version
	Upgrade         bool     // ignore all preferences
	UpgradePackages []string // ignore preferences for these
	MaxSteps        int      // 0 = default budget
	// Conflicts, when set, is asked for each candidate before it is chosen.
	Conflicts func(name string, v pep440.Version) []Conflict
	// Progress, when set, receives events from the decision loop.
	Progress func(Event)
}

// Event reports solver progress for display.
type Event struct {
	Kind    string // "decide", "conflict", "backtrack"
	Name    string
	Version string
	Steps   int
	Message string
}

// Edge is one requirement from a package (or the root) to another package.
type Edge struct {
	Name        string   // canonical target
	Extras      []string // extras requested on the target
	Requirement string   // the requirement as written upstream
}

// Package is one chosen package.
type Package struct {
	Name         string // canonical
	Version      pep440.Version
	Extras       []string // extras activated by dependents
	Dependencies []Edge   // active (marker-true) requirements, sorted by Name
	Direct       bool     // required by the root
}

// Result is a successful resolution.
type Result struct {
	Packages []Package // sorted by Name
	Root     []Edge    // the root requirements (after overrides), sorted
	Stats    Stats
}

// Stats counts solver work.
type Stats struct {
	Steps, Decisions, Conflicts, Backtracks int
	Duration                                time.Duration
}

// NoSolutionError is returned when no resolution exists. Error() is the
// human explanation (multi-line derivation).
type NoSolutionError struct {
	Explanation string
}

func (e *NoSolutionError) Error() string { return e.Explanation }

// BudgetError is returned when MaxSteps or the context deadline stopped the
// search; Partial explains the best conflict found so far.
type BudgetError struct {
	Steps   int
	Partial string
}

func (e *BudgetError) Error() string { return "resolution budget exhausted: " + e.Partial }

// Resolve resolves root requirements against p.
func Resolve(ctx context.Context, p Provider, root []pep508.Requirement, opts Options) (*Result, error) {
	panic("resolver.Resolve: not implemented")
}
