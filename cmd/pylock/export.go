package main

import (
	"github.com/spf13/cobra"

	"github.com/pylock/pylock/lockfile"
)

func (a *app) exportCommand() *cobra.Command {
	var f planFlags
	var output string
	c := &cobra.Command{
		Use:   "export [LOCKFILE]",
		Short: "Write an existing lock as pinned requirements, JSON, a Dockerfile or a shell plan",
		Long: `Write the PEP 751 lock LOCKFILE (default pylock.toml) in another form,
without resolving again:

  requirements  pinned requirements with --hash lines, as pylock resolve
                writes them to a .txt output (pip install --no-deps
                --require-hashes -r FILE)
  json          the JSON report (schema pylock-report/1), plan included
  dockerfile    the install plan as Dockerfile RUN layers (as pylock plan)
  shell         the install plan as a POSIX sh script (as pylock plan)

-o writes the file atomically (all or nothing); without it (or with -o -)
the output goes to stdout. --install-first, --index-url, --extra-index-url,
--netrc and --verify-imports shape the plan (json, dockerfile, shell) as
they do for pylock plan.

Exit codes: 0 ok, 2 unreadable or invalid lock, bad flag or unwritable output.`,
		Example: `  pylock export --format requirements -o requirements.txt
  pylock export pylock.toml --format dockerfile --index-url https://pypi.org/simple --verify-imports -o Dockerfile.deps`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			path := "pylock.toml"
			if len(args) == 1 {
				path = args[0]
			}
			return a.runExport(path, output, f)
		},
	}
	c.Flags().StringVar(&f.format, "format", "", "output `FORMAT`: requirements, json, dockerfile or shell (required)")
	completeValues(c, "format", "requirements", "json", "dockerfile", "shell")
	c.Flags().StringVarP(&output, "output", "o", "-", "write to `PATH` (atomically) instead of stdout")
	f.register(c)
	return c
}

func (a *app) runExport(path, output string, f planFlags) error {
	var data []byte
	var err error
	switch f.format {
	case "requirements":
		if f.indexURL != "" || len(f.extraIndexURLs) > 0 || f.netrc || f.verifyImports || len(f.installFirst) > 0 {
			return usageError("--format requirements takes no plan flags (--install-first, --index-url, --extra-index-url, --netrc, --verify-imports)")
		}
		var l *lockfile.Lock
		if l, err = readPlannableLock(path); err != nil {
			return err
		}
		data, err = render(l, formatRequirements) // as resolve writes a .txt output
	case "json":
		f.format = "report"
		data, err = a.renderPlan(path, f)
	case "dockerfile", "shell":
		data, err = a.renderPlan(path, f)
	case "":
		return usageError("--format is required: requirements, json, dockerfile or shell")
	default:
		return usageError("invalid --format %q: want requirements, json, dockerfile or shell", f.format)
	}
	if err != nil {
		return err
	}
	if output == "-" {
		_, err = a.stdout.Write(data)
		return err
	}
	if err := checkOutputDir(output); err != nil {
		return err
	}
	if err := lockfile.WriteFileAtomic(output, data); err != nil {
		return usageError("cannot write %s: %v", output, err)
	}
	return nil
}
