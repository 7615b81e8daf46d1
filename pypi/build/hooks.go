package build

import (
	"archive/zip"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/sdist"
)

//go:embed pep517_hooks.py
var hookScript []byte

// Default build system of a tree without [build-system] (pip's choice).
const (
	DefaultBackend  = "setuptools.build_meta:__legacy__"
	DefaultRequires = "setuptools>=40.8.0"
)

// BuildSystem is what a build needs from pyproject.toml.
type BuildSystem struct {
	Requires    []string
	Backend     string
	BackendPath []string
}

// ReadBuildSystem returns dir's [build-system], with pip's defaults when
// pyproject.toml or the table is absent (and the legacy backend when
// build-backend is). backend-path entries must stay inside dir.
func ReadBuildSystem(dir string) (BuildSystem, error) {
	def := BuildSystem{Requires: []string{DefaultRequires}, Backend: DefaultBackend}
	f, err := sdist.ReadDir(dir)
	if err != nil {
		return def, err
	}
	if f.Pyproject == nil {
		return def, nil
	}
	pp, err := sdist.ParsePyproject(f.Pyproject)
	if err != nil {
		return def, fmt.Errorf("%s: %w", dir, err)
	}
	bs := pp.BuildSystem
	if bs == nil {
		return def, nil
	}
	if bs.Requires == nil {
		return def, fmt.Errorf("%s: pyproject.toml: [build-system] has no requires (PEP 518)", filepath.Join(dir, "pyproject.toml"))
	}
	out := BuildSystem{Requires: bs.Requires, Backend: bs.BuildBackend, BackendPath: bs.BackendPath}
	if out.Backend == "" {
		out.Backend = DefaultBackend
	}
	for _, p := range bs.BackendPath {
		if filepath.IsAbs(p) || !filepath.IsLocal(filepath.Clean(p)) && filepath.Clean(p) != "." {
			return def, fmt.Errorf("%s: pyproject.toml: backend-path %q is outside the source tree", filepath.Join(dir, "pyproject.toml"), p)
		}
	}
	return out, nil
}

// job is one build in progress.
type job struct {
	b       *Builder
	pkg     Package
	dir     string // source tree (hooks' working directory)
	work    string // scratch: control/, venv/, home/, tmp/, metadata/, wheel/
	python  string
	env     []string
	bs      BuildSystem
	control string
	// installed holds the versions installed into the build environment
	// (canonical name to version).
	installed map[string]pep440.Version
	scheme    *schemePaths // the venv's install directories, once known
}

// build runs the hooks for the tree dir. On a build failure the work
// directory is kept (its path is in the reproduce command); otherwise it
// is removed, as is an sdist tree unpacked inside it.
func (b *Builder) build(ctx context.Context, work, dir string, pkg Package) (*index.Metadata, error) {
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(work)
		}
	}()
	py, err := b.Interpreter(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkg, err)
	}
	bs, err := ReadBuildSystem(dir)
	if err != nil {
		return nil, err
	}
	j := &job{b: b, pkg: pkg, dir: dir, work: work, python: py.Path, bs: bs, control: filepath.Join(work, "control")}
	m, err := j.run(ctx, py)
	var be *Error
	if errors.As(err, &be) && ctx.Err() == nil {
		keep = true
	}
	return m, err
}

func (j *job) run(ctx context.Context, py *Interpreter) (*index.Metadata, error) {
	for _, d := range []string{j.control, filepath.Join(j.work, "home"), filepath.Join(j.work, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(j.control, "pep517_hooks.py"), hookScript, 0o644); err != nil {
		return nil, err
	}
	j.env = j.environ("")
	var next *preloaded
	if !j.b.opts.NoIsolation {
		if err := j.isolate(ctx, py); err != nil {
			return nil, err
		}
		// The runner of the next hook starts now and imports the backend
		// while get_requires_for_build_wheel runs; it is used only if
		// nothing is installed in between (preload.go).
		next = j.preload(ctx)
		defer next.abandon() // whatever path leaves it unused
		extra, err := j.getRequires(ctx)
		if err != nil {
			return nil, err
		}
		if !j.satisfied(extra) {
			next.abandon() // before the install: it would not see it
			next = nil
			if err := j.install(ctx, py, extra, "get_requires_for_build_wheel"); err != nil {
				return nil, err
			}
		} else if len(extra) > 0 {
			j.b.logf("%s: build environment (get_requires_for_build_wheel): %s already installed", j.pkg, strings.Join(extra, ", "))
		}
	}
	return j.metadata(ctx, next)
}

// environ is the hooks' environment: with isolation a clean one (own HOME
// and TMPDIR, no user site, PATH led by the venv's scripts), else the
// caller's own.
func (j *job) environ(bin string) []string {
	if j.b.opts.NoIsolation {
		return append(os.Environ(), "PYTHONUNBUFFERED=1")
	}
	path := os.Getenv("PATH")
	if bin != "" {
		path = bin + string(os.PathListSeparator) + path
	}
	env := []string{
		"PATH=" + path,
		"HOME=" + filepath.Join(j.work, "home"),
		"TMPDIR=" + filepath.Join(j.work, "tmp"),
		"LANG=C.UTF-8", "LC_ALL=C.UTF-8",
		"PYTHONNOUSERSITE=1", "PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8", "PYTHONUNBUFFERED=1",
	}
	for _, k := range []string{"SYSTEMROOT", "SOURCE_DATE_EPOCH", "CC", "CXX", "CFLAGS", "LDFLAGS"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// isolate creates the venv and installs [build-system] requires, which are
// resolved (and downloaded) while `python -m venv` runs.
func (j *job) isolate(ctx context.Context, py *Interpreter) error {
	venv := filepath.Join(j.work, "venv")
	created := make(chan error, 1)
	go func() {
		_, err := j.exec(ctx, "create venv", j.python, "-m", "venv", "--without-pip", venv)
		created <- err
	}()
	files, err := j.fetch(ctx, py, j.bs.Requires, "[build-system] requires")
	if verr := <-created; verr != nil {
		return verr
	}
	if err != nil {
		return err
	}
	j.python = venvPython(venv)
	j.env = j.environ(filepath.Dir(j.python))
	return j.installFiles(ctx, files, "[build-system] requires")
}

// hook calls one PEP 517 hook, through pre (a runner started before,
// which has imported the backend) unless it is nil; the result is
// output.json's object.
func (j *job) hook(ctx context.Context, name string, in map[string]any, pre *preloaded) (map[string]json.RawMessage, error) {
	in["backend"] = j.bs.Backend
	in["backend_path"] = j.bs.BackendPath
	if len(j.b.opts.ConfigSettings) > 0 {
		in["config_settings"] = j.b.opts.ConfigSettings
	}
	data, _ := json.Marshal(in)
	if err := os.WriteFile(filepath.Join(j.control, "input.json"), data, 0o644); err != nil {
		return nil, err
	}
	os.Remove(filepath.Join(j.control, "output.json"))
	var tl *tail
	var runErr error
	if pre != nil {
		tl, runErr = pre.call(name)
	} else {
		tl, runErr = j.exec(ctx, name, j.python, j.hookArgs(name, j.control)...)
	}
	raw, err := os.ReadFile(filepath.Join(j.control, "output.json"))
	var out map[string]json.RawMessage
	if err == nil {
		err = json.Unmarshal(raw, &out)
	}
	if err != nil {
		if runErr != nil {
			return nil, runErr
		}
		return nil, j.fail(name, tl, fmt.Errorf("the hook runner wrote no result: %v", err))
	}
	if kind, ok := out["error"]; ok {
		var k, msg string
		json.Unmarshal(kind, &k)
		json.Unmarshal(out["message"], &msg)
		if k == "HookFailed" {
			msg, _, _ = strings.Cut(msg, "\n")
			return nil, j.fail(name, tl, fmt.Errorf("backend %s raised %s", j.bs.Backend, msg))
		}
		tl.Write([]byte(msg + "\n"))
		return nil, j.fail(name, tl, fmt.Errorf("%s: backend %s", k, j.bs.Backend))
	}
	return out, nil
}

// hookArgs are the interpreter's arguments for the hook runner: the hook's
// name (or --wait) and the control directory.
func (j *job) hookArgs(hook, control string) []string {
	args := []string{filepath.Join(j.control, "pep517_hooks.py"), hook, control}
	if !j.b.opts.NoIsolation {
		args = append([]string{"-s"}, args...)
	}
	return args
}

func (j *job) getRequires(ctx context.Context) ([]string, error) {
	out, err := j.hook(ctx, "get_requires_for_build_wheel", map[string]any{}, nil)
	if err != nil {
		return nil, err
	}
	var reqs []string
	if err := json.Unmarshal(out["return"], &reqs); err != nil {
		return nil, j.fail("get_requires_for_build_wheel", nil, fmt.Errorf("backend returned %s, not a list of strings", out["return"]))
	}
	return reqs, nil
}

// metadata runs prepare_metadata_for_build_wheel (through pre unless it is
// nil), or build_wheel when the backend lacks it, and parses the METADATA.
func (j *job) metadata(ctx context.Context, pre *preloaded) (*index.Metadata, error) {
	mdir := filepath.Join(j.work, "metadata")
	wdir := filepath.Join(j.work, "wheel")
	for _, d := range []string{mdir, wdir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	out, err := j.hook(ctx, "prepare_metadata_for_build_wheel", map[string]any{"metadata_directory": mdir}, pre)
	if err != nil {
		return nil, err
	}
	var name string
	var raw []byte
	if _, unsupported := out["unsupported"]; !unsupported {
		json.Unmarshal(out["return"], &name)
		raw, err = readLimited(filepath.Join(mdir, filepath.Base(name), "METADATA"))
		if err != nil {
			return nil, j.fail("prepare_metadata_for_build_wheel", nil, fmt.Errorf("backend returned %q: %w", name, err))
		}
	} else {
		j.b.logf("%s: backend %s has no prepare_metadata_for_build_wheel; building the wheel", j.pkg, j.bs.Backend)
		out, err = j.hook(ctx, "build_wheel", map[string]any{"wheel_directory": wdir}, nil)
		if err != nil {
			return nil, err
		}
		json.Unmarshal(out["return"], &name)
		raw, err = wheelMetadata(filepath.Join(wdir, filepath.Base(name)))
		if err != nil {
			return nil, j.fail("build_wheel", nil, fmt.Errorf("backend returned %q: %w", name, err))
		}
	}
	m, err := index.ParseMetadata(raw)
	if err != nil {
		return nil, j.fail("reading METADATA", nil, err)
	}
	return m, nil
}

// exec runs a command in the tree with the job's environment, capturing
// output. Cancelling ctx kills its whole process group.
func (j *job) exec(ctx context.Context, step, prog string, args ...string) (*tail, error) {
	ctx, cancel := context.WithTimeout(ctx, j.b.opts.Timeout)
	defer cancel()
	cmd, tl := j.command(ctx, prog, args...)
	if err := cmd.Run(); err != nil {
		timedOut := errors.Is(context.Cause(ctx), context.DeadlineExceeded)
		return tl, j.runErr(ctx, step, tl, err, timedOut, prog, args)
	}
	return tl, nil
}

// command prepares prog to run in the tree with the job's environment, its
// output kept in the returned tail, in its own process group (killed
// whole when ctx ends).
func (j *job) command(ctx context.Context, prog string, args ...string) (*exec.Cmd, *tail) {
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = j.dir
	cmd.Env = j.env
	tl := &tail{n: TailLines}
	cmd.Stdout, cmd.Stderr = tl, tl
	setProcessGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	return cmd, tl
}

// runErr is the error of a command that ended with err: a timeout (after
// the build's Timeout), the cancellation of ctx, or a failure with its
// output and the command that reproduces it.
func (j *job) runErr(ctx context.Context, step string, tl *tail, err error, timedOut bool, prog string, args []string) error {
	if ctx.Err() != nil {
		if timedOut && j.b.opts.Timeout > 0 {
			return j.fail(step, tl, fmt.Errorf("timed out after %s", j.b.opts.Timeout))
		}
		return fmt.Errorf("%s: %s: %w", j.pkg, step, ctx.Err())
	}
	return j.failCmd(step, tl, err, prog, args)
}

func (j *job) fail(step string, tl *tail, err error) *Error {
	e := &Error{Package: j.pkg, Step: step, Err: err}
	if tl != nil {
		e.Output = tl.Lines()
	}
	if strings.HasPrefix(step, "prepare_") || strings.HasPrefix(step, "build_") || strings.HasPrefix(step, "get_") {
		e.Command = j.reproduce(j.python, []string{filepath.Join(j.control, "pep517_hooks.py"), step, j.control})
	}
	return e
}

func (j *job) failCmd(step string, tl *tail, err error, prog string, args []string) *Error {
	e := j.fail(step, tl, err)
	e.Command = j.reproduce(prog, args)
	return e
}

// reproduce renders a shell command that reruns prog in the kept build
// directory with the same environment.
func (j *job) reproduce(prog string, args []string) string {
	var b strings.Builder
	b.WriteString("cd " + shellQuote(j.dir) + " && ")
	if !j.b.opts.NoIsolation {
		b.WriteString("env -i")
		for _, kv := range j.env {
			b.WriteString(" " + shellQuote(kv))
		}
		b.WriteString(" ")
	}
	b.WriteString(shellQuote(prog))
	for _, a := range args {
		b.WriteString(" " + shellQuote(a))
	}
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:+,@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

const maxMetadata = 16 << 20

func readLimited(p string) ([]byte, error) {
	fh, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxMetadata+1))
	if err == nil && len(data) > maxMetadata {
		err = fmt.Errorf("%s is larger than %d bytes", p, maxMetadata)
	}
	return data, err
}

// wheelMetadata reads <dist-info>/METADATA from a built wheel.
func wheelMetadata(p string) ([]byte, error) {
	data, err := readLimited(p)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	for _, zf := range zr.File {
		dir, base, ok := strings.Cut(zf.Name, "/")
		if ok && base == "METADATA" && strings.HasSuffix(dir, ".dist-info") {
			rc, err := zf.Open()
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return io.ReadAll(io.LimitReader(rc, maxMetadata))
		}
	}
	return nil, errors.New("no .dist-info/METADATA in the wheel")
}

// parseReqs parses build requirements, naming where they came from.
func parseReqs(reqs []string, from string) ([]pep508.Requirement, error) {
	out := make([]pep508.Requirement, 0, len(reqs))
	for _, s := range reqs {
		r, err := pep508.ParseRequirement(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", from, s, err)
		}
		out = append(out, r)
	}
	return out, nil
}
