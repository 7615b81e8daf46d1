package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pylock/pylock"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
)

func (a *app) resolveCommand() *cobra.Command {
	f := &resolveFlags{}
	c := &cobra.Command{
		Use:   "resolve [INPUT...]",
		Short: "Resolve requirements into a lock (pylock.toml, pinned requirements or JSON)",
		Long: `Resolve requirements into a lock for one target environment.

INPUT is a requirements file, a pyproject.toml ([project] dependencies) or
- for stdin; -r FILE works too. Flags may follow the inputs. With no input,
pylock resolves ./pyproject.toml, else ./requirements.in.

The output format follows the -o extension: .toml (PEP 751, default
pylock.toml), .txt (pinned requirements with --hash lines, installable with
pip install --no-deps --require-hashes -r), .json (JSON report); --format
overrides it. -o - writes to stdout. The file is replaced atomically: on any
failure the previous file is left untouched. When the output already holds a
PEP 751 lock or pinned requirements (.txt), its pins are preferred (use -U /
-P to upgrade).

Pinned requirements are written as pip-compile writes them: the index
options at the top (credentials only as the ${VAR} references of the input
files, else left out; --no-emit-index-url drops them), "# via" naming the
packages and input files (-r r1.txt, -c c.txt) that require each package,
and every package of the resolution, pip, setuptools and wheel included
(--no-emit-package PKG leaves one out).

--universal locks every platform at once, for the project's requires-python
(pyproject.toml) or else >=X.Y of --python-version: each package lists all
its wheels and the sdist, and carries a marker when it is needed only in some
environments; a project may appear at several versions with disjoint
markers. Pinned requirements write "name==version ; marker", which pip skips
where the marker is false. It cannot be combined with --python-platform.
--environment MARKER (repeatable) limits the lock to the environments where
one of the markers holds (they become the lock's environments);
--required-environment MARKER (repeatable) requires every locked package to
have a compatible wheel or an sdist for that environment wherever it is
installed there, going back to older versions when the newest have none.
Both default to [tool.pylock] environments / required-environments of a
pyproject.toml input.

A version whose only file is an sdist without static metadata (PKG-INFO
Metadata-Version 2.2+ not marking its dependencies Dynamic, or a static
pyproject.toml [project] table) gets its metadata from a PEP 517 build:
[build-system] requires are resolved against the same indexes, installed
hash-checked into a throwaway virtual environment, and the backend's
prepare_metadata_for_build_wheel (else build_wheel) is run by --python
(default python3 on PATH). Built metadata is cached by the sdist's sha256. A
version whose build fails is skipped with a warning. --no-build and
--no-build-package turn building off; -v says where each version's metadata
came from.

The index is --index-url, else -i in a requirements file, else
$PYLOCK_INDEX_URL or $PIP_INDEX_URL, else https://pypi.org/simple; it may be
a local directory laid out as a PEP 503 index.

The ABI guard is on: a release with compiled wheels all uploaded before a
provider's ABI break (numpy 2.0.0; the rules are audit/abi_rules.toml) is
never locked with the provider's new major. The summary says what it held
back and why, and [tool.pylock] records it. --no-abi-guard turns it off; a
lock that then pairs them gets a warning with the two ways out.

--hash options on an input line (pip's --require-hashes form) restrict the
files locked for that package to those hashes; when no file of the chosen
version matches, it is bad input (exit 2).

Exit codes: 0 ok, 1 no solution, 2 bad input or usage, 3 index/network failure.`,
		Example: `  pylock resolve requirements.txt
  pylock resolve --index-url ./testdata/index examples/webapp/requirements.txt -o /tmp/pylock.toml
  pylock resolve pyproject.toml -o requirements.lock.txt --python-version 3.12 --python-platform linux
  echo 'numpy<2' | pylock resolve - -o -`,
		RunE: func(c *cobra.Command, args []string) error { return a.runResolve(c, f, args) },
	}
	fl := c.Flags()
	r := &f.raw
	fl.SortFlags = false
	stringsFlag(fl, &f.requirements, "requirement", "r", "read requirements from `FILE` (repeatable)")
	fl.StringVarP(&f.output, "output-file", "o", "pylock.toml", "write the lock to `PATH` (- for stdout)")
	fl.StringVar(&f.format, "format", "", "output `FORMAT`: toml, requirements or json (default: from the -o extension)")
	fl.BoolVar(&f.noEmitIndexURL, "no-emit-index-url", false, "pinned requirements: do not write the index options (--index-url, --extra-index-url, --find-links) at the top")
	stringsFlag(fl, &f.noEmitPackages, "no-emit-package", "", "pinned requirements: leave `PKG` out (e.g. pip, setuptools; repeatable)")
	fl.StringVar(&r.IndexURL, "index-url", "", "base `URL` (or local directory) of the package index")
	stringsFlag(fl, &r.ExtraIndexURLs, "extra-index-url", "", "extra index `URL` searched after --index-url (repeatable)")
	stringsFlag(fl, &r.FindLinks, "find-links", "", "`DIR` or URL page of distribution files (repeatable)")
	fl.StringVar(&r.indexStrategy, "index-strategy", "", "`STRATEGY` for several indexes: first-index (default) or unsafe-best-match")
	fl.StringVar(&r.pythonVersion, "python-version", "", "target Python `VERSION`, e.g. 3.11 or 3.12.4 (default: python3 on PATH, else 3.12)")
	fl.StringVar(&r.pythonPlatform, "python-platform", "", "target `PLATFORM`: linux, macos, windows, x86_64-manylinux_2_28, aarch64-apple-darwin... (default: host)")
	fl.BoolVar(&r.Universal, "universal", false, "lock every platform and Python allowed by requires-python at once (not with --python-platform)")
	stringsFlag(fl, &r.environments, "environment", "", "with --universal: lock only the environments where `MARKER` holds (repeatable: any of them)")
	stringsFlag(fl, &r.requiredEnvs, "required-environment", "", "with --universal: every locked package must have a wheel or sdist for `MARKER` (repeatable)")
	stringsFlag(fl, &r.pyproject.Extras, "extra", "", "include the optional dependencies of `EXTRA` of a pyproject.toml input (repeatable)")
	fl.BoolVar(&r.pyproject.AllExtras, "all-extras", false, "include every optional dependency of a pyproject.toml input")
	stringsFlag(fl, &r.pyproject.Groups, "group", "", "include the [dependency-groups] `GROUP` of a pyproject.toml input (repeatable)")
	fl.BoolVar(&r.pyproject.AllGroups, "all-groups", false, "include every dependency group of a pyproject.toml input")
	stringsFlag(fl, &r.constraints, "constraint", "c", "constrain versions with the requirements in `FILE` (repeatable)")
	stringsFlag(fl, &r.overrides, "override", "", "override every requirement on a package with the one in `FILE` (repeatable)")
	fl.StringVar(&r.prerelease, "prerelease", "", "pre-release `MODE`: disallow, allow, if-necessary, explicit, if-necessary-or-explicit (default)")
	fl.StringVar(&r.excludeNewer, "exclude-newer", "", "ignore files uploaded after `DATE`: 2024-06-01, RFC 3339, or a duration before now (7d, 24h, \"2 weeks\", P7D)")
	fl.StringVar(&r.resolution, "resolution", "", "which versions to prefer (`MODE`): highest (default), lowest or lowest-direct")
	fl.BoolVarP(&r.Upgrade, "upgrade", "U", false, "ignore the pins of the existing lock")
	stringsFlag(fl, &r.UpgradePackages, "upgrade-package", "P", "ignore the existing pin of `PKG` (repeatable)")
	stringsFlag(fl, &r.OnlyBinary, "only-binary", "", "use only wheels for `PKG`s (comma list, :all:, :none:)")
	stringsFlag(fl, &r.NoBinary, "no-binary", "", "use only sdists for `PKG`s (comma list, :all:, :none:)")
	stringsFlag(fl, &r.InstallFirst, "install-first", "", "install `PKG` (with its dependencies) in its own first step; stored in the lock (repeatable)")
	fl.BoolVar(&r.Offline, "offline", false, "use only the HTTP cache, never the network")
	fl.BoolVar(&r.Refresh, "refresh", false, "revalidate every cached response")
	fl.BoolVar(&r.NoCache, "no-cache", false, "do not read or write the HTTP cache")
	fl.StringVar(&r.CacheDir, "cache-dir", "", "HTTP cache `DIR` (default: $PYLOCK_CACHE_DIR, else the user cache dir)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print nothing but errors")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log index requests and solver decisions to stderr")
	fl.BoolVar(&f.noProgress, "no-progress", false, "no live progress line (it is shown only on a terminal anyway)")
	fl.BoolVar(&r.VerifyFiles, "verify-files", false, "download every locked file and check its hash and size before writing the lock (exit 3 on a mismatch)")
	fl.BoolVar(&r.NoABIGuard, "no-abi-guard", false, "do not avoid pairing compiled wheels built before an ABI break (numpy 2) with the new major; a locked risky pair is then a warning")
	fl.BoolVar(&f.abiGuard, "abi-guard", false, "the ABI guard (on by default; accepted for older scripts)")
	fl.BoolVar(&r.Build.NoBuild, "no-build", false, "never build sdists for their metadata: a version whose sdist has no static metadata is unusable")
	stringsFlag(fl, &r.Build.NoBuildPackages, "no-build-package", "", "never build `PKG`'s sdists (repeatable, comma lists allowed)")
	fl.BoolVar(&r.Build.NoBuildIsolation, "no-build-isolation", false, "build sdists in the --python interpreter's own environment instead of a fresh one")
	fl.StringVar(&r.Build.Python, "python", "", "the Python interpreter (`PATH`) that builds sdists' metadata (default: python3 on PATH)")
	fl.IntVar(&r.MaxSteps, "max-steps", 0, "give up after `N` solver steps (default: the solver's budget)")
	fl.DurationVar(&r.Budget, "timeout", 0, "give up the whole resolve (index fetching and solving) after `DURATION`, e.g. 2m (default: no limit)")
	fl.DurationVar(&r.HTTPTimeout, "http-timeout", 0, "HTTP read timeout (`DURATION`, > 0): longest wait for a response or its next bytes; a request gives up after 2 such waits (default 15s)")
	c.MarkFlagsMutuallyExclusive("abi-guard", "no-abi-guard")
	completeValues(c, "format", "toml", "requirements", "json")
	completeValues(c, "index-strategy", "first-index", "unsafe-best-match")
	completeValues(c, "prerelease", "if-necessary-or-explicit", "disallow", "allow", "if-necessary", "explicit")
	completeValues(c, "resolution", "highest", "lowest", "lowest-direct")
	completeValues(c, "python-platform", "linux", "macos", "windows",
		"x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "x86_64-unknown-linux-musl",
		"aarch64-apple-darwin", "x86_64-apple-darwin", "x86_64-pc-windows-msvc",
		"x86_64-manylinux2014", "x86_64-manylinux_2_28", "aarch64-manylinux_2_28")
	completeValues(c, "python-version", "3.9", "3.10", "3.11", "3.12", "3.13")
	return c
}

// completeValues offers fixed values for a flag in shell completion.
func completeValues(c *cobra.Command, flag string, values ...string) {
	_ = c.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

func (a *app) runResolve(c *cobra.Command, f *resolveFlags, args []string) error {
	req, format, err := f.parse(args)
	if err != nil {
		return err
	}
	if c.Flags().Changed("http-timeout") && req.HTTPTimeout <= 0 {
		return usageError("invalid --http-timeout %s: want a positive duration such as 15s (there is no \"no timeout\")", req.HTTPTimeout)
	}
	req.Stdin = a.stdin
	req.Command = regenerateCommand(a.args)
	p := newProgress(a.stderr, f.quiet, f.verbose, f.noProgress)
	if p.verbose || p.live {
		// Only -v and the live line show resolver events: without them
		// the solver need not describe each conflict.
		req.ResolverEvents = p.resolverEvent
	}
	if p.verbose {
		// Only -v prints the build log: without it nobody formats a line
		// per version read (~1% of a warm resolve).
		req.Build.Log = p.buildLog
	}
	// A run whose options, inputs, previous lock and project pages are
	// all unchanged since a run that stored its result reuses it (-v
	// resolves, to show how).
	req.ReuseResult = !p.verbose
	req.IndexEvents = func(e index.Event) {
		if e.Kind == "request" {
			a.waitSignals() // an interrupted request ends as "interrupted"
		} else {
			a.startSignals() // the result is not reused: the run may take a while
		}
		p.indexEvent(e)
	}
	if f.defaultInput != "" {
		p.printf("No input given: resolving %s\n", f.defaultInput)
	}
	start := time.Now()
	res, err := pylock.Resolve(c.Context(), req)
	p.stop()
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		p.printf("warning: %s\n", w)
	}
	if format == formatTOML && f.output != "-" && !isPEP751Name(filepath.Base(f.output)) {
		p.printf("warning: PEP 751 names lock files pylock.toml or pylock.<name>.toml; installers may not recognise %s\n", filepath.Base(f.output))
	}
	for _, n := range res.ABIGuard {
		p.printf("%s\n", n)
	}
	data, err := renderWith(res.Lock, format, f.requirementsOptions())
	if err != nil {
		return err
	}
	if f.output == "-" {
		if _, err := a.stdout.Write(data); err != nil {
			return err
		}
	} else if err := a.writeOutput(f.output, data); err != nil {
		return usageError("cannot write %s: %v (the previous file, if any, is unchanged)", f.output, err)
	}
	st := res.IndexStats
	p.printf("Resolved %s in %s (%d requests, %d cached)\n",
		plural(len(res.Lock.Packages), "package"), formatDuration(time.Since(start)), st.Requests, max(0, st.CacheHits+st.Revalidated-p.localHits()))
	return nil
}

// writeOutput replaces path with data atomically, once the signal handler
// is in place (an interrupt must not leave a temporary file); a file that
// already holds data is left alone, without a handler.
func (a *app) writeOutput(path string, data []byte) error {
	if lockfile.SameContent(path, data) {
		return nil
	}
	a.waitSignals()
	return lockfile.WriteFileAtomic(path, data)
}

// isPEP751Name reports whether base is a file name PEP 751 allows for a
// lock: pylock.toml or pylock.<name>.toml, <name> holding no dot.
func isPEP751Name(base string) bool {
	mid, ok := strings.CutPrefix(base, "pylock.")
	if !ok {
		return false
	}
	if mid, ok = strings.CutSuffix(mid, "toml"); !ok || mid == "" {
		return ok
	}
	name, ok := strings.CutSuffix(mid, ".")
	return ok && name != "" && !strings.Contains(name, ".")
}

// checkOutputDir fails early (before resolving) when the output's directory
// does not exist.
func checkOutputDir(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return usageError("cannot write %s: directory %s does not exist", path, dir)
	}
	if !st.IsDir() {
		return usageError("cannot write %s: %s is not a directory", path, dir)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func formatDuration(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// regenerateCommand is the command line recorded in the lock, minus the
// flags that only change how pylock talks (progress, verbosity).
func regenerateCommand(args []string) string {
	var out []string
	for _, a := range args {
		switch a {
		case "-q", "--quiet", "-v", "--verbose", "--no-progress":
			continue
		}
		out = append(out, shellQuote(redactArg(a)))
	}
	return "pylock " + strings.Join(out, " ")
}

// redactArg removes URL credentials (user:pass@) from one argument, bare
// (http://u:p@host/) or in --flag=URL form, so that no secret reaches the
// lock, the pinned requirements header or the JSON report.
func redactArg(a string) string {
	if !strings.Contains(a, "://") {
		return a
	}
	if strings.HasPrefix(a, "-") {
		if k, v, ok := strings.Cut(a, "="); ok {
			return k + "=" + index.Redact(v)
		}
	}
	return index.Redact(a)
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
