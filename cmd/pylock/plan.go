package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/pylock/pylock/lockfile"
)

func (a *app) planCommand() *cobra.Command {
	var format string
	var installFirst []string
	c := &cobra.Command{
		Use:   "plan [LOCKFILE]",
		Short: "Print the ordered install steps of a lock (shell, Dockerfile or JSON)",
		Long: `Print the install plan of a PEP 751 lock (default pylock.toml): dependencies
before dependents, with the --install-first packages (from the command line,
else those stored in the lock) pulled to the front with their own
dependencies, each in its own step.

Formats: shell (default; one python -m pip install --no-deps --require-hashes
per step, hashes included), dockerfile (RUN layers to paste after FROM, the
requirements inlined as heredocs (BuildKit); hinted and heavy packages
first so a change to a light dependency does not rebuild them), json.

A universal lock (pylock resolve --universal) is planned whole: every entry
is listed with its marker and pip skips those whose markers do not match the
machine, so each environment installs exactly its own versions.

Exit codes: 0 ok, 2 unreadable or invalid lock, unknown --install-first package or bad flag.`,
		Example: `  pylock plan
  pylock plan pylock.toml --install-first numpy --format dockerfile`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			path := "pylock.toml"
			if len(args) == 1 {
				path = args[0]
			}
			return a.runPlan(path, format, installFirst)
		},
	}
	c.Flags().StringVar(&format, "format", "shell", "output `FORMAT`: shell, dockerfile or json")
	completeValues(c, "format", "shell", "dockerfile", "json")
	c.Flags().StringArrayVar(&installFirst, "install-first", nil, "install `PKG` (with its dependencies) in its own first step (repeatable)")
	return c
}

func (a *app) runPlan(path, format string, installFirst []string) error {
	switch format {
	case "shell", "dockerfile", "json":
	default:
		return usageError("invalid --format %q: want shell, dockerfile or json", format)
	}
	l, err := lockfile.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return usageError("cannot read %s: no such file (create it with pylock resolve)", path)
	}
	if err == nil { // a plan from an invalid lock would install the wrong thing
		if verr := l.Validate(); verr != nil {
			err = fmt.Errorf("%s: %w", path, verr)
		} else {
			err = checkPinned(path, l)
		}
	}
	if err != nil {
		return &codeError{code: exitUsage, err: err}
	}
	plan, err := lockfile.Plan(l, installFirst)
	if err != nil {
		return &codeError{code: exitUsage, err: fmt.Errorf("%s: %w", path, err)}
	}
	// The Dockerfile carries its requirements in heredocs so that what is
	// printed is complete: paste it after FROM.
	out, err := lockfile.RenderPlan(plan, format, lockfile.RenderOptions{LockPath: path, Inline: true})
	if err != nil {
		return err
	}
	_, err = a.stdout.Write(out)
	return err
}

// checkPinned rejects packages without a version: PEP 751 allows them (for
// directory and VCS sources), but pip --require-hashes installs pinned
// versions only, so no plan can install them.
func checkPinned(path string, l *lockfile.Lock) error {
	for i, p := range l.Packages {
		if p.Version == "" {
			return fmt.Errorf("%s: packages[%d] (%s): no version: an install plan needs exact versions (pip --require-hashes)", path, i, p.Name)
		}
	}
	return nil
}
