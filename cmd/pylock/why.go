package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pylock/pylock/audit"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/pep508"
)

func (a *app) whyCommand() *cobra.Command {
	var (
		lock, cacheDir string
		indexURLs      []string
		offline        bool
	)
	c := &cobra.Command{
		Use:   "why PKG",
		Short: "Show every path from the inputs to a locked package",
		Long: `Show why a package is in the lock: every chain of requirements from the
inputs (recorded in [tool.pylock]) to PKG. The first edge shows your
requirement; the others show the dependency's requirement, read from the
package's metadata on the index (skipped with --offline). On a universal
lock, a requirement whose marker still matters where the package is
installed is shown on its own with that marker, e.g.
numpy>=1.21.2 | numpy>=1.26.0 ; python_version >= "3.12".`,
		Example: `  pylock why numpy
  pylock why typing-extensions --lock pylock.toml`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			l, err := readLockFile(lock)
			if err != nil {
				return &codeError{code: exitUsage, err: err}
			}
			g := lockfile.NewGraph(l)
			if _, err := g.Why(args[0]); err != nil {
				return &codeError{code: exitUsage, err: err}
			}
			if !offline {
				var env pep508.Env
				if t, ok := lockTarget(l); ok {
					env = t.Env()
				}
				pool := newClientPool(indexURLs, cacheDir, false)
				defer pool.close()
				if err := audit.AddEdgeRequirements(c.Context(), g, l, env, g.OnPaths(args[0]), pool.metadata); err != nil {
					fmt.Fprintf(a.stderr, "note: dependency requirements not shown: %v\n", err)
				}
			}
			out, err := g.RenderWhy(args[0])
			if err != nil {
				return &codeError{code: exitUsage, err: err}
			}
			_, err = a.stdout.Write([]byte(out))
			return err
		},
	}
	c.Flags().StringVar(&lock, "lock", "pylock.toml", "the lock `FILE`")
	stringsFlag(c.Flags(), &indexURLs, "index-url", "", "index `URL` for package metadata (default: the index recorded per package)")
	c.Flags().BoolVar(&offline, "offline", false, "do not read package metadata: show only the package on each edge")
	c.Flags().StringVar(&cacheDir, "cache-dir", "", "HTTP cache `DIR` (default: $PYLOCK_CACHE_DIR, else the user cache dir)")
	return c
}
