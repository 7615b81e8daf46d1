// Package pylock is the public resolve pipeline, with no CLI concerns: it
// reads the inputs (pypi/inputs), configures the index client, adapts it to
// the resolver, resolves for one target (or every environment) and builds
// the PEP 751 lock. Other Go programs call Resolve with typed Options;
// cmd/pylock parses its flags into Options, calls Resolve, renders the Lock
// and maps the Kind of a failure (KindOf) to an exit code.
package pylock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pylock/pylock/audit"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	pyinputs "github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

// DefaultIndexURL is used when no option, requirement file or environment
// variable names an index.
const DefaultIndexURL = "https://pypi.org/simple"

// Options is one resolution, with every value already parsed: cmd/pylock
// builds it once from the flags (see its parseResolveFlags); other Go
// programs fill it directly. Zero values mean "default".
type Options struct {
	// Inputs are the requirements files, pyproject.toml files and stdin
	// ("-"), each with its role (requirements, pyproject, constraint,
	// override), in order.
	Inputs []pyinputs.Input

	IndexURL       string   // base URL or local directory of the index
	ExtraIndexURLs []string // searched after IndexURL
	FindLinks      []string // directories or pages of distribution files
	IndexStrategy  index.Strategy

	// Target is the environment to lock for (zero: python3 on PATH, else
	// 3.12, on the host platform).
	Target TargetSpec
	// Universal locks every environment at once: see BuildLock and
	// LockOptions.Universal.
	// Target.Platform must be empty.
	Universal bool
	// Environments limit a universal lock to the environments where one of
	// them holds (--environment; written as the lock's environments), and
	// RequiredEnvironments are environments every locked package must have
	// a compatible wheel or an sdist for (--required-environment). When
	// nil, a pyproject.toml input's [tool.pylock] environments /
	// required-environments apply. Universal only.
	Environments         []pep508.Marker
	RequiredEnvironments []pep508.Marker

	Prerelease      resolver.PrereleaseMode // "": if-necessary-or-explicit (allow with --pre in a file)
	Resolution      resolver.ResolutionMode // "": highest
	ExcludeNewer    time.Time               // ignore files uploaded after it (zero: no cutoff)
	Upgrade         bool                    // ignore the pins of PreviousLock
	UpgradePackages []string                // ignore PreviousLock's pins of these (names or comma lists)
	OnlyBinary      []string                // package names, ":all:" or ":none:", comma lists allowed
	NoBinary        []string
	InstallFirst    []string // packages installed in their own first step

	Offline     bool
	Refresh     bool
	NoCache     bool
	CacheDir    string
	MaxSteps    int           // solver step budget (0: the solver's default)
	HTTPTimeout time.Duration // HTTP read timeout (0: the client default)
	// VerifyFiles downloads every locked file and checks it against its
	// hash and size before the lock is returned (--verify-files): metadata
	// read with range requests is otherwise not covered by any hash.
	VerifyFiles bool
	// ReuseResult returns, without resolving, the result an earlier run
	// with the same options, inputs, previous lock, target and pylock
	// build stored, when every project page it was computed from is still
	// the same cache entry and fresh (see resultcache.go). Such a Result
	// has no Resolution or Universal.
	ReuseResult bool
	// Budget bounds the whole resolve, index fetching and solving (0 =
	// none): past it the solver stops with a *resolver.BudgetError
	// (KindNoSolution), a fetch in progress fails as KindIndex.
	Budget time.Duration

	// PreviousLock is the path of an existing PEP 751 lock, or pinned
	// requirements file (.txt), whose pins are preferred (unless Upgrade
	// or UpgradePackages); missing or unreadable is not an error.
	PreviousLock string
	// LockPath is where the lock will be written ("" or "-": stdout): the
	// input paths in [tool.pylock] are recorded relative to its directory,
	// so that audit finds them from any working directory.
	LockPath string
	// Command is recorded in [tool.pylock] as the command that regenerates the lock.
	Command string
	// NoABIGuard turns off the ABI guard. By default the audit ABI rules
	// (audit/abi_rules.toml) apply while resolving: a release whose compiled
	// wheels predate a provider's ABI break (numpy 2.0) is not paired with
	// the new major (Result.ABIGuard says what was held back). With
	// NoABIGuard the resolution is unconstrained and a locked risky pair is
	// a warning with the two ways out that audit gives.
	NoABIGuard bool
	// Build governs versions whose sdist has no static metadata
	// (--no-build, --no-build-package, --no-build-isolation, --python).
	Build BuildOptions

	// These are not part of a result's key (resultKey): stdin's bytes are
	// among the inputs' contents, the environment variables that matter
	// are hashed by name, and progress does not change the result.
	Stdin          io.Reader            `json:"-"` // for "-" (nil = empty)
	Getenv         func(string) string  `json:"-"` // nil = os.Getenv
	IndexEvents    func(index.Event)    `json:"-"` // progress from the index client
	ResolverEvents func(resolver.Event) `json:"-"` // progress from the solver
}

// TargetSpec names the environment to lock for.
type TargetSpec struct {
	PythonVersion string // 3.11, 3.12.4 ("": python3 on PATH, else 3.12)
	Platform      string // linux, macos, windows, x86_64-manylinux_2_28... ("": the host)
}

// Target builds the target environment (target.Select): the zero spec
// probes python3 on PATH; a platform alone keeps that interpreter's Python.
func (s TargetSpec) Target(ctx context.Context) (target.Target, error) {
	return s.target(ctx, "")
}

// target is Target keeping the interpreter's probe in the cache at
// cacheDir ("" = none: target.SelectCached).
func (s TargetSpec) target(ctx context.Context, cacheDir string) (target.Target, error) {
	return target.SelectCached(ctx, s.PythonVersion, s.Platform, cacheDir)
}

// Result is a successful resolution.
type Result struct {
	Lock       *lockfile.Lock
	Resolution *resolver.Result // nil when the result was reused (Options.ReuseResult)
	Target     target.Target
	IndexStats index.Stats
	Duration   time.Duration
	Warnings   []string
	// ABIGuard says what the guard held back and why, one line per
	// applied rule (empty when nothing was held back or with NoABIGuard).
	ABIGuard []string
	// Universal is the universal resolution (Options.Universal); Resolution
	// then lists every locked version.
	Universal *resolver.Result
}

// Resolve runs the pipeline: read the inputs, resolve against the index
// and build the PEP 751 lock. Errors are *Error (see KindOf).
func Resolve(ctx context.Context, req Options) (*Result, error) {
	start := time.Now()
	if req.Budget < 0 {
		return nil, usageErr(fmt.Errorf("invalid --timeout %s: must be positive", req.Budget))
	}
	if !req.Universal && len(req.Environments)+len(req.RequiredEnvironments) > 0 {
		return nil, usageErr(errors.New("--environment and --required-environment apply to universal locks: add --universal"))
	}
	ctx, cancelBudget := withBudget(ctx, req.Budget)
	defer cancelBudget()
	getenv := req.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	in, err := readInputs(req)
	if err != nil {
		return nil, usageErr(err)
	}
	opts, err := buildResolverOptions(req, in)
	if err != nil {
		return nil, usageErr(err)
	}
	iopts, ioptsErr := buildIndexOptions(req, in, getenv) // openIndex reports its error
	probeCache := ""
	if ioptsErr == nil {
		probeCache = buildCacheDir(iopts)
	}
	t, err := req.Target.target(ctx, probeCache)
	if err != nil {
		return nil, usageErr(err)
	}
	var reuseKey string
	if ioptsErr == nil {
		if reuseKey = resultKey(req, in, iopts, t, getenv); reuseKey != "" {
			if res := reusedResult(reuseKey, iopts, t, start); res != nil {
				return res, nil
			}
		}
	}
	if req.Universal {
		return resolveUniversal(ctx, req, in, opts, t, getenv, start, reuseKey)
	}
	opts.Env, opts.Python = t.Env(), t.Python
	if err := checkRequiresPython(in, t); err != nil {
		return nil, usageErr(err)
	}
	r, err := openRun(ctx, req, in, t, getenv, &opts)
	if err != nil {
		return nil, err
	}
	defer r.close() // joins every prefetch: nothing outlives Resolve
	r.reuseKey = reuseKey
	sol, err := resolver.Resolve(ctx, in.refs.wrap(r.p), in.requirements, opts)
	if err != nil {
		return nil, r.builds.annotate(budgetErr(ctx, req.Budget, in.refs.explain(err)))
	}
	snap, err := r.lock(ctx, req, in, sol, singleLockOptions(req, in, r.iopts, t))
	if err != nil {
		return nil, err
	}
	r.res.Warnings = append(r.res.Warnings, yankWarnings(snap, sol, in.format, req.ExcludeNewer)...)
	r.res.Warnings = append(r.res.Warnings, extraWarnings(snap, sol, opts.Env)...)
	return r.done(ctx, req, start)
}

// run is what one resolution uses besides the solver, the same for
// single-target and universal locks: the index client, the provider over
// it, the sdist builder, the ABI guard and the Result being filled.
type run struct {
	client *index.Client
	iopts  index.Options
	res    *Result
	p      *Provider
	builds *sdistBuilds // one per run: built metadata serves every fork
	guard  *audit.Guard // nil with --no-abi-guard
	stop   func()       // stops the provider's prefetching (idempotent)
	// reuseKey is the key its result is stored under when it can be
	// reused (remember); "" = never.
	reuseKey string
}

// openRun opens the index, reads the preferences into opts, makes the
// provider with its builder, resolves the direct references, starts the
// prefetching and installs the ABI guard in opts (markers evaluated in
// opts.Env: nil for universal locks; never for direct references'
// projects). The caller must close the run.
func openRun(ctx context.Context, req Options, in *inputs, t target.Target, getenv func(string) string, opts *resolver.Options) (*run, error) {
	client, iopts, res, err := openIndex(req, in, t, getenv)
	if err != nil {
		return nil, err
	}
	prefs, warn := readPreferences(req.PreviousLock, buildCacheDir(iopts))
	opts.Preferences, res.Warnings = prefs, append(res.Warnings, warn...)
	r := &run{client: client, iopts: iopts, res: res, p: NewProvider(client, t), stop: func() {}}
	r.builds = newSdistBuilds(client, req.Build, buildCacheDir(iopts), req.ExcludeNewer)
	r.p.enableBuilds(r.builds)
	if err := resolveDirect(ctx, req, in, iopts, r.builds); err != nil {
		r.close()
		return nil, err
	}
	r.stop = r.p.StartPrefetch(ctx)
	r.guard = newABIGuard(req, client, r.p, opts)
	in.refs.unguard(opts)
	return r, nil
}

// close stops the provider's and the client's background work and waits
// for every goroutine of it.
func (r *run) close() {
	r.stop()
	r.client.Close()
}

// lock stops prefetching, then builds the lock of sol with lo (plus the
// ABI guard's record) and verifies its files; it fills the Result's lock,
// resolution, build warnings and guard lines, and returns the index
// snapshot the lock was built from.
func (r *run) lock(ctx context.Context, req Options, in *inputs, sol *resolver.Result, lo LockOptions) (*IndexSnapshot, error) {
	r.stop()
	r.res.Warnings = append(r.res.Warnings, r.builds.Warnings()...)
	lo.Tool.ABIGuard, r.res.ABIGuard = abiGuardRecord(r.guard, sol, in)
	lock, snap, err := lockResolution(ctx, req, r.p, sol, lo)
	if err != nil {
		return nil, err
	}
	if err := verifyFiles(ctx, req, r.client, lock); err != nil {
		return nil, err
	}
	r.res.Lock, r.res.Resolution = lock, sol
	return snap, nil
}

// done runs the last check (a risky pair left unguarded) and returns the
// Result with the index statistics and the duration since start.
func (r *run) done(ctx context.Context, req Options, start time.Time) (*Result, error) {
	if err := checkUnguarded(ctx, req, r.client, r.res); err != nil {
		return nil, err
	}
	r.res.IndexStats = r.client.Stats()
	r.res.Duration = time.Since(start)
	r.remember(r.res)
	return r.res, nil
}

func readInputs(req Options) (*inputs, error) {
	if len(req.Inputs) == 0 {
		return nil, errors.New("no input: give a requirements file, a pyproject.toml or - for stdin")
	}
	set, err := pyinputs.Load(req.Inputs, req.Stdin)
	if err != nil {
		return nil, err
	}
	return newInputs(set)
}

// buildIndexOptions applies flags > requirement-file options > environment
// (PYLOCK_INDEX_URL, then PIP_INDEX_URL; PIP_EXTRA_INDEX_URL, space
// separated) > DefaultIndexURL.
func buildIndexOptions(req Options, in *inputs, getenv func(string) string) (index.Options, error) {
	if req.Offline && req.NoCache {
		return index.Options{}, errors.New("--offline and --no-cache cannot be combined: offline, pylock reads only the HTTP cache")
	}
	o := index.Options{
		IndexURL:  firstNonEmpty(req.IndexURL, in.indexURL, getenv("PYLOCK_INDEX_URL"), getenv("PIP_INDEX_URL"), DefaultIndexURL),
		FindLinks: append(slices.Clone(req.FindLinks), in.findLinks...),
		CacheDir:  firstNonEmpty(req.CacheDir, getenv("PYLOCK_CACHE_DIR")),
		NoCache:   req.NoCache,
		Offline:   req.Offline,
		Refresh:   req.Refresh,
		Timeout:   req.HTTPTimeout,
		UserAgent: "pylock",
		Events:    req.IndexEvents,
	}
	o.ExtraIndexURLs = append(slices.Clone(req.ExtraIndexURLs), in.extraIndex...)
	if len(o.ExtraIndexURLs) == 0 {
		o.ExtraIndexURLs = strings.Fields(getenv("PIP_EXTRA_INDEX_URL"))
	}
	var err error
	o.Strategy, err = ParseIndexStrategy(string(req.IndexStrategy))
	return o, err
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func buildResolverOptions(req Options, in *inputs) (resolver.Options, error) {
	o := resolver.Options{
		Constraints:     in.constraints,
		Overrides:       in.overrides,
		Upgrade:         req.Upgrade,
		UpgradePackages: names.CanonicalList(req.UpgradePackages),
		MaxSteps:        req.MaxSteps,
		ExcludeNewer:    req.ExcludeNewer,
		Progress:        req.ResolverEvents,
	}
	var err error
	if o.Prerelease, err = ParsePrerelease(string(req.Prerelease)); err != nil {
		return o, err
	}
	if req.Prerelease == "" && in.pre {
		o.Prerelease = resolver.PrereleaseAllow
	}
	if o.Resolution, err = ParseResolution(string(req.Resolution)); err != nil {
		return o, err
	}
	if req.MaxSteps < 0 {
		return o, fmt.Errorf("invalid --max-steps %d: must be positive", req.MaxSteps)
	}
	fc := in.format
	if err := ApplyFormatControl(&fc, req.OnlyBinary, req.NoBinary); err != nil {
		return o, err
	}
	o.OnlyBinary, o.NoBinary = binaryPolicy(fc.OnlyBinary), binaryPolicy(fc.NoBinary)
	in.format = fc // the effective policy, for the lock's file lists
	return o, nil
}

// binaryPolicy converts a reqfile.FormatControl list (canonical names or
// ":all:") to the resolver's form.
func binaryPolicy(list []string) resolver.BinaryPolicy {
	var p resolver.BinaryPolicy
	for _, n := range list {
		if n == reqfile.All {
			p.All = true
		} else {
			p.Packages = append(p.Packages, n)
		}
	}
	return p
}

// readPreferences returns the pins of an existing output at path (nil
// when absent): a PEP 751 lock, or pinned requirements when path ends in
// .txt ("name==version" lines, as pip-compile reads its output). An
// unreadable file is not fatal: a warning says it was ignored. A lock's
// pins are cached in cacheDir (prefscache.go; "" for none) by its content.
func readPreferences(path, cacheDir string) (map[string]pep440.Version, []string) {
	if path == "" || path == "-" {
		return nil, nil
	}
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return nil, nil
	}
	if strings.EqualFold(filepath.Ext(path), ".txt") {
		return readRequirementPins(path)
	}
	notALock := func(err error) []string {
		return []string{fmt.Sprintf("ignoring existing %s (not a readable lock): %v", path, err)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, notALock(err)
	}
	entry := prefsEntryPath(cacheDir, data)
	if entry != "" {
		if prefs, ok := loadPrefsEntry(entry); ok {
			return prefs, nil
		}
	}
	l, err := lockfile.Parse(path, data)
	if err != nil {
		return nil, notALock(err)
	}
	prefs := map[string]pep440.Version{}
	pins := map[string]string{} // the versions as written, for the cache
	for _, p := range l.Packages {
		if v, err := pep440.Parse(p.Version); err == nil {
			n := names.Canonicalize(p.Name)
			prefs[n], pins[n] = v, p.Version
		}
	}
	if entry != "" {
		storePrefsEntry(entry, pins)
	}
	return prefs, nil
}

// readRequirementPins returns the "name==version" pins of a pinned
// requirements file (the first pin of a name wins; other lines are
// skipped). Includes are not followed: an output file has none.
func readRequirementPins(path string) (map[string]pep440.Version, []string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []string{fmt.Sprintf("ignoring existing %s: %v", path, err)}
	}
	noInclude := func(p string) ([]byte, error) {
		return nil, fmt.Errorf("includes are not read from an existing output")
	}
	f, err := reqfile.Parse(path, data, reqfile.Options{ReadFile: noInclude, LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		return nil, []string{fmt.Sprintf("ignoring existing %s (not a readable requirements file): %v", path, err)}
	}
	prefs := map[string]pep440.Version{}
	for _, e := range f.Requirements {
		r := e.Requirement
		specs := r.Specifier.Specifiers()
		if r.URL != "" || len(specs) != 1 || specs[0].Op != "==" || strings.HasSuffix(specs[0].Version, ".*") {
			continue
		}
		v, err := pep440.Parse(specs[0].Version)
		if _, seen := prefs[r.NormalizedName()]; err == nil && !seen {
			prefs[r.NormalizedName()] = v
		}
	}
	return prefs, nil
}

// checkRequiresPython rejects a target Python outside the project's
// requires-python (pyproject.toml).
func checkRequiresPython(in *inputs, t target.Target) error {
	if in.requiresPython == "" {
		return nil
	}
	spec, err := pep440.ParseSpecifierSet(in.requiresPython)
	if err != nil {
		return fmt.Errorf("invalid requires-python %q: %w", in.requiresPython, err)
	}
	if !spec.Contains(t.Python) {
		return fmt.Errorf("the target Python %s is outside the project's requires-python %q (use --python-version)", t.Python, in.requiresPython)
	}
	return nil
}

// requirementStrings renders requirements for [tool.pylock].
func requirementStrings(rs []pep508.Requirement) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

// openIndex builds the index client (and its options) from the request and inputs, and the
// Result that collects warnings (an unsupported --no-index among them).
func openIndex(req Options, in *inputs, t target.Target, getenv func(string) string) (*index.Client, index.Options, *Result, error) {
	iopts, err := buildIndexOptions(req, in, getenv)
	if err != nil {
		return nil, iopts, nil, usageErr(err)
	}
	client, err := index.New(iopts)
	if err != nil {
		return nil, iopts, nil, usageErr(err)
	}
	res := &Result{Target: t, Warnings: in.warnings}
	if in.noIndex && req.IndexURL == "" {
		res.Warnings = append(res.Warnings, "--no-index in a requirements file is not supported: using "+index.Redact(iopts.IndexURL))
	}
	return client, iopts, res, nil
}
