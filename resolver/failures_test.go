package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/resolver"
)

// errProvider fails Metadata for a==2.0 with err.
type errProvider struct {
	rawProvider
	err error
}

func (p errProvider) Metadata(ctx context.Context, name string, v pep440.Version) (resolver.Metadata, error) {
	if name == "a" && v.String() == "2.0" {
		return resolver.Metadata{}, p.err
	}
	return p.rawProvider.Metadata(ctx, name, v)
}

func TestMetadataErrorKinds(t *testing.T) {
	_, opts := setup(t)
	base := rawProvider{cands: map[string][]resolver.Candidate{"a": {cand("1.0"), cand("2.0")}}}
	for _, tc := range []struct {
		name   string
		err    error
		kind   error
		reason string // "" when the resolution must stop with err
	}{
		{"invalid metadata", fmt.Errorf("Requires-Dist %q: bad: %w", "x >", resolver.ErrInvalidMetadata), resolver.ErrInvalidMetadata, "has invalid metadata"},
		{"needs build", &resolver.ProviderError{Kind: resolver.ErrNeedsBuild, Project: "a", Version: "2.0"}, resolver.ErrNeedsBuild, "needs a source build for its metadata"},
		{"cannot build", errors.Join(errors.New("its sdist needs a build (no PKG-INFO) and building is disabled by --no-build"), resolver.ErrInvalidMetadata, resolver.ErrCannotBuild), resolver.ErrCannotBuild,
			"cannot be used: its sdist needs a build (no PKG-INFO) and building is disabled by --no-build"},
		{"yanked", fmt.Errorf("a 2.0: %w", resolver.ErrYanked), resolver.ErrYanked, "was yanked"},
		{"unavailable", &resolver.ProviderError{Kind: resolver.ErrUnavailable, Project: "a", Where: "https://idx", Status: 503}, resolver.ErrUnavailable, ""},
		{"untyped", errors.New("connection reset"), nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := errProvider{base, tc.err}
			res, err := resolver.Resolve(context.Background(), p, reqs("a"), opts)
			if tc.reason == "" {
				var ns *resolver.NoSolutionError
				if err == nil || errors.As(err, &ns) || !errors.Is(err, tc.err) || tc.kind != nil && !errors.Is(err, tc.kind) {
					t.Fatalf("got %v, %v; want the provider error", res, err)
				}
				return
			}
			if err != nil || len(res.Packages) != 1 || res.Packages[0].Version.String() != "1.0" {
				t.Fatalf("got %v, %v; want a==1.0 (2.0 skipped)", res, err)
			}
			_, err = resolver.Resolve(context.Background(), p, reqs("a==2.0"), opts)
			var ns *resolver.NoSolutionError
			if !errors.As(err, &ns) {
				t.Fatalf("a==2.0: got %v, want a *NoSolutionError", err)
			}
			if !strings.Contains(ns.Explanation, "a==2.0 "+tc.reason) {
				t.Errorf("explanation %q does not say %q", ns.Explanation, "a==2.0 "+tc.reason)
			}
			found := false
			ns.Derivation.Walk(func(ic *resolver.Incompatibility) {
				if ic.Kind == resolver.CauseUnavailable && errors.Is(ic.Err, tc.kind) && ic.Terms[0].Name == "a" && ic.Terms[0].Range == "==2.0" {
					found = true
				}
			})
			if !found {
				t.Errorf("the derivation has no unavailable a==2.0 carrying %v", tc.kind)
			}
		})
	}
}

func TestDerivationStructure(t *testing.T) {
	_, opts := setup(t)
	p := rawProvider{
		cands: map[string][]resolver.Candidate{"a": {cand("1.0")}, "b": {cand("1.0"), cand("2.0")}},
		meta:  map[string]resolver.Metadata{"a 1.0": {RequiresDist: reqs("b<2")}},
		notFound: map[string]error{"gone": &resolver.ProviderError{
			Kind: resolver.ErrProjectNotFound, Project: "gone", Where: "https://idx/simple", Status: 404}},
	}
	_, err := resolver.Resolve(context.Background(), p, reqs("a", "b>=2"), opts)
	var ns *resolver.NoSolutionError
	if !errors.As(err, &ns) || ns.Derivation == nil {
		t.Fatalf("got %v, want a *NoSolutionError with a derivation", err)
	}
	d := ns.Derivation
	if d.Kind != resolver.CauseDerived || d.Text != "your requirements are unsatisfiable" {
		t.Errorf("root: kind %v, text %q", d.Kind, d.Text)
	}
	var deps []string
	d.Walk(func(ic *resolver.Incompatibility) {
		if ic.External() != (len(ic.Causes) == 0) {
			t.Errorf("%q: kind %v with %d causes", ic.Text, ic.Kind, len(ic.Causes))
		}
		if !ic.External() && len(ic.Causes) != 2 {
			t.Errorf("%q: derived from %d", ic.Text, len(ic.Causes))
		}
		if ic.Kind == resolver.CauseDependency {
			from, to := ic.Terms[0], ic.Terms[1]
			if !from.Positive || to.Positive {
				t.Errorf("%q: term signs %v %v", ic.Text, from.Positive, to.Positive)
			}
			deps = append(deps, from.Package+" -> "+to.Package+ic.Requirement)
		}
		if ic.Text == "" || !strings.Contains(ns.Explanation, ic.Text) && ic.Kind != resolver.CauseRoot {
			t.Errorf("node %q (%v) is not in the explanation:\n%s", ic.Text, ic.Kind, ns.Explanation)
		}
	})
	want := []string{" -> a", " -> b>=2", "a -> b<2"}
	for _, w := range want {
		found := false
		for _, d := range deps {
			found = found || d == w
		}
		if !found {
			t.Errorf("dependencies %q lack %q", deps, w)
		}
	}

	_, err = resolver.Resolve(context.Background(), p, reqs("gone"), opts)
	if !errors.As(err, &ns) {
		t.Fatalf("gone: %v", err)
	}
	found := false
	ns.Derivation.Walk(func(ic *resolver.Incompatibility) {
		var pe *resolver.ProviderError
		if ic.Kind == resolver.CauseNoVersions && errors.Is(ic.Err, resolver.ErrProjectNotFound) && errors.As(ic.Err, &pe) && pe.Where == "https://idx/simple" {
			found = true
		}
	})
	if !found || !strings.Contains(ns.Explanation, "gone was not found on https://idx/simple (404)") {
		t.Errorf("gone: no not-found node with the provider error in\n%s", ns.Explanation)
	}
}
