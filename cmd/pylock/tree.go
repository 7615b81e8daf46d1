package main

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/pylock/pylock/lockfile"
)

func (a *app) treeCommand() *cobra.Command {
	var (
		lock, format string
		invert       bool
		depth        int
	)
	c := &cobra.Command{
		Use:   "tree",
		Short: "Print the dependency tree of a lock",
		Long: `Print the locked dependency tree from the inputs down (or, with --invert,
from each package up to what needs it). A package whose dependencies were
already shown earlier is marked (*) and not expanded again.`,
		Example: `  pylock tree
  pylock tree --invert --depth 1
  pylock tree --format json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return usageError("invalid --format %q: want text or json", format)
			}
			if depth < 0 {
				return usageError("--depth must be >= 0")
			}
			l, err := readLockFile(lock)
			if err != nil {
				return &codeError{code: exitUsage, err: err}
			}
			nodes := lockfile.NewGraph(l).Tree(invert, depth)
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if nodes == nil {
					nodes = []*lockfile.TreeNode{}
				}
				return enc.Encode(nodes)
			}
			_, err = a.stdout.Write([]byte(lockfile.RenderTree(nodes)))
			return err
		},
	}
	c.Flags().StringVar(&lock, "lock", "pylock.toml", "the lock `FILE`")
	c.Flags().StringVar(&format, "format", "text", "text or json")
	c.Flags().BoolVar(&invert, "invert", false, "show what requires each package instead")
	c.Flags().IntVar(&depth, "depth", 0, "limit the depth (0 = unlimited)")
	return c
}
