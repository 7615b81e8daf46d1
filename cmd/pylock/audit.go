package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/pylock/pylock"
	"github.com/pylock/pylock/audit"
	"github.com/pylock/pylock/audit/installed"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/pypi/target"
)

func init() { extraCommands = append(extraCommands, (*app).auditCommand) }

type auditFlags struct {
	lock         string
	requirements []string
	python       string
	sitePackages []string
	indexURLs    []string
	offline      bool
	format       string
	failOn       string
	cacheDir     string
}

func (a *app) auditCommand() *cobra.Command {
	var f auditFlags
	c := &cobra.Command{
		Use:   "audit",
		Short: "Report drift between inputs, lock, installed environment and index, and ABI hazards",
		Long: `Audit a lock for drift. Each check runs when its inputs are there:

  inputs       the requirement files changed since the lock (recorded hash) and
               every current requirement is still satisfied by the locked set
  environment  --python or --site-packages: missing, extra and version-mismatched
               distributions, and installed files changed since installation
  index        yanked pins, replaced or removed files, added files, newer
               versions, projects gone (skipped with --offline)
  abi          a package with compiled wheels all uploaded before numpy 2.0.0
               (per the index) locked together with numpy>=2 (rules: audit/abi_rules.toml)
  coverage     locked packages with no wheel for the lock's target

Severities: error (the lock or environment is wrong: unsatisfied input,
missing/mismatched/tampered install, yanked or replaced file, project gone,
ABI hazard, no installable file), warning (likely drift: inputs changed,
extra installs, locked file unlisted, sdist build needed), info (newer
versions, files added, installer tooling).

Exit codes: 0 clean, 1 a finding at or above --fail-on (default warning,
so info alone never fails), 2 bad input, 3 index failure (use --offline
to skip the index checks).`,
		Example: `  pylock audit
  pylock audit --lock pylock.toml --site-packages .venv/lib/python3.11/site-packages
  pylock audit --python .venv/bin/python --format json --fail-on error
  pylock audit --offline --requirements requirements.txt`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return a.runAudit(c.Context(), f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.lock, "lock", "pylock.toml", "the lock `FILE` to audit")
	fl.StringArrayVar(&f.requirements, "requirements", nil, "input requirement `FILE` (repeatable; default: the inputs recorded in the lock)")
	fl.StringVar(&f.python, "python", "", "audit the environment of this interpreter `PATH`")
	fl.StringArrayVar(&f.sitePackages, "site-packages", nil, "audit the distributions installed in `DIR` (repeatable)")
	fl.StringArrayVar(&f.indexURLs, "index-url", nil, "index `URL` to compare with (default: the index recorded per package)")
	fl.BoolVar(&f.offline, "offline", false, "skip the index checks")
	fl.StringVar(&f.format, "format", "text", "report format: text or json")
	fl.StringVar(&f.failOn, "fail-on", "warning", "exit 1 when a finding is at or above this severity: info, warning or error")
	fl.StringVar(&f.cacheDir, "cache-dir", "", "HTTP cache `DIR` (default: $PYLOCK_CACHE_DIR, else the user cache dir); responses are always revalidated")
	c.MarkFlagsMutuallyExclusive("python", "site-packages")
	return c
}

func (a *app) runAudit(ctx context.Context, f auditFlags) error {
	sev, err := audit.ParseSeverity(f.failOn)
	if err != nil {
		return usageError("--fail-on: %v", err)
	}
	if f.format != "text" && f.format != "json" {
		return usageError("invalid --format %q: want text or json", f.format)
	}
	l, err := lockfile.ReadFile(f.lock)
	if err == nil {
		if verr := l.Validate(); verr != nil {
			err = fmt.Errorf("%s: %w", f.lock, verr)
		}
	}
	if err != nil {
		return &codeError{code: pylock.ExitUsage, err: err}
	}
	opts := audit.Options{LockPath: f.lock, Lock: l, Offline: f.offline}
	if t, ok := lockTarget(l); ok {
		opts.Target = &t
	}
	if opts.Inputs, err = auditInputs(l, f.lock, f.requirements); err != nil {
		return &codeError{code: pylock.ExitUsage, err: err}
	}
	switch {
	case f.python != "":
		opts.Installed, err = installed.ReadPython(ctx, f.python)
	case len(f.sitePackages) > 0:
		opts.Installed, err = installed.ReadSitePackages(f.sitePackages...)
	}
	if err != nil {
		return &codeError{code: pylock.ExitUsage, err: err}
	}
	if !f.offline {
		opts.Lookup = newClientPool(f.indexURLs, f.cacheDir, true).lookup
	}
	rep, err := audit.Run(ctx, opts)
	if err != nil {
		return &codeError{code: pylock.ExitIndex, err: fmt.Errorf("audit: index check failed: %w", err)}
	}
	if f.format == "json" {
		err = rep.WriteJSON(a.stdout)
	} else {
		err = rep.WriteText(a.stdout)
	}
	if err != nil {
		return err
	}
	if rep.Count(sev) > 0 {
		return &codeError{code: pylock.ExitNoSolution, err: fmt.Errorf("drift found"), silent: true}
	}
	return nil
}

// lockTarget rebuilds the lock's target from what pylock recorded: the
// python-version option, and the python-platform option or else the
// platform at the end of [tool.pylock] target ("CPython 3.11
// x86_64-manylinux_2_28"), so a lock made for the host is audited for that
// host and not for the machine running the audit.
func lockTarget(l *lockfile.Lock) (target.Target, bool) {
	pv, pp := l.Tool.Options["python-version"], l.Tool.Options["python-platform"]
	if pv == "" {
		return target.Target{}, false
	}
	if pp == "" {
		f := strings.Fields(l.Tool.Target)
		if len(f) < 3 {
			return target.Target{}, false
		}
		pp = f[len(f)-1]
	}
	t, err := target.New(pv, pp)
	return t, err == nil
}

// auditInputs reads the given requirement files, else the top-level inputs
// recorded in the lock; nil when there are none. Recorded paths are tried
// as given, then relative to the lock's directory; recorded inputs that no
// longer exist are reported. Recorded inputs are classified the way pylock
// resolve used them: a file included by another (-r/-c) is not read again,
// and a -c or --override file on the recorded command is read as
// constraints or skipped. The inputs hash is recomputed over the recorded
// files when they all exist.
func auditInputs(l *lockfile.Lock, lockPath string, files []string) (*audit.Inputs, error) {
	explicit := len(files) > 0
	actual := map[string]string{} // recorded path -> path to read
	var missing []string
	for _, p := range l.Tool.Inputs {
		if p == "-" || p == "<stdin>" {
			continue
		}
		if a, ok := findInput(p, lockPath); ok {
			actual[p] = a
		} else {
			missing = append(missing, p)
		}
	}
	if !explicit {
		for _, p := range l.Tool.Inputs {
			if a, ok := actual[p]; ok {
				files = append(files, a)
			}
		}
		if len(files) == 0 && len(missing) == 0 {
			return nil, nil
		}
	}
	role := map[string]string{}
	for p, r := range fileRoles(l.Tool.Command) {
		// The command names files as typed where resolve ran; inputs are
		// recorded relative to the lock (content heuristics below cover a
		// different working directory).
		for _, k := range []string{p, pylock.LockRelative(p, lockPath)} {
			if a, ok := actual[k]; ok {
				role[a] = r
			}
		}
	}
	in := &audit.Inputs{}
	if !explicit {
		in.Missing = missing
	}
	included := map[string]bool{}
	for _, p := range files {
		if included[p] {
			continue
		}
		in.Files = append(in.Files, p)
		reqs, cons, read, err := readInputFile(p)
		if err != nil {
			return nil, err
		}
		for _, r := range read[1:] {
			included[r] = true
		}
		switch {
		case explicit:
		case role[p] == "override":
			continue // an override file: nothing to satisfy
		case role[p] == "constraint":
			reqs, cons = nil, append(reqs, cons...)
		case role[p] == "" && recordedIn(reqs, l.Tool.Overrides) && !recordedIn(reqs, l.Tool.Requirements):
			continue
		case role[p] == "" && recordedIn(reqs, l.Tool.Constraints) && !recordedIn(reqs, l.Tool.Requirements):
			reqs, cons = nil, append(reqs, cons...)
		}
		in.Requirements = append(in.Requirements, reqs...)
		in.Constraints = append(in.Constraints, cons...)
	}
	in.Requirements = dropOverridden(in.Requirements, l.Tool.Overrides)
	if len(l.Tool.Inputs) > 0 && len(missing) == 0 && (!explicit || slices.Equal(in.Files, topLevel(l.Tool.Inputs, actual, included))) {
		var paths []string
		for _, p := range l.Tool.Inputs {
			paths = append(paths, actual[p])
		}
		if h, err := pylock.HashInputFiles(paths); err == nil {
			in.Hash = h
		}
	}
	return in, nil
}

// findInput locates a recorded input: relative to the lock's directory
// (as pylock resolve records them), else as given (relative to the working
// directory, as older locks recorded them).
func findInput(p, lockPath string) (string, bool) {
	if !filepath.IsAbs(p) {
		alt := filepath.Join(filepath.Dir(lockPath), filepath.FromSlash(p))
		if _, err := os.Stat(alt); err == nil {
			return alt, true
		}
	}
	if _, err := os.Stat(p); err == nil {
		return p, true
	}
	return "", false
}

// fileRoles reads the -c/--constraint and --override files from the
// recorded command line: file -> "constraint" or "override". Other inputs
// are requirements; when the command is missing or unreadable the map is
// empty and auditInputs falls back to the recorded requirement strings.
func fileRoles(command string) map[string]string {
	args := shellSplit(command)
	roles := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		for flag, role := range map[string]string{"-c": "constraint", "--constraint": "constraint", "--override": "override"} {
			switch {
			case a == flag && i+1 < len(args):
				roles[args[i+1]] = role
			case strings.HasPrefix(a, flag+"=") && strings.HasPrefix(flag, "--"):
				roles[strings.TrimPrefix(a, flag+"=")] = role
			case flag == "-c" && strings.HasPrefix(a, "-c") && len(a) > 2 && !strings.HasPrefix(a, "--"):
				roles[a[2:]] = role
			}
		}
	}
	return roles
}

// shellSplit splits a command recorded by pylock resolve: words separated
// by blanks, single quotes around words with special characters (a quote
// inside is written as quote, backslash, quote, quote).
func shellSplit(s string) []string {
	var out []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case (r == ' ' || r == '\t') && !quoted:
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

// readInputFile parses a requirements file or pyproject.toml; read lists
// every file it read (itself first, then includes).
func readInputFile(p string) (reqs, cons []pep508.Requirement, read []string, err error) {
	if filepath.Ext(p) == ".toml" {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("cannot read %s: %w", p, err)
		}
		pp, err := reqfile.ParsePyproject(p, data, reqfile.PyprojectOptions{})
		if err != nil {
			return nil, nil, nil, err
		}
		return entryReqs(pp.Requirements), nil, []string{p}, nil
	}
	rf, err := reqfile.ParseFile(p, reqfile.Options{})
	if err != nil {
		return nil, nil, nil, err
	}
	read = rf.Files
	if len(read) == 0 {
		read = []string{p}
	}
	return entryReqs(rf.Requirements), entryReqs(rf.Constraints), read, nil
}

func entryReqs(es []reqfile.Entry) []pep508.Requirement {
	out := make([]pep508.Requirement, 0, len(es))
	for _, e := range es {
		if e.Requirement.Name != "" {
			out = append(out, e.Requirement)
		}
	}
	return out
}

// recordedIn reports whether any of reqs is recorded (as written) in list.
func recordedIn(reqs []pep508.Requirement, list []string) bool {
	for _, r := range reqs {
		if slices.Contains(list, r.String()) {
			return true
		}
	}
	return false
}

// dropOverridden removes requirements on packages the lock overrides.
func dropOverridden(reqs []pep508.Requirement, overrides []string) []pep508.Requirement {
	over := map[string]bool{}
	for _, s := range overrides {
		if r, err := pep508.ParseRequirement(s); err == nil {
			over[r.NormalizedName()] = true
		}
	}
	out := reqs[:0]
	for _, r := range reqs {
		if !over[r.NormalizedName()] {
			out = append(out, r)
		}
	}
	return out
}

// topLevel returns the recorded inputs (as read) not included by another.
func topLevel(files []string, actual map[string]string, included map[string]bool) []string {
	var out []string
	for _, f := range files {
		if a := actual[f]; !included[a] {
			out = append(out, a)
		}
	}
	return out
}

// clientPool hands out one index client per index URL list: the --index-url
// flags when given, else the index recorded for each package.
type clientPool struct {
	urls    []string
	cache   string
	refresh bool
	mu      sync.Mutex
	clients map[string]*index.Client
}

func newClientPool(urls []string, cacheDir string, refresh bool) *clientPool {
	if cacheDir == "" {
		cacheDir = os.Getenv("PYLOCK_CACHE_DIR")
	}
	return &clientPool{urls: urls, cache: cacheDir, refresh: refresh, clients: map[string]*index.Client{}}
}

func (cp *clientPool) client(indexURL string) (*index.Client, error) {
	urls := cp.urls
	if len(urls) == 0 {
		if indexURL == "" {
			indexURL = pylock.DefaultIndexURL
		}
		urls = []string{indexURL}
	}
	key := strings.Join(urls, " ")
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if c, ok := cp.clients[key]; ok {
		return c, nil
	}
	c, err := index.New(index.Options{IndexURL: urls[0], ExtraIndexURLs: urls[1:], CacheDir: cp.cache, Refresh: cp.refresh, Retries: 2})
	if err != nil {
		return nil, err
	}
	cp.clients[key] = c
	return c, nil
}

// lookup is the audit's view of the index (always revalidated).
func (cp *clientPool) lookup(ctx context.Context, name, indexURL string) (*index.Project, error) {
	c, err := cp.client(indexURL)
	if err != nil {
		return nil, err
	}
	return c.Project(ctx, name)
}

// metadata returns a locked package's core metadata from one of its locked
// files as the index lists it (wheels first).
func (cp *clientPool) metadata(ctx context.Context, p *lockfile.Package) (*index.Metadata, error) {
	c, err := cp.client(p.Index)
	if err != nil {
		return nil, err
	}
	proj, err := c.Project(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	arts := append([]lockfile.Artifact{}, p.Wheels...)
	if p.Sdist != nil {
		arts = append(arts, *p.Sdist)
	}
	for _, a := range arts {
		for _, f := range proj.Files {
			if f.Filename == a.Name {
				return c.Metadata(ctx, f)
			}
		}
	}
	return nil, fmt.Errorf("%s %s: none of the locked files is on the index", p.Name, p.Version)
}
