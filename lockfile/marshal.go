package lockfile

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/pylock/pylock/pypi/pep440"
)

// The emitter is hand-written for byte-exact, deterministic output in the
// shape of the PEP 751 example: top-level keys, then one [[packages]] table
// per package (scalar keys, dependencies, [packages.sdist] / vcs / directory
// / archive, [[packages.wheels]], attestation identities, [packages.tool]),
// then other [tool.*] tables and [tool.pylock] last. Strings use TOML basic
// strings, or literal strings when that avoids escaping double quotes.

// emitter accumulates output and the first error.
type emitter struct {
	b   bytes.Buffer
	err error
}

func marshal(l *Lock) ([]byte, error) {
	c := l.clone()
	c.Sort()
	e := &emitter{}
	e.kv("lock-version", c.LockVersion)
	e.kvList("environments", c.Environments)
	e.kv("requires-python", c.RequiresPython)
	e.kvList("extras", c.Extras)
	e.kvList("dependency-groups", c.DependencyGroups)
	e.kvList("default-groups", c.DefaultGroups)
	e.kv("created-by", c.CreatedBy)
	if len(c.Packages) == 0 {
		e.b.WriteString("packages = []\n")
	}
	for i := range c.Packages {
		e.pkg(&c.Packages[i])
	}
	if loose := looseValues(c.ExtraTools); len(loose) > 0 {
		e.header("[tool]")
		e.table(loose)
	}
	for _, k := range sortedKeys(c.ExtraTools) {
		if k == "pylock" {
			continue // the typed Tool owns it
		}
		if m, ok := c.ExtraTools[k].(map[string]any); ok {
			e.header("[tool." + key(k) + "]")
			e.table(m)
		}
	}
	e.tool(&c.Tool)
	if e.err != nil {
		return nil, e.err
	}
	return e.b.Bytes(), nil
}

// looseValues returns the non-table values of m.
func looseValues(m map[string]any) map[string]any {
	var out map[string]any
	for k, v := range m {
		if _, ok := v.(map[string]any); !ok && k != "pylock" {
			if out == nil {
				out = map[string]any{}
			}
			out[k] = v
		}
	}
	return out
}

func (e *emitter) header(h string) {
	if e.b.Len() > 0 {
		e.b.WriteByte('\n')
	}
	e.b.WriteString(h)
	e.b.WriteByte('\n')
}

// kvBool writes key = true, skipping false.
func (e *emitter) kvBool(k string, v bool) {
	if v {
		e.b.WriteString(key(k) + " = true\n")
	}
}

// kv writes key = "value", skipping empty values.
func (e *emitter) kv(k, v string) {
	if v == "" {
		return
	}
	e.b.WriteString(key(k))
	e.b.WriteString(" = ")
	e.str(v)
	e.b.WriteByte('\n')
}

// kvList writes key = [...], skipping empty lists. Short lists stay on one
// line; longer ones get one item per line with a trailing comma.
func (e *emitter) kvList(k string, items []string) {
	if len(items) == 0 {
		return
	}
	vals := make([]any, len(items))
	for i, s := range items {
		vals[i] = s
	}
	e.b.WriteString(key(k))
	e.b.WriteString(" = ")
	e.array(vals, true)
	e.b.WriteByte('\n')
}

func (e *emitter) pkg(p *Package) {
	e.header("[[packages]]")
	e.kv("name", p.Name)
	e.kv("version", p.Version)
	e.kv("marker", p.Marker)
	e.kv("requires-python", p.RequiresPython)
	e.kv("index", p.Index)
	if len(p.Dependencies) > 0 {
		e.b.WriteString("dependencies = [\n")
		for _, d := range p.Dependencies {
			e.b.WriteString("    {")
			e.b.WriteString("name = ")
			e.str(d.Name)
			if d.Version != "" {
				e.b.WriteString(", version = ")
				e.str(d.Version)
			}
			if d.Marker != "" {
				e.b.WriteString(", marker = ")
				e.str(d.Marker)
			}
			e.b.WriteString("},\n")
		}
		e.b.WriteString("]\n")
	}
	if p.VCS != nil {
		e.header("[packages.vcs]")
		e.table(p.VCS)
	}
	if p.Directory != nil {
		e.header("[packages.directory]")
		e.table(p.Directory)
	}
	if p.Archive != nil {
		e.header("[packages.archive]")
		e.artifact(p.Archive)
	}
	if p.Sdist != nil {
		e.header("[packages.sdist]")
		e.artifact(p.Sdist)
	}
	for i := range p.Wheels {
		e.header("[[packages.wheels]]")
		e.artifact(&p.Wheels[i])
	}
	for _, a := range p.AttestationIdentities {
		e.header("[[packages.attestation-identities]]")
		e.table(a)
	}
	if p.Tool != nil {
		e.header("[packages.tool]")
		e.table(p.Tool)
	}
}

func (e *emitter) artifact(a *Artifact) {
	e.kv("name", a.Name)
	if !a.UploadTime.IsZero() {
		e.b.WriteString("upload-time = ")
		e.b.WriteString(formatTime(a.UploadTime.UTC()))
		e.b.WriteByte('\n')
	}
	e.kv("url", a.URL)
	e.kv("path", a.Path)
	if a.Size != 0 {
		e.b.WriteString("size = ")
		e.b.WriteString(strconv.FormatInt(a.Size, 10))
		e.b.WriteByte('\n')
	}
	e.b.WriteString("hashes = {")
	for i, k := range sortedKeys(a.Hashes) {
		if i > 0 {
			e.b.WriteString(", ")
		}
		e.b.WriteString(key(k))
		e.b.WriteString(" = ")
		e.str(a.Hashes[k])
	}
	e.b.WriteString("}\n")
	e.kv("subdirectory", a.Subdirectory)
}

func (e *emitter) tool(t *Tool) {
	if t.isZero() {
		return
	}
	e.header("[tool.pylock]")
	e.kv("command", t.Command)
	e.kv("target", t.Target)
	e.kvList("inputs", t.Inputs)
	e.kv("inputs-hash", t.InputsHash)
	e.kvList("requirements", t.Requirements)
	e.kvList("constraints", t.Constraints)
	e.kvList("overrides", t.Overrides)
	e.kvList("install-first", t.InstallFirst)
	e.kvList("install-order", t.InstallOrder)
	if len(t.Options) > 0 {
		e.header("[tool.pylock.options]")
		for _, k := range sortedKeys(t.Options) {
			e.b.WriteString(key(k))
			e.b.WriteString(" = ")
			e.str(t.Options[k])
			e.b.WriteByte('\n')
		}
	}
	if len(t.Via) > 0 {
		e.header("[tool.pylock.via]")
		for _, k := range sortedKeys(t.Via) {
			e.kvList(k, t.Via[k])
		}
	}
	for _, in := range t.InputRoles {
		e.header("[[tool.pylock.input]]")
		e.kv("path", in.Path)
		e.kv("role", in.Role)
		e.kvList("extras", in.Extras)
		e.kvList("groups", in.Groups)
		e.kvBool("all-extras", in.AllExtras)
		e.kvBool("all-groups", in.AllGroups)
	}
	for _, g := range t.ABIGuard {
		e.header("[[tool.pylock.abi-guard]]")
		e.kv("provider", g.Provider)
		if g.Major != 0 {
			e.b.WriteString("major = " + strconv.Itoa(g.Major) + "\n")
		}
		e.kv("first-release", g.FirstRelease)
		e.kv("boundary", g.Boundary)
		e.kv("reason", g.Reason)
		e.kvList("held-back", g.HeldBack)
		e.kvList("unsafe", g.Unsafe)
	}
}

// isZero reports whether t holds nothing (no [tool.pylock] is written).
func (t *Tool) isZero() bool {
	return t.InputsHash == "" && len(t.Inputs) == 0 && len(t.Requirements) == 0 &&
		len(t.Constraints) == 0 && len(t.Overrides) == 0 && len(t.Options) == 0 &&
		t.Target == "" && len(t.InstallFirst) == 0 && len(t.InstallOrder) == 0 && t.Command == "" &&
		len(t.InputRoles) == 0 && len(t.ABIGuard) == 0 && len(t.Via) == 0
}

// table writes the entries of a generic table, sorted by key; nested tables
// become inline tables.
func (e *emitter) table(m map[string]any) {
	for _, k := range sortedKeys(m) {
		e.b.WriteString(key(k))
		e.b.WriteString(" = ")
		e.value(m[k])
		e.b.WriteByte('\n')
	}
}

// value writes any value decoded from TOML (or built from the same types).
func (e *emitter) value(v any) {
	switch v := v.(type) {
	case string:
		e.str(v)
	case bool:
		e.b.WriteString(strconv.FormatBool(v))
	case int64:
		e.b.WriteString(strconv.FormatInt(v, 10))
	case int:
		e.b.WriteString(strconv.Itoa(v))
	case float64:
		e.b.WriteString(formatFloat(v))
	case time.Time:
		e.b.WriteString(formatTime(v))
	case toml.LocalDateTime:
		e.b.WriteString(v.String())
	case toml.LocalDate:
		e.b.WriteString(v.String())
	case toml.LocalTime:
		e.b.WriteString(v.String())
	case []any:
		e.array(v, false)
	case []string:
		vals := make([]any, len(v))
		for i, s := range v {
			vals[i] = s
		}
		e.array(vals, false)
	case map[string]any:
		e.b.WriteByte('{')
		for i, k := range sortedKeys(v) {
			if i > 0 {
				e.b.WriteString(", ")
			}
			e.b.WriteString(key(k))
			e.b.WriteString(" = ")
			e.value(v[k])
		}
		e.b.WriteByte('}')
	default:
		if e.err == nil {
			e.err = fmt.Errorf("lockfile: cannot write a %T value in TOML", v)
		}
	}
}

// array writes a TOML array; with wrap, one that would not fit on a line of
// about 88 columns is written one item per line.
func (e *emitter) array(vals []any, wrap bool) {
	var one emitter
	one.b.WriteByte('[')
	for i, v := range vals {
		if i > 0 {
			one.b.WriteString(", ")
		}
		one.value(v)
	}
	one.b.WriteByte(']')
	if one.err != nil && e.err == nil {
		e.err = one.err
	}
	if !wrap || len(vals) < 2 || one.b.Len() <= 72 {
		e.b.Write(one.b.Bytes())
		return
	}
	e.b.WriteString("[\n")
	for _, v := range vals {
		e.b.WriteString("    ")
		e.value(v)
		e.b.WriteString(",\n")
	}
	e.b.WriteByte(']')
}

// str writes s as a TOML string: a literal string when s holds a double
// quote (markers) and nothing a literal string cannot carry, else a basic
// string with escapes.
func (e *emitter) str(s string) {
	if !utf8.ValidString(s) {
		if e.err == nil {
			e.err = fmt.Errorf("lockfile: string %q is not valid UTF-8", s)
		}
		return
	}
	if strings.Contains(s, `"`) && literalOK(s) {
		e.b.WriteByte('\'')
		e.b.WriteString(s)
		e.b.WriteByte('\'')
		return
	}
	e.b.WriteString(basicString(s))
}

func literalOK(s string) bool {
	for _, r := range s {
		if r == '\'' || (r < 0x20 && r != '\t') || r == 0x7f {
			return false
		}
	}
	return true
}

// basicString quotes s as a TOML basic string.
func basicString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// key writes a bare key when possible, else a quoted one.
func key(k string) string {
	if k == "" {
		return `""`
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return basicString(k)
		}
	}
	return k
}

func formatTime(t time.Time) string { return t.Format(time.RFC3339Nano) }

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// Sort puts l in canonical order, in place: packages by name then version
// (PEP 440 order when both versions parse), wheels by filename,
// dependencies by name then version then marker. Environments, extras and
// groups keep their order (they are sets; the writer of l chose it).
func (l *Lock) Sort() {
	sort.SliceStable(l.Packages, func(i, j int) bool {
		a, b := &l.Packages[i], &l.Packages[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if c := compareVersions(a.Version, b.Version); c != 0 {
			return c < 0
		}
		return a.Marker < b.Marker
	})
	for i := range l.Packages {
		p := &l.Packages[i]
		sort.SliceStable(p.Wheels, func(i, j int) bool { return p.Wheels[i].filename() < p.Wheels[j].filename() })
		sort.SliceStable(p.Dependencies, func(i, j int) bool {
			a, b := p.Dependencies[i], p.Dependencies[j]
			if a.Name != b.Name {
				return a.Name < b.Name
			}
			if c := compareVersions(a.Version, b.Version); c != 0 {
				return c < 0
			}
			return a.Marker < b.Marker
		})
	}
}

// compareVersions orders PEP 440 versions ("1.0" equals "1"), falling back
// to text order when either does not parse.
func compareVersions(a, b string) int {
	if a == b {
		return 0
	}
	va, errA := pep440.Parse(a)
	vb, errB := pep440.Parse(b)
	if errA == nil && errB == nil {
		return va.Compare(vb)
	}
	return strings.Compare(a, b)
}

// filename is the artifact's file name: name, else the last element of path
// or url (as packaging.pylock derives it).
func (a *Artifact) filename() string {
	if a.Name != "" {
		return a.Name
	}
	if a.Path != "" {
		if i := strings.LastIndexAny(a.Path, `/\`); i >= 0 {
			return a.Path[i+1:]
		}
		return a.Path
	}
	u := a.URL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if i := strings.LastIndex(u, "/"); i >= 0 {
		return u[i+1:]
	}
	return u
}

// Filename is the artifact's file name: Name, else the last element of Path
// or URL.
func (a *Artifact) Filename() string { return a.filename() }

// clone returns a copy of l whose slices can be reordered without touching l.
func (l *Lock) clone() *Lock {
	c := *l
	c.Packages = make([]Package, len(l.Packages))
	for i, p := range l.Packages {
		p.Wheels = append([]Artifact(nil), p.Wheels...)
		p.Dependencies = append([]Dependency(nil), p.Dependencies...)
		c.Packages[i] = p
	}
	return &c
}
