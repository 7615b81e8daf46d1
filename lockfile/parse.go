package lockfile

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	toml "github.com/pelletier/go-toml/v2"
)

// Error is a problem reading a lock: TOML syntax, or a key of the wrong
// type. Line and Col are 1-based, 0 when unknown.
type Error struct {
	File      string
	Line, Col int
	Key       string // "packages[1].wheels[0].size"; "" for syntax errors
	Msg       string
}

// Error formats the error as file:line:col: key: message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// decoder turns the generic TOML tree into a Lock, checking types.
type decoder struct {
	file string
	data []byte
	pos  positions // built lazily, on the first error
}

func (d *decoder) errorf(path, format string, args ...any) error {
	if d.pos == nil {
		d.pos = indexPositions(d.data)
	}
	e := &Error{File: d.file, Key: path, Msg: fmt.Sprintf(format, args...)}
	if p, ok := d.pos.lookup(path); ok {
		e.Line, e.Col = p.line, p.col
	}
	return e
}

func parse(path string, data []byte) (*Lock, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			msg := strings.TrimPrefix(de.Error(), "toml: ")
			return nil, &Error{File: path, Line: line, Col: col, Key: strings.Join(de.Key(), "."), Msg: msg}
		}
		return nil, &Error{File: path, Msg: err.Error()}
	}
	d := &decoder{file: path, data: data}
	return d.lock(doc)
}

func (d *decoder) lock(doc map[string]any) (*Lock, error) {
	l := &Lock{}
	var err error
	get := func(dst *string, key string) {
		if err == nil {
			*dst, err = d.str(doc, "", key)
		}
	}
	list := func(dst *[]string, key string) {
		if err == nil {
			*dst, err = d.strings(doc, "", key)
		}
	}
	get(&l.LockVersion, "lock-version")
	list(&l.Environments, "environments")
	get(&l.RequiresPython, "requires-python")
	list(&l.Extras, "extras")
	list(&l.DependencyGroups, "dependency-groups")
	list(&l.DefaultGroups, "default-groups")
	get(&l.CreatedBy, "created-by")
	if err != nil {
		return nil, err
	}
	pkgs, ok := doc["packages"]
	if !ok {
		return nil, d.errorf("", "missing required key \"packages\" (an empty lock has packages = [])")
	}
	items, ok := pkgs.([]any)
	if !ok {
		return nil, d.errorf("packages", "expected an array of tables, got %s", typeName(pkgs))
	}
	for i, it := range items {
		p := fmt.Sprintf("packages[%d]", i)
		m, ok := it.(map[string]any)
		if !ok {
			return nil, d.errorf(p, "expected a table, got %s", typeName(it))
		}
		pkg, err := d.pkg(m, p)
		if err != nil {
			return nil, err
		}
		l.Packages = append(l.Packages, pkg)
	}
	if t, ok := doc["tool"]; ok {
		tool, ok := t.(map[string]any)
		if !ok {
			return nil, d.errorf("tool", "expected a table, got %s", typeName(t))
		}
		for k, v := range tool {
			if k == "pylock" {
				if l.Tool, err = d.tool(v); err != nil {
					return nil, err
				}
				continue
			}
			if l.ExtraTools == nil {
				l.ExtraTools = map[string]any{}
			}
			l.ExtraTools[k] = v
		}
	}
	return l, nil
}

func (d *decoder) pkg(m map[string]any, path string) (Package, error) {
	var p Package
	var err error
	get := func(dst *string, key string) {
		if err == nil {
			*dst, err = d.str(m, path, key)
		}
	}
	get(&p.Name, "name")
	get(&p.Version, "version")
	get(&p.Marker, "marker")
	get(&p.RequiresPython, "requires-python")
	get(&p.Index, "index")
	if err != nil {
		return p, err
	}
	if p.Dependencies, err = d.deps(m, path); err != nil {
		return p, err
	}
	if v, ok := m["wheels"]; ok {
		items, ok := v.([]any)
		if !ok {
			return p, d.errorf(path+".wheels", "expected an array of tables, got %s", typeName(v))
		}
		for i, it := range items {
			a, err := d.artifact(it, fmt.Sprintf("%s.wheels[%d]", path, i))
			if err != nil {
				return p, err
			}
			p.Wheels = append(p.Wheels, *a)
		}
	}
	if v, ok := m["sdist"]; ok {
		if p.Sdist, err = d.artifact(v, path+".sdist"); err != nil {
			return p, err
		}
	}
	if v, ok := m["archive"]; ok {
		if p.Archive, err = d.artifact(v, path+".archive"); err != nil {
			return p, err
		}
	}
	if p.VCS, err = d.table(m, path, "vcs"); err != nil {
		return p, err
	}
	if p.Directory, err = d.table(m, path, "directory"); err != nil {
		return p, err
	}
	if p.Tool, err = d.table(m, path, "tool"); err != nil {
		return p, err
	}
	if v, ok := m["attestation-identities"]; ok {
		items, ok := v.([]any)
		if !ok {
			return p, d.errorf(path+".attestation-identities", "expected an array of tables, got %s", typeName(v))
		}
		for i, it := range items {
			t, ok := it.(map[string]any)
			if !ok {
				return p, d.errorf(fmt.Sprintf("%s.attestation-identities[%d]", path, i), "expected a table, got %s", typeName(it))
			}
			p.AttestationIdentities = append(p.AttestationIdentities, t)
		}
	}
	return p, nil
}

func (d *decoder) deps(m map[string]any, path string) ([]Dependency, error) {
	v, ok := m["dependencies"]
	if !ok {
		return nil, nil
	}
	path += ".dependencies"
	items, ok := v.([]any)
	if !ok {
		return nil, d.errorf(path, "expected an array of tables, got %s", typeName(v))
	}
	var deps []Dependency
	for i, it := range items {
		p := fmt.Sprintf("%s[%d]", path, i)
		t, ok := it.(map[string]any)
		if !ok {
			return nil, d.errorf(p, "expected a table, got %s", typeName(it))
		}
		var dep Dependency
		var err error
		if dep.Name, err = d.str(t, p, "name"); err != nil {
			return nil, err
		}
		if dep.Version, err = d.str(t, p, "version"); err != nil {
			return nil, err
		}
		if dep.Marker, err = d.str(t, p, "marker"); err != nil {
			return nil, err
		}
		deps = append(deps, dep)
	}
	return deps, nil
}

func (d *decoder) artifact(v any, path string) (*Artifact, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, d.errorf(path, "expected a table, got %s", typeName(v))
	}
	a := &Artifact{}
	var err error
	get := func(dst *string, key string) {
		if err == nil {
			*dst, err = d.str(m, path, key)
		}
	}
	get(&a.Name, "name")
	get(&a.URL, "url")
	get(&a.Path, "path")
	get(&a.Subdirectory, "subdirectory")
	if err != nil {
		return nil, err
	}
	if s, ok := m["size"]; ok {
		n, ok := s.(int64)
		if !ok {
			return nil, d.errorf(path+".size", "expected an integer, got %s", typeName(s))
		}
		a.Size = n
	}
	if t, ok := m["upload-time"]; ok {
		switch t := t.(type) {
		case time.Time:
			a.UploadTime = t
		case toml.LocalDateTime:
			a.UploadTime = t.AsTime(time.UTC) // PEP 751 times are UTC
		default:
			return nil, d.errorf(path+".upload-time", "expected a datetime, got %s", typeName(t))
		}
	}
	if h, ok := m["hashes"]; ok {
		t, ok := h.(map[string]any)
		if !ok {
			return nil, d.errorf(path+".hashes", "expected a table, got %s", typeName(h))
		}
		for k, v := range t {
			s, ok := v.(string)
			if !ok {
				return nil, d.errorf(path+".hashes."+k, "expected a string, got %s", typeName(v))
			}
			if a.Hashes == nil {
				a.Hashes = map[string]string{}
			}
			a.Hashes[k] = s
		}
	}
	return a, nil
}

func (d *decoder) tool(v any) (Tool, error) {
	const path = "tool.pylock"
	var t Tool
	m, ok := v.(map[string]any)
	if !ok {
		return t, d.errorf(path, "expected a table, got %s", typeName(v))
	}
	var err error
	get := func(dst *string, key string) {
		if err == nil {
			*dst, err = d.str(m, path, key)
		}
	}
	list := func(dst *[]string, key string) {
		if err == nil {
			*dst, err = d.strings(m, path, key)
		}
	}
	get(&t.InputsHash, "inputs-hash")
	list(&t.Inputs, "inputs")
	list(&t.Requirements, "requirements")
	list(&t.Constraints, "constraints")
	list(&t.Overrides, "overrides")
	get(&t.Target, "target")
	list(&t.InstallFirst, "install-first")
	list(&t.InstallOrder, "install-order")
	get(&t.Command, "command")
	if err != nil {
		return t, err
	}
	if t.InputRoles, err = d.toolInputs(m); err != nil {
		return t, err
	}
	if t.ABIGuard, err = d.toolABIGuard(m); err != nil {
		return t, err
	}
	if v, ok := m["via"]; ok {
		vm, ok := v.(map[string]any)
		if !ok {
			return t, d.errorf(path+".via", "expected a table, got %s", typeName(v))
		}
		for _, k := range sortedKeys(vm) {
			labels, err := d.strings(vm, path+".via", k)
			if err != nil {
				return t, err
			}
			if t.Via == nil {
				t.Via = map[string][]string{}
			}
			t.Via[k] = labels
		}
	}
	if o, ok := m["options"]; ok {
		om, ok := o.(map[string]any)
		if !ok {
			return t, d.errorf(path+".options", "expected a table, got %s", typeName(o))
		}
		for _, k := range sortedKeys(om) {
			s, ok := om[k].(string)
			if !ok {
				return t, d.errorf(path+".options."+k, "expected a string, got %s", typeName(om[k]))
			}
			if t.Options == nil {
				t.Options = map[string]string{}
			}
			t.Options[k] = s
		}
	}
	return t, nil
}

// toolInputs reads [[tool.pylock.input]] (absent in older locks).
func (d *decoder) toolInputs(m map[string]any) ([]ToolInput, error) {
	v, ok := m["input"]
	if !ok {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, d.errorf("tool.pylock.input", "expected an array of tables, got %s", typeName(v))
	}
	var out []ToolInput
	for i, item := range list {
		path := fmt.Sprintf("tool.pylock.input[%d]", i)
		t, ok := item.(map[string]any)
		if !ok {
			return nil, d.errorf(path, "expected a table, got %s", typeName(item))
		}
		var in ToolInput
		var err error
		for _, f := range []func() error{
			func() (e error) { in.Path, e = d.str(t, path, "path"); return },
			func() (e error) { in.Role, e = d.str(t, path, "role"); return },
			func() (e error) { in.Extras, e = d.strings(t, path, "extras"); return },
			func() (e error) { in.Groups, e = d.strings(t, path, "groups"); return },
			func() (e error) { in.AllExtras, e = d.boolean(t, path, "all-extras"); return },
			func() (e error) { in.AllGroups, e = d.boolean(t, path, "all-groups"); return },
		} {
			if err == nil {
				err = f()
			}
		}
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

// toolABIGuard reads [[tool.pylock.abi-guard]] (absent in older locks
// and when no ABI rule applied).
func (d *decoder) toolABIGuard(m map[string]any) ([]ToolABIGuard, error) {
	v, ok := m["abi-guard"]
	if !ok {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, d.errorf("tool.pylock.abi-guard", "expected an array of tables, got %s", typeName(v))
	}
	var out []ToolABIGuard
	for i, item := range list {
		path := fmt.Sprintf("tool.pylock.abi-guard[%d]", i)
		t, ok := item.(map[string]any)
		if !ok {
			return nil, d.errorf(path, "expected a table, got %s", typeName(item))
		}
		var g ToolABIGuard
		var err error
		for _, f := range []func() error{
			func() (e error) { g.Provider, e = d.str(t, path, "provider"); return },
			func() (e error) { g.FirstRelease, e = d.str(t, path, "first-release"); return },
			func() (e error) { g.Boundary, e = d.str(t, path, "boundary"); return },
			func() (e error) { g.Reason, e = d.str(t, path, "reason"); return },
			func() (e error) { g.HeldBack, e = d.strings(t, path, "held-back"); return },
			func() (e error) { g.Unsafe, e = d.strings(t, path, "unsafe"); return },
		} {
			if err == nil {
				err = f()
			}
		}
		if err != nil {
			return nil, err
		}
		if mv, ok := t["major"]; ok {
			n, ok := mv.(int64)
			if !ok || n <= 0 || n > 1<<20 {
				return nil, d.errorf(path+".major", "expected a positive integer, got %s", typeName(mv))
			}
			g.Major = int(n)
		}
		out = append(out, g)
	}
	return out, nil
}

// boolean reads an optional boolean key (false when absent).
func (d *decoder) boolean(m map[string]any, path, key string) (bool, error) {
	v, ok := m[key]
	if !ok {
		return false, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, d.errorf(path+"."+key, "expected a boolean, got %s", typeName(v))
	}
	return b, nil
}

// str reads an optional string key ("" when absent).
func (d *decoder) str(m map[string]any, path, key string) (string, error) {
	v, ok := m[key]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", d.errorf(joinPath(path, key), "expected a string, got %s", typeName(v))
	}
	return s, nil
}

// strings reads an optional array of strings (nil when absent or empty).
func (d *decoder) strings(m map[string]any, path, key string) ([]string, error) {
	v, ok := m[key]
	if !ok {
		return nil, nil
	}
	p := joinPath(path, key)
	items, ok := v.([]any)
	if !ok {
		return nil, d.errorf(p, "expected an array of strings, got %s", typeName(v))
	}
	var out []string
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, d.errorf(fmt.Sprintf("%s[%d]", p, i), "expected a string, got %s", typeName(it))
		}
		out = append(out, s)
	}
	return out, nil
}

// table reads an optional table kept verbatim (nil when absent or empty).
func (d *decoder) table(m map[string]any, path, key string) (map[string]any, error) {
	v, ok := m[key]
	if !ok {
		return nil, nil
	}
	t, ok := v.(map[string]any)
	if !ok {
		return nil, d.errorf(joinPath(path, key), "expected a table, got %s", typeName(v))
	}
	if len(t) == 0 {
		return nil, nil
	}
	return t, nil
}

// typeName names a decoded TOML value's type for error messages.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		return "an offset datetime"
	case toml.LocalDateTime:
		return "a local datetime"
	case toml.LocalDate:
		return "a local date"
	case toml.LocalTime:
		return "a local time"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
