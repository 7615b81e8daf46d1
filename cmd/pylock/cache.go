package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/pylock/pylock"
)

func (a *app) cacheCommand() *cobra.Command {
	var cacheDir string
	c := &cobra.Command{
		Use:   "cache",
		Short: "Show, prune or clean pylock's cache",
		Long: `Manage the cache pylock resolves from: project pages, core metadata,
stored results, built metadata and git checkouts. It lives in --cache-dir,
else $PYLOCK_CACHE_DIR, else pylock under the user's cache directory
(~/.cache/pylock on Linux).`,
		Example: `  pylock cache dir
  pylock cache prune --dry-run
  pylock cache clean`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.PersistentFlags().StringVar(&cacheDir, "cache-dir", "", "the cache `DIR` (default: $PYLOCK_CACHE_DIR, else the user cache dir)")
	dir := func() (string, error) {
		d := pylock.CacheDir(cacheDir)
		if d == "" {
			return "", usageError("no cache directory: give --cache-dir or set PYLOCK_CACHE_DIR")
		}
		return d, nil
	}
	c.AddCommand(&cobra.Command{
		Use:   "dir",
		Short: "Print the cache directory",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			d, err := dir()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(a.stdout, d)
			return err
		},
	})
	var dryRun bool
	report := func(rep pylock.CacheReport, d string, err error) error {
		if err != nil {
			return &codeError{code: exitUsage, err: fmt.Errorf("%s: %w", d, err)}
		}
		verb := "Removed"
		if dryRun {
			verb = "Would remove"
			for _, p := range rep.Paths {
				fmt.Fprintln(a.stdout, p)
			}
		}
		fmt.Fprintf(a.stderr, "%s %s (%s) from %s\n", verb, plural(rep.Files, "file"), formatBytes(rep.Bytes), d)
		return nil
	}
	prune := &cobra.Command{
		Use:   "prune",
		Short: "Remove what this pylock will not read again",
		Long: `Remove from the cache what this version of pylock will not read again:
directories of older cache layouts (left by an earlier pylock), temporary
files more than an hour old (left by a killed process), and stored results
that can no longer be reused because a project page they came from has
changed. Everything a run can still use is kept, and other pylock processes
may use the cache meanwhile. --dry-run lists the paths instead.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			d, err := dir()
			if err != nil {
				return err
			}
			rep, err := pylock.PruneCache(d, time.Now(), dryRun)
			return report(rep, d, err)
		},
	}
	prune.Flags().BoolVar(&dryRun, "dry-run", false, "list what would be removed, remove nothing")
	clean := &cobra.Command{
		Use:   "clean",
		Short: "Remove the whole cache",
		Long: `Remove the whole cache directory. The next resolve fetches everything
again. --dry-run reports its size instead.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			d, err := dir()
			if err != nil {
				return err
			}
			rep, err := pylock.CleanCache(d, dryRun)
			return report(rep, d, err)
		},
	}
	clean.Flags().BoolVar(&dryRun, "dry-run", false, "report what would be removed, remove nothing")
	c.AddCommand(prune, clean)
	return c
}

// formatBytes renders n bytes with a binary unit ("1.5 MiB").
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}
