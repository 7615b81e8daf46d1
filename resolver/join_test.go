package resolver

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// slowWalkProvider holds the background lookahead inside a provider call
// (the first for slow's metadata, which only the walk makes: the decision
// loop is held back until then) until the resolution's context is
// cancelled, and takes a while to return after that: Resolve must still
// wait for it.
type slowWalkProvider struct {
	*hintProvider
	slow     string
	calls    atomic.Int32
	entered  chan struct{} // closed when the walk asks for slow's metadata
	returned atomic.Bool   // set when that call returns
}

func (p *slowWalkProvider) Candidates(ctx context.Context, name string) ([]Candidate, error) {
	if name == "z" {
		// Decide nothing more until the walk is inside b's metadata.
		select {
		case <-p.entered:
		case <-time.After(10 * time.Second):
			return nil, errors.New("the lookahead never asked for " + p.slow + "'s metadata")
		}
	}
	return p.hintProvider.Candidates(ctx, name)
}

func (p *slowWalkProvider) Metadata(ctx context.Context, name string, v pep440.Version) (Metadata, error) {
	if name != p.slow || p.calls.Add(1) > 1 {
		return p.hintProvider.Metadata(ctx, name, v)
	}
	close(p.entered)
	<-ctx.Done()
	time.Sleep(20 * time.Millisecond)
	p.returned.Store(true)
	return Metadata{}, ctx.Err()
}

func TestResolveJoinsLookahead(t *testing.T) {
	for _, universal := range []bool{false, true} {
		p := &slowWalkProvider{
			hintProvider: &hintProvider{
				versions: map[string][]string{"a": {"1"}, "b": {"1"}, "z": {"1", "2"}},
				deps:     map[string]map[string]string{"a": {"1": "b"}},
				meta:     map[string]int{},
			},
			slow:    "b", // two levels down
			entered: make(chan struct{}),
		}
		if universal {
			p.slow = "a" // the universal walk only reads the hinted version's metadata
		}
		root := []pep508.Requirement{pep508.MustParseRequirement("a"), pep508.MustParseRequirement("z")}
		// Two steps: the root, then a; the budget error comes before the
		// solver itself would need b.
		opts := Options{MaxSteps: 2, Env: pep508.Env{"python_version": "3.12"}}
		var err error
		if universal {
			_, err = ResolveUniversal(t.Context(), p, root, UniversalOptions{Options: opts})
		} else {
			_, err = Resolve(t.Context(), p, root, opts)
		}
		var be *BudgetError
		if !errors.As(err, &be) {
			t.Fatalf("universal=%v: err = %v, want a *BudgetError", universal, err)
		}
		if !p.returned.Load() {
			t.Errorf("universal=%v: Resolve returned while the lookahead was still inside the provider", universal)
		}
		goleak.VerifyNone(t)
	}
}
