"""The package's version is the library's, set once in the top-level CMakeLists.txt."""
import os
import re

from setuptools import setup


def version() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    cmake = os.path.join(here, "..", "..", "CMakeLists.txt")
    if os.path.exists(cmake):
        found = re.search(r"project\(libsign VERSION (\d+\.\d+\.\d+)", open(cmake).read())
        if found:
            return found.group(1)
    pkg_info = os.path.join(here, "PKG-INFO")  # an sdist carries it
    found = re.search(r"^Version: (\S+)", open(pkg_info).read(), re.M)
    return found.group(1)


setup(version=version())
