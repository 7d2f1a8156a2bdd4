"""Traces from a Python runtime: the tracing keyword arguments reach the
embedding API, and close() sends the spans of the tasks it drained to an
OTLP/HTTP receiver in this test (http.server on 127.0.0.1, port 0).

No test waits on time: a span reaches the receiver before the receiver
answers its POST, and close() returns once the exporter has its answers.
"""

import http.server
import json
import math
import threading

import pytest

import switchyard

# The variables the exporter reads (docs/telemetry.md); a test sets the
# ones it needs, so that the machine's own cannot change what it sees.
OTEL_VARIABLES = (
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_SERVICE_NAME",
)

SPAN_KIND_CLIENT = 3


class Collector:
    """An OTLP/HTTP receiver: keeps each POST's path, content type and JSON
    body, and answers 200 with an empty ExportTraceServiceResponse."""

    def __init__(self):
        self._lock = threading.Lock()
        self._requests = []
        collector = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # the exporter keeps its connection

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with collector._lock:
                    collector._requests.append(
                        (self.path, self.headers["Content-Type"], json.loads(body)))
                answer = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        daemon=True)
        self._thread.start()

    def requests(self):
        with self._lock:
            return list(self._requests)

    def clear(self):
        with self._lock:
            self._requests.clear()

    def spans(self):
        """Every span received, each with the resource it came under."""
        out = []
        for _, _, body in self.requests():
            for rs in body.get("resourceSpans", []):
                resource = attributes(rs.get("resource", {}))
                for ss in rs.get("scopeSpans", []):
                    for span in ss.get("spans", []):
                        out.append((resource, span))
        return out

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def attributes(item):
    """An OTLP/JSON attribute list as {key: value} (the AnyValue's one field)."""
    out = {}
    for a in item.get("attributes", []):
        (value,) = a["value"].values()
        out[a["key"]] = value
    return out


@pytest.fixture(scope="module")
def receiver():
    c = Collector()
    yield c
    c.stop()


@pytest.fixture
def collector(sim_url, receiver, monkeypatch):
    """The receiver, empty: every runtime of an earlier test was closed,
    so none of its spans can still arrive."""
    for name in OTEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    receiver.clear()
    return receiver


def test_a_traced_task_exports_its_span_tree_on_close(collector):
    rt = switchyard.Runtime(worker_threads=2, otlp_endpoint=collector.url,
                            service_name="python-tracing-test", sample_ratio=1.0)
    reply = rt.execute("say hello", force_model="gpt-4o-mini", plan="single")
    # close() drains the task, then the exporter: its spans are sent.
    rt.close()

    requests = collector.requests()
    assert requests, "close() returned before any span was exported"
    for path, content_type, _ in requests:
        # A bare origin gets OTLP/HTTP's traces path.
        assert path == "/v1/traces"
        assert content_type == "application/json"
    received = collector.spans()
    for resource, _ in received:
        assert resource["service.name"] == "python-tracing-test"
    spans = [span for _, span in received]

    roots = [s for s in spans if s["name"] == "switchyard.task"]
    assert len(roots) == 1
    root = roots[0]
    assert not root.get("parentSpanId")
    assert attributes(root)["switchyard.decision.id"] == reply.decision_ref
    trace_id = root["traceId"]
    assert len(trace_id) == 32 and int(trace_id, 16) != 0
    # The task's routing and its one upstream call, and nothing else.
    assert len(spans) == 3
    assert all(s["traceId"] == trace_id for s in spans)

    routes = [s for s in spans if s["name"] == "switchyard.route"]
    assert len(routes) == 1
    assert routes[0]["parentSpanId"] == root["spanId"]
    assert attributes(routes[0])["switchyard.model.chosen"] == "gpt-4o-mini"

    calls = [s for s in spans if s.get("kind") == SPAN_KIND_CLIENT]
    assert len(calls) == 1
    call = calls[0]
    assert call["parentSpanId"] == root["spanId"]
    # The registry's upstream name for gpt-4o-mini (config/models.yaml).
    assert attributes(call)["gen_ai.request.model"] == "gpt-4o-mini"
    assert call["name"] == "chat gpt-4o-mini"


def test_an_empty_endpoint_exports_nothing_even_when_the_environment_names_one(
        collector, monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                       collector.url + "/v1/traces")
    with switchyard.Runtime(worker_threads=2, otlp_endpoint="") as rt:
        rt.execute("say hello", force_model="gpt-4o-mini")
    assert collector.requests() == []

    # The same environment without the argument: the variable is read, so
    # the empty endpoint above is what turned export off.
    with switchyard.Runtime(worker_threads=2) as rt:
        rt.execute("say hello", force_model="gpt-4o-mini")
    received = collector.spans()
    assert [s["name"] for _, s in received].count("switchyard.task") == 1
    assert all(resource["service.name"] == "switchyard" for resource, _ in received)


def test_a_sample_ratio_of_0_traces_no_task(collector):
    with switchyard.Runtime(worker_threads=2, otlp_endpoint=collector.url,
                            sample_ratio=0.0) as rt:
        rt.execute("say hello", force_model="gpt-4o-mini")
    assert collector.spans() == []


@pytest.mark.parametrize("ratio", [1.5, -0.1, math.nan, math.inf])
def test_a_sample_ratio_outside_0_to_1_fails_the_start(collector, ratio):
    with pytest.raises(switchyard.SwitchyardError,
                       match="sample_ratio must be between 0 and 1") as err:
        switchyard.Runtime(otlp_endpoint=collector.url, sample_ratio=ratio)
    assert err.value.code == "invalid_config"


def test_bad_tracing_arguments_fail_the_start(collector):
    with pytest.raises(switchyard.SwitchyardError,
                       match="not a usable OTLP/HTTP endpoint") as err:
        switchyard.Runtime(otlp_endpoint="ftp://127.0.0.1:4318")
    assert err.value.code == "invalid_config"
    with pytest.raises(switchyard.SwitchyardError,
                       match="service_name must not be empty") as err:
        switchyard.Runtime(otlp_endpoint=collector.url, service_name="")
    assert err.value.code == "invalid_config"
    with pytest.raises(TypeError):
        switchyard.Runtime(otlp_endpoint=collector.url, sample_ratio="all")
