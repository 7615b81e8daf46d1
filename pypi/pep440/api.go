// Package pep440 implements PEP 440 versions, specifiers and version sets,
// following the reference implementation, Python packaging 26 (including
// its quirks, listed in shared/vectors/README.md).
//
// Matching ("does v satisfy >=1.0") is separate from selection ("should a
// pre-release be chosen"): SpecifierSet.Contains and Set answer the first
// question only and accept pre-releases; pre-release policy lives in the
// resolver. ContainsPolicy/Filter reproduce packaging 26's behaviour for the
// conformance vectors.
//
// Deliberate deviations from packaging:
//   - Letters are matched ASCII case-insensitively only; Python's Unicode
//     case folding in re.IGNORECASE (e.g. "ſ" for "s", "K" for "k") is
//     not applied, as in packaging's own (?a:) groups.
//   - "===" compares case-insensitively with Python's lower() except that
//     the context-dependent final-sigma rule is not applied.
//   - Numbers have no size limit (Python limits int() to 4300 digits).
//   - Set cannot express "===": SpecifierSet.Set treats "===X" as the
//     version X (other spellings of the same version included).
package pep440
