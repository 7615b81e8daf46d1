// Package pep508 implements PEP 508 dependency specifiers exactly as the
// Python packaging library (26.x) reads them: requirement parsing,
// environment markers (a walkable tree, evaluation, normalised printing) and
// the marker algebra universal locking needs.
//
// The reference is packaging's behaviour, recorded in the shared conformance
// vectors (requirements.json, markers.json). The main points:
//
//   - Requirement and marker grammar follow packaging's tokenizer: only space
//     and tab separate tokens, names may end in "_", "foo ()" and "foo[]" are
//     accepted, a direct URL runs to the next space or tab.
//   - Marker strings are Python literals ("po\x73ix" is "posix"); legacy
//     dotted names (os.name, sys.platform, platform.version,
//     platform.machine, platform.python_implementation) and
//     python_implementation are accepted and printed in their modern form.
//   - python_version, python_full_version, implementation_version and
//     platform_release compare as PEP 440 versions (pre-releases allowed)
//     when `op value` is a valid specifier; otherwise comparison falls back to
//     strings, where "<" and ">" are false and "<=", ">=" mean equality.
//   - "extra" values are PEP 685-normalised on both sides.
//
// Deliberate deviations (inputs packaging accepts but that no real marker
// uses): "\N{name}" escapes in marker strings are rejected, and regex
// IGNORECASE matching of specifier keywords is ASCII-only.
//
// # Marker structure
//
// A Marker is a tree: Kind tells its top node (true, false, and, or,
// compare), Operands lists an and / or node's operands, Comparison returns a
// comparison's sides and operator, Walk visits every node, Comparisons and
// Mentions summarise. NewComparison and Compare build comparisons; And, Or
// and Not combine them. Code that needs to know what a marker says uses
// these, never its rendered text.
//
// # Marker algebra
//
// And, Or and Not build simplified markers; Disjoint proves that two markers
// exclude each other. The algebra reasons about environments in which the
// Python version variables hold valid PEP 440 versions and python_version is
// a final "X.Y" release, as every real interpreter reports. Under that
// assumption:
//
//   - Not is exact. Operators are inverted where an inverse exists
//     (== and !=, in and not in, and for python_version < and >=, <= and >);
//     python_full_version and implementation_version use exact forms such as
//     `v <= "3.8" and v != "3.8"` for not(v >= "3.8"), since a pre-release of
//     3.8 satisfies neither `>= "3.8"` nor `< "3.8"`; "~=" is expanded to its
//     ">=, ==prefix.*" meaning first.
//   - Where PEP 508 has no operator for the complement (not(v > "3.8") for
//     python_full_version, "===", string ordering, comparisons whose
//     specifier comes from the environment, platform_release, which often is
//     not a version) the negation is kept as a negated comparison. Evaluate
//     and Disjoint treat it exactly; String prints the nearest operator (">"
//     becomes "<="), which differs from the exact negation only at pre-,
//     post- and local releases of the compared version, at other spellings
//     of an "===" operand, and on values that are not versions.
//   - And and Or flatten, drop duplicates and always-true parts, fold
//     always-false ones, and drop a comparison implied by (And) or implying
//     (Or) another on the same variable. Contradictions make And false (it
//     prints as `python_version < "0"`, which packaging also never satisfies);
//     complementary comparisons make Or true.
//   - Disjoint expands both markers into disjunctive normal form (bounded;
//     "unsure" beyond it) and proves every pair of conjunctions contradictory,
//     with PEP 440 version sets for version variables and value reasoning for
//     string variables (==, !=, in, not in). It never says true wrongly and
//     says false when unsure. Different variables are never related
//     (python_version and python_full_version, os_name and sys_platform).
//     "extra" holds one value per evaluation, so `extra == "a"` and
//     `extra == "b"` are disjoint.
//   - Equivalent, Simplify, Restrict and Minimize (minimize.go) simplify
//     within a region (a lock's requires-python as RequiresPython builds
//     it, or a fork's environments): proven equivalence, the shortest
//     equivalent candidate, comparisons the region decides replaced by
//     their value, and minimisation over a truth table with one
//     environment per region the comparisons cut. WithoutExtra takes
//     `extra == "x"` off a conjunction.
//
// Parsed markers and requirements are immutable and safe for concurrent use.
package pep508
