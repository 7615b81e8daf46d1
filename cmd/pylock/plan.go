package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pylock/pylock/lockfile"
)

// planFlags are the flags shared by plan and export.
type planFlags struct {
	format         string
	installFirst   []string
	indexURL       string
	extraIndexURLs []string
	netrc          bool
	verifyImports  bool
}

func (f *planFlags) register(c *cobra.Command) {
	fl := c.Flags()
	stringsFlag(fl, &f.installFirst, "install-first", "", "install `PKG` (with its dependencies) in its own first step (repeatable)")
	fl.StringVar(&f.indexURL, "index-url", "", "index `URL` for pip instead of the indexes recorded in the lock (e.g. to replace a local file:// index in a Dockerfile)")
	stringsFlag(fl, &f.extraIndexURLs, "extra-index-url", "", "extra index `URL` for pip (repeatable)")
	fl.BoolVar(&f.netrc, "netrc", false, "Dockerfile: mount the BuildKit secret \"netrc\" at /root/.netrc for index credentials (implied by an --index-url with credentials, which are never written)")
	fl.BoolVar(&f.verifyImports, "verify-imports", false, "end with python -c \"import ...\" over the top-level modules of the packages with compiled extensions")
}

func (a *app) planCommand() *cobra.Command {
	var f planFlags
	c := &cobra.Command{
		Use:   "plan [LOCKFILE]",
		Short: "Print the ordered install steps of a lock (shell, Dockerfile or JSON)",
		Long: `Print the install plan of a PEP 751 lock (default pylock.toml): dependencies
before dependents, with the --install-first packages (from the command line,
else those stored in the lock) pulled to the front with their own
dependencies, each in its own step.

Formats: shell (default; one python -m pip install --no-deps --require-hashes
per step, hashes included), dockerfile (RUN layers to paste after FROM, the
requirements inlined as heredocs (BuildKit); hinted packages first, then the
packages that are heavy themselves (big or compiled wheels), then the light
rest, so a change to a light dependency does not rebuild them), json.

Direct references: VCS checkouts and local directories (editable or not)
get a step of their own without --require-hashes, which pip refuses for
them; local paths are relative to the lock's directory (run the plan from
there; a Dockerfile step names the paths to COPY first).

A lock resolved against a local directory index names file:// URLs that do
not exist inside an image: the Dockerfile plan warns, and --index-url points
pip at an index serving the same files. Credentials in --index-url are never
written: the Dockerfile mounts the BuildKit secret "netrc" instead
(docker build --secret id=netrc,src=$HOME/.netrc).

--verify-imports ends the plan with python -c "import ..." over the
top-level modules of the packages with compiled extensions (read from the
wheels when they are local files, else from a table of known names such as
opencv-python -> cv2, else the project name), so a broken binary stack fails
at build time.

A universal lock (pylock resolve --universal) is planned whole: every entry
is listed with its marker and pip skips those whose markers do not match the
machine, so each environment installs exactly its own versions.

Exit codes: 0 ok, 2 unreadable or invalid lock, unknown --install-first package or bad flag.`,
		Example: `  pylock plan
  pylock plan pylock.toml --install-first numpy --format dockerfile
  pylock plan --format dockerfile --index-url https://pypi.org/simple --verify-imports`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			path := "pylock.toml"
			if len(args) == 1 {
				path = args[0]
			}
			out, err := a.renderPlan(path, f)
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(out)
			return err
		},
	}
	c.Flags().StringVar(&f.format, "format", "shell", "output `FORMAT`: shell, dockerfile or json")
	completeValues(c, "format", "shell", "dockerfile", "json")
	f.register(c)
	return c
}

// readPlannableLock reads and validates a lock that plans can install;
// every failure is a usage error (exit 2).
func readPlannableLock(path string) (*lockfile.Lock, error) {
	l, err := readLockFile(path)
	if err == nil { // a plan from an invalid lock would install the wrong thing
		if verr := l.Validate(); verr != nil {
			err = fmt.Errorf("%s: %w", path, verr)
		} else {
			err = checkPinned(path, l)
		}
	}
	if err != nil {
		return nil, &codeError{code: exitUsage, err: err}
	}
	return l, nil
}

// readLockFile reads the lock at path; a missing file is a usage error
// that says how to make one (plan, export, sync, audit, why and tree say
// it alike).
func readLockFile(path string) (*lockfile.Lock, error) {
	l, err := lockfile.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usageError("cannot read %s: no such file (create it with pylock resolve)", path)
	}
	return l, err
}

// renderPlan renders the lock at path as a plan in f.format (shell,
// dockerfile or json), or, for export, as the JSON report ("report").
func (a *app) renderPlan(path string, f planFlags) ([]byte, error) {
	switch f.format {
	case "shell", "dockerfile", "json", "report":
	default:
		return nil, usageError("invalid --format %q: want shell, dockerfile or json", f.format)
	}
	l, err := readPlannableLock(path)
	if err != nil {
		return nil, err
	}
	plan, err := lockfile.Plan(l, f.installFirst)
	if err != nil {
		return nil, &codeError{code: exitUsage, err: fmt.Errorf("%s: %w", path, err)}
	}
	// The Dockerfile carries its requirements in heredocs so that what is
	// printed is complete: paste it after FROM.
	o := lockfile.RenderOptions{LockPath: path, Inline: true, IndexURL: f.indexURL, ExtraIndexURLs: f.extraIndexURLs, NetrcSecret: f.netrc}
	if f.verifyImports {
		o.VerifyImports = lockfile.NewImportCheck(l.Packages, filepath.Dir(path))
	}
	if f.format == "dockerfile" {
		a.warnLocalIndex(path, plan.IndexURLs(o))
	}
	if f.format == "report" {
		return lockfile.RenderReport(l, plan, o)
	}
	return lockfile.RenderPlan(plan, f.format, o)
}

// warnLocalIndex warns that file:// index URLs will not exist inside an
// image.
func (a *app) warnLocalIndex(path string, urls []string) {
	for _, u := range urls {
		if strings.HasPrefix(u, "file:") {
			fmt.Fprintf(a.stderr, "warning: %s was resolved against a local directory index (%s): its file:// URLs will not exist inside the image; pass --index-url URL (an index serving the same files) to rewrite them\n", path, u)
			return
		}
	}
}

// checkPinned rejects packages without a version: PEP 751 allows them (for
// directory and VCS sources), but pip --require-hashes installs pinned
// versions only, so no plan can install them.
func checkPinned(path string, l *lockfile.Lock) error {
	for i, p := range l.Packages {
		if p.Version == "" && !p.Unhashable() { // a VCS checkout or directory is pinned by its source
			return fmt.Errorf("%s: packages[%d] (%s): no version: an install plan needs exact versions (pip --require-hashes)", path, i, p.Name)
		}
	}
	return nil
}
