package pylock

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pylock/pylock/resolver"
)

// withBudget bounds ctx by Request.Budget (--timeout): the whole resolve,
// index fetching and solving, must finish by then.
func withBudget(ctx context.Context, budget time.Duration) (context.Context, context.CancelFunc) {
	if budget <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, budget)
}

// budgetErr maps an error of the resolve phase: when the --timeout deadline
// passed while fetching from the index (the solver itself reports a
// *resolver.BudgetError, exit 1), it becomes an index failure (exit 3) that
// says the deadline was hit.
func budgetErr(ctx context.Context, budget time.Duration, err error) error {
	var be *resolver.BudgetError
	if budget <= 0 || !errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.As(err, &be) {
		return wrap(err)
	}
	return &Error{Kind: KindIndex, Err: fmt.Errorf("the --timeout deadline (%s) passed while fetching from the index: %w", budget, err)}
}
