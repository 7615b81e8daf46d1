package build

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep508"
)

// A hook runner started before its hook is due
//
// Each PEP 517 hook runs in a fresh interpreter, and starting one means
// importing the backend again: ~0.27 s for setuptools (its bytecode is
// not written: the build environment is new each time), more than the
// rest of prepare_metadata_for_build_wheel on a small project. So the
// runner of that hook is started as soon as the build environment holds
// the [build-system] requires, beside get_requires_for_build_wheel: it
// imports the backend at once (on another core) and waits for the hook's
// name. It is called only when nothing was installed after it started
// (get_requires_for_build_wheel asked for nothing, or for what is already
// installed: setuptools' ["wheel"] beside requires = ["setuptools",
// "wheel"]), so it runs the hook exactly as a runner started afterwards
// would; otherwise it is killed and a fresh runner is started after the
// install. Not with --no-build-isolation (there is no install to wait
// for) nor for a backend inside the source tree (backend-path), whose
// import could race with what the first hook writes there.

// preloaded is a hook runner waiting for its hook (pep517_hooks.py
// --wait).
type preloaded struct {
	j      *job
	ctx    context.Context
	cancel context.CancelCauseFunc
	stdin  io.WriteCloser
	tl     *tail
	done   chan error // the runner's exit (cmd.Wait)
	ended  bool       // called or abandoned
}

// errNotNeeded cancels a runner that will not be called.
var errNotNeeded = errors.New("hook runner not needed")

// preload starts the runner for the hook after get_requires_for_build_wheel;
// nil when none is started (see above), which callers treat as "start one
// when it is due".
func (j *job) preload(ctx context.Context) *preloaded {
	if j.b.opts.NoIsolation || len(j.bs.BackendPath) > 0 {
		return nil
	}
	data, err := json.Marshal(map[string]any{"backend": j.bs.Backend, "backend_path": j.bs.BackendPath})
	if err != nil || os.WriteFile(filepath.Join(j.control, "backend.json"), data, 0o644) != nil {
		return nil
	}
	pctx, cancel := context.WithCancelCause(ctx)
	cmd, tl := j.command(pctx, j.python, j.hookArgs("--wait", j.control)...)
	stdin, err := cmd.StdinPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		cancel(err)
		return nil
	}
	p := &preloaded{j: j, ctx: pctx, cancel: cancel, stdin: stdin, tl: tl, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	return p
}

// abandon kills the runner (its whole process group) and waits for it,
// unless it was called or abandoned already: a job defers it once.
func (p *preloaded) abandon() {
	if p == nil || p.ended {
		return
	}
	p.ended = true
	p.cancel(errNotNeeded)
	p.stdin.Close()
	<-p.done
}

// call runs hook in the runner, for at most the build's Timeout from now,
// and returns its output as exec does.
func (p *preloaded) call(step string) (*tail, error) {
	p.ended = true
	j := p.j
	timer := time.AfterFunc(j.b.opts.Timeout, func() { p.cancel(context.DeadlineExceeded) })
	defer timer.Stop()
	_, werr := io.WriteString(p.stdin, step+"\n")
	p.stdin.Close()
	err := <-p.done
	if err == nil && werr != nil {
		err = werr
	}
	if err != nil {
		timedOut := errors.Is(context.Cause(p.ctx), context.DeadlineExceeded)
		return p.tl, j.runErr(p.ctx, step, p.tl, err, timedOut, j.python, j.hookArgs(step, j.control))
	}
	p.cancel(nil)
	return p.tl, nil
}

// satisfied reports whether the build environment already holds what reqs
// (get_requires_for_build_wheel's answer) ask for: each a plain name with
// a version specifier (no marker, extra or URL) whose project was
// installed at a version it allows. Anything else is installed as before.
func (j *job) satisfied(reqs []string) bool {
	for _, s := range reqs {
		r, err := pep508.ParseRequirement(s)
		if err != nil || !r.Marker.IsTrue() || len(r.Extras) > 0 || r.URL != "" {
			return false
		}
		v, ok := j.installed[names.Canonicalize(r.Name)]
		if !ok || !r.Specifier.Contains(v) {
			return false
		}
	}
	return true
}
