package audit

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
)

// LoadInputs reads the inputs to audit lock l (read from lockPath) against,
// with the loader pylock resolve uses (pypi/inputs): the given files, all
// as requirements; else the inputs the lock records with their roles
// ([[tool.pylock.input]], pyproject extras and groups included); else, for
// locks made before roles were recorded, the recorded input paths with
// roles recovered from the recorded command (legacyRoles). Recorded paths
// are found relative to the lock's directory, then as given; recorded
// inputs that no longer exist are reported in Missing. The inputs hash is
// recomputed when every recorded file was read. nil when the lock records
// no inputs and none are given.
func LoadInputs(l *lockfile.Lock, lockPath string, files []string) (*Inputs, error) {
	if len(files) > 0 {
		in, read, err := load(l, inputs.FromPaths(reqfile.PyprojectOptions{}, files...), nil)
		if err != nil {
			return nil, err
		}
		if recorded, ok := locateAll(l.Tool.Inputs, lockPath); ok && samePaths(read, recorded) {
			in.Hash = inputs.HashContents(contents(read))
		}
		return in, nil
	}
	specs, missing, stdin := recordedInputs(l, lockPath)
	if len(specs) == 0 && len(missing) == 0 {
		return nil, nil
	}
	var heuristic func([]pep508.Requirement) inputs.Role
	if len(l.Tool.InputRoles) == 0 {
		heuristic = func(reqs []pep508.Requirement) inputs.Role { return guessRole(l, reqs) }
	}
	in, read, err := load(l, specs, heuristic)
	if err != nil {
		return nil, err
	}
	in.Missing = missing
	if len(missing) == 0 && !stdin {
		in.Hash = inputs.HashContents(contents(read))
	}
	return in, nil
}

// recordedInputs lists the lock's recorded inputs that exist (paths to
// open, with their roles), those that do not, and whether stdin was one.
func recordedInputs(l *lockfile.Lock, lockPath string) (specs []inputs.Input, missing []string, stdin bool) {
	recs := l.Tool.InputRoles
	if len(recs) == 0 {
		roles := legacyRoles(l.Tool.Command, lockPath)
		for _, p := range l.Tool.Inputs {
			recs = append(recs, lockfile.ToolInput{Path: p, Role: string(roles[p])})
		}
	}
	for _, r := range recs {
		if r.Path == "-" || r.Path == "<stdin>" {
			stdin = true
			continue
		}
		actual, ok := inputs.Locate(r.Path, lockPath)
		if !ok {
			missing = append(missing, r.Path)
			continue
		}
		spec := inputs.Input{Path: actual, Role: inputs.Role(r.Role)}
		if spec.Role == "" {
			spec = inputs.FromPaths(reqfile.PyprojectOptions{}, actual)[0]
		}
		spec.Select = reqfile.PyprojectOptions{Extras: r.Extras, Groups: r.Groups, AllExtras: r.AllExtras, AllGroups: r.AllGroups}
		specs = append(specs, spec)
	}
	return specs, missing, stdin
}

// load reads specs one by one (an input already read as another's include
// is not read again) and sorts their requirements by role: requirements
// are checked, constraints only restrict, overrides are skipped (and the
// requirements they override dropped). guess, when set, picks the role of
// an input recorded without one from its requirements. It returns every
// file read, in order.
func load(l *lockfile.Lock, specs []inputs.Input, guess func([]pep508.Requirement) inputs.Role) (*Inputs, []inputs.File, error) {
	in := &Inputs{}
	var read []inputs.File
	seen := map[string]bool{}
	overrides := slices.Clone(l.Tool.Overrides)
	for _, spec := range specs {
		if seen[filepath.Clean(spec.Path)] {
			continue
		}
		set, err := inputs.Load([]inputs.Input{spec}, nil)
		if err != nil {
			return nil, nil, err
		}
		for _, f := range set.Files {
			if k := filepath.Clean(f.Path); !seen[k] {
				seen[k] = true
				read = append(read, f)
			}
		}
		in.Files = append(in.Files, spec.Path)
		reqs, cons := named(set.Requirements), named(set.Constraints)
		for _, o := range named(set.Overrides) {
			overrides = append(overrides, o.String())
		}
		role := spec.Role
		if guess != nil && role == inputs.Requirements {
			role = guess(reqs)
		}
		switch role {
		case inputs.Override:
			continue // nothing to satisfy
		case inputs.Constraint:
			reqs, cons = nil, append(reqs, cons...)
		}
		in.Requirements = append(in.Requirements, reqs...)
		in.Constraints = append(in.Constraints, cons...)
	}
	in.Requirements = dropOverridden(in.Requirements, overrides)
	return in, read, nil
}

// guessRole is the role of an input of an old lock whose command did not
// name it: override or constraint when its requirements are recorded as
// such and not as requirements.
func guessRole(l *lockfile.Lock, reqs []pep508.Requirement) inputs.Role {
	switch {
	case recordedIn(reqs, l.Tool.Overrides) && !recordedIn(reqs, l.Tool.Requirements):
		return inputs.Override
	case recordedIn(reqs, l.Tool.Constraints) && !recordedIn(reqs, l.Tool.Requirements):
		return inputs.Constraint
	}
	return inputs.Requirements
}

// named keeps the entries that name a project.
func named(es []reqfile.Entry) []pep508.Requirement {
	out := make([]pep508.Requirement, 0, len(es))
	for _, e := range es {
		if e.Requirement.Name != "" {
			out = append(out, e.Requirement)
		}
	}
	return out
}

// recordedIn reports whether any of reqs is recorded (as written) in list.
func recordedIn(reqs []pep508.Requirement, list []string) bool {
	for _, r := range reqs {
		if slices.Contains(list, r.String()) {
			return true
		}
	}
	return false
}

// dropOverridden removes requirements on packages the lock overrides.
func dropOverridden(reqs []pep508.Requirement, overrides []string) []pep508.Requirement {
	over := map[string]bool{}
	for _, s := range overrides {
		if r, err := pep508.ParseRequirement(s); err == nil {
			over[r.NormalizedName()] = true
		}
	}
	out := reqs[:0]
	for _, r := range reqs {
		if !over[r.NormalizedName()] {
			out = append(out, r)
		}
	}
	return out
}

func contents(fs []inputs.File) [][]byte {
	out := make([][]byte, len(fs))
	for i, f := range fs {
		out[i] = f.Data
	}
	return out
}

// locateAll finds every recorded path (false when one is missing or stdin).
func locateAll(recorded []string, lockPath string) ([]string, bool) {
	var out []string
	for _, p := range recorded {
		a, ok := inputs.Locate(p, lockPath)
		if !ok || p == "-" {
			return nil, false
		}
		out = append(out, a)
	}
	return out, len(out) > 0
}

// samePaths reports whether the files read are the recorded ones, in order.
func samePaths(read []inputs.File, paths []string) bool {
	return slices.EqualFunc(read, paths, func(f inputs.File, p string) bool {
		return filepath.Clean(f.Path) == filepath.Clean(p)
	})
}

// legacyRoles recovers the roles of a lock made before pylock recorded
// them: the -c/--constraint and --override files named on the recorded
// command line, keyed by the path as typed and as the lock records it
// (relative to its directory). Other inputs are requirements (or guessed
// by guessRole).
func legacyRoles(command, lockPath string) map[string]inputs.Role {
	args := shellSplit(command)
	roles := map[string]inputs.Role{}
	add := func(p string, r inputs.Role) {
		roles[p] = r
		roles[inputs.LockRelative(p, lockPath)] = r
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		for flag, role := range map[string]inputs.Role{"-c": inputs.Constraint, "--constraint": inputs.Constraint, "--override": inputs.Override} {
			switch {
			case a == flag && i+1 < len(args):
				add(args[i+1], role)
			case strings.HasPrefix(a, flag+"=") && strings.HasPrefix(flag, "--"):
				add(strings.TrimPrefix(a, flag+"="), role)
			case flag == "-c" && strings.HasPrefix(a, "-c") && len(a) > 2 && !strings.HasPrefix(a, "--"):
				add(a[2:], role)
			}
		}
	}
	return roles
}

// shellSplit splits a command recorded by pylock resolve: words separated
// by blanks, single quotes around words with special characters (a quote
// inside is written as quote, backslash, quote, quote).
func shellSplit(s string) []string {
	var out []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case (r == ' ' || r == '\t') && !quoted:
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}
