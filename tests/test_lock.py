"""The locked requirements that `make setup` installs agree with pyproject.toml's ranges (run `make lock` if not)."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.MULTILINE)


def pins(name):
    text = (ROOT / name).read_text()
    return {canonicalize_name(package): version for package, version in PIN.findall(text)}, text


def declared(extra=None):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [Requirement(line) for line in listed]


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [("requirements.txt", declared()), ("requirements-dev.txt", declared() + declared("dev"))],
)
def test_every_declared_dependency_is_locked_within_its_range(lock, requirements):
    locked, _text = pins(lock)
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement} is not in {lock}: run make lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), f"{lock} pins {name}=={locked[name]}"


def test_production_and_development_locks_pin_the_same_versions():
    production, _text = pins("requirements.txt")
    development, _text = pins("requirements-dev.txt")
    assert {name: development.get(name) for name in production} == production


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_every_locked_package_carries_its_hashes(lock):
    _pins, text = pins(lock)
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    packages = [entry for entry in entries if PIN.match(entry)]
    assert packages
    assert all("--hash=sha256:" in entry for entry in packages)
