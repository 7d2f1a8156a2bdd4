"""What the Python tests share: a real sim-upstream on loopback (port 0), the
registry's providers pointed at it, and a runtime per test.

The module under test is the installed one (tests/install installs it into
a fresh prefix; ctest passes its directory in PYTHONPATH).
"""

import ctypes
import os
import signal
import subprocess

import pytest

import switchyard


def _die_with_parent():
    # PR_SET_PDEATHSIG: the sim goes when pytest goes, even if pytest is
    # killed or aborts before its fixtures tear down.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


@pytest.fixture(scope="session")
def sim_url():
    binary = os.environ["SWITCHYARD_BINARY"]
    proc = subprocess.Popen(
        [binary, "sim-upstream", "--listen", "127.0.0.1:0", "--zero-delay"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        preexec_fn=_die_with_parent)
    try:
        # Its first line, once it listens: "... 127.0.0.1:PORT".
        line = proc.stdout.readline()
        assert line, "sim-upstream exited before listening"
        url = "http://127.0.0.1:" + line.strip().rsplit(":", 1)[1]
        env = {
            "OPENAI_BASE_URL": url + "/v1", "MISTRAL_BASE_URL": url + "/v1",
            "LMSTUDIO_BASE_URL": url + "/v1", "OPENROUTER_BASE_URL": url + "/v1",
            "ANTHROPIC_BASE_URL": url, "GEMINI_BASE_URL": url + "/v1beta",
            "COHERE_BASE_URL": url + "/v2", "OLLAMA_BASE_URL": url,
        }
        for key in ("OPENAI", "ANTHROPIC", "GEMINI", "MISTRAL", "COHERE", "OPENROUTER"):
            env[key + "_API_KEY"] = "x"
        # The registry reads ${...} from the process environment at start.
        os.environ.update(env)
        yield url
    finally:
        proc.terminate()
        proc.wait()


@pytest.fixture
def runtime(sim_url):
    with switchyard.Runtime(worker_threads=2) as rt:
        yield rt
