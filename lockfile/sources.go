package lockfile

import (
	"fmt"
	"path/filepath"
	"strings"
)

// VCSSource is a package's [packages.vcs] table in typed form (PEP 751):
// the repository (URL, or a path relative to the lock), the revision the
// user asked for and the commit it resolved to.
type VCSSource struct {
	Type              string // "git"
	URL               string
	Path              string
	RequestedRevision string // as written after "@"; "" for the default branch
	CommitID          string // full commit id (required)
	Subdirectory      string
}

// Table returns v as the generic table Package.VCS holds.
func (v VCSSource) Table() map[string]any {
	m := map[string]any{"type": v.Type, "commit-id": v.CommitID}
	setNonEmpty(m, "url", v.URL)
	setNonEmpty(m, "path", v.Path)
	setNonEmpty(m, "requested-revision", v.RequestedRevision)
	setNonEmpty(m, "subdirectory", v.Subdirectory)
	return m
}

// DirectorySource is a package's [packages.directory] table: a local
// project directory, path relative to the lock (or absolute).
type DirectorySource struct {
	Path         string
	Editable     bool
	Subdirectory string
}

// Table returns d as the generic table Package.Directory holds.
func (d DirectorySource) Table() map[string]any {
	m := map[string]any{"path": d.Path}
	if d.Editable {
		m["editable"] = true
	}
	setNonEmpty(m, "subdirectory", d.Subdirectory)
	return m
}

func setNonEmpty(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// VCSSource returns p's [packages.vcs] table in typed form; ok is false
// when p has none. Keys of the wrong type read as empty (Validate reports
// them).
func (p *Package) VCSSource() (v VCSSource, ok bool) {
	if p.VCS == nil {
		return v, false
	}
	s := func(k string) string { x, _ := p.VCS[k].(string); return x }
	return VCSSource{Type: s("type"), URL: s("url"), Path: s("path"), RequestedRevision: s("requested-revision"),
		CommitID: s("commit-id"), Subdirectory: s("subdirectory")}, true
}

// DirectorySource returns p's [packages.directory] table in typed form;
// ok is false when p has none.
func (p *Package) DirectorySource() (d DirectorySource, ok bool) {
	if p.Directory == nil {
		return d, false
	}
	d.Path, _ = p.Directory["path"].(string)
	d.Editable, _ = p.Directory["editable"].(bool)
	d.Subdirectory, _ = p.Directory["subdirectory"].(string)
	return d, true
}

// Unhashable reports whether pip cannot check p with --require-hashes: a
// VCS checkout or a local directory (pip refuses hash checking for both,
// and for every editable).
func (p *Package) Unhashable() bool { return p.VCS != nil || p.Directory != nil }

// localPathArg renders a path from the lock as a pip requirement-file path:
// forward slashes, "./" in front of a relative path so pip reads it as a
// path rather than a project name.
func localPathArg(p string) string {
	p = filepath.ToSlash(p)
	if filepath.IsAbs(p) || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") {
		return p
	}
	return "./" + p
}

// directoryLine is the requirement for a directory package: "-e ./pkg" for
// an editable (pip's -e takes no marker: it is given in a comment), else
// "./pkg" with the marker.
func directoryLine(p *Package, d DirectorySource) string {
	target := localPathArg(d.Path)
	if d.Subdirectory != "" {
		target = strings.TrimSuffix(target, "/") + "/" + d.Subdirectory
	}
	if d.Editable {
		s := "-e " + target
		if p.Marker != "" {
			s += "  # only where " + p.Marker
		}
		return s
	}
	if p.Marker != "" {
		return target + " ; " + p.Marker
	}
	return target
}

// unhashedNote explains a step of packages pip installs without
// --require-hashes.
const unhashedNote = "pip refuses --require-hashes for VCS checkouts, local directories and editables: " +
	"installed without hash checking, pinned to the locked commit or path"

// splitUnhashable moves the VCS and directory packages of every step into
// a step of their own right after it (kind StepUnhashed), so that the
// other packages keep --require-hashes.
func splitUnhashable(steps []Step) []Step {
	var out []Step
	for _, s := range steps {
		var hashed, unhashed []Package
		for _, p := range s.Packages {
			if p.Unhashable() {
				unhashed = append(unhashed, p)
			} else {
				hashed = append(hashed, p)
			}
		}
		if len(unhashed) == 0 {
			out = append(out, s)
			continue
		}
		if len(hashed) > 0 {
			h := s
			h.Packages = hashed
			out = append(out, h)
		}
		out = append(out, Step{Kind: StepUnhashed, Packages: unhashed, Notes: []string{unhashedNote}})
	}
	return out
}

// localDirs returns the local directories a step's packages are installed
// from (as written in the requirements), for the Dockerfile's COPY advice.
func localDirs(pkgs []Package) []string {
	var out []string
	for i := range pkgs {
		if d, ok := pkgs[i].DirectorySource(); ok {
			out = append(out, localPathArg(d.Path))
		}
		if pkgs[i].Archive != nil && pkgs[i].Archive.URL == "" && pkgs[i].Archive.Path != "" {
			out = append(out, localPathArg(pkgs[i].Archive.Path))
		}
	}
	return uniqueSorted(out)
}

// copyAdvice is the Dockerfile comment naming what must be COPYed into the
// image before a step that installs local paths.
func copyAdvice(dirs []string) []string {
	if len(dirs) == 0 {
		return nil
	}
	lines := []string{fmt.Sprintf("COPY these local paths into the image first, at the same paths relative to WORKDIR: %s", strings.Join(dirs, ", "))}
	for _, d := range dirs {
		lines = append(lines, fmt.Sprintf("  e.g. COPY %s %s", strings.TrimPrefix(d, "./"), d))
	}
	return lines
}

// checkSourceTypes reports [packages.vcs] and [packages.directory] keys of
// the wrong type.
func (c *checker) sourceTypes(key string, p *Package) {
	for _, k := range []string{"type", "url", "path", "requested-revision", "commit-id", "subdirectory"} {
		if v, ok := p.VCS[k]; ok {
			if _, isStr := v.(string); !isStr {
				c.add(key+".vcs."+k, "must be a string")
			}
		}
	}
	for _, k := range []string{"path", "subdirectory"} {
		if v, ok := p.Directory[k]; ok {
			if _, isStr := v.(string); !isStr {
				c.add(key+".directory."+k, "must be a string")
			}
		}
	}
	if v, ok := p.Directory["editable"]; ok {
		if _, isBool := v.(bool); !isBool {
			c.add(key+".directory.editable", "must be a boolean")
		}
	}
}

// unhashedHeader is the plan header's word on steps without hash checking
// and on local paths ("" when the plan has neither).
func unhashedHeader(p *InstallPlan) string {
	var b strings.Builder
	for _, s := range p.Steps {
		if s.Kind == StepUnhashed {
			b.WriteString("# (The VCS and local-directory step cannot check hashes: pip refuses to.)\n")
			break
		}
	}
	if len(localDirs(p.allPackages())) > 0 {
		b.WriteString("# Local paths are relative to the lock's directory: run it from there.\n")
	}
	return b.String()
}

// TreeHash returns the hash of a directory package's tree when the lock
// was made ([packages.tool.pylock] tree-hash, informational: audit reports a
// tree that changed since), or "".
func (p *Package) TreeHash() string {
	t, _ := p.Tool["pylock"].(map[string]any)
	h, _ := t["tree-hash"].(string)
	return h
}

// SetTreeHash records h as p's tree-hash (see TreeHash).
func (p *Package) SetTreeHash(h string) { p.setTool("tree-hash", h) }

// TreeVersion returns the version a directory package's metadata gave when
// the lock was made ([packages.tool.pylock] version), or "". PEP 751 leaves
// a source tree's version out of the package itself (it may change with
// the tree); pylock records it here for information and for sync's
// up-to-date check.
func (p *Package) TreeVersion() string {
	t, _ := p.Tool["pylock"].(map[string]any)
	v, _ := t["version"].(string)
	return v
}

// SetTreeVersion records v as p's tree version (see TreeVersion).
func (p *Package) SetTreeVersion(v string) { p.setTool("version", v) }

func (p *Package) setTool(key, value string) {
	if p.Tool == nil {
		p.Tool = map[string]any{}
	}
	t, _ := p.Tool["pylock"].(map[string]any)
	if t == nil {
		t = map[string]any{}
		p.Tool["pylock"] = t
	}
	t[key] = value
}
