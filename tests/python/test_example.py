"""examples/python_agent.py runs against sim-upstream and says it is ok."""

import os
import subprocess
import sys

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples",
                       "python_agent.py")


def test_the_python_agent_example_runs():
    out = subprocess.run(
        [sys.executable, EXAMPLE, "--sim", os.environ["SWITCHYARD_BINARY"]],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[-1] == "agent: ok"
    steps = [l.split()[0] for l in lines if l.startswith(("plan", "tools", "review"))]
    assert steps[0] == "plan" and steps[-1] == "review" and "tools" in steps
