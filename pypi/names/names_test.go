package names

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/testenv"
)

func TestNamesVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testenv.VectorsDir(t), "names.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Count int `json:"count"`
		Cases []struct {
			Input        string `json:"input"`
			Normalized   string `json:"normalized"`
			Valid        bool   `json:"valid"`
			IsNormalized bool   `json:"is_normalized"`
			ASCII        bool   `json:"ascii"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) != doc.Count {
		t.Fatalf("names.json: count %d, have %d cases", doc.Count, len(doc.Cases))
	}
	passed, failed := 0, 0
	for _, c := range doc.Cases {
		var errs []string
		if got := Canonicalize(c.Input); got != c.Normalized {
			errs = append(errs, "Canonicalize = "+quote(got)+", want "+quote(c.Normalized))
		}
		if got := Validate(c.Input) == nil; got != c.Valid {
			errs = append(errs, "valid mismatch")
		}
		if got := IsNormalized(c.Input); got != c.IsNormalized {
			errs = append(errs, "IsNormalized mismatch")
		}
		if len(errs) > 0 {
			failed++
			t.Errorf("%q (ascii=%v): %s", c.Input, c.ASCII, strings.Join(errs, "; "))
			continue
		}
		passed++
	}
	// Printed at the start of a line so .ci/run's summary picks it up.
	fmt.Printf("vectors names.json: %d passed, %d failed\n", passed, failed)
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestCanonicalizeTable(t *testing.T) {
	for in, want := range map[string]string{
		"":             "",
		"Foo__Bar":     "foo-bar",
		"a-_-b":        "a-b",
		"ΑΣ":           "ας",
		"ΑΣ Α":         "ας α",
		"a.Σ":          "a-ς",
		"aΣ.b":         "aσ-b",
		"\u0130x":      "i\u0307x",
		"\xffA":        "\xffa",
		"already-norm": "already-norm",
	} {
		if got := Canonicalize(in); got != want {
			t.Errorf("Canonicalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsNormalizedQuirk(t *testing.T) {
	// packaging's regex checks the look-ahead only after middle characters.
	for in, want := range map[string]bool{"a--b": true, "foo--bar": false, "a-b": true, "a": true, "-": false, "ab-": false} {
		if got := IsNormalized(in); got != want {
			t.Errorf("IsNormalized(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{"Foo.Bar_baz", "a--b", "ΑΣ", "\u0130", "_x_", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Canonicalize(s)
		if c2 := Canonicalize(c); c2 != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, c, c2)
		}
		if strings.Contains(c, "--") || strings.ContainsAny(c, "_.") {
			t.Fatalf("Canonicalize(%q) = %q keeps a separator run", s, c)
		}
		if IsValid(s) {
			if !IsNormalized(c) {
				t.Fatalf("valid %q canonicalises to %q, which is not normalised", s, c)
			}
		}
		if IsNormalized(s) && !strings.Contains(s, "--") && c != s {
			t.Fatalf("normalised %q canonicalises to %q", s, c)
		}
	})
}

func BenchmarkCanonicalize(b *testing.B) {
	for _, in := range []string{"requests", "Foo.Bar_baz"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_ = Canonicalize(in)
			}
		})
	}
}
