package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/pylock/pylock"
	"github.com/pylock/pylock/audit"
	"github.com/pylock/pylock/audit/installed"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/target"
)

type auditFlags struct {
	lock         string
	requirements []string
	python       string
	sitePackages []string
	pyVersion    string // --python-version: the --site-packages interpreter
	pyPlatform   string // --python-platform: the --site-packages platform
	indexURLs    []string
	offline      bool
	verifyFiles  bool
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
               distributions, and installed files changed since installation;
               package markers are evaluated for the interpreter (--python),
               else for --python-version/--python-platform, else for the
               lock's target; a universal lock has none, so with
               --site-packages alone packages under a marker are skipped
               (the report says so)
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
  pylock audit --site-packages /app/site-packages --python-version 3.12 --python-platform linux
  pylock audit --python .venv/bin/python --format json --fail-on error
  pylock audit --offline --requirements requirements.txt`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return a.runAudit(c.Context(), f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.lock, "lock", "pylock.toml", "the lock `FILE` to audit")
	stringsFlag(fl, &f.requirements, "requirements", "", "input requirement `FILE` (repeatable; default: the inputs recorded in the lock)")
	fl.StringVar(&f.python, "python", "", "audit the environment of this interpreter `PATH`")
	stringsFlag(fl, &f.sitePackages, "site-packages", "", "audit the distributions installed in `DIR` (repeatable)")
	fl.StringVar(&f.pyVersion, "python-version", "", "with --site-packages: the Python `VERSION` they belong to, for package markers (e.g. 3.12)")
	fl.StringVar(&f.pyPlatform, "python-platform", "", "with --site-packages: their `PLATFORM`, for package markers (linux, macos, windows, x86_64-manylinux_2_28...)")
	stringsFlag(fl, &f.indexURLs, "index-url", "", "index `URL` to compare with (default: the index recorded per package)")
	fl.BoolVar(&f.offline, "offline", false, "skip the index checks")
	fl.BoolVar(&f.verifyFiles, "verify-files", false, "download every locked file and check its hash and size (exit 3 on a mismatch)")
	fl.StringVar(&f.format, "format", "text", "report format: text or json")
	fl.StringVar(&f.failOn, "fail-on", "warning", "exit 1 when a finding is at or above this severity: info, warning or error")
	fl.StringVar(&f.cacheDir, "cache-dir", "", "HTTP cache `DIR` (default: $PYLOCK_CACHE_DIR, else the user cache dir); responses are always revalidated")
	c.MarkFlagsMutuallyExclusive("python", "site-packages")
	return c
}

func (a *app) runAudit(ctx context.Context, f auditFlags) error {
	if (f.pyVersion != "" || f.pyPlatform != "") && len(f.sitePackages) == 0 {
		return usageError("--python-version and --python-platform describe the --site-packages environment: use them with --site-packages (with --python the interpreter says)")
	}
	sev, err := audit.ParseSeverity(f.failOn)
	if err != nil {
		return usageError("--fail-on: %v", err)
	}
	if f.format != "text" && f.format != "json" {
		return usageError("invalid --format %q: want text or json", f.format)
	}
	l, err := readLockFile(f.lock)
	if err == nil {
		if verr := l.Validate(); verr != nil {
			err = fmt.Errorf("%s: %w", f.lock, verr)
		}
	}
	if err != nil {
		return &codeError{code: exitUsage, err: err}
	}
	opts := audit.Options{LockPath: f.lock, Lock: l, Offline: f.offline}
	if t, ok := lockTarget(l); ok {
		opts.Target = &t
	}
	if opts.Inputs, err = audit.LoadInputs(l, f.lock, f.requirements); err != nil {
		return &codeError{code: exitUsage, err: err}
	}
	switch {
	case f.python != "":
		opts.Installed, err = installed.ReadPython(ctx, f.python)
		if err == nil {
			var t target.Target
			if t, err = target.FromInterpreter(ctx, f.python); err == nil {
				opts.InstalledEnv = t.Env()
			}
		}
	case len(f.sitePackages) > 0:
		opts.Installed, err = installed.ReadSitePackages(f.sitePackages...)
		if err == nil && (f.pyVersion != "" || f.pyPlatform != "") {
			var t target.Target
			if t, err = target.Select(ctx, f.pyVersion, f.pyPlatform); err != nil {
				return usageError("%v", err)
			}
			opts.InstalledEnv = t.Env()
		}
	}
	if err != nil {
		return &codeError{code: exitUsage, err: err}
	}
	if !f.offline {
		pool := newClientPool(f.indexURLs, f.cacheDir, true)
		defer pool.close()
		opts.Lookup = pool.lookup
	}
	if f.verifyFiles {
		if f.offline {
			return usageError("--verify-files downloads the locked files: it cannot be combined with --offline")
		}
		if err := verifyLocked(ctx, l, f, a.stderr); err != nil {
			return err
		}
	}
	opts.Sources = sourceOptions(l, f.lock, f.cacheDir, f.offline)
	rep, err := audit.Run(ctx, opts)
	if err != nil {
		return &codeError{code: exitIndex, err: fmt.Errorf("audit: index check failed: %w", err)}
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
		return &codeError{code: exitNoSolution, err: fmt.Errorf("drift found"), silent: true}
	}
	return nil
}

// verifyLocked is audit --verify-files: every locked file, downloaded from
// the URL the lock records, must match the lock's hash and size.
func verifyLocked(ctx context.Context, l *lockfile.Lock, f auditFlags, stderr io.Writer) error {
	cp := newClientPool(f.indexURLs, f.cacheDir, false)
	defer cp.close()
	n := 0
	for _, p := range l.Packages {
		files := pylock.LockedFiles(&lockfile.Lock{Packages: []lockfile.Package{p}}, filepath.Dir(f.lock))
		if len(files) == 0 {
			continue
		}
		c, err := cp.client(p.Index)
		if err != nil {
			return &codeError{code: exitIndex, err: fmt.Errorf("audit: --verify-files: %w", err)}
		}
		if err := c.VerifyFiles(ctx, files); err != nil {
			return &codeError{code: exitIndex, err: fmt.Errorf("audit: --verify-files: %w", err)}
		}
		n += len(files)
	}
	fmt.Fprintf(stderr, "verified %d locked file(s): hashes and sizes match\n", n)
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

// close closes the pool's clients: their background work stops and their
// cache stores land before the command returns.
func (cp *clientPool) close() {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	for _, c := range cp.clients {
		c.Close()
	}
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
