package lockfile

import (
	"fmt"
	"strings"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/wheel"
)

// Problem is one broken rule; Key locates it like Error.Key
// ("packages[2].wheels[0].hashes").
type Problem struct {
	Key string
	Msg string
}

// String formats the problem as "key: message" (just the message when it
// has no key).
func (p Problem) String() string {
	if p.Key == "" {
		return p.Msg
	}
	return p.Key + ": " + p.Msg
}

// ValidationError lists every rule a lock breaks, in document order. File,
// Line and Col locate the first problem when the lock was read from a file
// (see ParseValid); otherwise they are zero.
type ValidationError struct {
	File      string
	Line, Col int
	Problems  []Problem
}

// Error reports the first problem (located when the lock came from a file)
// and how many more there are.
func (e *ValidationError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
		}
		b.WriteString(": ")
	}
	b.WriteString("invalid lock: ")
	b.WriteString(e.Problems[0].String())
	if n := len(e.Problems) - 1; n > 0 {
		fmt.Fprintf(&b, " (and %d more problem", n)
		if n > 1 {
			b.WriteByte('s')
		}
		b.WriteByte(')')
	}
	return b.String()
}

// ParseValid parses and validates; a validation error points at the
// line:col of its first problem.
func ParseValid(path string, data []byte) (*Lock, error) {
	l, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if err := l.Validate(); err != nil {
		if ve, ok := err.(*ValidationError); ok {
			ve.File = path
			if p, ok := indexPositions(data).lookup(ve.Problems[0].Key); ok {
				ve.Line, ve.Col = p.line, p.col
			}
		}
		return nil, err
	}
	return l, nil
}

// ReadFileValid reads, parses and validates path (see ParseValid).
func ReadFileValid(path string) (*Lock, error) {
	l, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	return l, nil
}

type checker struct{ problems []Problem }

func (c *checker) add(key, format string, args ...any) {
	c.problems = append(c.problems, Problem{key, fmt.Sprintf(format, args...)})
}

func validate(l *Lock) error {
	c := &checker{}
	c.lockVersion(l.LockVersion)
	for i, m := range l.Environments {
		c.marker(fmt.Sprintf("environments[%d]", i), m)
	}
	c.specifier("requires-python", l.RequiresPython)
	for i, x := range l.Extras {
		c.normalized(fmt.Sprintf("extras[%d]", i), "extra", x)
	}
	if l.CreatedBy == "" {
		c.add("created-by", "missing required value")
	}
	for i := range l.Packages {
		c.pkg(l, i)
	}
	if len(c.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: c.problems}
}

func (c *checker) lockVersion(s string) {
	if s == "" {
		c.add("lock-version", "missing required value")
		return
	}
	v, err := pep440.Parse(s)
	if err != nil {
		c.add("lock-version", "invalid version %q", s)
		return
	}
	if v.Less(pep440.MustParse("1")) || !v.Less(pep440.MustParse("2")) {
		c.add("lock-version", "pylock version %s is not supported (only 1.x is)", s)
	}
}

func (c *checker) marker(key, s string) {
	if s == "" {
		return
	}
	if _, err := pep508.ParseMarker(s); err != nil {
		c.add(key, "%s", withInput("invalid marker", s, err))
	}
}

func (c *checker) specifier(key, s string) {
	if s == "" {
		return
	}
	if _, err := pep440.ParseSpecifierSet(s); err != nil {
		c.add(key, "%s", withInput("invalid specifier", s, err))
	}
}

func (c *checker) normalized(key, what, s string) {
	if !names.IsNormalized(s) {
		c.add(key, "%s name %q is not normalized (want %q)", what, s, names.Canonicalize(s))
	}
}

func (c *checker) pkg(l *Lock, i int) {
	p := &l.Packages[i]
	key := fmt.Sprintf("packages[%d]", i)
	if p.Name == "" {
		c.add(key+".name", "missing required value")
	} else {
		c.normalized(key+".name", "package", p.Name)
	}
	var version pep440.Version
	if p.Version != "" {
		v, err := pep440.Parse(p.Version)
		if err != nil {
			c.add(key+".version", "invalid version %q", p.Version)
		} else {
			version = v
		}
	}
	c.marker(key+".marker", p.Marker)
	c.specifier(key+".requires-python", p.RequiresPython)

	dists := len(p.Wheels)
	if p.Sdist != nil {
		dists++
	}
	direct := 0
	for _, set := range []bool{p.VCS != nil, p.Directory != nil, p.Archive != nil} {
		if set {
			direct++
		}
	}
	switch {
	case dists > 0 && direct > 0:
		c.add(key, "none of vcs, directory, archive must be set if sdist or wheels are set")
	case dists == 0 && direct != 1:
		c.add(key, "exactly one of vcs, directory, archive must be set if sdist and wheels are not set")
	}

	for j := range p.Wheels {
		wk := fmt.Sprintf("%s.wheels[%d]", key, j)
		w := &p.Wheels[j]
		c.file(wk, w)
		if fn := w.filename(); fn != "" {
			f, err := wheel.ParseFilename(fn)
			if err != nil {
				c.add(wk, "%s", withInput("invalid wheel filename", fn, err))
			} else {
				c.sameRelease(wk, fn, f.Name, f.Version, p.Name, version)
			}
		}
	}
	if p.Sdist != nil {
		sk := key + ".sdist"
		c.file(sk, p.Sdist)
		if fn := p.Sdist.filename(); fn != "" {
			f, err := wheel.ParseSdistFilename(fn)
			if err != nil {
				c.add(sk, "%s", withInput("invalid sdist filename", fn, err))
			} else {
				c.sameRelease(sk, fn, f.Name, f.Version, p.Name, version)
			}
		}
	}
	if p.Archive != nil {
		c.file(key+".archive", p.Archive)
	}
	c.sourceTypes(key, p)
	if p.VCS != nil {
		c.vcs(key+".vcs", p.VCS)
	}
	if p.Directory != nil {
		if s, _ := p.Directory["path"].(string); s == "" {
			c.add(key+".directory.path", "missing required value")
		}
	}
	for j, a := range p.AttestationIdentities {
		if s, ok := a["kind"].(string); !ok || s == "" {
			c.add(fmt.Sprintf("%s.attestation-identities[%d].kind", key, j), "missing required value")
		}
	}
	for j, d := range p.Dependencies {
		c.dependency(l, fmt.Sprintf("%s.dependencies[%d]", key, j), d)
	}
}

// withInput is err's message, prefixed with what and the input unless the
// message already quotes it.
func withInput(what, input string, err error) string {
	msg := err.Error()
	if strings.Contains(msg, fmt.Sprintf("%q", input)) {
		return msg
	}
	return fmt.Sprintf("%s %q: %s", what, input, msg)
}

// file checks what every sdist, wheel and archive needs.
func (c *checker) file(key string, a *Artifact) {
	if a.URL == "" && a.Path == "" {
		c.add(key, "path or url must be provided")
	}
	if len(a.Hashes) == 0 {
		c.add(key+".hashes", "at least one hash must be provided")
	}
	for _, alg := range sortedKeys(a.Hashes) {
		if a.Hashes[alg] == "" {
			c.add(key+".hashes."+alg, "empty hash value")
		}
	}
	if a.Size < 0 {
		c.add(key+".size", "negative size %d", a.Size)
	}
	if a.filename() == "" {
		c.add(key, "cannot determine the file name (no name, path or url)")
	}
}

// sameRelease checks that a file belongs to its package.
func (c *checker) sameRelease(key, fn, name string, v pep440.Version, pkg string, pv pep440.Version) {
	if pkg != "" && names.Canonicalize(name) != names.Canonicalize(pkg) {
		c.add(key, "name in %q is not consistent with package name %q", fn, pkg)
	}
	if !pv.IsZero() && !v.Equal(pv) {
		c.add(key, "version in %q is not consistent with package version %s", fn, pv)
	}
}

func (c *checker) vcs(key string, m map[string]any) {
	for _, k := range []string{"type", "commit-id"} {
		if s, ok := m[k].(string); !ok || s == "" {
			c.add(key+"."+k, "missing required value")
		}
	}
	url, _ := m["url"].(string)
	path, _ := m["path"].(string)
	if url == "" && path == "" {
		c.add(key, "path or url must be provided")
	}
}

// dependency checks that d names a package of the lock (with that version
// when d gives one).
func (c *checker) dependency(l *Lock, key string, d Dependency) {
	if d.Name == "" {
		c.add(key+".name", "missing required value")
		return
	}
	c.normalized(key+".name", "dependency", d.Name)
	c.marker(key+".marker", d.Marker)
	found := false
	for i := range l.Packages {
		p := &l.Packages[i]
		if names.Canonicalize(p.Name) != names.Canonicalize(d.Name) {
			continue
		}
		if d.Version == "" || compareVersions(d.Version, p.Version) == 0 {
			found = true
			break
		}
	}
	if !found {
		want := d.Name
		if d.Version != "" {
			want += " " + d.Version
		}
		c.add(key, "dependency %s is not a package of this lock", want)
	}
}
