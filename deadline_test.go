package pylock

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pylock/pylock/resolver"
)

func TestBudgetErr(t *testing.T) {
	expired, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	live := context.Background()
	fetch := &indexError{errors.New("GET http://127.0.0.1/simple/numpy/: context deadline exceeded")}
	budget := &resolver.BudgetError{Partial: "the deadline passed"}
	tests := []struct {
		name     string
		ctx      context.Context
		budget   time.Duration
		err      error
		wantKind Kind
		wantMsg  string
	}{
		{"solver stopped", expired, time.Second, budget, KindNoSolution, "resolution budget exhausted"},
		{"fetch stopped", expired, time.Second, fetch, KindIndex, "the --timeout deadline (1s) passed while fetching from the index: GET"},
		{"no budget", expired, 0, fetch, KindIndex, "GET"},
		{"deadline not reached", live, time.Second, errors.New("bad input"), KindUsage, "bad input"},
	}
	for _, tt := range tests {
		err := budgetErr(tt.ctx, tt.budget, tt.err)
		if got := KindOf(err); got != tt.wantKind {
			t.Errorf("%s: kind %s, want %s (%v)", tt.name, got, tt.wantKind, err)
		}
		if !strings.HasPrefix(err.Error(), tt.wantMsg) {
			t.Errorf("%s: %q, want prefix %q", tt.name, err, tt.wantMsg)
		}
	}
}
