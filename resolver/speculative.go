package resolver

import "context"

// speculativeKey marks the context of the background lookahead's provider
// calls.
type speculativeKey struct{}

// withSpeculation marks ctx as the context of guesses (lookahead.go).
func withSpeculation(ctx context.Context) context.Context {
	return context.WithValue(ctx, speculativeKey{}, true)
}

// Speculative reports whether a Provider call with ctx comes from the
// background lookahead rather than from the decision loop: its result is
// a guess the resolution may never use, so a provider may defer work it
// would do only for a guess (e.g. network requests when everything the
// decision loop asked for so far came from a cache). The result of the
// call must still be correct whenever it returns one.
func Speculative(ctx context.Context) bool {
	return ctx.Value(speculativeKey{}) != nil
}
