package resolver

import "slices"

// Conflict-driven prioritisation
//
// Deciding packages by the fewest usable versions alone can walk a
// package down its whole release history: with requirements a and b,
// where every recent b requires an older a, deciding a first at its newest
// version rejects b's releases one by one until an ancient b (often with
// unbounded dependencies or no wheels) accepts it. Like uv, the solver
// counts conflicts per package: each time a version of p is rejected
// because of the other packages of an incompatibility (at once, when its
// dependencies contradict decisions already made, or in conflict
// resolution), p is "affected" and each of those packages is a "culprit".
// A package affected conflictThreshold times is decided early (before
// every other package); a culprit conflictThreshold times is decided late
// (after every other package; uv puts it between the two, which in a
// boto3 -> botocore -> urllib3 chain decides urllib3 before boto3 again),
// and if it is decided, the solver backtracks to just before that
// decision, so the packages it kept rejecting choose first and the culprit
// follows them. With a and b: b is decided first at its newest version and
// a at the newest version b allows.
//
// A conflict is counted when a version's dependencies contradict the
// decisions made (affected: the package tried; culprits: the packages its
// violated requirement names) and when conflict resolution learns an
// incompatibility (affected: the package whose term it derives after
// backjumping; culprits: the learned incompatibility's other packages).
//
// Marks only ever go from normal to early or late (and never from early
// to late), so the reordering happens at most twice per package and the
// search stays finite; counts depend only on the decision loop, so the
// result is deterministic.

// conflictThreshold is the number of conflicts after which a package's
// decision class changes (uv's CONFLICT_THRESHOLD).
const conflictThreshold = 5

// class is p's decision class (queue.go): 0 conflict-early, 1 the
// others, 2 conflict-late.
func (s *solver) class(p *pkg) int {
	switch {
	case p.early:
		return 0
	case p.late:
		return 2
	}
	return 1
}

// recordConflict counts a conflict in which a version of p was rejected
// because of the other packages of ic.
func (s *solver) recordConflict(p *pkg, ic *incompat) {
	real := false
	for _, t := range ic.terms {
		q := t.pkg
		// Terms on p itself, on the root, or between a project and its
		// own extras (which copy the project's version) blame no one.
		if q == p || q.isRoot() || q.base == p.base {
			continue
		}
		real = true
		q.culprit++
		if q.culprit == conflictThreshold && !q.early && !q.late {
			q.late = true
			s.sol.touch(q)
			if !slices.Contains(s.jump, q) {
				s.jump = append(s.jump, q)
			}
		}
	}
	if !real || p.isRoot() {
		return
	}
	p.affected++
	if p.affected == conflictThreshold && !p.early {
		p.early, p.late = true, false
		s.sol.touch(p)
	}
}

// reprioritise backtracks to just before the earliest decision of a
// package newly marked conflict-late, then propagates from it.
func (s *solver) reprioritise() error {
	if len(s.jump) == 0 {
		return nil
	}
	jump := s.jump
	s.jump = nil
	level := -1
	var from *pkg
	for _, q := range jump {
		if l := s.sol.decisionLevel(q); l > 0 && (level < 0 || l < level) {
			level, from = l, q
		}
	}
	if level < 0 {
		return nil
	}
	s.sol.backtrack(level - 1)
	s.stats.Backtracks++
	return s.propagate(from)
}
