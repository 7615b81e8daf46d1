package pep508

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/testenv"
)

func loadJSON(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.VectorsDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func TestRequirementVectors(t *testing.T) {
	var doc struct {
		Count int `json:"count"`
		Cases []struct {
			Input            string   `json:"input"`
			Valid            bool     `json:"valid"`
			Name             string   `json:"name"`
			NormalizedName   string   `json:"normalized_name"`
			Extras           []string `json:"extras"`
			NormalizedExtras []string `json:"normalized_extras"`
			Specifier        string   `json:"specifier"`
			URL              *string  `json:"url"`
			Marker           *string  `json:"marker"`
			Str              string   `json:"str"`
		} `json:"cases"`
	}
	loadJSON(t, "requirements.json", &doc)
	if len(doc.Cases) != doc.Count {
		t.Fatalf("count %d, have %d cases", doc.Count, len(doc.Cases))
	}
	passed, failed := 0, 0
	for _, c := range doc.Cases {
		errs := checkRequirement(c.Input, c.Valid, func(r Requirement) []string {
			var errs []string
			want := func(field, got, want string) {
				if got != want {
					errs = append(errs, fmt.Sprintf("%s = %q, want %q", field, got, want))
				}
			}
			want("Name", r.Name, c.Name)
			want("NormalizedName", r.NormalizedName(), c.NormalizedName)
			extras := append([]string(nil), r.Extras...)
			extras = sortUnique(extras)
			want("Extras", strings.Join(extras, ","), strings.Join(c.Extras, ","))
			want("NormalizedExtras", strings.Join(r.NormalizedExtras(), ","), strings.Join(c.NormalizedExtras, ","))
			want("Specifier", r.Specifier.String(), c.Specifier)
			want("URL", r.URL, deref(c.URL))
			want("Marker", r.Marker.String(), deref(c.Marker))
			if r.Marker.IsTrue() != (c.Marker == nil) {
				errs = append(errs, "marker presence mismatch")
			}
			want("String", r.String(), c.Str)
			return errs
		})
		if len(errs) > 0 {
			failed++
			t.Errorf("ParseRequirement(%q): %s", c.Input, strings.Join(errs, "; "))
		} else {
			passed++
		}
	}
	fmt.Printf("vectors requirements.json: %d passed, %d failed\n", passed, failed)
}

func checkRequirement(input string, valid bool, check func(Requirement) []string) []string {
	r, err := ParseRequirement(input)
	if !valid {
		if err == nil {
			return []string{fmt.Sprintf("got %q, want an error", r.String())}
		}
		var se *SyntaxError
		if !errors.As(err, &se) || se.Input != input {
			return []string{fmt.Sprintf("error %v does not name the input", err)}
		}
		return nil
	}
	if err != nil {
		return []string{err.Error()}
	}
	errs := check(r)
	// Round trip: String() parses back to the same String().
	if r2, err := ParseRequirement(r.String()); err != nil {
		errs = append(errs, "re-parse of String(): "+err.Error())
	} else if r2.String() != r.String() {
		errs = append(errs, fmt.Sprintf("re-parse prints %q", r2.String()))
	}
	return errs
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type markerDoc struct {
	Count        int                       `json:"count"`
	Environments map[string]map[string]any `json:"environments"`
	Cases        []struct {
		Marker          string         `json:"marker"`
		Valid           bool           `json:"valid"`
		Normalized      *string        `json:"normalized"`
		Context         string         `json:"context"`
		EnvironmentName *string        `json:"environment_name"`
		Environment     map[string]any `json:"environment"`
		Result          *bool          `json:"result"`
		Error           *string        `json:"error"`
	} `json:"cases"`
}

// splitEnv separates string variables from the lock-file set variables.
func splitEnv(raw map[string]any) (env Env, extras, groups []string, err error) {
	env = Env{}
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			env[k] = v
		case []any:
			var list []string
			for _, x := range v {
				s, ok := x.(string)
				if !ok {
					return nil, nil, nil, fmt.Errorf("%s: non-string item %v", k, x)
				}
				list = append(list, s)
			}
			switch k {
			case "extras":
				extras = list
			case "dependency_groups":
				groups = list
			default:
				return nil, nil, nil, fmt.Errorf("unexpected list variable %s", k)
			}
		default:
			return nil, nil, nil, fmt.Errorf("%s: unexpected value %v", k, v)
		}
	}
	return env, extras, groups, nil
}

func TestMarkerVectors(t *testing.T) {
	var doc markerDoc
	loadJSON(t, "markers.json", &doc)
	if len(doc.Cases) != doc.Count {
		t.Fatalf("count %d, have %d cases", doc.Count, len(doc.Cases))
	}
	if len(doc.Environments) == 0 {
		t.Fatal("markers.json has no environments")
	}
	passed, failed := 0, 0
	for _, c := range doc.Cases {
		var errs []string
		m, err := ParseMarker(c.Marker)
		switch {
		case !c.Valid:
			if err == nil {
				errs = append(errs, fmt.Sprintf("parsed as %q, want InvalidMarker", m.String()))
			} else if se := (*SyntaxError)(nil); !errors.As(err, &se) || se.Input != c.Marker {
				errs = append(errs, fmt.Sprintf("error %v does not name the input", err))
			}
		case err != nil:
			errs = append(errs, err.Error())
		default:
			errs = append(errs, checkMarkerCase(m, c.Normalized, c.Context, c.Environment, c.Result, c.Error)...)
			if c.EnvironmentName != nil {
				if named, ok := doc.Environments[*c.EnvironmentName]; !ok {
					errs = append(errs, "unknown environment "+*c.EnvironmentName)
				} else if fmt.Sprint(named) != fmt.Sprint(c.Environment) {
					errs = append(errs, "environment differs from the named one")
				}
			}
		}
		if len(errs) > 0 {
			failed++
			name := ""
			if c.EnvironmentName != nil {
				name = *c.EnvironmentName
			}
			t.Errorf("marker %q [%s %s]: %s", c.Marker, c.Context, name, strings.Join(errs, "; "))
		} else {
			passed++
		}
	}
	fmt.Printf("vectors markers.json: %d passed, %d failed\n", passed, failed)
}

func checkMarkerCase(m Marker, normalized *string, context string, rawEnv map[string]any, result *bool, wantErr *string) []string {
	var errs []string
	if normalized != nil && m.String() != *normalized {
		errs = append(errs, fmt.Sprintf("String() = %q, want %q", m.String(), *normalized))
	}
	if m2, err := ParseMarker(m.String()); err != nil || m2.String() != m.String() {
		errs = append(errs, fmt.Sprintf("String() does not round-trip: %v", err))
	}
	env, extras, groups, err := splitEnv(rawEnv)
	if err != nil {
		return append(errs, err.Error())
	}
	var got bool
	switch context {
	case "metadata":
		got, err = m.Evaluate(env)
	case "lock_file":
		got, err = m.EvaluateLock(env, extras, groups)
	default:
		return append(errs, "unknown context "+context)
	}
	switch {
	case wantErr != nil:
		var uc *UndefinedComparisonError
		var un *UndefinedEnvironmentNameError
		ok := *wantErr == "UndefinedComparison" && errors.As(err, &uc) ||
			*wantErr == "UndefinedEnvironmentName" && errors.As(err, &un)
		if !ok {
			errs = append(errs, fmt.Sprintf("got (%v, %v), want %s", got, err, *wantErr))
		}
	case err != nil:
		errs = append(errs, fmt.Sprintf("unexpected error %v", err))
	case result == nil:
		errs = append(errs, "case has neither result nor error")
	case got != *result:
		errs = append(errs, fmt.Sprintf("Evaluate = %v, want %v", got, *result))
	}
	return errs
}

// TestMarkerEnvironmentsCovered checks that every named environment is used.
func TestMarkerEnvironmentsCovered(t *testing.T) {
	var doc markerDoc
	loadJSON(t, "markers.json", &doc)
	used := map[string]bool{}
	for _, c := range doc.Cases {
		if c.EnvironmentName != nil {
			used[*c.EnvironmentName] = true
		}
	}
	var missing []string
	for name := range doc.Environments {
		if !used[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("environments never used: %v", missing)
	}
}
