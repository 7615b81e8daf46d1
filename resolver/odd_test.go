package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/resolver"
)

// rawProvider serves candidates and metadata exactly as given, however
// odd: duplicates, unsorted versions, files missing, errors wrapping
// ErrProjectNotFound with or without detail.
type rawProvider struct {
	cands    map[string][]resolver.Candidate
	meta     map[string]resolver.Metadata // "name version"
	notFound map[string]error
}

func (p rawProvider) Candidates(_ context.Context, name string) ([]resolver.Candidate, error) {
	if err, ok := p.notFound[name]; ok {
		return nil, err
	}
	return p.cands[name], nil
}

func (p rawProvider) Metadata(_ context.Context, name string, v pep440.Version) (resolver.Metadata, error) {
	return p.meta[name+" "+v.String()], nil
}

func (rawProvider) Prefetch(string, ...pep440.Version) {}

func cand(v string, dists ...resolver.Dist) resolver.Candidate {
	if dists == nil {
		dists = []resolver.Dist{{Filename: "x.tar.gz", Compatible: true}}
	}
	return resolver.Candidate{Version: pep440.MustParse(v), Dists: dists}
}

func reqs(ss ...string) []pep508.Requirement {
	var out []pep508.Requirement
	for _, s := range ss {
		out = append(out, pep508.MustParseRequirement(s))
	}
	return out
}

// TestOddProviderData checks that odd but valid provider data and options
// give a result or a *NoSolutionError, never a panic or another error.
func TestOddProviderData(t *testing.T) {
	_, base := setup(t)
	tests := []struct {
		name string
		p    rawProvider
		root []string
		opts func(*resolver.Options)
		want string // "ok: a==1.0 ..." or a substring of the explanation
	}{
		{name: "no root requirements", root: nil, want: "ok:"},
		{name: "duplicate and unsorted versions", p: rawProvider{cands: map[string][]resolver.Candidate{
			"a": {cand("2.0"), cand("1.0"), cand("2.0"), cand("1.0")}}}, root: []string{"a<2"}, want: "ok: a==1.0"},
		{name: "version without files", p: rawProvider{cands: map[string][]resolver.Candidate{
			"a": {{Version: pep440.MustParse("1.0")}}}}, root: []string{"a"}, want: "a==1.0 has no files"},
		{name: "no candidates and no error", p: rawProvider{}, root: []string{"a[x]"}, want: "there is no version of a"},
		{name: "empty range with extras on a missing project", p: rawProvider{notFound: map[string]error{"a": resolver.ErrProjectNotFound}},
			root: []string{"a[x]>2,<1"}, want: "you require a[x]>2,<1, which no version can satisfy"},
		{name: "conflict hook with an empty set on an absent project", p: rawProvider{cands: map[string][]resolver.Candidate{"a": {cand("1.0")}}},
			root: []string{"a"}, opts: func(o *resolver.Options) {
				o.Conflicts = func(context.Context, string, pep440.Version) []resolver.Conflict {
					return []resolver.Conflict{{Name: "ghost", Set: pep440.Empty(), Reason: "never"}, {Name: "ghost2", Set: pep440.Full(), Reason: "ghost2 not selected"}}
				}
			}, want: "ok: a==1.0"},
		{name: "self-requirement with an empty range on an extra", p: rawProvider{
			cands: map[string][]resolver.Candidate{"a": {cand("1.0")}},
			meta:  map[string]resolver.Metadata{"a 1.0": {RequiresDist: reqs(`a[y]===foo ; extra == "x"`)}}},
			root: []string{"a[x]"}, want: "a[x]==1.0 depends on a[y]===foo, which no version can satisfy"},
		{name: "override and constraint with empty ranges on absent packages", p: rawProvider{cands: map[string][]resolver.Candidate{"a": {cand("1.0")}}},
			root: []string{"a"}, opts: func(o *resolver.Options) {
				o.Overrides = reqs("ghost>2,<1")
				o.Constraints = reqs("ghost2===foo")
			}, want: "ok: a==1.0"},
		{name: "override emptying a root requirement", p: rawProvider{cands: map[string][]resolver.Candidate{"a": {cand("1.0")}}},
			root: []string{"a"}, opts: func(o *resolver.Options) { o.Overrides = reqs("a===foo") },
			want: "you require a===foo, which no version can satisfy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := base
			if tt.opts != nil {
				tt.opts(&opts)
			}
			got := func() (s string) {
				defer func() {
					if r := recover(); r != nil {
						s = fmt.Sprint("panic: ", r)
					}
				}()
				res, err := resolver.Resolve(context.Background(), tt.p, reqs(tt.root...), opts)
				var ns *resolver.NoSolutionError
				switch {
				case errors.As(err, &ns):
					return ns.Explanation
				case err != nil:
					return "other error: " + err.Error()
				}
				var b strings.Builder
				b.WriteString("ok:")
				for _, p := range res.Packages {
					b.WriteString(" " + p.Name + "==" + p.Version.String())
				}
				return b.String()
			}()
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestNotFoundDetail(t *testing.T) {
	_, opts := setup(t)
	tests := []struct {
		err  error
		want string
	}{
		{resolver.ErrProjectNotFound, "Because reqeusts was not found in the package index and you require reqeusts, "},
		{fmt.Errorf("reqeusts: %w", resolver.ErrProjectNotFound), "reqeusts was not found in the package index and you"},
		// The message is never parsed: only a *ProviderError says where.
		{fmt.Errorf("%w: %w", resolver.ErrProjectNotFound, errors.New(`no such project "reqeusts" on https://pypi.org/simple (404)`)),
			"Because reqeusts was not found in the package index and you require reqeusts, "},
		{&resolver.ProviderError{Kind: resolver.ErrProjectNotFound, Project: "reqeusts", Where: "https://pypi.org/simple", Status: 404, Err: errors.New("no such project")},
			"Because reqeusts was not found on https://pypi.org/simple (404) and you require reqeusts, "},
		{fmt.Errorf("wrapped: %w", &resolver.ProviderError{Kind: resolver.ErrProjectNotFound, Project: "reqeusts", Err: errors.New("mirror says gone (410)")}),
			"reqeusts was not found in the package index (mirror says gone (410))"},
	}
	for _, tt := range tests {
		p := rawProvider{notFound: map[string]error{"reqeusts": tt.err}}
		_, err := resolver.Resolve(context.Background(), p, reqs("reqeusts"), opts)
		var ns *resolver.NoSolutionError
		if !errors.As(err, &ns) || !strings.Contains(ns.Explanation, tt.want) {
			t.Errorf("%v: got %v, want it to contain %q", tt.err, err, tt.want)
		}
	}
}
