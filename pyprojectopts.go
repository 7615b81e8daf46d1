package pylock

import (
	"errors"
	"slices"
	"strings"

	"github.com/pylock/pylock/lockfile"
)

// checkPyprojectOptions rejects --extra / --all-extras / --group /
// --all-groups when no input is a pyproject.toml (requirements files have
// no extras or groups to select).
func checkPyprojectOptions(req Request) error {
	o := req.Pyproject
	if len(o.Extras) == 0 && !o.AllExtras && len(o.Groups) == 0 && !o.AllGroups {
		return nil
	}
	if slices.ContainsFunc(req.Inputs, isPyproject) {
		return nil
	}
	return errors.New("--extra, --all-extras, --group and --all-groups select from a pyproject.toml: give one as input")
}

// recordPyprojectOptions adds the extras and groups selected to
// [tool.pylock] options.
func recordPyprojectOptions(tool *lockfile.Tool, req Request) {
	o := req.Pyproject
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
}
