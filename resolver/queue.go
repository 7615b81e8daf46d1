package resolver

import (
	"context"
	"slices"
)

// Decision order
//
// choose decides the pending package (positive derivation, no decision)
// that comes first by (class, usable versions, id): conflict-early packages
// first and conflict-late ones last (see conflicts.go), then the fewest
// usable versions within the current term, then creation order. Instead of
// scanning every package at every decision, the solver keeps the pending
// packages in a heap: the partial solution records each package whose
// assignments changed (partial.dirty), choose re-keys those, and heap
// entries made stale by a later change are dropped when they reach the
// top. A decision then costs O(log n) plus the packages it touched.

// queueEntry is one package's key at the time it was pushed.
type queueEntry struct {
	p     *pkg
	class int
	count int
	stamp int // p.stamp when pushed; older entries are stale
}

// queue is a min-heap of queueEntry by (class, count, id), typed so that
// pushing and popping allocate nothing (container/heap boxes each entry).
type queue []queueEntry

func (q queue) less(i, j int) bool {
	a, b := &q[i], &q[j]
	if a.class != b.class {
		return a.class < b.class
	}
	if a.count != b.count {
		return a.count < b.count
	}
	return a.p.id < b.p.id
}

// push adds e.
func (q *queue) push(e queueEntry) {
	*q = append(*q, e)
	h := *q
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

// pop removes the least entry.
func (q *queue) pop() {
	h := *q
	n := len(h) - 1
	h[0] = h[n]
	h[n] = queueEntry{}
	h = h[:n]
	*q = h
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// pending reports whether p waits for a decision.
func (s *solver) pending(p *pkg) bool {
	st := s.sol.st(p)
	return st.has && st.acc.pos && !st.decided
}

// requeue re-keys the packages whose assignments or class changed since
// the last call, in id order (so provider calls and hints go out in a
// deterministic order), loading their candidates and hinting their best
// version on first sight (noteBest).
func (s *solver) requeue(ctx context.Context) error {
	dirty := s.sol.takeDirty()
	sortByID(dirty)
	for _, p := range dirty {
		p.stamp++
		if !s.pending(p) {
			continue
		}
		if err := s.reg.load(ctx, p); err != nil {
			return err
		}
		st := s.sol.st(p)
		n := s.usableCount(p, st)
		s.noteBest(ctx, p, st.acc.set, n)
		s.queue.push(queueEntry{p: p, class: s.class(p), count: n, stamp: p.stamp})
	}
	return nil
}

// next returns the pending package that comes first, or nil.
func (s *solver) next(ctx context.Context) (*pkg, error) {
	if err := s.requeue(ctx); err != nil {
		return nil, err
	}
	for len(s.queue) > 0 {
		e := s.queue[0]
		if e.stamp == e.p.stamp && s.pending(e.p) {
			s.flushBest(ctx, e.count)
			return e.p, nil
		}
		s.queue.pop()
	}
	return nil, nil
}

func sortByID(ps []*pkg) {
	slices.SortFunc(ps, func(a, b *pkg) int { return a.id - b.id })
}
