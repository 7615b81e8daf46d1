// Package build produces the core metadata of a Python source tree or sdist
// by running its PEP 517 build backend, for sdists and projects whose
// metadata is not static (see package sdist).
//
// For each source tree a Builder reads [build-system] (PEP 518; without it,
// `setuptools>=40.8.0` with `setuptools.build_meta:__legacy__`, as pip
// does), asks an EnvResolver for pinned, hashed files of the requirements,
// installs exactly those wheels into a throwaway virtual environment
// (`python -m venv --without-pip`, run while the requirements are resolved
// and downloaded, then an in-process, hash-checked wheel unpacker: no pip
// is needed), calls get_requires_for_build_wheel and
// installs what it asks for the same way (unless it is installed already),
// then calls prepare_metadata_for_build_wheel, falling back to
// build_wheel, and reads the METADATA. Each hook runs in a fresh
// interpreter; the one for prepare_metadata_for_build_wheel is started
// beside get_requires_for_build_wheel and used only when nothing was
// installed in between (preload.go). Hooks run through an embedded runner script
// (pep517_hooks.py) in a subprocess with a clean environment, its own HOME
// and TMPDIR, in its own process group (killed when the context ends).
// With NoIsolation the interpreter's environment is used as it is.
//
// Results are cached on disk by the sdist's sha256 or the tree's content
// hash (sdist.TreeHash), so a warm run never builds; concurrent builds are
// bounded by Options.Jobs and collapsed per key. A failed build is a
// *Error carrying the backend's last 30 output lines and a command that
// reproduces it (the failed build directory is kept).
//
// Deliberate limits: build requirements must resolve to wheels (an
// sdist-only build requirement is an error naming it); wheel scripts are
// not generated for console_scripts entry points.
package build
