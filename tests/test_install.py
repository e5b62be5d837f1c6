"""`pip install .` into a fresh venv, run from another folder: the wheel carries schema/ and templates/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv

import pytest

from conftest import ROOT


@pytest.mark.skipif(os.environ.get("PERFSPEC_SKIP_INSTALL_TEST") == "1", reason="asked to skip")
def test_wheel_installs_and_runs_from_another_folder(tmp_path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    # Build from a copy so the test never leaves build/ or *.egg-info in the checkout.
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv*", "build", "*.egg-info", "__pycache__"))
    subprocess.run([python, "-m", "pip", "install", "-q", str(source)], check=True, timeout=600)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    spec = elsewhere / "it-operations.yaml"
    shutil.copy(os.path.join(ROOT, "specs", "2023", "it-operations.yaml"), spec)
    perfspec = str(env_dir / "bin" / "perfspec")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    check = subprocess.run([perfspec, "check", str(spec)], cwd=elsewhere, capture_output=True, text=True, env=env)
    assert check.returncode == 1, check.stderr
    assert " PS201 " in check.stdout and "Traceback" not in check.stderr
    schema = subprocess.run([perfspec, "schema"], cwd=elsewhere, capture_output=True, text=True, env=env)
    assert schema.returncode == 0 and "财政项目支出绩效自评表" in schema.stdout
    files = subprocess.run(
        [python, "-c", "import perfspec, os; d=os.path.dirname(perfspec.__file__); "
         "print(os.path.isfile(os.path.join(d,'schema','perfspec.schema.json')), os.path.isdir(os.path.join(d,'templates')))"],
        cwd=elsewhere, capture_output=True, text=True, env=env,
    )
    assert files.stdout.split() == ["True", "True"]
    assert sys.executable != python
