package pylock

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	pyinputs "github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
)

// Every option is part of a reused result's key, or turns reuse off, or
// (Offline, the callbacks, stdin) is left out on purpose: an option added
// later that resultKey does not see fails here.
func TestResultKeyCoversEveryOption(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	reqs, other := write("requirements.txt", "a\n"), write("more.txt", "b\n")
	noEnv := func(string) string { return "" }
	key := func(o Options) string { return keyOf(t, o, noEnv) }
	base := Options{Inputs: pyinputs.FromPaths(reqfile.PyprojectOptions{}, reqs), IndexURL: "https://example.invalid/simple/",
		CacheDir: dir, ReuseResult: true, Target: TargetSpec{PythonVersion: "3.11", Platform: "linux"}}
	k0 := key(base)
	if k0 == "" {
		t.Fatal("no key for plain options")
	}
	if key(base) != k0 {
		t.Fatal("the key is not stable")
	}
	ignored := map[string]bool{"Offline": true, "Stdin": true, "Getenv": true, "IndexEvents": true, "ResolverEvents": true, "Build.Log": true}
	disabling := map[string]bool{"Refresh": true, "NoCache": true, "VerifyFiles": true, "ReuseResult": true}
	special := map[string]func(o *Options){
		"Inputs": func(o *Options) {
			o.Inputs = append(o.Inputs, pyinputs.FromPaths(reqfile.PyprojectOptions{}, other)...)
		},
		"IndexStrategy":        func(o *Options) { o.IndexStrategy = "unsafe-best-match" },
		"Target.PythonVersion": func(o *Options) { o.Target.PythonVersion = "3.12" },
		"Target.Platform":      func(o *Options) { o.Target.Platform = "macos" },
		"Environments":         func(o *Options) { o.Environments = []pep508.Marker{mustMarker(t, `sys_platform == "linux"`)} },
		"RequiredEnvironments": func(o *Options) { o.RequiredEnvironments = []pep508.Marker{mustMarker(t, `sys_platform == "linux"`)} },
	}
	var visit func(v reflect.Value, path string)
	visit = func(v reflect.Value, path string) {
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name := strings.TrimPrefix(path+"."+f.Name, ".")
			if ignored[name] {
				continue
			}
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Time{}) {
				visit(v.Field(i), name)
				continue
			}
			o := base
			if set := special[name]; set != nil {
				set(&o)
			} else {
				change(t, fieldByPath(reflect.ValueOf(&o).Elem(), name), name)
			}
			k := key(o)
			switch {
			case disabling[name] && k != "":
				t.Errorf("%s changed: a key, want reuse off", name)
			case !disabling[name] && (k == "" || k == k0):
				t.Errorf("%s changed: key %q, want a new one (base %s)", name, k, k0)
			}
		}
	}
	visit(reflect.ValueOf(base), "")
	o := base
	o.Offline = true
	if key(o) != k0 {
		t.Error("Offline changes the key: offline and online runs would not share results")
	}
}

func fieldByPath(v reflect.Value, path string) reflect.Value {
	for _, p := range strings.Split(path, ".") {
		v = v.FieldByName(p)
	}
	return v
}

// change sets v to a value other than its current one.
func change(t *testing.T, v reflect.Value, name string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 7)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			t.Fatalf("%s: no way to change a %s (add it to special)", name, v.Type())
		}
		v.Set(reflect.Append(v, reflect.ValueOf("x").Convert(v.Type().Elem())))
	case reflect.Struct:
		if tm, ok := v.Interface().(time.Time); ok {
			v.Set(reflect.ValueOf(tm.Add(time.Hour)))
			return
		}
		fallthrough
	default:
		t.Fatalf("%s: no way to change a %s (add it to special)", name, v.Type())
	}
}

func mustMarker(t *testing.T, s string) pep508.Marker {
	t.Helper()
	m, err := pep508.ParseMarker(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The environment variables the inputs name are part of the key.
func TestResultKeyCoversInputVariables(t *testing.T) {
	reqs := filepath.Join(t.TempDir(), "requirements.txt")
	if err := os.WriteFile(reqs, []byte("a\n--extra-index-url https://${PYLOCK_TEST_TOKEN}@example.invalid/simple/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := Options{Inputs: pyinputs.FromPaths(reqfile.PyprojectOptions{}, reqs), IndexURL: "https://example.invalid/simple/",
		CacheDir: t.TempDir(), ReuseResult: true, Target: TargetSpec{PythonVersion: "3.11", Platform: "linux"}}
	key := func(token string) string {
		return keyOf(t, o, func(k string) string {
			if k == "PYLOCK_TEST_TOKEN" {
				return token
			}
			return ""
		})
	}
	if a, b := key("one"), key("two"); a == "" || a == b {
		t.Errorf("keys %q and %q: want two different keys", a, b)
	}
}

// keyOf is resultKey of o, its inputs read and its target built as Resolve
// does, with getenv as the environment.
func keyOf(t *testing.T, o Options, getenv func(string) string) string {
	t.Helper()
	in, err := readInputs(o)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := o.Target.Target(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	io, err := buildIndexOptions(o, in, getenv)
	if err != nil {
		t.Fatal(err)
	}
	return resultKey(o, in, io, tg, getenv)
}
