import os, subprocess, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

def run_dggan(*args, timeout=300, **kwargs):
    "Run the installed `dggan` console script in a subprocess."
    env = {**os.environ, 'PYTHONUNBUFFERED': '1'}
    return subprocess.run(['dggan', *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env, **kwargs)

@pytest.fixture
def dggan():
    return run_dggan
