// Package envsync makes an installed Python environment match a PEP 751
// lock exactly (pylock sync): it installs what is missing or at the wrong
// version (or whose files changed since installation) in the lock's plan
// order, with pip --no-deps --require-hashes, one pip call per plan step;
// uninstalls what the lock does not hold, except the environment's own
// installer tooling (pip, setuptools, wheel) unless the lock pins it; then
// verifies the result with the environment check of pylock audit
// (audit.CheckInstalled).
//
// Deliberate limits: pip does the installing (no installer of our own), so a
// failed step leaves the environment as pip left it; running the same sync
// again resumes, as every step is computed from what is installed.
package envsync

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/pylock/pylock/audit"
	"github.com/pylock/pylock/audit/installed"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// Tooling are the distributions an environment brings for installing
// (pip, and setuptools/wheel in older venv seeds): never removed unless the
// lock pins them.
var Tooling = map[string]bool{"pip": true, "setuptools": true, "wheel": true}

// Op is what happens to one package.
type Op string

// Operations.
const (
	OpInstall   Op = "install"   // locked, not installed
	OpChange    Op = "change"    // installed at another version
	OpReinstall Op = "reinstall" // installed at the locked version, files changed since
	OpRemove    Op = "remove"    // installed, not in the lock
)

// Action is one package's change.
type Action struct {
	Op        Op
	Name      string // canonical
	Version   string // the locked version; for OpRemove the installed one
	Installed string // the installed version for OpChange
	// Reason says why an OpReinstall is needed when it is not changed
	// files: the installed source differs from the locked one.
	Reason string
}

// String is "install numpy==1.26.4", "change idna 3.4 -> 3.6",
// "reinstall sniffio==1.3.0 (files changed)", "remove colorama==0.4.6".
func (a Action) String() string {
	switch a.Op {
	case OpChange:
		return fmt.Sprintf("change %s %s -> %s", a.Name, a.Installed, a.Version)
	case OpReinstall:
		why := a.Reason
		if why == "" {
			why = "files changed since installation"
		}
		if a.Version == "" {
			return fmt.Sprintf("reinstall %s (%s)", a.Name, why)
		}
		return fmt.Sprintf("reinstall %s==%s (%s)", a.Name, a.Version, why)
	}
	if a.Version == "" {
		return fmt.Sprintf("%s %s", a.Op, a.Name)
	}
	return fmt.Sprintf("%s %s==%s", a.Op, a.Name, a.Version)
}

// Step is one pip install call: the plan step's packages that need a change.
type Step struct {
	Plan     int                // 1-based index of the plan step
	Title    string             // the plan step's description
	Packages []lockfile.Package // in plan order
	Actions  []Action           // one per package
}

// Changes is what a sync does, in order: Remove, then Steps.
type Changes struct {
	Remove []Action
	Steps  []Step
	// Kept are installed tooling distributions not in the lock that stay.
	Kept []string
}

// Installs counts the packages the steps install.
func (c *Changes) Installs() int {
	n := 0
	for _, st := range c.Steps {
		n += len(st.Packages)
	}
	return n
}

// Empty reports whether nothing needs doing.
func (c *Changes) Empty() bool { return len(c.Remove) == 0 && len(c.Steps) == 0 }

// Diff computes the changes that take inst to the lock l for the marker
// environment env (packages whose marker does not hold are not wanted),
// following plan's step order. Packages are compared as
// audit.CheckInstalled compares them, and by source (sourceDiffers); local
// paths of the lock are relative to lockDir.
func Diff(l *lockfile.Lock, plan *lockfile.InstallPlan, inst *installed.Env, env pep508.Env, lockDir string) *Changes {
	c := &Changes{}
	locked := map[string]bool{}
	for i := range l.Packages {
		if l.Packages[i].AppliesTo(env) {
			locked[names.Canonicalize(l.Packages[i].Name)] = true
		}
	}
	for i, ps := range plan.Steps {
		st := Step{Plan: i + 1, Title: stepTitle(ps)}
		for _, p := range ps.Packages {
			if !p.AppliesTo(env) {
				continue
			}
			if a, ok := need(&p, inst, lockDir); ok {
				st.Packages = append(st.Packages, p)
				st.Actions = append(st.Actions, a)
			}
		}
		if len(st.Packages) > 0 {
			c.Steps = append(c.Steps, st)
		}
	}
	for _, n := range inst.Names() {
		if locked[n] {
			continue
		}
		if Tooling[n] {
			c.Kept = append(c.Kept, n)
			continue
		}
		c.Remove = append(c.Remove, Action{Op: OpRemove, Name: n, Version: inst.Dists[n].Version})
	}
	return c
}

// need reports the action p needs, if any. A directory package's version
// is the one recorded in [packages.tool.pylock] (PEP 751 leaves it out).
func need(p *lockfile.Package, inst *installed.Env, lockDir string) (Action, bool) {
	name := names.Canonicalize(p.Name)
	want := p.Version
	if p.Directory != nil {
		want = p.TreeVersion()
	}
	d, ok := inst.Dists[name]
	switch {
	case !ok:
		return Action{Op: OpInstall, Name: name, Version: want}, true
	case want != "" && !pep440.SameVersion(d.Version, want):
		return Action{Op: OpChange, Name: name, Version: want, Installed: d.Version}, true
	}
	if why := sourceDiffers(p, d.DirectURL, lockDir); why != "" {
		return Action{Op: OpReinstall, Name: name, Version: want, Reason: why}, true
	}
	if len(d.Verify()) > 0 {
		return Action{Op: OpReinstall, Name: name, Version: want}, true
	}
	return Action{}, false
}

// sourceDiffers says why an installed distribution (its PEP 610
// direct_url.json: src, nil for an index install) does not come from p's
// locked source, or "" when it does:
//   - index package: installed from no URL;
//   - VCS: the locked commit id;
//   - archive: the locked sha256 when pip recorded a hash, else the same
//     URL or file;
//   - editable directory: installed editable from the same directory (its
//     code is live; a version change shows as OpChange);
//   - non-editable directory: always reinstalled, since pip records no hash
//     of a tree and an installed copy can't be compared with it (pip and uv
//     reinstall local directories too).
func sourceDiffers(p *lockfile.Package, src *installed.DirectURL, lockDir string) string {
	switch {
	case p.VCS != nil:
		v, _ := p.VCSSource()
		if src == nil || src.CommitID != v.CommitID {
			return "not installed from commit " + abbrev(v.CommitID)
		}
	case p.Directory != nil:
		ds, _ := p.DirectorySource()
		if !ds.Editable {
			return "a non-editable directory is reinstalled on every sync"
		}
		if src == nil || !src.Dir || !src.Editable || !samePath(src, lockDir, ds.Path, ds.Subdirectory) {
			return "not installed as editable from " + ds.Path
		}
	case p.Archive != nil:
		a := p.Archive
		switch {
		case src == nil || src.Dir || src.VCS != "":
			return "not installed from " + a.Filename()
		case src.ArchiveHash != "" && strings.HasPrefix(src.ArchiveHash, "sha256="):
			if src.ArchiveHash != "sha256="+a.Hashes["sha256"] {
				return "installed from other bytes than " + a.Filename()
			}
		case a.URL != "":
			if src.URL != a.URL {
				return "not installed from " + a.Filename()
			}
		case !samePath(src, lockDir, a.Path, ""):
			return "not installed from " + a.Path
		}
	case src != nil && !src.Dir:
		return "installed from a URL, locked from an index"
	case src != nil:
		return "installed from a local directory, locked from an index"
	}
	return ""
}

// samePath reports whether a file: URL names lockDir/rel[/sub].
func samePath(src *installed.DirectURL, lockDir, rel, sub string) bool {
	u, err := url.Parse(src.URL)
	if err != nil || u.Scheme != "file" {
		return false
	}
	got := filepath.Join(filepath.FromSlash(u.Path), filepath.FromSlash(src.Subdirectory))
	want, err := filepath.Abs(filepath.Join(lockDir, filepath.FromSlash(rel), filepath.FromSlash(sub)))
	return err == nil && filepath.Clean(got) == want
}

func abbrev(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func stepTitle(s lockfile.Step) string {
	switch s.Kind {
	case lockfile.StepInstallFirst:
		return s.Hint + " (install first)"
	}
	return "packages"
}

// CheckEnvironments returns an error when l lists environments and none of
// them holds in env: the lock was not made for this interpreter.
func CheckEnvironments(l *lockfile.Lock, env pep508.Env) error {
	if len(l.Environments) == 0 || env == nil {
		return nil
	}
	for _, e := range l.Environments {
		m, err := pep508.ParseMarker(e)
		if err != nil {
			return nil // Validate reports bad markers; do not guess here
		}
		if ok, err := m.Evaluate(env); err != nil || ok {
			return nil
		}
	}
	return fmt.Errorf("the lock is not for this interpreter: none of its environments holds (%s)", strings.Join(l.Environments, "; "))
}

// Options configure Sync.
type Options struct {
	Lock      *lockfile.Lock
	LockPath  string // for messages
	Plan      *lockfile.InstallPlan
	Python    string     // the environment's interpreter
	MarkerEnv pep508.Env // the interpreter's marker environment
	// IndexURL and ExtraIndexURLs replace the indexes recorded in the lock
	// for pip, as for pylock plan.
	IndexURL       string
	ExtraIndexURLs []string
	DryRun         bool
	// Log receives one line per action and step; PipOutput (nil: kept only
	// for error messages) receives pip's own output.
	Log       io.Writer
	PipOutput io.Writer
	// Resume is the command that runs this sync again (for messages).
	Resume string
	// Run runs a command (nil: exec with the process environment). It
	// returns the combined output.
	Run func(ctx context.Context, argv []string, stdin []byte) ([]byte, error)
	// ReadEnv reads the installed distributions (nil: installed.ReadPython).
	ReadEnv func(ctx context.Context, python string) (*installed.Env, error)
}

// Result is a sync's outcome.
type Result struct {
	Changes *Changes
	// Findings is the environment check after the sync (nil for a dry
	// run); Differs says whether any is a warning or an error.
	Findings []audit.Finding
	Differs  bool
	// Locked counts the lock's packages wanted in this environment.
	Locked int
}

// Sync reads the environment of o.Python, computes the changes (Diff) and,
// unless o.DryRun, removes and installs with pip, then verifies. A pip
// failure is a *StepError; the environment is left as pip left it.
func Sync(ctx context.Context, o Options) (*Result, error) {
	read := o.ReadEnv
	if read == nil {
		read = installed.ReadPython
	}
	inst, err := read(ctx, o.Python)
	if err != nil {
		return nil, err
	}
	ch := Diff(o.Lock, o.Plan, inst, o.MarkerEnv, lockDir(o.LockPath))
	res := &Result{Changes: ch}
	for i := range o.Lock.Packages {
		if o.Lock.Packages[i].AppliesTo(o.MarkerEnv) {
			res.Locked++
		}
	}
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	verb := ""
	if o.DryRun {
		verb = "would "
	}
	if o.DryRun {
		logf("dry run: nothing is changed")
	}
	for _, n := range ch.Kept {
		logf("keep %s==%s (installer tooling, not in the lock)", n, inst.Dists[n].Version)
	}
	if ch.Empty() {
		logf("nothing to do: the environment of %s already matches the lock", o.Python)
	}
	if len(ch.Remove) > 0 {
		argv := []string{o.Python, "-m", "pip", "uninstall", "--yes"}
		for _, a := range ch.Remove {
			logf("%s%s", verb, a)
			argv = append(argv, a.Name)
		}
		if !o.DryRun {
			if err := o.pip(ctx, argv, nil, 0, len(ch.Steps)); err != nil {
				return res, err
			}
		}
	}
	for i, st := range ch.Steps {
		logf("install step %d/%d (plan step %d: %s):", i+1, len(ch.Steps), st.Plan, st.Title)
		for _, a := range st.Actions {
			logf("  %s%s", verb, a)
		}
		if o.DryRun {
			continue
		}
		argv := []string{o.Python, "-m", "pip", "install", "--no-deps", "--require-hashes", "--force-reinstall"}
		if len(st.Packages) > 0 && st.Packages[0].Unhashable() {
			// A lockfile.StepUnhashed step (VCS, directories): pip refuses --require-hashes for them.
			argv = []string{o.Python, "-m", "pip", "install", "--no-deps", "--force-reinstall"}
		}
		argv = append(argv, lockfile.PipIndexArgs(st.Packages, lockfile.RenderOptions{IndexURL: o.IndexURL, ExtraIndexURLs: o.ExtraIndexURLs})...)
		argv = append(argv, "-r", "/dev/stdin")
		if err := o.pip(ctx, argv, lockfile.StepRequirements(st.Packages), i+1, len(ch.Steps)); err != nil {
			return res, err
		}
	}
	if o.DryRun {
		return res, nil
	}
	after, err := read(ctx, o.Python)
	if err != nil {
		return res, fmt.Errorf("verifying: %w", err)
	}
	res.Findings = audit.CheckInstalled(o.Lock, after, o.MarkerEnv)
	for _, f := range res.Findings {
		if f.Severity >= audit.Warning {
			res.Differs = true
		}
	}
	return res, nil
}

// StepError is a failed pip call.
type StepError struct {
	Step, Steps int // 1-based install step (0: the uninstall) of Steps
	Argv        []string
	Output      string // pip's output, last lines
	Err         error
	// Network is set when pip failed to reach the index or a file.
	Network bool
	Resume  string
}

// Error describes the failure, the state and how to resume.
func (e *StepError) Error() string {
	what := "uninstall"
	if e.Step > 0 {
		what = fmt.Sprintf("install step %d/%d", e.Step, e.Steps)
	}
	var b strings.Builder
	argv := make([]string, len(e.Argv))
	for i, a := range e.Argv {
		argv[i] = index.Redact(a) // credentials never reach a message
	}
	fmt.Fprintf(&b, "%s failed: %s: %v", what, strings.Join(argv, " "), e.Err)
	if e.Output != "" {
		b.WriteString("\npip said:\n" + e.Output)
	}
	b.WriteString("\nthe environment is as pip left it")
	if e.Step > 1 {
		fmt.Fprintf(&b, " (install steps 1-%d done)", e.Step-1)
	}
	if e.Resume != "" {
		b.WriteString("; fix the cause and resume with: " + e.Resume)
	}
	return b.String()
}

func (e *StepError) Unwrap() error { return e.Err }

func (o *Options) pip(ctx context.Context, argv []string, stdin []byte, step, steps int) error {
	run := o.Run
	if run == nil {
		run = func(ctx context.Context, argv []string, stdin []byte) ([]byte, error) {
			return execRun(ctx, lockDir(o.LockPath), argv, stdin)
		}
	}
	out, err := run(ctx, argv, stdin)
	if o.PipOutput != nil {
		o.PipOutput.Write(out)
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &StepError{Step: step, Steps: steps, Argv: argv, Output: tail(string(out), 15),
		Err: err, Network: isNetwork(string(out)), Resume: o.Resume}
}

// lockDir is the directory pip runs in: the lock's, as the lock's local
// paths (directories, archives) are relative to it.
func lockDir(lockPath string) string {
	if lockPath == "" || lockPath == "-" {
		return ""
	}
	return filepath.Dir(lockPath)
}

func execRun(ctx context.Context, dir string, argv []string, stdin []byte) ([]byte, error) {
	if dir != "" && strings.ContainsRune(argv[0], filepath.Separator) && !filepath.IsAbs(argv[0]) {
		abs, err := filepath.Abs(argv[0]) // relative to the working directory, not to dir
		if err != nil {
			return nil, err
		}
		argv = append([]string{abs}, argv[1:]...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	if stdin != nil {
		cmd.Stdin = strings.NewReader(string(stdin))
	}
	return cmd.CombinedOutput()
}

// networkSigns are pip messages that mean the index or a file could not be
// fetched (exit 3), as opposed to an install that went wrong.
var networkSigns = []string{
	"Could not find a version that satisfies",
	"No matching distribution found",
	"ConnectionError",
	"Max retries exceeded",
	"Could not fetch URL",
	"HTTP error",
	"NewConnectionError",
	"Read timed out",
	"THESE PACKAGES DO NOT MATCH THE HASHES",
	"No such file or directory: '/", // a file:// index or link that is gone
}

func isNetwork(out string) bool {
	for _, s := range networkSigns {
		if strings.Contains(out, s) {
			return true
		}
	}
	return false
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// VenvPython is the interpreter of the virtual environment dir.
func VenvPython(dir string) string {
	if runtime.GOOS == "windows" {
		return filepath.Join(dir, "Scripts", "python.exe")
	}
	return filepath.Join(dir, "bin", "python")
}

// CreateVenv runs "python -m venv dir" and returns the new interpreter.
func CreateVenv(ctx context.Context, python, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, python, "-m", "venv", dir).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("creating the venv %s with %s -m venv: %w: %s", dir, python, err, strings.TrimSpace(string(out)))
	}
	py := VenvPython(dir)
	if _, err := os.Stat(py); err != nil {
		return "", fmt.Errorf("creating the venv %s: no interpreter at %s", dir, py)
	}
	return py, nil
}

// SortedFindings returns the findings at warning or above, sorted.
func SortedFindings(fs []audit.Finding) []audit.Finding {
	var out []audit.Finding
	for _, f := range fs {
		if f.Severity >= audit.Warning {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Package < out[j].Package })
	return out
}
