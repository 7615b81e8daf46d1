// Package corpus holds pylock's in-memory model of a package index used by
// tests and benchmarks, and loaders for the shared conformance corpora
// (uv's packse scenarios and resolvelib's PyPI snapshots).
//
// CONTRACT (stub written by the lead; the resolver owner writes the loaders,
// may add API, must not rename or remove what is declared here).
package corpus

import "time"

// Index is a set of projects keyed by canonical name.
type Index struct {
	Projects map[string]*Project
}

// Project is one project and its releases.
type Project struct {
	Name     string     // canonical
	Releases []*Release // any order
}

// Release is one version with its metadata and files.
type Release struct {
	Version        string   // as written in the source
	Requires       []string // Requires-Dist lines, extras as `; extra == "x"` markers
	Extras         []string // Provides-Extra (normalised)
	RequiresPython string   // "" = none
	WheelTags      []string // one wheel per tag, e.g. "py3-none-any"; nil with Wheel=false
	Wheel          bool
	Sdist          bool
	Yanked         bool
	YankedReason   string
	UploadTime     time.Time // zero = derive
}

// Scenario is one packse scenario.
type Scenario struct {
	Name        string
	Description string
	Path        string
	Root        []string // [root] requires
	Expected    Expected
	Python      string // target Python: resolver_options.python, else environment.python, else "3.12"
	// InstalledPython is [environment] python (else "3.12"): the interpreter
	// present, as opposed to the target Python above.
	InstalledPython string
	// RequiresPython is [root] requires_python ("" when absent; universal
	// scenarios only).
	RequiresPython string
	Options        ScenarioOptions
	Index          *Index
}

// Expected is a scenario's [expected] table.
type Expected struct {
	Satisfiable bool
	Packages    map[string]string // canonical name -> version; nil when not given
	Explanation string
}

// ScenarioOptions is [resolver_options].
type ScenarioOptions struct {
	Universal            bool
	PythonPlatform       string   // e.g. "x86_64-manylinux2014"
	Prereleases          bool     // --prerelease allow
	NoBuild              []string // packages (or ":all:") that must come from wheels
	NoBinary             []string // packages (or ":all:") that must come from sdists
	RequiredEnvironments []string
	AdditionalPython     []string
}

// Case is one resolvelib case.
type Case struct {
	Name      string
	IndexName string
	Requested []string
	Resolved  map[string]string // canonical name -> version
	// Conflicted is the case's "conflicted" table (canonical name ->
	// specifiers) for cases expected to be unsatisfiable; nil otherwise.
	Conflicted map[string][]string
	Index      *Index
}
