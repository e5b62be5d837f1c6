"""perfspec/load/_shipped.py: the shipped profiles and layouts, used only while they are unchanged."""

from __future__ import annotations

import os
import sys

import pytest

from perfspec.load import datafile
from perfspec.load._shipped import SHIPPED
from perfspec.load.loader import load_file
from perfspec.profile import ProfileError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))


def test_the_module_is_generated_from_the_current_files() -> None:
    import generate_shipped_data

    assert sorted(SHIPPED) == sorted(generate_shipped_data.shipped_files())
    with open(generate_shipped_data.TARGET, encoding="utf-8") as handle:
        assert handle.read() == generate_shipped_data.generate(), "run: python scripts/generate_shipped_data.py"


@pytest.mark.parametrize("relative", sorted(SHIPPED))
def test_its_values_are_what_the_loader_reads_and_fresh_each_time(relative: str) -> None:
    path = os.path.join(ROOT, "perfspec", *relative.split("/"))
    values = datafile._shipped_values(path, os.path.realpath(path))
    assert values is not None and values == load_file(path).document.data
    assert values is not datafile._shipped_values(path, os.path.realpath(path))


def _read(name: str) -> dict:
    from perfspec.profile import _locate

    return datafile.read_chain(name, _locate, None, ProfileError, lambda parent, child: {**parent, **child}, True)[0]


def test_a_shipped_file_that_differs_from_its_generated_copy_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed, text = _read("national"), SHIPPED["profiles/national.yaml"][0]
    monkeypatch.setitem(datafile.SHIPPED, "profiles/national.yaml", ("name: national\n", lambda: {"name": "stale"}))
    assert _read("national") == parsed
    monkeypatch.setitem(datafile.SHIPPED, "profiles/national.yaml", (text, lambda: {"name": "used"}))
    assert _read("national") == {"name": "used"}  # the same text: the generated values are used
