// Package reqfile reads pylock's input files: pip requirements files
// (requirements.txt) and pyproject.toml ([project] dependencies and PEP 735
// dependency groups).
//
// # Requirements files
//
// Parse and ParseFile follow pip's req_file.py (checked against pip 23.2 by
// TestPipOracle): lines are split like Python's str.splitlines; a line ending in "\" joins the next (pip strips
// every leading and trailing "\" of such a line); a "#" at the start of a line
// or after whitespace starts a comment ("#egg=" and "#sha256=" inside a URL
// are not comments); ${NAME} with NAME in [A-Z0-9_] is replaced by the
// environment variable's value, and left as written when the variable is unset
// or empty. A line's text up to the first space-separated token that starts
// with "-" is the requirement; the rest is split like shlex.split and parsed
// like pip's optparse parser, long options by unique prefix included
// ("--extra-index" is --extra-index-url).
//
// Options: -r/--requirement and -c/--constraint (path relative to the
// including file; http(s) URLs are rejected, file: URLs read; cycles are
// errors naming the chain), -e/--editable, -i/--index-url (alias
// --pypi-url), --extra-index-url, --no-index, -f/--find-links, --pre,
// --only-binary, --no-binary, --prefer-binary, --require-hashes,
// --trusted-host, --use-feature (ignored with a warning), and per requirement
// --hash (sha256, sha384 or sha512), --config-settings/-C and --global-option
// (recorded, not acted on). Any other option is an error naming it.
//
// A requirement is a PEP 508 string (pep508.ParseRequirement), a URL (its
// name from "#egg=" or a wheel file name), or a local path ("./pkg",
// "../dist/x.whl", "pkg.tar.gz"); local paths and editables are returned as
// entries flagged LocalPath / Editable for the caller to accept or reject.
// Every direct reference (URL, local path, editable) is also given in
// structured form in Entry.Direct (a DirectRef: archive, directory or git
// repository with its revision, subdirectory and hashes), relative paths
// joined to the directory of the file that names them; a reference pylock
// cannot lock (an unknown URL scheme or VCS, an http URL that is not an
// archive, an editable archive, a hash on a directory or VCS URL, a
// subdirectory outside the project) is an error. CheckDirect checks a local
// reference on disk (a directory must be a Python project).
// As in pip, a plain requirement's marker starts at the first ";" and a URL's
// at the first "; ", so "name @ https://host/x.whl;python_version<'3.12'"
// means what it says (packaging alone would read the marker as URL text).
//
// Deliberate deviations from pip. Where pip silently ignores something, it is
// an error here:
// options that pip drops (--pre on a requirement line, a second -r on a
// line, options beside -r/-c, stray arguments after the options) are errors;
// hash digests must be lowercase hex of the algorithm's length; and paths
// are never checked on disk (pip asks the file system whether "./x" is a
// directory; here anything that looks like a path is a LocalPath entry), so
// find-links paths are always taken relative to the requirements file.
// Each distinct ${NAME} is expanded once, so a variable whose value holds
// another ${...} seen earlier on the line is not expanded again (pip's
// repeated passes are quadratic there). Include cycles are errors (older pip
// recursed until it crashed).
//
// # pyproject.toml
//
// ParsePyproject reads [project] name, requires-python, dependencies,
// optional-dependencies and dynamic, and PEP 735 [dependency-groups] with
// {include-group = "..."} (names normalised, unknown groups and cycles are
// errors), and returns the requirements selected by PyprojectOptions.
// Requirements of the project on itself ("myproject[test]" inside its own
// extras or groups) are expanded to the dependencies they name.
//
// # Errors
//
// Every error is an *Error naming the file, line and column (1-based, in
// bytes) and quoting the offending text:
//
//	requirements.txt:3:5: invalid requirement "foo>>1": <reason>
//
// No input makes Parse or ParsePyproject panic.
package reqfile
