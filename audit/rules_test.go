package audit

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/format"
	"os"
	"reflect"
	"testing"
	"time"
)

//go:embed abi_rules.toml
var defaultRules []byte

// rulesGoFile renders rules as rules_default.go.
func rulesGoFile(rules []Rule) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated from abi_rules.toml by TestDefaultRulesMatchTOML (UPDATE=1 go test ./audit -run TestDefaultRulesMatchTOML); DO NOT EDIT.\n\n")
	b.WriteString("package audit\n\nimport \"time\"\n\n")
	b.WriteString("// defaultRuleSet is abi_rules.toml, compiled in (see DefaultRules).\n")
	b.WriteString("var defaultRuleSet = []Rule{\n")
	for _, r := range rules {
		t := r.FallbackDate.UTC()
		fmt.Fprintf(&b, "{\nProvider: %q,\nMajor: %d,\n", r.Provider, r.Major)
		fmt.Fprintf(&b, "FallbackDate: time.Date(%d, %d, %d, %d, %d, %d, %d, time.UTC),\n",
			t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond())
		fmt.Fprintf(&b, "Reason: %q,\n", r.Reason)
		if r.RebuiltWhen != nil {
			fmt.Fprintf(&b, "RebuiltWhen: %#v,\n", r.RebuiltWhen)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}

// TestDefaultRulesMatchTOML: the compiled-in rules are abi_rules.toml
// (UPDATE=1 regenerates rules_default.go after an edit of the TOML).
func TestDefaultRulesMatchTOML(t *testing.T) {
	parsed, err := ParseRules(defaultRules)
	if err != nil {
		t.Fatalf("abi_rules.toml: %v", err)
	}
	if len(parsed) == 0 {
		t.Fatal("abi_rules.toml has no rule")
	}
	want, err := rulesGoFile(parsed)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("UPDATE") != "" {
		if err := os.WriteFile("rules_default.go", want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("rules_default.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("rules_default.go is not abi_rules.toml: run UPDATE=1 go test ./audit -run TestDefaultRulesMatchTOML\nwant:\n%s", want)
	}
	rules := DefaultRules()
	if len(rules) != len(parsed) {
		t.Fatalf("DefaultRules() has %d rules, abi_rules.toml %d", len(rules), len(parsed))
	}
	for i := range rules {
		g, w := rules[i], parsed[i]
		if !g.FallbackDate.Equal(w.FallbackDate) {
			t.Errorf("rule %d: fallback-date %v, want %v", i, g.FallbackDate, w.FallbackDate)
		}
		g.FallbackDate, w.FallbackDate = time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("rule %d: %+v, want %+v", i, g, w)
		}
	}
	// Callers own what they get.
	rules[0].RebuiltWhen = append(rules[0].RebuiltWhen[:0], "changed")
	rules[0].Provider = "changed"
	if again := DefaultRules(); again[0].Provider == "changed" || (len(again[0].RebuiltWhen) > 0 && again[0].RebuiltWhen[0] == "changed") {
		t.Errorf("DefaultRules shares its slices with its callers: %+v", again[0])
	}
}
