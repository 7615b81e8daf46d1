package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/pylock/pylock/envsync"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/target"
)

type syncFlags struct {
	python         string
	venv           string
	dryRun         bool
	verbose        bool
	installFirst   []string
	indexURL       string
	extraIndexURLs []string
}

func (a *app) syncCommand() *cobra.Command {
	var f syncFlags
	c := &cobra.Command{
		Use:   "sync [LOCKFILE]",
		Short: "Make an environment match a lock exactly: install, replace, remove, verify",
		Long: `Make the environment of an interpreter match the PEP 751 lock LOCKFILE
(default pylock.toml) exactly:

  1. uninstall what the lock does not hold (pip uninstall), except the
     environment's installer tooling (pip, setuptools, wheel) unless the
     lock pins it;
  2. install what is missing, at another version, or whose files changed
     since installation, in the lock's plan order: one
     python -m pip install --no-deps --require-hashes per plan step (as
     pylock plan prints them), every file hash-checked;
  3. verify with the environment check of pylock audit --python.

The environment is --python PATH's (default: python3 on PATH), or the
virtual environment --venv DIR, created (DIR/bin/python from
"python3 -m venv DIR", or --python's interpreter) when it does not exist.
--dry-run prints what would be done and changes nothing.

A failed pip call stops the sync with pip's message; the environment stays
as pip left it and running the same command again resumes (every step is
computed from what is installed). Index credentials are never printed in
that command: a URL equal to $PIP_INDEX_URL, $PYLOCK_INDEX_URL or
$PIP_EXTRA_INDEX_URL is written as that reference, any other's
user:password@ as USER:PASSWORD@ (TOKEN@), with a note to put them back.

Exit codes: 0 the environment matches the lock, 1 it still differs after
the sync (or a pip step failed), 2 bad input or usage (unreadable lock, a
lock for another interpreter), 3 index or network failure (pip could not
download a file, or its hash did not match the lock).`,
		Example: `  pylock sync --venv .venv
  pylock sync pylock.toml --python /opt/app/bin/python --dry-run`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			path := "pylock.toml"
			if len(args) == 1 {
				path = args[0]
			}
			return a.runSync(c.Context(), path, f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.python, "python", "", "sync the environment of this interpreter `PATH` (with --venv: the interpreter that creates the venv)")
	fl.StringVar(&f.venv, "venv", "", "sync the virtual environment `DIR`, creating it when it does not exist")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print what would be done and change nothing")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "show pip's output")
	stringsFlag(fl, &f.installFirst, "install-first", "", "install `PKG` (with its dependencies) in its own first step (repeatable; default: the lock's)")
	fl.StringVar(&f.indexURL, "index-url", "", "index `URL` for pip instead of the indexes recorded in the lock")
	stringsFlag(fl, &f.extraIndexURLs, "extra-index-url", "", "extra index `URL` for pip (repeatable)")
	return c
}

func (a *app) runSync(ctx context.Context, path string, f syncFlags) error {
	l, err := readPlannableLock(path)
	if err != nil {
		return err
	}
	plan, err := lockfile.Plan(l, f.installFirst)
	if err != nil {
		return &codeError{code: exitUsage, err: fmt.Errorf("%s: %w", path, err)}
	}
	// checkEnv refuses a lock whose environments exclude the interpreter
	// (before a venv is created with it).
	checkEnv := func(python string) (map[string]string, error) {
		t, err := target.FromInterpreter(ctx, python)
		if err != nil {
			return nil, &codeError{code: exitUsage, err: err}
		}
		env := t.Env()
		if err := envsync.CheckEnvironments(l, env); err != nil {
			return nil, &codeError{code: exitUsage, err: fmt.Errorf("%s: %w", path, err)}
		}
		return env, nil
	}
	python, err := a.syncPython(ctx, f, checkEnv)
	if err != nil {
		return err
	}
	if _, err := os.Stat(python); err != nil && f.dryRun && f.venv != "" {
		// --dry-run and --venv DIR does not exist yet: all is installed.
		fmt.Fprintf(a.stdout, "would create the venv %s\n", f.venv)
		return a.printDryRunFresh(plan)
	}
	markerEnv, err := checkEnv(python)
	if err != nil {
		return err
	}
	o := envsync.Options{
		Lock: l, LockPath: path, Plan: plan, Python: python, MarkerEnv: markerEnv,
		IndexURL: f.indexURL, ExtraIndexURLs: f.extraIndexURLs, DryRun: f.dryRun,
		Log: a.stdout, Resume: a.resumeCommand(),
	}
	if f.verbose {
		o.PipOutput = a.stderr
	}
	res, err := envsync.Sync(ctx, o)
	var se *envsync.StepError
	switch {
	case errors.As(err, &se) && se.Network:
		return &codeError{code: exitIndex, err: err}
	case errors.As(err, &se):
		return &codeError{code: exitNoSolution, err: err}
	case err != nil:
		return &codeError{code: exitUsage, err: err}
	}
	if f.dryRun {
		return nil
	}
	if res.Differs {
		fmt.Fprintf(a.stdout, "the environment still differs from %s:\n", path)
		for _, fd := range envsync.SortedFindings(res.Findings) {
			fmt.Fprintf(a.stdout, "  %-7s %s\n", fd.Severity, fd.Message)
		}
		return &codeError{code: exitNoSolution, err: errors.New("environment differs"), silent: true}
	}
	fmt.Fprintf(a.stdout, "verified: the environment of %s matches %s (%d locked, %d installed or replaced, %d removed)\n",
		python, path, res.Locked, res.Changes.Installs(), len(res.Changes.Remove))
	return nil
}

// syncPython is the interpreter to sync, creating --venv when needed (not
// for a dry run).
func (a *app) syncPython(ctx context.Context, f syncFlags, checkEnv func(python string) (map[string]string, error)) (string, error) {
	if f.venv == "" {
		if f.python == "" {
			return "python3", nil
		}
		return f.python, nil
	}
	py := envsync.VenvPython(f.venv)
	if _, err := os.Stat(py); err == nil {
		return py, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", usageError("--venv %s: %v", f.venv, err)
	}
	if st, err := os.Stat(f.venv); err == nil && (!st.IsDir() || !emptyDir(f.venv)) {
		return "", usageError("--venv %s: exists but is not a virtual environment (no %s)", f.venv, py)
	}
	creator := f.python
	if creator == "" {
		creator = "python3"
	}
	if _, err := checkEnv(creator); err != nil {
		return "", err // the venv would not match the lock either: create nothing
	}
	if f.dryRun {
		return py, nil
	}
	fmt.Fprintf(a.stdout, "creating the venv %s (%s -m venv)\n", f.venv, creator)
	py, err := envsync.CreateVenv(ctx, creator, f.venv)
	if err != nil {
		return "", &codeError{code: exitUsage, err: err}
	}
	return py, nil
}

func emptyDir(dir string) bool {
	es, err := os.ReadDir(dir)
	return err == nil && len(es) == 0
}

// printDryRunFresh prints the install steps for an environment that does
// not exist yet.
func (a *app) printDryRunFresh(plan *lockfile.InstallPlan) error {
	for i, s := range plan.Steps {
		fmt.Fprintf(a.stdout, "would step %d/%d:\n", i+1, len(plan.Steps))
		for _, p := range s.Packages {
			marker := ""
			if p.Marker != "" {
				marker = " ; " + p.Marker
			}
			fmt.Fprintf(a.stdout, "  would install %s==%s%s\n", p.Name, p.Version, marker)
		}
	}
	return nil
}

// resumeCommand is the command line that ran this sync, to run again.
func (a *app) resumeCommand() string { return resumeCommand(a.args, os.Getenv) }

// credentialVars are the environment variables an index URL with
// credentials may come from: resumeCommand refers to them by name.
var credentialVars = []string{"PYLOCK_INDEX_URL", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"}

// resumeCommand renders args as a pylock command line to paste into a
// shell, never printing index credentials: an argument (or the value of
// --flag=VALUE) equal to one of credentialVars is written as a reference
// to it ("$PIP_INDEX_URL", expanded by the shell); any other URL's userinfo
// is replaced by the visible placeholder USER:PASSWORD (TOKEN for a bare
// token), and a note says to put the credentials back.
func resumeCommand(args []string, getenv func(string) string) string {
	words := []string{"pylock"}
	placeholder, removed := false, false
	for _, w := range args {
		if index.Redact(w) == w {
			words = append(words, quoteWord(w))
			continue
		}
		flag, val := "", w
		if strings.HasPrefix(w, "-") {
			if f, v, ok := strings.Cut(w, "="); ok {
				flag, val = f+"=", v
			}
		}
		if name := credentialVar(val, getenv); name != "" {
			if flag != "" {
				flag = quoteWord(flag)
			}
			words = append(words, flag+`"$`+name+`"`)
			continue
		}
		r, ok := userinfoPlaceholder(w)
		if ok {
			placeholder = true
		} else {
			r, removed = index.Redact(w), true
		}
		words = append(words, quoteWord(r))
	}
	cmd := strings.Join(words, " ")
	switch { // pasted as printed, it would fail to authenticate
	case placeholder:
		cmd += " (index credentials removed: put them back in place of USER:PASSWORD or TOKEN, or into ~/.netrc)"
	case removed:
		cmd += " (index credentials removed: put them back into the URL or into ~/.netrc)"
	}
	return cmd
}

// credentialVar returns the name of the credentialVars variable whose value
// is val, or "".
func credentialVar(val string, getenv func(string) string) string {
	for _, name := range credentialVars {
		if v := getenv(name); v != "" && v == val {
			return name
		}
	}
	return ""
}

var urlSchemeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://`) })

// userinfoPlaceholder replaces the userinfo of the URL in w (after
// "scheme://", up to the last '@' before any '?' or '#') with USER:PASSWORD,
// or TOKEN when it has no ':'. ok is false when w holds no such URL or the
// result still holds credentials.
func userinfoPlaceholder(w string) (string, bool) {
	loc := urlSchemeRE().FindStringIndex(w)
	if loc == nil {
		return "", false
	}
	rest := w[loc[1]:]
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return "", false
	}
	ph := "TOKEN"
	if strings.Contains(rest[:at], ":") {
		ph = "USER:PASSWORD"
	}
	out := w[:loc[1]] + ph + w[loc[1]+at:]
	bare := w[:loc[1]] + w[loc[1]+at+1:]
	if index.Redact(out) != bare || index.Redact(w) != bare {
		return "", false // not the credentials Redact sees: print what it prints
	}
	return out, true
}

func quoteWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
