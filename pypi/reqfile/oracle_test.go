package reqfile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestPipOracle checks Parse against pip's own parser: testdata/pip-oracle.json
// is written by testdata/pip_oracle.py from pip's parse_requirements.
func TestPipOracle(t *testing.T) {
	data, err := os.ReadFile("testdata/pip-oracle.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Oracle string
		Cases  []struct {
			Name  string
			Top   string
			Files map[string]string
			Env   map[string]string
			Want  struct {
				Error        string
				Requirements []struct {
					Raw, File  string
					Line       int
					Editable   bool
					Constraint bool
					Hashes     []string
				}
				IndexURLs    []string `json:"index_urls"`
				NoIndex      bool     `json:"no_index"`
				FindLinks    []string `json:"find_links"`
				Pre          bool
				PreferBinary bool     `json:"prefer_binary"`
				TrustedHosts []string `json:"trusted_hosts"`
				NoBinary     []string `json:"no_binary"`
				OnlyBinary   []string `json:"only_binary"`
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	passed, failed := 0, 0
	for _, c := range doc.Cases {
		ok := t.Run(c.Name, func(t *testing.T) {
			fs := memFS(c.Files)
			f, err := Parse(c.Top, []byte(c.Files[c.Top]), fs.options(c.Env))
			if c.Want.Error != "" {
				if err == nil {
					t.Fatalf("pip rejects it (%s); Parse accepted it", c.Want.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("pip accepts it; Parse: %v", err)
			}
			type req struct {
				Raw, File        string
				Line             int
				Editable, Constr bool
				Hashes           []string
			}
			var want, got []req
			for _, r := range c.Want.Requirements {
				want = append(want, req{r.Raw, filepath.Clean(r.File), r.Line, r.Editable, r.Constraint, append([]string{}, r.Hashes...)})
			}
			for i, es := range [][]Entry{f.Requirements, f.Constraints} {
				for _, e := range es {
					got = append(got, req{e.Raw, e.File, e.Line, e.Editable, i == 1, append([]string{}, e.Hashes...)})
				}
			}
			// pip yields requirements and constraints interleaved; compare each kind in order.
			split := func(rs []req) (a, b []req) {
				for _, r := range rs {
					if r.Constr {
						b = append(b, r)
					} else {
						a = append(a, r)
					}
				}
				return
			}
			wa, wb := split(want)
			ga, gb := split(got)
			if !reflect.DeepEqual(ga, wa) || !reflect.DeepEqual(gb, wb) {
				t.Errorf("requirements\n got  %+v %+v\n want %+v %+v", ga, gb, wa, wb)
			}
			idx := []string{}
			if f.IndexURL != "" {
				idx = append(idx, f.IndexURL)
			}
			idx = append(idx, f.ExtraIndexURLs...)
			norm := func(s []string) []string {
				if len(s) == 0 {
					return nil
				}
				return s
			}
			check := func(what string, got, want any) {
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: got %q, want %q", what, got, want)
				}
			}
			check("index urls", norm(idx), norm(c.Want.IndexURLs))
			check("no-index", f.NoIndex, c.Want.NoIndex)
			check("find-links", norm(f.FindLinks), norm(c.Want.FindLinks))
			check("pre", f.Pre, c.Want.Pre)
			check("prefer-binary", f.PreferBinary, c.Want.PreferBinary)
			check("trusted hosts", norm(f.TrustedHosts), norm(c.Want.TrustedHosts))
			check("no-binary", norm(f.NoBinary), norm(c.Want.NoBinary))
			check("only-binary", norm(f.OnlyBinary), norm(c.Want.OnlyBinary))
		})
		if ok {
			passed++
		} else {
			failed++
		}
	}
	t.Logf("pip oracle (%s): %d passed, %d failed", doc.Oracle, passed, failed)
}
