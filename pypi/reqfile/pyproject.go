package reqfile

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// PyprojectOptions selects what ParsePyproject returns in Requirements.
type PyprojectOptions struct {
	Extras    []string // optional-dependencies to include, any spelling
	AllExtras bool     // include every extra
	Groups    []string // [dependency-groups] to include, any spelling
	AllGroups bool     // include every group
	NoProject bool     // leave out [project] dependencies (groups only)
}

// Pyproject is what pylock reads from a pyproject.toml.
type Pyproject struct {
	File           string
	Name           string   // [project] name as written; "" without [project]
	RequiresPython string   // as written; "" when absent
	Dynamic        []string // [project] dynamic
	Dependencies   []Entry  // [project] dependencies

	// OptionalDependencies and DependencyGroups are keyed by normalised
	// name; groups have their include-groups expanded in place.
	OptionalDependencies map[string][]Entry
	DependencyGroups     map[string][]Entry

	// Requirements are the entries PyprojectOptions selected: the project's
	// dependencies, then each extra, then each group, with requirements of
	// the project on itself expanded and each entry of the file at most once.
	Requirements []Entry

	// Environments and RequiredEnvironments are [tool.pylock] environments
	// and required-environments (markers limiting a universal lock, and
	// environments every locked package must have files for), parsed.
	Environments         []pep508.Marker
	RequiredEnvironments []pep508.Marker
}

// ParsePyproject parses a pyproject.toml named name and selects its
// requirements as opts says.
func ParsePyproject(name string, data []byte, opts PyprojectOptions) (*Pyproject, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, tomlError(name, err)
	}
	r := &tomlReader{name: name, data: data, pos: tomlPositions(data)}
	p := &Pyproject{File: name}
	if err := r.project(p, doc); err != nil {
		return nil, err
	}
	if err := r.groups(p, doc); err != nil {
		return nil, err
	}
	if err := r.selectReqs(p, opts); err != nil {
		return nil, err
	}
	if err := r.toolPylock(p, doc); err != nil {
		return nil, err
	}
	return p, nil
}

// toolPylock reads [tool.pylock] environments and required-environments:
// arrays of marker strings.
func (r *tomlReader) toolPylock(p *Pyproject, doc map[string]any) error {
	tool, ok := doc["tool"].(map[string]any)
	if !ok {
		return nil
	}
	raw, ok := tool["pylock"]
	if !ok {
		return nil
	}
	t, ok := raw.(map[string]any)
	if !ok {
		return r.wrongType([]string{"tool", "pylock"}, "a table", raw)
	}
	for _, f := range []struct {
		key string
		dst *[]pep508.Marker
	}{{"environments", &p.Environments}, {"required-environments", &p.RequiredEnvironments}} {
		key, dst := f.key, f.dst
		v, ok := t[key]
		if !ok {
			continue
		}
		path := []string{"tool", "pylock", key}
		ss, err := r.strs(path, v)
		if err != nil {
			return err
		}
		for i, s := range ss {
			m, err := pep508.ParseMarker(s)
			if err != nil {
				e := &Error{File: r.name, Msg: "invalid marker in tool.pylock." + key, Text: s}
				e.Line, e.Col, e.Err = r.stringErrAt(append(path, strconv.Itoa(i)), s, err)
				return e
			}
			*dst = append(*dst, m)
		}
	}
	return nil
}

func tomlError(name string, err error) error {
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		return &Error{File: name, Line: line, Col: col, Msg: "invalid TOML", Err: errors.New(msg)}
	}
	return &Error{File: name, Msg: "invalid TOML", Err: err}
}

// tomlReader reports errors at the positions of TOML values.
type tomlReader struct {
	name string
	data []byte
	pos  map[string]int // key path (parts joined by \x00) -> byte offset
}

func pathKey(parts ...string) string { return strings.Join(parts, "\x00") }

// errAt returns an *Error at the value with the given key path (or the
// nearest enclosing one that has a position).
func (r *tomlReader) errAt(path []string, msg, text string, err error) *Error {
	e := &Error{File: r.name, Msg: msg, Text: text, Err: err}
	for n := len(path); n > 0; n-- {
		if off, ok := r.pos[pathKey(path[:n]...)]; ok {
			e.Line, e.Col = lineCol(r.data, off)
			break
		}
	}
	return e
}

func lineCol(data []byte, off int) (int, int) {
	off = min(off, len(data))
	line := bytes.Count(data[:off], []byte("\n")) + 1
	return line, off - (bytes.LastIndexByte(data[:off], '\n') + 1) + 1
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case bool:
		return "a boolean"
	case int64, float64:
		return "a number"
	}
	return "a date or time"
}

func (r *tomlReader) wrongType(path []string, want string, v any) *Error {
	return r.errAt(path, fmt.Sprintf("%s must be %s, not %s", strings.Join(path, "."), want, typeName(v)), "", nil)
}

// strings reads an array of strings at path.
func (r *tomlReader) strs(path []string, v any) ([]string, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, r.wrongType(path, "an array of strings", v)
	}
	out := make([]string, len(arr))
	for i, x := range arr {
		s, ok := x.(string)
		if !ok {
			return nil, r.wrongType(append(path, strconv.Itoa(i)), "a string", x)
		}
		out[i] = s
	}
	return out, nil
}

// entries parses an array of PEP 508 strings at path.
func (r *tomlReader) entries(path []string, v any) ([]Entry, error) {
	ss, err := r.strs(path, v)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(ss))
	for i, s := range ss {
		e, err := r.entry(append(slices.Clip(path), strconv.Itoa(i)), s)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// stringStart returns the byte offset of the first character of the string
// value at path (past its opening quote).
func (r *tomlReader) stringStart(path []string) (int, bool) {
	off, ok := r.pos[pathKey(path...)]
	if !ok {
		return 0, false
	}
	if off < len(r.data) && (r.data[off] == '"' || r.data[off] == '\'') {
		off++
	}
	return min(off, len(r.data)), true
}

// stringErrAt locates a pep508 syntax error in the string value s at path:
// the line and column of the offending character when the TOML literal
// spells s byte for byte (no escapes), else of the string's start. The
// returned cause is the reason alone (the caller's message quotes s), with
// the column inside s added when the file column cannot show it.
func (r *tomlReader) stringErrAt(path []string, s string, err error) (line, col int, cause error) {
	off, ok := r.stringStart(path)
	if !ok {
		return 0, 0, syntaxReason(err)
	}
	line, col = lineCol(r.data, off)
	var se *pep508.SyntaxError
	if !errors.As(err, &se) {
		return line, col, err
	}
	if k := reqErrorOffset(s, err); bytes.HasPrefix(r.data[off:], []byte(s)) && (k > 0 || se.Pos <= 0) {
		line, col = lineCol(r.data, off+k)
		return line, col, syntaxReason(err)
	}
	return line, col, &reasonError{msg: fmt.Sprintf("%s at column %d of the string", se.Msg, se.Column()), err: err}
}

func (r *tomlReader) entry(path []string, s string) (Entry, error) {
	e := Entry{Raw: s, File: r.name}
	if off, ok := r.stringStart(path); ok {
		e.Line, e.Col = lineCol(r.data, off)
	}
	req, err := pep508.ParseRequirement(s)
	if err != nil {
		line, col, cause := r.stringErrAt(path, s, err)
		return e, &Error{File: r.name, Line: line, Col: col, Msg: "invalid requirement", Text: s, Err: cause}
	}
	e.Requirement = req
	e.LocalPath = scheme(req.URL) == "file"
	if err := directRef(&e, baseDir(r.name)); err != nil {
		return e, &Error{File: r.name, Line: e.Line, Col: e.Col, Msg: "invalid direct reference", Text: s, Err: err}
	}
	return e, nil
}

func (r *tomlReader) project(p *Pyproject, doc map[string]any) error {
	raw, ok := doc["project"]
	if !ok {
		return nil
	}
	proj, ok := raw.(map[string]any)
	if !ok {
		return r.wrongType([]string{"project"}, "a table", raw)
	}
	at := func(k ...string) []string { return append([]string{"project"}, k...) }
	if v, ok := proj["dynamic"]; ok {
		d, err := r.strs(at("dynamic"), v)
		if err != nil {
			return err
		}
		p.Dynamic = d
		for i, f := range d {
			if f == "name" {
				return r.errAt(at("dynamic", strconv.Itoa(i)), "the project name cannot be dynamic", "", nil)
			}
			if _, ok := proj[f]; ok {
				return r.errAt(at(f), "project."+f+" is listed in project.dynamic and also given", "", nil)
			}
		}
	}
	switch v := proj["name"].(type) {
	case nil:
		return r.errAt(at(), "[project] has no name", "", nil)
	case string:
		if err := names.Validate(v); err != nil {
			return r.errAt(at("name"), "invalid project name", v, nil)
		}
		p.Name = v
	default:
		return r.wrongType(at("name"), "a string", v)
	}
	if v, ok := proj["requires-python"]; ok {
		s, ok := v.(string)
		if !ok {
			return r.wrongType(at("requires-python"), "a string", v)
		}
		if _, err := pep440.ParseSpecifierSet(s); err != nil {
			return r.errAt(at("requires-python"), "invalid requires-python", s, err)
		}
		p.RequiresPython = strings.TrimSpace(s)
	}
	if v, ok := proj["dependencies"]; ok {
		es, err := r.entries(at("dependencies"), v)
		if err != nil {
			return err
		}
		p.Dependencies = es
	}
	v, ok := proj["optional-dependencies"]
	if !ok {
		return nil
	}
	tbl, ok := v.(map[string]any)
	if !ok {
		return r.wrongType(at("optional-dependencies"), "a table", v)
	}
	p.OptionalDependencies = map[string][]Entry{}
	spelled := map[string]string{}
	for _, extra := range sortedKeys(tbl) {
		path := at("optional-dependencies", extra)
		if err := names.Validate(extra); err != nil {
			return r.errAt(path, "invalid extra name", extra, nil)
		}
		n := names.Canonicalize(extra)
		if prev, dup := spelled[n]; dup {
			return r.errAt(path, fmt.Sprintf("extra %q is the same as %q after normalisation", extra, prev), "", nil)
		}
		spelled[n] = extra
		es, err := r.entries(path, tbl[extra])
		if err != nil {
			return err
		}
		p.OptionalDependencies[n] = es
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// groups reads PEP 735 [dependency-groups] and expands include-group.
func (r *tomlReader) groups(p *Pyproject, doc map[string]any) error {
	raw, ok := doc["dependency-groups"]
	if !ok {
		return nil
	}
	tbl, ok := raw.(map[string]any)
	if !ok {
		return r.wrongType([]string{"dependency-groups"}, "a table", raw)
	}
	g := &groupReader{r: r, tbl: tbl, keys: map[string]string{}, done: map[string][]Entry{}}
	for _, k := range sortedKeys(tbl) {
		if err := names.Validate(k); err != nil {
			return r.errAt([]string{"dependency-groups", k}, "invalid dependency group name", k, nil)
		}
		n := names.Canonicalize(k)
		if prev, dup := g.keys[n]; dup {
			return r.errAt([]string{"dependency-groups", k}, fmt.Sprintf("dependency group %q is the same as %q after normalisation", k, prev), "", nil)
		}
		g.keys[n] = k
	}
	p.DependencyGroups = map[string][]Entry{}
	for _, k := range sortedKeys(tbl) {
		es, err := g.resolve(k, nil)
		if err != nil {
			return err
		}
		p.DependencyGroups[names.Canonicalize(k)] = es
	}
	return nil
}

type groupReader struct {
	r    *tomlReader
	tbl  map[string]any
	keys map[string]string // normalised -> as written
	done map[string][]Entry
}

// resolve returns the expanded entries of group key; stack holds the keys
// being expanded, for cycle reports.
func (g *groupReader) resolve(key string, stack []string) ([]Entry, error) {
	if es, ok := g.done[key]; ok {
		return es, nil
	}
	if i := slices.Index(stack, key); i >= 0 {
		chain := append(slices.Clone(stack[i:]), key)
		return nil, g.r.errAt([]string{"dependency-groups", stack[len(stack)-1]}, "dependency group cycle: "+strings.Join(chain, " -> "), "", nil)
	}
	stack = append(stack, key)
	path := []string{"dependency-groups", key}
	arr, ok := g.tbl[key].([]any)
	if !ok {
		return nil, g.r.wrongType(path, "an array", g.tbl[key])
	}
	es := []Entry{}
	for i, item := range arr {
		ipath := append(slices.Clone(path), strconv.Itoa(i))
		switch v := item.(type) {
		case string:
			e, err := g.r.entry(ipath, v)
			if err != nil {
				return nil, err
			}
			es = append(es, e)
		case map[string]any:
			inc, err := g.include(ipath, v)
			if err != nil {
				return nil, err
			}
			sub, err := g.resolve(inc, stack)
			if err != nil {
				return nil, err
			}
			es = append(es, sub...)
		default:
			return nil, g.r.wrongType(ipath, "a string or an {include-group = \"...\"} table", v)
		}
	}
	g.done[key] = es
	return es, nil
}

// include checks an {include-group = "name"} table and returns the included
// group's key as written.
func (g *groupReader) include(path []string, t map[string]any) (string, error) {
	for k := range t {
		if k != "include-group" {
			return "", g.r.errAt(path, "unknown key in dependency group entry (only include-group is allowed):", k, nil)
		}
	}
	name, ok := t["include-group"].(string)
	if !ok {
		return "", g.r.wrongType(append(path, "include-group"), "a string", t["include-group"])
	}
	key, ok := g.keys[names.Canonicalize(name)]
	if !ok {
		return "", g.r.errAt(path, fmt.Sprintf("dependency group %q includes an unknown group", path[1]), name, nil)
	}
	return key, nil
}

// selectReqs fills p.Requirements.
func (r *tomlReader) selectReqs(p *Pyproject, opts PyprojectOptions) error {
	s := &selector{r: r, p: p, seen: map[string]bool{}, taken: map[[2]int]bool{}}
	if !opts.NoProject {
		if err := s.base(nil); err != nil {
			return err
		}
	}
	extras := opts.Extras
	if opts.AllExtras {
		extras = sortedEntryKeys(p.OptionalDependencies)
	}
	for _, x := range extras {
		if err := s.extra(x, nil); err != nil {
			return err
		}
	}
	groups := opts.Groups
	if opts.AllGroups {
		groups = sortedEntryKeys(p.DependencyGroups)
	}
	for _, gname := range groups {
		es, ok := p.DependencyGroups[names.Canonicalize(gname)]
		if !ok {
			return &Error{File: r.name, Msg: "no dependency group " + strconv.Quote(gname) + " in [dependency-groups]" + have(p.DependencyGroups)}
		}
		if err := s.add(es); err != nil {
			return err
		}
	}
	return nil
}

func sortedEntryKeys(m map[string][]Entry) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func have(m map[string][]Entry) string {
	if len(m) == 0 {
		return " (there are none)"
	}
	return " (have: " + strings.Join(sortedEntryKeys(m), ", ") + ")"
}

// selector collects selected entries, expanding the project's requirements
// on itself; seen holds "" for the base dependencies and each extra taken.
type selector struct {
	r     *tomlReader
	p     *Pyproject
	seen  map[string]bool
	taken map[[2]int]bool // line, column of entries taken (groups may include one twice)
}

func (s *selector) dynamic(field string, from *Entry) error {
	if !slices.Contains(s.p.Dynamic, field) {
		return nil
	}
	msg := "[project] " + field + " are dynamic (computed by the build backend); pylock reads only static metadata: list them in pyproject.toml"
	if from != nil {
		return from.Errorf("%s", msg)
	}
	return s.r.errAt([]string{"project", "dynamic"}, msg, "", nil)
}

func (s *selector) base(from *Entry) error {
	if s.seen[""] {
		return nil
	}
	s.seen[""] = true
	if err := s.dynamic("dependencies", from); err != nil {
		return err
	}
	return s.add(s.p.Dependencies)
}

func (s *selector) extra(x string, from *Entry) error {
	n := names.Canonicalize(x)
	if s.seen[n] {
		return nil
	}
	s.seen[n] = true
	if err := s.dynamic("optional-dependencies", from); err != nil {
		return err
	}
	es, ok := s.p.OptionalDependencies[n]
	if !ok {
		msg := "no extra " + strconv.Quote(x) + " in [project.optional-dependencies]" + have(s.p.OptionalDependencies)
		if from != nil {
			return from.Errorf("%s", msg)
		}
		return &Error{File: s.r.name, Msg: msg}
	}
	return s.add(es)
}

func (s *selector) add(es []Entry) error {
	self := names.Canonicalize(s.p.Name)
	for i := range es {
		e := &es[i]
		if s.p.Name == "" || names.Canonicalize(e.Requirement.Name) != self {
			if at := [2]int{e.Line, e.Col}; e.Line == 0 || !s.taken[at] {
				s.taken[at] = true
				s.p.Requirements = append(s.p.Requirements, *e)
			}
			continue
		}
		if e.Requirement.URL != "" || !e.Requirement.Marker.IsTrue() {
			return e.Errorf("a requirement of the project on itself with a URL or marker is not supported:")
		}
		if err := s.base(e); err != nil {
			return err
		}
		for _, x := range e.Requirement.Extras {
			if err := s.extra(x, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// tomlPositions maps key paths to the byte offsets of their keys and of
// array elements ("project\x00dependencies\x002" is the third dependency).
// Values inside arrays of tables are not mapped.
func tomlPositions(data []byte) map[string]int {
	pos := map[string]int{}
	var p unstable.Parser
	p.Reset(data)
	var prefix []string
	inArrayTable := false
	for p.NextExpression() {
		n := p.Expression()
		switch n.Kind {
		case unstable.Table, unstable.ArrayTable:
			prefix, inArrayTable = keyParts(n), n.Kind == unstable.ArrayTable
			if k := n.Child(); k != nil {
				setPrefixes(pos, prefix, int(k.Raw.Offset))
			}
		case unstable.KeyValue:
			if !inArrayTable {
				walkKeyValue(pos, prefix, n)
			}
		}
	}
	return pos
}

// setPrefixes maps path, and each of its prefixes not mapped yet, to off.
func setPrefixes(pos map[string]int, path []string, off int) {
	for i := 1; i < len(path); i++ {
		if k := pathKey(path[:i]...); !hasKey(pos, k) {
			pos[k] = off
		}
	}
	pos[pathKey(path...)] = off
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func keyParts(n *unstable.Node) []string {
	var parts []string
	for it := n.Key(); it.Next(); {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

func walkKeyValue(pos map[string]int, prefix []string, n *unstable.Node) {
	path := append(slices.Clone(prefix), keyParts(n)...)
	if k := n.Value().Next(); k != nil {
		setPrefixes(pos, path, int(k.Raw.Offset))
	}
	walkValue(pos, path, n.Value())
}

func walkValue(pos map[string]int, path []string, v *unstable.Node) {
	switch v.Kind {
	case unstable.Array:
		i := 0
		for it := v.Children(); it.Next(); {
			c := it.Node()
			if c.Kind == unstable.Comment {
				continue
			}
			ep := append(slices.Clone(path), strconv.Itoa(i))
			if c.Raw.Length > 0 {
				pos[pathKey(ep...)] = int(c.Raw.Offset)
			}
			walkValue(pos, ep, c)
			i++
		}
	case unstable.InlineTable:
		for it := v.Children(); it.Next(); {
			if c := it.Node(); c.Kind == unstable.KeyValue {
				walkKeyValue(pos, path, c)
			}
		}
	}
}
