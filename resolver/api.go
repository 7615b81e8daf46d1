// Package resolver finds a set of package versions satisfying Python
// requirements with a PubGrub-style conflict-driven solver (incompatibility
// learning, backjumping) and explains unsatisfiable requests in plain words.
//
// It does no I/O: everything it knows comes through Provider. The decision
// loop is single-threaded and deterministic: the same inputs and the same
// provider answers give the same Result and the same explanation, byte for
// byte.
//
// The algorithm follows Dart pub's solver.md (as do pubgrub-rs and uv):
// terms over exact PEP 440 version sets (pep440.Set), unit propagation,
// decisions (the pending package with the fewest usable versions first),
// conflict resolution with learned incompatibilities and backjumping, and
// error reporting from the derivation graph. Python specifics:
//
//   - Extras are virtual packages: "a[x]" at v depends on "a" at v plus the
//     requirements active only with extra x, so requests for one project
//     with different extras merge. A node is identified by (name, extra);
//     universal forking can add a marker to that identity.
//   - Markers are evaluated against Options.Env (extra unset for a project,
//     bound for its extras); evaluation errors count as false.
//   - A version is usable when some file passes, in order: yanked (only if
//     a root requirement or constraint pins it with == or ===, PEP 592),
//     ExcludeNewer (files without upload time are kept), Requires-Python
//     (file level here, metadata level once fetched), and the binary policy
//     (--only-binary needs a compatible wheel, --no-binary an sdist,
//     otherwise either). The reason a version is skipped appears in
//     explanations.
//   - Pre-releases follow uv's --prerelease modes; "explicit" means a
//     first-party requirement (root, constraint or override) names a
//     pre-release, and "if necessary" means the project has no final
//     release at all (the packse scenarios encode this).
//   - Constraints add {name ∉ C} incompatibilities (restrict, never add);
//     overrides replace every requirement on their name (root included),
//     conditioned on the original marker; preferences are tried first
//     unless Upgrade/UpgradePackages; Conflicts adds {a = v, b ∈ S}.
//   - A requirement no version can satisfy (">2,<1", "===foo") makes the
//     requiring version unusable, or the request unsatisfiable when the
//     root has it. A requirement on a node's own project is met when its
//     version satisfies it and rules that version out otherwise (uv).
//   - Provider.Metadata errors wrapping ErrInvalidMetadata make that one
//     version unusable; other provider errors abort, wrapped with the
//     package, and are never a *NoSolutionError.
//
// ResolveUniversal (universal.go) resolves once for every environment
// allowed by a Requires-Python, forking on markers as uv does.
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
	Filename       string    // file name as listed by the index
	Wheel          bool      // false: sdist
	Compatible     bool      // wheel: some tag supported by the target; sdist: always true
	RequiresPython string    // the file's data-requires-python ("" when none)
	Yanked         bool      // PEP 592 yanked
	YankedReason   string    // the yank reason, if given
	UploadTime     time.Time // zero when unknown
}

// Candidate is one version of a project with its files.
type Candidate struct {
	Version pep440.Version // the release version
	Dists   []Dist         // its files (none: the version is unusable)
}

// Metadata is what the resolver needs from a version's core metadata.
type Metadata struct {
	RequiresDist   []pep508.Requirement // including "; extra == ..." entries
	RequiresPython string               // metadata Requires-Python ("" when none)
	ProvidesExtra  []string             // declared extras
}

// ErrProjectNotFound is wrapped by Provider.Candidates when the index has no
// such project; the resolver treats it as "no versions", not as a failure.
// Explanations quote the text the provider wrapped around it, so
// fmt.Errorf("%w: %w", ErrProjectNotFound, err) with err reading
// `no such project "x" on URL (404)` gives "x was not found on URL (404)".
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

// NetworkSignaller is implemented by a Provider that can tell when a
// resolution first needs the network: NetworkNeeded returns a channel
// closed from then on (nil: it cannot tell, as without the method). The background lookahead, which only
// pays when answers take a round trip, starts once it is closed; until
// then every answer is at hand and the decision loop reads it itself. A
// Provider without the method gets the lookahead from the start.
type NetworkSignaller interface {
	NetworkNeeded() <-chan struct{}
}

// PrereleaseMode is uv's --prerelease policy.
type PrereleaseMode string

const (
	// PrereleaseIfNecessaryOrExplicit (the default) allows a project's
	// pre-releases when it has no final release or when a first-party
	// requirement names a pre-release of it.
	PrereleaseIfNecessaryOrExplicit PrereleaseMode = "if-necessary-or-explicit"
	// PrereleaseDisallow never uses pre-releases.
	PrereleaseDisallow PrereleaseMode = "disallow"
	// PrereleaseAllow uses pre-releases like final releases.
	PrereleaseAllow PrereleaseMode = "allow"
	// PrereleaseIfNecessary allows a project's pre-releases only when it
	// has no final release.
	PrereleaseIfNecessary PrereleaseMode = "if-necessary"
	// PrereleaseExplicit allows a project's pre-releases only when a
	// first-party requirement (root, constraint or override) names one.
	PrereleaseExplicit PrereleaseMode = "explicit"
)

// ResolutionMode is --resolution.
type ResolutionMode string

const (
	// ResolutionHighest (the default) tries the highest usable version first.
	ResolutionHighest ResolutionMode = "highest"
	// ResolutionLowest tries the lowest usable version first, everywhere.
	ResolutionLowest ResolutionMode = "lowest"
	// ResolutionLowestDirect tries the lowest version first for packages
	// the root requires directly and the highest for the others.
	ResolutionLowestDirect ResolutionMode = "lowest-direct"
)

// BinaryPolicy is --only-binary / --no-binary: All or the named packages.
type BinaryPolicy struct {
	All      bool     // every package (":all:")
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
	Env             pep508.Env                // target marker environment (required)
	Python          pep440.Version            // target Python for Requires-Python (required)
	Prerelease      PrereleaseMode            // "" = PrereleaseIfNecessaryOrExplicit
	Resolution      ResolutionMode            // "" = ResolutionHighest
	ExcludeNewer    time.Time                 // ignore dists uploaded after this (zero = off)
	OnlyBinary      BinaryPolicy              // packages that must use a wheel
	NoBinary        BinaryPolicy              // packages that must use an sdist
	Constraints     []pep508.Requirement      // restrict, never add
	Overrides       []pep508.Requirement      // replace every requirement on that name
	Preferences     map[string]pep440.Version // versions to try first (e.g. from a lock), by canonical name
	Upgrade         bool                      // ignore all preferences
	UpgradePackages []string                  // ignore preferences for these
	MaxSteps        int                       // 0 = default budget
	// Conflicts, when set, is asked for each candidate before it is
	// chosen, with the resolution's context (it may fetch).
	Conflicts func(ctx context.Context, name string, v pep440.Version) []Conflict
	// Progress, when set, receives events from the decision loop.
	Progress func(Event)
}

// Event reports solver progress for display.
type Event struct {
	Kind    string // "decide", "conflict", "backtrack"
	Name    string // decided package ("a" or "a[x]"), "decide" only
	Version string // decided version, "decide" only
	Steps   int    // steps taken so far
	Message string // the conflict or backtracking cause, in words
}

// Edge is one requirement from a package (or the root) to another package.
type Edge struct {
	Name        string   // canonical target
	Extras      []string // extras requested on the target
	Requirement string   // the requirement as written upstream
}

// Package is one chosen package version.
type Package struct {
	Name         string         // canonical
	Version      pep440.Version // chosen version
	Extras       []string       // extras activated by dependents
	Dependencies []Edge         // active (marker-true) requirements, sorted by Name
	Direct       bool           // required by the root
	// Marker describes the environments in which this version is
	// installed. Resolve leaves it zero (true: the one target environment);
	// ResolveUniversal sets it, the zero Marker meaning everywhere allowed
	// by Requires-Python.
	Marker pep508.Marker
}

// Result is a successful resolution, single-target (Resolve) or universal
// (ResolveUniversal). A single-target result has one Package per name, each
// with the true Marker, and no Forks. A universal result may hold one name
// at several versions; their Markers are then disjoint.
type Result struct {
	Packages []Package // sorted by Name, then Version
	Root     []Edge    // the root requirements (after overrides), sorted; universal: those active in some fork
	Stats    Stats     // work done (universal: summed over the forks)
	// Forks are the environments of each fork a universal resolution
	// resolved, in resolution order (a single true marker when nothing
	// forked); nil for Resolve.
	Forks []pep508.Marker
	// RequiresPython is the Requires-Python a universal result is valid
	// for (UniversalOptions.RequiresPython); "" for Resolve.
	RequiresPython string
}

// Stats counts solver work.
type Stats struct {
	// Steps counts decision-loop iterations (what MaxSteps bounds),
	// Decisions versions tried, Conflicts conflicts resolved and Backtracks
	// backjumps.
	Steps, Decisions, Conflicts, Backtracks int
	Duration                                time.Duration // wall time of the resolution
}

// NoSolutionError is returned when no resolution exists. Error() is the
// human explanation (multi-line derivation).
type NoSolutionError struct {
	Explanation string // the derivation, then "hint:" lines
	// Derivation is the failure as data: the incompatibility "your
	// requirements are unsatisfiable" and everything it was derived from
	// (derivation.go).
	Derivation *Incompatibility
}

// Error returns the explanation.
func (e *NoSolutionError) Error() string { return e.Explanation }

// BudgetError is returned when MaxSteps or the context deadline stopped the
// search; Partial explains the best conflict found so far.
type BudgetError struct {
	Steps   int    // steps taken when the search stopped
	Partial string // why it stopped and the last conflict found
}

// Error names the budget that ran out and the partial explanation.
func (e *BudgetError) Error() string { return "resolution budget exhausted: " + e.Partial }

// Resolve resolves root requirements against p. It returns a
// *NoSolutionError when no resolution exists, a *BudgetError when
// Options.MaxSteps or ctx's deadline stopped the search, and provider
// errors (other than ErrProjectNotFound) wrapped with the package.
func Resolve(ctx context.Context, p Provider, root []pep508.Requirement, opts Options) (*Result, error) {
	return resolve(ctx, p, root, opts)
}
