"""A backend that fails noisily."""
import sys


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    for i in range(100):
        print("compiler line %d" % i)
    sys.stderr.write("error: Microsoft Visual C++ 14.0 or greater is required\n")
    raise SystemExit(1)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise SystemExit(1)
