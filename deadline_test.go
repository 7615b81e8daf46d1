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
		wantCode int
		wantMsg  string
	}{
		{"solver stopped", expired, time.Second, budget, ExitNoSolution, "resolution budget exhausted"},
		{"fetch stopped", expired, time.Second, fetch, ExitIndex, "the --timeout deadline (1s) passed while fetching from the index: GET"},
		{"no budget", expired, 0, fetch, ExitIndex, "GET"},
		{"deadline not reached", live, time.Second, errors.New("bad input"), ExitUsage, "bad input"},
	}
	for _, tt := range tests {
		err := budgetErr(tt.ctx, tt.budget, tt.err)
		if got := ExitCode(err); got != tt.wantCode {
			t.Errorf("%s: exit %d, want %d (%v)", tt.name, got, tt.wantCode, err)
		}
		if !strings.HasPrefix(err.Error(), tt.wantMsg) {
			t.Errorf("%s: %q, want prefix %q", tt.name, err, tt.wantMsg)
		}
	}
}
