"""A PEP 517 backend living inside its project (backend-path): it writes
metadata whose dependencies are computed at build time."""
import os
import sys

NAME, VERSION = "inproj", "0.3"


def _metadata():
    deps = ["attrs>=20", 'tomli; python_version < "3.11"']
    if sys.version_info >= (3,):
        deps.append("idna==3.4")
    lines = ["Metadata-Version: 2.1", "Name: " + NAME, "Version: " + VERSION,
             "Requires-Python: >=3.7", "Provides-Extra: cli"]
    lines += ["Requires-Dist: " + d for d in deps]
    lines.append('Requires-Dist: click; extra == "cli"')
    return "\n".join(lines) + "\n"


def get_requires_for_build_wheel(config_settings=None):
    print("inbackend: get_requires_for_build_wheel called")
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    print("inbackend: prepare_metadata_for_build_wheel in", os.getcwd())
    d = os.path.join(metadata_directory, "%s-%s.dist-info" % (NAME, VERSION))
    os.makedirs(d)
    with open(os.path.join(d, "METADATA"), "w") as f:
        f.write(_metadata())
    return os.path.basename(d)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise RuntimeError("build_wheel must not be needed")
