package resolver_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/memprovider"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/resolver"
)

func smallIndex(t *testing.T) *corpus.Index {
	t.Helper()
	idx, err := parseIndex(`
a 1.0: b>=1
a 2.0: b>=2 | c
b 1.0
b 2.0
c 1.0: b<3`)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// failing wraps a provider and fails Metadata for one project.
type failing struct {
	resolver.Provider
	name string
	err  error
}

func (f failing) Metadata(ctx context.Context, name string, v pep440.Version) (resolver.Metadata, error) {
	if name == f.name {
		return resolver.Metadata{}, f.err
	}
	return f.Provider.Metadata(ctx, name, v)
}

func setup(t *testing.T) (*memprovider.Provider, resolver.Options) {
	tg, opts, err := parseOptions("")
	if err != nil {
		t.Fatal(err)
	}
	return memprovider.New(smallIndex(t), tg, memprovider.Options{}), opts
}

func TestProviderErrorPropagates(t *testing.T) {
	p, opts := setup(t)
	boom := errors.New("GET https://example/simple/c/: 503")
	_, err := resolver.Resolve(context.Background(), failing{p, "c", boom}, []pep508.Requirement{pep508.MustParseRequirement("a")}, opts)
	var ns *resolver.NoSolutionError
	if !errors.Is(err, boom) || errors.As(err, &ns) {
		t.Fatalf("got %v, want the provider error wrapped", err)
	}
	if !strings.Contains(err.Error(), "c==1.0") {
		t.Errorf("error does not name the package: %v", err)
	}
}

func TestInvalidMetadataSkipsVersion(t *testing.T) {
	p, opts := setup(t)
	bad := failing{p, "a", errors.Join(errors.New("bad Requires-Dist"), resolver.ErrInvalidMetadata)}
	_, err := resolver.Resolve(context.Background(), bad, []pep508.Requirement{pep508.MustParseRequirement("a")}, opts)
	var ns *resolver.NoSolutionError
	if !errors.As(err, &ns) || !strings.Contains(ns.Explanation, "invalid metadata") {
		t.Fatalf("got %v, want a NoSolutionError naming the invalid metadata", err)
	}
}

func TestDeadline(t *testing.T) {
	p, opts := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := resolver.Resolve(ctx, p, []pep508.Requirement{pep508.MustParseRequirement("a")}, opts)
	var be *resolver.BudgetError
	if !errors.As(err, &be) || !strings.Contains(be.Partial, "deadline") {
		t.Fatalf("got %v, want a BudgetError", err)
	}
}

func TestPrefetchAndEvents(t *testing.T) {
	p, opts := setup(t)
	kinds := map[string]int{}
	opts.Progress = func(e resolver.Event) { kinds[e.Kind]++ }
	res, err := resolver.Resolve(context.Background(), p, []pep508.Requirement{pep508.MustParseRequirement("a")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st.Prefetch < 3 {
		t.Errorf("prefetch called %d times, want one per project at least", st.Prefetch)
	}
	if kinds["decide"] != res.Stats.Decisions || res.Stats.Decisions < 4 {
		t.Errorf("events %v, stats %+v", kinds, res.Stats)
	}
	a := res.Packages[0]
	if a.Name != "a" || !a.Direct || len(a.Dependencies) != 2 || a.Dependencies[0].Name != "b" || a.Dependencies[1].Requirement != "c" {
		t.Errorf("package a: %+v", a)
	}
	if len(res.Root) != 1 || res.Root[0].Name != "a" || res.Packages[1].Direct {
		t.Errorf("root edges %+v / b direct %v", res.Root, res.Packages[1].Direct)
	}
}

// TestSlowCasesDecided checks that the cases which made pip spin are
// decided (their speed is measured by BenchmarkResolvelib).
func TestSlowCasesDecided(t *testing.T) {
	dir := testenv.CorpusDir(t)
	for _, name := range []string{"pyrex-1.9.8", "cheroot"} {
		c, err := corpus.LoadResolvelibCase(filepath.Join(dir, "resolvelib", "case", name+".json"), dir)
		if err != nil {
			t.Fatal(err)
		}
		tg, opts := resolvelibEnv(t)
		root, _ := parseReqs(c.Requested)
		opts.MaxSteps = 5000
		_, err = resolver.Resolve(context.Background(), memprovider.New(c.Index, tg, memprovider.Options{}), root, opts)
		var be *resolver.BudgetError
		var ns *resolver.NoSolutionError
		if errors.As(err, &be) || err != nil && !errors.As(err, &ns) {
			t.Errorf("%s: not decided within 5000 steps: %v", name, err)
		}
	}
}
