package pylock

import (
	"os"
	"strings"
	"time"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	pyinputs "github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/target"
)

// buildTool is the [tool.pylock] table: how the lock was made (inputs with
// their roles and hash, requirements, options, command), for audit and for
// people; it never changes what is installed (PEP 751).
func buildTool(req Options, in *inputs, iopts index.Options, t target.Target) lockfile.Tool {
	tool := lockfile.Tool{
		Requirements: uniqueStrings(requirementStrings(in.requirements)),
		Constraints:  uniqueStrings(requirementStrings(in.constraints)),
		Overrides:    uniqueStrings(requirementStrings(in.overrides)),
		Via:          viaTable(in, req.LockPath),
		Target:       t.String(),
		InstallFirst: names.CanonicalList(req.InstallFirst),
		Command:      req.Command,
		Options:      map[string]string{},
		InputRoles:   recordInputs(req.Inputs, req.LockPath),
	}
	set := &pyinputs.Set{Files: in.files}
	for _, f := range in.files {
		tool.Inputs = append(tool.Inputs, pyinputs.LockRelative(f.Path, req.LockPath))
	}
	tool.InputsHash = set.Hash()
	put := func(k, v string) {
		if v != "" {
			tool.Options[k] = v
		}
	}
	getenv := req.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	put("index-url", envPlaceholder(iopts.IndexURL, getenv, "PYLOCK_INDEX_URL", "PIP_INDEX_URL", func(u string) string {
		return placeholderURL(u, in.envRefs, osLookupEnv)
	}))
	put("extra-index-url", envPlaceholder(strings.Join(iopts.ExtraIndexURLs, " "), getenv, "PIP_EXTRA_INDEX_URL", "", func(string) string {
		return placeholderJoin(iopts.ExtraIndexURLs, in.envRefs)
	}))
	put("find-links", placeholderJoin(iopts.FindLinks, in.envRefs))
	put("index-strategy", string(iopts.Strategy))
	put("python-version", firstNonEmpty(req.Target.PythonVersion, t.Python.String()))
	put("python-platform", req.Target.Platform)
	put("prerelease", string(req.Prerelease))
	put("resolution", string(req.Resolution))
	put("exclude-newer", FormatCutoff(req.ExcludeNewer))
	put("only-binary", strings.Join(req.OnlyBinary, ","))
	put("no-binary", strings.Join(req.NoBinary, ","))
	tool.Options["abi-guard"] = "on"
	if req.NoABIGuard {
		tool.Options["abi-guard"] = "off"
	}
	recordPyprojectOptions(&tool, req.Inputs)
	return tool
}

// FormatCutoff renders an exclude-newer cutoff as recorded in
// [tool.pylock] options: a date when it is UTC midnight, else RFC 3339 in
// UTC; "" for the zero time.
func FormatCutoff(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// recordInputs lists the inputs with their roles for [[tool.pylock.input]].
func recordInputs(ins []pyinputs.Input, lockPath string) []lockfile.ToolInput {
	out := make([]lockfile.ToolInput, 0, len(ins))
	for _, in := range ins {
		ti := lockfile.ToolInput{Path: pyinputs.LockRelative(in.Path, lockPath), Role: string(in.Role)}
		if in.Role == pyinputs.Pyproject {
			ti.Extras, ti.Groups = in.Select.Extras, in.Select.Groups
			ti.AllExtras, ti.AllGroups = in.Select.AllExtras, in.Select.AllGroups
		}
		out = append(out, ti)
	}
	return out
}

// recordPyprojectOptions adds the extras and groups selected (the same for
// every pyproject.toml input) to [tool.pylock] options.
func recordPyprojectOptions(tool *lockfile.Tool, ins []pyinputs.Input) {
	for _, in := range ins {
		if in.Role != pyinputs.Pyproject {
			continue
		}
		o := in.Select
		if len(o.Extras) > 0 {
			tool.Options["extra"] = strings.Join(o.Extras, ",")
		}
		if o.AllExtras {
			tool.Options["all-extras"] = "true"
		}
		if len(o.Groups) > 0 {
			tool.Options["group"] = strings.Join(o.Groups, ",")
		}
		if o.AllGroups {
			tool.Options["all-groups"] = "true"
		}
		return
	}
}

// universalTool is [tool.pylock] of a universal lock: no single target,
// python-version only when given.
func universalTool(req Options, in *inputs, iopts index.Options, t target.Target, requiresPython string) lockfile.Tool {
	tool := buildTool(req, in, iopts, t)
	tool.Target = "universal (requires-python " + requiresPython + ")"
	if req.Target.PythonVersion == "" {
		delete(tool.Options, "python-version")
	}
	tool.Options["universal"] = "true"
	return tool
}

// envPlaceholder records an index value that came, with credentials, from
// one of the environment variables vars as a "${VAR}" reference (pip
// expands it in a requirements file), so that a pinned requirements file
// names the index with the user's own credentials and never writes them;
// any other value is recorded by other.
func envPlaceholder(value string, getenv func(string) string, var1, var2 string, other func(string) string) string {
	if value == "" || !strings.Contains(value, "@") {
		return other(value)
	}
	for _, v := range []string{var1, var2} {
		if v != "" && strings.TrimSpace(getenv(v)) == value && other(value) != value {
			return "${" + v + "}"
		}
	}
	return other(value)
}

// placeholderJoin records URLs space-separated, credentials as ${NAME}
// placeholders or dropped (placeholderURL).
func placeholderJoin(us []string, refs []string) string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = placeholderURL(u, refs, osLookupEnv)
	}
	return strings.Join(out, " ")
}
