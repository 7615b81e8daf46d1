package main

import (
	"github.com/spf13/cobra"

	"github.com/pylock/pylock/audit"
	"github.com/pylock/pylock/internal/engine"
	"github.com/pylock/pylock/lockfile"
)

func init() { extraCommands = append(extraCommands, (*app).whyCommand) }

func (a *app) whyCommand() *cobra.Command {
	var lock string
	c := &cobra.Command{
		Use:   "why PKG",
		Short: "Show every path from the inputs to a locked package",
		Long: `Show why a package is in the lock: every chain of requirements from the
inputs (recorded in [tool.pylock]) to PKG, with the root requirement.`,
		Example: `  pylock why numpy
  pylock why typing-extensions --lock pylock.toml`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			l, err := lockfile.ReadFile(lock)
			if err != nil {
				return &codeError{code: engine.ExitUsage, err: err}
			}
			out, err := audit.NewGraph(l, nil).RenderWhy(args[0])
			if err != nil {
				return &codeError{code: engine.ExitUsage, err: err}
			}
			_, err = a.stdout.Write([]byte(out))
			return err
		},
	}
	c.Flags().StringVar(&lock, "lock", "pylock.toml", "the lock `FILE`")
	return c
}
