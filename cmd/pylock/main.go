// Command pylock turns loose Python requirements into a fully pinned,
// hash-checked PEP 751 lock, pinned requirements, an ordered install plan
// and Dockerfile steps.
//
// This package is deliberately thin: flags are parsed here into typed
// pylock.Options (options.go), the work is done by package pylock (resolve),
// pypi/inputs (reading inputs) and lockfile (rendering, plans); rendering for
// the terminal, output formats and exit codes live here. One file per
// subcommand: resolve.go, plan.go (audit.go, why.go, tree.go belong to the
// audit subcommands).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/pylock/pylock"
	"github.com/pylock/pylock/pypi/index"
)

func main() {
	growStack()
	if os.Getenv("GOGC") == "" {
		// A resolve allocates a few MB and exits: collecting at 5x the live
		// heap instead of 2x spares a warm run its garbage collections
		// (~15% of its time) and keeps a cold one of the corpus under 30 MB.
		debug.SetGCPercent(400)
	}
	code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	index.FinishWrites() // background prefetches may still be writing to the cache
	os.Exit(code)
}

// growStack grows the main goroutine's stack to 64 KB at once, while it is
// shallow. A goroutine starts with 2 KB and doubles it whenever a call
// would overflow, copying the whole stack (and walking every frame's
// tables) each time: cobra, resolving and lock writing run 20-40 KB deep,
// and those copies of deep stacks cost more than this one copy of a
// shallow one.
//
//go:noinline
func growStack() {
	var frame [48 << 10]byte
	touchStack(frame[:])
}

//go:noinline
func touchStack(b []byte) { b[0] = 1 }

// app is one invocation's I/O.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	args           []string // os.Args[1:], for the regenerate command
	// signals is the SIGINT/SIGTERM handler (notifySignals); nil: there
	// is none.
	signals *signalWatch
}

// waitSignals waits until the signal handler is in place.
func (a *app) waitSignals() {
	if a.signals != nil {
		a.signals.ready()
	}
}

// startSignals installs the signal handler in the background.
func (a *app) startSignals() {
	if a.signals != nil {
		a.signals.start()
	}
}

// subcommands are pylock's commands by name. A run that names one first
// builds only that one: each defines dozens of flags, and building them all
// was a good part of the start-up of every run.
var subcommands = []struct {
	name  string
	build func(a *app) *cobra.Command
}{
	{"resolve", (*app).resolveCommand},
	{"plan", (*app).planCommand},
	{"audit", (*app).auditCommand},
	{"why", (*app).whyCommand},
	{"tree", (*app).treeCommand},
	{"sync", (*app).syncCommand},
	{"export", (*app).exportCommand},
	{"cache", (*app).cacheCommand},
}

// run executes pylock with args and returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, sig := notifySignals()
	defer sig.stop()
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, args: args, signals: sig}
	if len(args) == 0 || args[0] != "resolve" {
		// Only resolve, whose warm runs take a few milliseconds, says
		// where it needs the handler (runResolve); the others wait for it
		// here.
		sig.ready()
	} else {
		t := time.AfterFunc(startSignalsAfter, sig.start)
		defer t.Stop()
	}
	root := a.rootCommand(args)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if code, ok := interrupted(sig.which); ok {
		fmt.Fprintln(stderr, "interrupted")
		return code
	}
	if err == nil {
		return exitOK
	}
	var ce *codeError
	if errors.As(err, &ce) && ce.silent {
		return ce.code
	}
	fmt.Fprintln(stderr, "error: "+strings.TrimRight(err.Error(), "\n"))
	if errors.As(err, &ce) {
		return ce.code
	}
	return exitCode(err)
}

// Exit codes shared by every pylock command.
const (
	exitOK         = 0 // success
	exitNoSolution = 1 // no resolution exists (or the search budget ran out); audit: drift found
	exitUsage      = 2 // bad input, bad flag value, unwritable output
	exitIndex      = 3 // index or network failure
)

// exitCode maps an error to the process exit code by its pylock.Kind
// (unknown errors are usage errors).
func exitCode(err error) int {
	switch pylock.KindOf(err) {
	case 0:
		return exitOK
	case pylock.KindNoSolution:
		return exitNoSolution
	case pylock.KindIndex:
		return exitIndex
	}
	return exitUsage
}

// signalWatch turns the first SIGINT or SIGTERM into a cancelled context
// (notifySignals). After it the default handling is restored, so a second
// Ctrl-C kills the process at once.
//
// The handler is installed by a goroutine started on demand (start), off
// the caller's path: signal.Notify starts two runtime threads (one keeping
// the signal mask, one blocked receiving signals) and waits for one of
// them, ~0.15 ms and two thread wake-ups of a ~4 ms warm resolve. Commands
// call ready (start, then wait until the handler is in place) before what
// a signal must interrupt cleanly: resolve before its first request and
// its output write, the other commands before they start. resolve starts
// the handler in the background at its first index event, or a few
// milliseconds after it began (startSignalsAfter) if it is still running
// then; a resolve that reuses a stored result with its output unchanged
// (index.PagesUnchanged reads a few cache headers) never installs it. A
// signal arriving before the handler is in place kills the process, as
// one arriving before main does; nothing is being written then. stop does
// not wait for the handler's removal either: the process exits next (an
// in-process caller has it removed shortly after).
type signalWatch struct {
	cancel    context.CancelFunc // cancels the context notifySignals returned
	got       atomic.Value
	once      sync.Once
	done      chan struct{} // closed by stop
	installed chan struct{} // closed once the handler is in place (or will never be)
}

// startSignalsAfter is how long a resolve runs before its handler is
// installed in the background if nothing asked for it sooner (a variable
// for tests).
var startSignalsAfter = 3 * time.Millisecond

// signalInstalls counts the handlers installed, for tests.
var signalInstalls atomic.Int64

// signalWatchers tracks the running watch goroutines, for tests: a
// finished run's may still be installing its handler (and counting it in
// signalInstalls) after the run returned, until it sees stop.
var signalWatchers sync.WaitGroup

// notifySignals returns the context the first SIGINT or SIGTERM cancels,
// and its watch.
func notifySignals() (context.Context, *signalWatch) {
	ctx, cancel := context.WithCancel(context.Background())
	return ctx, &signalWatch{cancel: cancel, done: make(chan struct{}), installed: make(chan struct{})}
}

// start installs the handler in the background, once.
func (w *signalWatch) start() {
	w.once.Do(func() { signalWatchers.Go(w.watch) })
}

func (w *signalWatch) watch() {
	select {
	case <-w.done: // stopped before this goroutine ran: nothing to watch
		close(w.installed)
		return
	default:
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	signalInstalls.Add(1)
	close(w.installed)
	defer signal.Stop(ch)
	select {
	case s := <-ch:
		w.got.Store(s)
		signal.Stop(ch)
		w.cancel()
	case <-w.done:
	}
}

// ready starts the handler if needed and waits until it is in place (or
// stop was called).
func (w *signalWatch) ready() {
	w.start()
	<-w.installed
}

// stop ends the watch and cancels the context.
func (w *signalWatch) stop() {
	close(w.done)
	w.cancel()
}

// which reports the signal that arrived, or nil.
func (w *signalWatch) which() os.Signal {
	s, _ := w.got.Load().(os.Signal)
	return s
}

// interrupted maps a received signal to the shell's exit status for it:
// 130 for SIGINT, 143 for SIGTERM.
func interrupted(sig func() os.Signal) (int, bool) {
	switch sig() {
	case os.Interrupt:
		return 128 + int(syscall.SIGINT), true
	case syscall.SIGTERM:
		return 128 + int(syscall.SIGTERM), true
	}
	return 0, false
}

// codeError carries an exit code through cobra; silent ones were already
// reported.
type codeError struct {
	code   int
	err    error
	silent bool
}

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &codeError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// rootCommand builds the command tree for args: when args[0] names a
// subcommand, only that one (nothing else can run or be printed: help,
// flag errors and completion of a subcommand involve it alone; "help",
// "completion" and cobra's hidden "__complete" are not subcommands here and
// get the whole tree).
func (a *app) rootCommand(args []string) *cobra.Command {
	root := &cobra.Command{
		Use:   "pylock",
		Short: "Lock Python requirements: PEP 751 pylock.toml, hashes, install plan",
		Long: `pylock resolves Python requirements against a package index and writes a
fully pinned, hash-checked lock: PEP 751 pylock.toml, pinned requirements
(pip install --require-hashes) or a JSON report, plus an ordered install
plan and Dockerfile steps.

Exit codes: 0 ok, 1 no solution, 2 bad input or usage, 3 index/network failure.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("pylock {{.Version}}\n")
	// -V is the version (cobra's default -v is --verbose in every subcommand).
	root.Flags().BoolP("version", "V", false, "print the version")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &codeError{code: exitUsage, err: fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	if len(args) > 0 {
		for _, s := range subcommands {
			if s.name == args[0] {
				root.AddCommand(s.build(a))
				root.CompletionOptions.DisableDefaultCmd = true
				return root
			}
		}
	}
	root.Version = version()
	for _, s := range subcommands {
		root.AddCommand(s.build(a))
	}
	return root
}

// version is the module version stamped by `go install`, else "dev" with
// the VCS revision when the build recorded one.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev+" + s.Value[:12]
		}
	}
	return "dev"
}
