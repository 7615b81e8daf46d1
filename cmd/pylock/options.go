package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/pylock/pylock"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/pypi/target"
)

// resolveFlags are the values of `pylock resolve`'s flags as typed; parse
// turns them into pylock.Options.
type resolveFlags struct {
	raw          rawResolveFlags
	requirements []string
	output       string
	format       string
	quiet        bool
	verbose      bool
	noProgress   bool
	abiGuard     bool // --abi-guard: the default, accepted as a no-op
	// defaultInput is the file parse chose when no input was given ("" otherwise)
	defaultInput string
	// pinned requirements output only
	noEmitIndexURL bool
	noEmitPackages []string
}

// rawResolveFlags holds the pylock.Options fields that need no parsing,
// bound to their flags directly (the embedded Options), and the flag
// strings that parse turns into typed values.
type rawResolveFlags struct {
	pylock.Options
	constraints    []string
	overrides      []string
	pyproject      reqfile.PyprojectOptions
	indexStrategy  string
	pythonVersion  string
	pythonPlatform string
	prerelease     string
	resolution     string
	excludeNewer   string
	environments   []string
	requiredEnvs   []string
}

// parse builds the pylock.Options of one `pylock resolve` (positional
// inputs args) and its output format. Every bad value is a usage error
// (exit 2) naming its flag, reported before anything is read or fetched.
func (f *resolveFlags) parse(args []string) (pylock.Options, string, error) {
	r := &f.raw
	o := r.Options
	paths := append(slices.Clone(args), f.requirements...)
	if len(paths) == 0 {
		def, err := defaultInput()
		if err != nil {
			return o, "", err
		}
		if def == "" {
			return o, "", usageError("no input: give a requirements file, a pyproject.toml, -r FILE or - for stdin (there is no %s in the current directory; see 'pylock resolve --help')", strings.Join(defaultInputs, " or "))
		}
		f.defaultInput = def
		paths = []string{def}
	}
	sel := r.pyproject
	if (len(sel.Extras) > 0 || sel.AllExtras || len(sel.Groups) > 0 || sel.AllGroups) && !slices.ContainsFunc(paths, inputs.IsPyproject) {
		return o, "", usageError("--extra, --all-extras, --group and --all-groups select from a pyproject.toml: give one as input")
	}
	o.Inputs = inputs.FromPaths(sel, paths...)
	o.Inputs = append(o.Inputs, inputs.WithRole(inputs.Constraint, r.constraints...)...)
	o.Inputs = append(o.Inputs, inputs.WithRole(inputs.Override, r.overrides...)...)
	format := formatFor(f.output, f.format)
	if format == "" {
		if f.format != "" {
			return o, "", usageError("invalid --format %q: want toml, requirements or json", f.format)
		}
		return o, "", usageError("cannot tell the format of %q from its extension (.toml, .txt, .json): use --format", f.output)
	}
	if format != formatRequirements && (f.noEmitIndexURL || len(f.noEmitPackages) > 0) {
		return o, "", usageError("--no-emit-index-url and --no-emit-package apply to pinned requirements (-o FILE.txt or --format requirements), not to %s output", format)
	}
	if f.output != "-" {
		if err := checkOutputDir(f.output); err != nil {
			return o, "", err
		}
		o.LockPath = f.output
		// An existing lock's or pinned requirements' pins are preferred.
		if ext := formatFor(f.output, ""); ext == formatTOML || ext == formatRequirements {
			o.PreviousLock = f.output
		}
	}
	if err := r.parseValues(&o); err != nil {
		return o, "", &codeError{code: exitUsage, err: err}
	}
	return o, format, nil
}

// parseMarkers parses the values of a repeatable marker flag.
func parseMarkers(flag string, values []string) ([]pep508.Marker, error) {
	var out []pep508.Marker
	for _, v := range values {
		m, err := pep508.ParseMarker(v)
		if err != nil {
			var se *pep508.SyntaxError
			if errors.As(err, &se) { // the marker is quoted once, not twice
				return nil, fmt.Errorf("invalid %s %s: %s at column %d", flag, pep508.Excerpt(v, se.Pos), se.Msg, se.Column())
			}
			return nil, fmt.Errorf("invalid %s %q: %w", flag, v, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// requirementsOptions are the pinned requirements' rendering options.
func (f *resolveFlags) requirementsOptions() lockfile.RequirementsOptions {
	return lockfile.RequirementsOptions{NoEmitIndexURL: f.noEmitIndexURL, NoEmitPackages: names.CanonicalList(f.noEmitPackages)}
}

// parseValues parses the flag strings with a value syntax into o.
func (r *rawResolveFlags) parseValues(o *pylock.Options) error {
	var err error
	if r.prerelease != "" {
		if o.Prerelease, err = pylock.ParsePrerelease(r.prerelease); err != nil {
			return err
		}
	}
	if r.resolution != "" {
		if o.Resolution, err = pylock.ParseResolution(r.resolution); err != nil {
			return err
		}
	}
	if r.indexStrategy != "" {
		if o.IndexStrategy, err = pylock.ParseIndexStrategy(r.indexStrategy); err != nil {
			return err
		}
	}
	if r.excludeNewer != "" {
		if o.ExcludeNewer, err = parseExcludeNewer(r.excludeNewer); err != nil {
			return err
		}
	}
	var fc reqfile.FormatControl
	if err := pylock.ApplyFormatControl(&fc, o.OnlyBinary, o.NoBinary); err != nil {
		return err
	}
	if o.Environments, err = parseMarkers("--environment", r.environments); err != nil {
		return err
	}
	if o.RequiredEnvironments, err = parseMarkers("--required-environment", r.requiredEnvs); err != nil {
		return err
	}
	if !o.Universal && len(o.Environments)+len(o.RequiredEnvironments) > 0 {
		return errors.New("--environment and --required-environment apply to universal locks: add --universal")
	}
	o.Target = pylock.TargetSpec{PythonVersion: r.pythonVersion, Platform: r.pythonPlatform}
	if o.Target != (pylock.TargetSpec{}) {
		if _, err := target.New(o.Target.PythonVersion, o.Target.Platform); err != nil {
			return err
		}
	}
	return nil
}

// defaultInputs are the files `pylock resolve` reads, in this order, when it
// is given no input: the project's pyproject.toml (as uv lock does), else a
// requirements.in (as pip-compile does).
var defaultInputs = []string{"pyproject.toml", "requirements.in"}

// defaultInput is the first of defaultInputs present in the current
// directory, or "" when there is none.
func defaultInput() (string, error) {
	for _, name := range defaultInputs {
		st, err := os.Stat(name)
		switch {
		case err == nil && st.Mode().IsRegular():
			return name, nil
		case err == nil:
			return "", usageError("no input given and %s is not a regular file", name)
		case !errors.Is(err, fs.ErrNotExist):
			return "", usageError("no input given and cannot read %s: %v", name, err)
		}
	}
	return "", nil
}
