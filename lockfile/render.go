package lockfile

import (
	"bytes"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
)

// PyPISimple is pip's default index; plans add --index-url only for others.
const PyPISimple = "https://pypi.org/simple"

// RenderOptions tunes the plan renderers. The zero value is usable.
type RenderOptions struct {
	// LockPath names the lock in comments ("pylock.toml" when empty).
	LockPath string
	// IndexURL and ExtraIndexURLs override the indexes recorded in the
	// packages' "index" keys for pip's --index-url / --extra-index-url.
	IndexURL       string
	ExtraIndexURLs []string
	// Python is the interpreter of the shell plan ("python" when empty).
	Python string
	// StepDir is where the Dockerfile's per-step requirement files live in
	// the build context ("pylock-steps" when empty); they are copied to
	// /tmp/<StepDir>/ in the image.
	StepDir string
	// Inline makes the Dockerfile carry each step's requirements in a
	// heredoc (BuildKit, dockerfile:1.4+) instead of COPYing files.
	Inline bool
	// HeavySize is the wheel size from which a package gets the heavy
	// Dockerfile layer (DefaultHeavySize when 0).
	HeavySize int64
	// NetrcSecret makes every Dockerfile RUN that reaches the index mount
	// the BuildKit secret "netrc" at /root/.netrc, where pip reads index
	// credentials. It is implied when an index URL carries credentials:
	// those are stripped from the Dockerfile, never written into it.
	NetrcSecret bool
	// VerifyImports, when it has modules, ends the shell and Dockerfile
	// plans (and the JSON plan's verify_imports) with its import check.
	VerifyImports *ImportCheck
}

func (o RenderOptions) lockPath() string {
	if o.LockPath == "" {
		return "pylock.toml"
	}
	return o.LockPath
}

func (o RenderOptions) stepDir() string {
	if o.StepDir == "" {
		return "pylock-steps"
	}
	return strings.TrimSuffix(o.StepDir, "/")
}

// RenderPlan renders p in format "shell", "dockerfile" or "json".
func RenderPlan(p *InstallPlan, format string, o RenderOptions) ([]byte, error) {
	switch format {
	case "shell", "sh", "":
		return p.Shell(o), nil
	case "dockerfile", "docker":
		return p.Dockerfile(o), nil
	case "json":
		return p.JSON(o)
	}
	return nil, fmt.Errorf("unknown plan format %q (want shell, dockerfile or json)", format)
}

// IndexURLs returns the index URLs the plan's pip commands use, in
// --index-url, --extra-index-url order.
func (p *InstallPlan) IndexURLs(o RenderOptions) []string {
	var out []string
	args := indexArgs(p.allPackages(), o)
	for i := 1; i < len(args); i += 2 {
		out = append(out, args[i])
	}
	return out
}

// PipIndexArgs returns pip's index options for pkgs under o: the same
// --index-url / --extra-index-url the plans write.
func PipIndexArgs(pkgs []Package, o RenderOptions) []string { return indexArgs(pkgs, o) }

// StepRequirements renders packages as a requirements file for
// "pip install --no-deps --require-hashes -r": one pinned requirement per
// package with every hash pip accepts, in the given order.
func StepRequirements(pkgs []Package) []byte { return requirementsText(pkgs, true) }

// stripCredentials removes userinfo from URL arguments, reporting whether
// there was any: no plan writes index credentials.
func stripCredentials(args []string) ([]string, bool) {
	out := make([]string, len(args))
	found := false
	for i, a := range args {
		out[i] = a
		if u, err := url.Parse(a); err == nil && u.User != nil && u.Host != "" {
			u.User = nil
			out[i] = u.String()
			found = true
		}
	}
	return out, found
}

// indexArgs returns pip's index options for packages: the override from o,
// else the packages' recorded indexes (PyPI first, then sorted; nothing when
// PyPI is the only one, as it is pip's default).
func indexArgs(pkgs []Package, o RenderOptions) []string {
	var urls []string
	if o.IndexURL != "" {
		urls = append([]string{o.IndexURL}, o.ExtraIndexURLs...)
	} else {
		set := map[string]bool{}
		for i := range pkgs {
			if pkgs[i].Index != "" {
				set[strings.TrimSuffix(pkgs[i].Index, "/")] = true
			}
		}
		urls = sortedKeys(set)
		sort.SliceStable(urls, func(i, j int) bool { return urls[i] == PyPISimple && urls[j] != PyPISimple })
		if len(urls) == 1 && urls[0] == PyPISimple {
			urls = nil
		}
		if len(o.ExtraIndexURLs) > 0 {
			urls = append(urls, o.ExtraIndexURLs...)
		}
	}
	var args []string
	for i, u := range urls {
		if i == 0 {
			args = append(args, "--index-url", u)
		} else {
			args = append(args, "--extra-index-url", u)
		}
	}
	return args
}

// shellQuote quotes s for sh when it holds anything but safe characters.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = shellQuote(a)
	}
	return out
}

// allPackages returns every package of the plan, for index discovery.
func (p *InstallPlan) allPackages() []Package {
	var out []Package
	for _, s := range p.Steps {
		out = append(out, s.Packages...)
	}
	return out
}

// stepTitle describes a step in one line.
func stepTitle(s *Step) string {
	names := make([]string, len(s.Packages))
	for i := range s.Packages {
		names[i] = s.Packages[i].Name
	}
	list := strings.Join(names, ", ")
	if len(s.Packages) > 8 {
		list = strings.Join(names[:8], ", ") + fmt.Sprintf(", ... (%d packages)", len(s.Packages))
	}
	switch s.Kind {
	case StepInstallFirst:
		if len(s.Packages) == 1 {
			return s.Hint + " (install first)"
		}
		return s.Hint + " (install first) with its dependencies: " + list
	case StepHeavy:
		return "heavy packages: " + list
	case StepUnhashed:
		return "from VCS or local directories: " + list
	}
	return list
}

// requirementsText renders a step's requirements file.
func requirementsText(pkgs []Package, wrap bool) []byte {
	var b bytes.Buffer
	for i := range pkgs {
		writeRequirement(&b, &pkgs[i], wrap)
	}
	return b.Bytes()
}

// Shell renders p as a POSIX sh script: one
// "python -m pip install --no-deps --require-hashes -r /dev/stdin" per
// step, its requirements (with --hash options, which pip accepts only
// inside requirement files) fed in a quoted heredoc.
func (p *InstallPlan) Shell(o RenderOptions) []byte {
	py := o.Python
	if py == "" {
		py = "python"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "#!/bin/sh\n# Install plan for %s (generated by pylock): %d step%s.\n", o.lockPath(), len(p.Steps), plural(len(p.Steps)))
	b.WriteString("# Each step installs exact versions, checks every hash and resolves nothing.\n")
	b.WriteString(unhashedHeader(p))
	b.WriteString("set -eu\n")
	idx, creds := stripCredentials(indexArgs(p.allPackages(), o))
	if creds {
		b.WriteString("# Index credentials are not written here: pip reads them from ~/.netrc\n# (or a keyring).\n")
	}
	cmd := append([]string{shellQuote(py), "-m", "pip", "install", "--no-deps", "--require-hashes"}, quoteAll(idx)...)
	for i := range p.Steps {
		s := &p.Steps[i]
		fmt.Fprintf(&b, "\n# Step %d/%d: %s\n", i+1, len(p.Steps), stepTitle(s))
		for _, n := range s.Notes {
			b.WriteString("# Note: " + n + "\n")
		}
		b.WriteString(strings.Join(stepCmd(cmd, s), " "))
		b.WriteString(" -r /dev/stdin <<'EOF'\n")
		b.Write(requirementsText(s.Packages, true))
		b.WriteString("EOF\n")
	}
	if cmd := o.VerifyImports.Command(py); cmd != nil {
		b.WriteString("\n# Verify: import the modules of the packages with compiled extensions.\n")
		writeNotes(&b, o.VerifyImports.Notes)
		b.WriteString(strings.Join(quoteAll(cmd), " ") + "\n")
	}
	return b.Bytes()
}

func writeNotes(b *bytes.Buffer, notes []string) {
	for _, n := range notes {
		b.WriteString("# Note: " + n + "\n")
	}
}

// StepFile is a per-step requirements file of a Dockerfile plan.
type StepFile struct {
	Name    string // path in the build context, "pylock-steps/01-numpy.txt"
	Content []byte
}

// DockerfileFiles returns the requirement files the (non-inline)
// Dockerfile COPYs, one per layer, named after the step.
func (p *InstallPlan) DockerfileFiles(o RenderOptions) []StepFile {
	steps := p.DockerSteps(o.HeavySize)
	files := make([]StepFile, len(steps))
	for i := range steps {
		files[i] = StepFile{
			Name:    path.Join(o.stepDir(), stepFileName(i, &steps[i])),
			Content: requirementsText(steps[i].Packages, true),
		}
	}
	return files
}

func stepFileName(i int, s *Step) string {
	var what string
	switch s.Kind {
	case StepInstallFirst:
		what = s.Hint
	case StepHeavy:
		what = "heavy"
	case StepUnhashed:
		what = "unhashed"
	default:
		what = "packages"
	}
	return fmt.Sprintf("%02d-%s.txt", i+1, what)
}

// Dockerfile renders p as Dockerfile instructions to paste after FROM:
// one RUN layer per step of DockerSteps (install-first hints, then heavy
// packages, then the rest), each "pip install --no-cache-dir --no-deps
// --require-hashes". By default each layer COPYs its requirement file
// (DockerfileFiles) just before its RUN, so a changed light package leaves
// the earlier layers cached; with o.Inline the requirements ride in a
// heredoc instead (one line per requirement, no continuations).
func (p *InstallPlan) Dockerfile(o RenderOptions) []byte {
	steps := p.DockerSteps(o.HeavySize)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Install steps for %s (generated by pylock): paste after FROM.\n", o.lockPath())
	if o.Inline {
		b.WriteString("# The heredocs need BuildKit (Dockerfile syntax 1.4 or later; start the\n")
		b.WriteString("# Dockerfile with \"# syntax=docker/dockerfile:1\" on older Docker).\n")
	}
	b.WriteString("# Install-first and heavy packages get their own layers first, so that\n")
	b.WriteString("# changing a light dependency does not rebuild them.\n")
	if !o.Inline {
		fmt.Fprintf(&b, "# The %s/ files are written next to this Dockerfile.\n", o.stepDir())
	}
	idx, creds := stripCredentials(indexArgs(p.allPackages(), o))
	run := "RUN "
	if creds || o.NetrcSecret {
		run = "RUN --mount=type=secret,id=netrc,target=/root/.netrc "
		b.WriteString("# Index credentials come from the BuildKit secret \"netrc\", never from\n")
		b.WriteString("# the Dockerfile: docker build --secret id=netrc,src=$HOME/.netrc .\n")
	}
	cmd := append([]string{"pip", "install", "--no-cache-dir", "--no-deps", "--require-hashes"}, quoteAll(idx)...)
	files := p.DockerfileFiles(o)
	for i := range steps {
		s := &steps[i]
		fmt.Fprintf(&b, "\n# Step %d/%d: %s\n", i+1, len(steps), stepTitle(s))
		for _, n := range s.Notes {
			b.WriteString("# Note: " + n + "\n")
		}
		for _, n := range copyAdvice(localDirs(s.Packages)) {
			b.WriteString("# " + n + "\n")
		}
		cmd := strings.Join(stepCmd(cmd, s), " ")
		if o.Inline {
			b.WriteString(run + cmd + " -r /dev/stdin <<'EOF'\n")
			b.Write(requirementsText(s.Packages, false))
			b.WriteString("EOF\n")
			continue
		}
		dst := "/tmp/" + files[i].Name
		fmt.Fprintf(&b, "COPY %s %s\n", files[i].Name, dst)
		fmt.Fprintf(&b, "%s%s -r %s\n", run, cmd, dst)
	}
	if cmd := o.VerifyImports.Command("python"); cmd != nil {
		b.WriteString("\n# Verify: import the modules of the packages with compiled extensions,\n")
		b.WriteString("# so that a broken binary stack fails the build, not the first run.\n")
		writeNotes(&b, o.VerifyImports.Notes)
		b.WriteString("RUN " + strings.Join(quoteAll(cmd), " ") + "\n")
	}
	return b.Bytes()
}

// stepCmd is cmd for step s: without --require-hashes for a StepUnhashed.
func stepCmd(cmd []string, s *Step) []string {
	if s.Kind != StepUnhashed {
		return cmd
	}
	out := make([]string, 0, len(cmd))
	for _, a := range cmd {
		if a != "--require-hashes" {
			out = append(out, a)
		}
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
