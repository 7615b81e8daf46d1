// Package pylock is the public resolve pipeline with no CLI concerns: it reads
// the inputs (requirements files, pyproject.toml, stdin), configures the
// index client, adapts it to the resolver, resolves for one target and
// builds the PEP 751 lock. cmd/pylock parses flags into a Request, calls
// Resolve, renders the Lock and maps errors to exit codes with ExitCode.
package pylock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

// DefaultIndexURL is used when no flag, requirement file or environment
// variable names an index.
const DefaultIndexURL = "https://pypi.org/simple"

// Request is one resolution: the values of `pylock resolve`'s flags.
// Zero values mean "default".
type Request struct {
	Inputs      []string // requirement files, pyproject.toml files, "-" for stdin (positionals and -r)
	Constraints []string // -c files
	Overrides   []string // --override files

	// Pyproject selects the optional dependencies (--extra, --all-extras)
	// and dependency groups (--group, --all-groups) read from
	// pyproject.toml inputs; it is an error without a pyproject.toml input.
	Pyproject reqfile.PyprojectOptions

	IndexURL       string
	ExtraIndexURLs []string
	FindLinks      []string
	IndexStrategy  string // first-index (default) | unsafe-best-match

	PythonVersion  string
	PythonPlatform string

	Prerelease      string // resolver.PrereleaseMode
	Resolution      string // resolver.ResolutionMode
	ExcludeNewer    string // RFC 3339 timestamp, YYYY-MM-DD (UTC midnight) or a duration before now (7d, "1 week")
	Upgrade         bool
	UpgradePackages []string
	OnlyBinary      []string // package names, ":all:" or ":none:", comma lists allowed
	NoBinary        []string
	InstallFirst    []string

	Offline  bool
	Refresh  bool
	NoCache  bool
	CacheDir string
	MaxSteps int
	Timeout  time.Duration // per HTTP request (0 = client default; --http-timeout)
	// Budget bounds the whole resolve, index fetching and solving (--timeout;
	// 0 = none): past it the solver stops with a *resolver.BudgetError
	// (exit 1), a fetch in progress fails as an index error (exit 3).
	Budget time.Duration

	// PreviousLock is the path of an existing lock whose pins are preferred
	// (the output file); missing or unreadable is not an error.
	PreviousLock string
	// LockPath is where the lock will be written ("" or "-": stdout): the
	// input paths in [tool.pylock] inputs are recorded relative to its
	// directory, so that audit finds them from any working directory.
	LockPath string
	// Command is recorded in [tool.pylock] as the command that regenerates the lock.
	Command string
	// ABIGuard applies the audit ABI rules while resolving (--abi-guard).
	ABIGuard bool
	// Universal locks every environment at once (--universal): see
	// BuildUniversalLock. PythonPlatform must be empty.
	Universal bool

	Stdin          io.Reader            // for "-" (nil = empty)
	Getenv         func(string) string  // nil = os.Getenv
	IndexEvents    func(index.Event)    // progress from the index client
	ResolverEvents func(resolver.Event) // progress from the solver
}

// Result is a successful resolution.
type Result struct {
	Lock       *lockfile.Lock
	Resolution *resolver.Result
	Target     target.Target
	IndexStats index.Stats
	Duration   time.Duration
	Warnings   []string
	ABIGuard   []string // --abi-guard: why a pair was avoided, one line per applied rule
	// Universal is the universal resolution (Request.Universal); Resolution
	// then lists every locked version.
	Universal *resolver.UniversalResult
}

// Resolve runs the pipeline. Errors are *Error (use ExitCode).
func Resolve(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	if req.Budget < 0 {
		return nil, usageErr(fmt.Errorf("invalid --timeout %s: must be positive", req.Budget))
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
	if req.ExcludeNewer != "" { // a duration becomes one absolute cutoff for the whole run
		if _, req.ExcludeNewer, err = excludeNewerCutoff(req.ExcludeNewer); err != nil {
			return nil, usageErr(err)
		}
	}
	opts, err := buildResolverOptions(req, in)
	if err != nil {
		return nil, usageErr(err)
	}
	t, err := buildTarget(ctx, req)
	if err != nil {
		return nil, usageErr(err)
	}
	if req.Universal {
		return resolveUniversal(ctx, req, in, opts, t, getenv, start)
	}
	opts.Env, opts.Python = t.Env(), t.Python
	if err := checkRequiresPython(in, t); err != nil {
		return nil, usageErr(err)
	}
	client, iopts, res, err := openIndex(req, in, t, getenv)
	if err != nil {
		return nil, err
	}
	prefs, warn := readPreferences(req.PreviousLock)
	opts.Preferences, res.Warnings = prefs, append(res.Warnings, warn...)

	bg, cancel := context.WithCancel(ctx)
	defer cancel()
	p := NewProvider(bg, client, t)
	guard := newABIGuard(bg, req, client, &opts)
	sol, err := resolver.Resolve(ctx, p, in.requirements, opts)
	if err != nil {
		return nil, budgetErr(ctx, req.Budget, err)
	}
	lock, err := buildLock(ctx, p, sol, t, req, in, iopts)
	if err != nil {
		return nil, budgetErr(ctx, req.Budget, err)
	}
	if err := lock.Validate(); err != nil { // a pylock bug, never the user's
		return nil, &Error{Code: ExitUsage, Err: fmt.Errorf("internal error: the lock pylock built is invalid: %w", err)}
	}
	res.Lock, res.Resolution = lock, sol
	cutoff, _ := ParseExcludeNewer(req.ExcludeNewer) // validated before resolving; zero when unset
	res.Warnings = append(res.Warnings, yankWarnings(ctx, p, sol, in.format, cutoff)...)
	res.ABIGuard = abiGuardNotes(guard, sol)
	res.IndexStats = client.Stats()
	res.Duration = time.Since(start)
	return res, nil
}

func readInputs(req Request) (*inputs, error) {
	if len(req.Inputs) == 0 {
		return nil, errors.New("no input: give a requirements file, a pyproject.toml or - for stdin")
	}
	in := &inputs{}
	r := &reader{stdin: req.Stdin, in: in, seen: map[string]bool{}, pyopts: req.Pyproject}
	for _, p := range req.Inputs {
		if err := r.load(p, kindRequirements); err != nil {
			return nil, err
		}
	}
	if err := checkPyprojectOptions(req); err != nil {
		return nil, err
	}
	for _, p := range req.Constraints {
		if err := r.load(p, kindConstraints); err != nil {
			return nil, err
		}
	}
	for _, p := range req.Overrides {
		if err := r.load(p, kindOverrides); err != nil {
			return nil, err
		}
	}
	return in, nil
}

func buildTarget(ctx context.Context, req Request) (target.Target, error) {
	if req.PythonVersion == "" && req.PythonPlatform == "" {
		return target.Default(ctx), nil
	}
	return target.New(req.PythonVersion, req.PythonPlatform)
}

// buildIndexOptions applies flags > requirement-file options > environment
// (PYLOCK_INDEX_URL, then PIP_INDEX_URL; PIP_EXTRA_INDEX_URL, space
// separated) > DefaultIndexURL.
func buildIndexOptions(req Request, in *inputs, getenv func(string) string) (index.Options, error) {
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
		Timeout:   req.Timeout,
		UserAgent: "pylock",
		Events:    req.IndexEvents,
	}
	o.ExtraIndexURLs = append(slices.Clone(req.ExtraIndexURLs), in.extraIndex...)
	if len(o.ExtraIndexURLs) == 0 {
		o.ExtraIndexURLs = strings.Fields(getenv("PIP_EXTRA_INDEX_URL"))
	}
	switch index.Strategy(req.IndexStrategy) {
	case "", index.FirstIndex:
		o.Strategy = index.FirstIndex
	case index.UnsafeBestMatch:
		o.Strategy = index.UnsafeBestMatch
	default:
		return o, fmt.Errorf("invalid --index-strategy %q: want first-index or unsafe-best-match", req.IndexStrategy)
	}
	return o, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func buildResolverOptions(req Request, in *inputs) (resolver.Options, error) {
	o := resolver.Options{
		Constraints:     in.constraints,
		Overrides:       in.overrides,
		Upgrade:         req.Upgrade,
		UpgradePackages: canonicalAll(req.UpgradePackages),
		MaxSteps:        req.MaxSteps,
		Progress:        req.ResolverEvents,
	}
	switch m := resolver.PrereleaseMode(req.Prerelease); m {
	case "":
		o.Prerelease = resolver.PrereleaseIfNecessaryOrExplicit
		if in.pre {
			o.Prerelease = resolver.PrereleaseAllow
		}
	case resolver.PrereleaseIfNecessaryOrExplicit, resolver.PrereleaseDisallow, resolver.PrereleaseAllow,
		resolver.PrereleaseIfNecessary, resolver.PrereleaseExplicit:
		o.Prerelease = m
	default:
		return o, fmt.Errorf("invalid --prerelease %q: want disallow, allow, if-necessary, explicit or if-necessary-or-explicit", req.Prerelease)
	}
	switch m := resolver.ResolutionMode(req.Resolution); m {
	case "":
		o.Resolution = resolver.ResolutionHighest
	case resolver.ResolutionHighest, resolver.ResolutionLowest, resolver.ResolutionLowestDirect:
		o.Resolution = m
	default:
		return o, fmt.Errorf("invalid --resolution %q: want highest, lowest or lowest-direct", req.Resolution)
	}
	if req.ExcludeNewer != "" {
		t, err := ParseExcludeNewer(req.ExcludeNewer)
		if err != nil {
			return o, err
		}
		o.ExcludeNewer = t
	}
	if req.MaxSteps < 0 {
		return o, fmt.Errorf("invalid --max-steps %d: must be positive", req.MaxSteps)
	}
	fc := in.format
	for _, v := range req.OnlyBinary {
		if err := fc.AddOnlyBinary(v); err != nil {
			return o, err
		}
	}
	for _, v := range req.NoBinary {
		if err := fc.AddNoBinary(v); err != nil {
			return o, err
		}
	}
	o.OnlyBinary, o.NoBinary = binaryPolicy(fc.OnlyBinary), binaryPolicy(fc.NoBinary)
	in.format = fc // the effective policy, for the lock's file lists
	return o, nil
}

// ParseExcludeNewer accepts an RFC 3339 timestamp, a date (UTC midnight)
// or a duration before now (7d, 24h, "1 week", P7D; see excludenewer.go).
func ParseExcludeNewer(s string) (time.Time, error) {
	t, _, err := excludeNewerCutoff(s)
	return t, err
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

func canonicalAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		for _, item := range strings.Split(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, names.Canonicalize(item))
			}
		}
	}
	return out
}

// readPreferences returns the pins of an existing PEP 751 lock at path (nil
// when absent). An unreadable lock is not fatal: a warning says it was ignored.
func readPreferences(path string) (map[string]pep440.Version, []string) {
	if path == "" || path == "-" || FormatFor(path, "") != FormatTOML {
		return nil, nil
	}
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return nil, nil
	}
	l, err := lockfile.ReadFile(path)
	if err != nil {
		return nil, []string{fmt.Sprintf("ignoring existing %s (not a readable lock): %v", path, err)}
	}
	prefs := map[string]pep440.Version{}
	for _, p := range l.Packages {
		if v, err := pep440.Parse(p.Version); err == nil {
			prefs[names.Canonicalize(p.Name)] = v
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
func openIndex(req Request, in *inputs, t target.Target, getenv func(string) string) (*index.Client, index.Options, *Result, error) {
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
