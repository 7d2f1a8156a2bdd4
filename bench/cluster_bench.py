#!/usr/bin/env python3
"""Cluster benchmark: throughput of 3 `switchyard serve` nodes against one,
and the delay for a learning delta to reach the peers (p50/p99).

Usage: bench/cluster_bench.py [--binary build/cli/switchyard] [--seconds 5]
                              [--clients 8]

Everything runs on this machine: sim-upstream (--zero-delay), the nodes and
the load generator (Python threads with keep-alive connections) share its
cores, so on a 2-core machine three nodes compete for the same CPU as one.
Compare the ratio from one run, not absolute numbers across runs.
"""
import argparse
import http.client
import json
import os
import subprocess
import threading
import time

BODY = json.dumps({"model": "auto", "max_tokens": 200, "messages": [
    {"role": "user", "content": "Write a fibonacci function in python"}]})


def start(args, env):
    p = subprocess.Popen(args, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=env, text=True)
    return p


def port_of(line):
    return int(line.strip().rsplit(":", 1)[1])


def load(ports, seconds, clients):
    """Closed loop: each client sends chat completions back to back over one
    keep-alive connection to its node; returns answers per second."""
    done = [0] * clients
    failed = [0] * clients
    stop_at = time.monotonic() + seconds

    def client(i):
        port = ports[i % len(ports)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop_at:
            try:
                conn.request("POST", "/v1/chat/completions", BODY,
                             {"content-type": "application/json"})
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    done[i] += 1
                else:
                    failed[i] += 1
            except Exception:
                failed[i] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    return sum(done) / elapsed, sum(failed)


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read().decode()


def post(port, path, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("POST", path, body, {"content-type": "application/json"})
    r = conn.getresponse()
    return r.status, r.read().decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/cli/switchyard")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=8)
    a = ap.parse_args()
    env = dict(os.environ)
    procs = []
    try:
        sim = start([a.binary, "sim-upstream", "--listen", "127.0.0.1:0",
                     "--seed", "7", "--zero-delay"], env)
        procs.append(sim)
        base = "http://127.0.0.1:%d" % port_of(sim.stdout.readline())
        for var, suffix in [("OPENAI_BASE_URL", "/v1"), ("MISTRAL_BASE_URL", "/v1"),
                            ("LMSTUDIO_BASE_URL", "/v1"), ("OPENROUTER_BASE_URL", "/v1"),
                            ("ANTHROPIC_BASE_URL", ""), ("GEMINI_BASE_URL", "/v1beta"),
                            ("COHERE_BASE_URL", "/v2"), ("OLLAMA_BASE_URL", "")]:
            env[var] = base + suffix
        for var in ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY",
                    "MISTRAL_API_KEY", "COHERE_API_KEY", "OPENROUTER_API_KEY"]:
            env[var] = "sk-bench"
        serve = [a.binary, "serve", "--no-auth", "--listen", "127.0.0.1:0",
                 "--threads", "1"]

        single = start(serve, env)
        procs.append(single)
        single_port = port_of(single.stdout.readline())
        one, one_failed = load([single_port], a.seconds, a.clients)
        single.terminate()
        single.wait()
        procs.remove(single)

        nodes = []
        seeds = []
        for node_id in ["a", "b", "c"]:
            args = serve + ["--node-id", node_id, "--cluster-listen", "127.0.0.1:0"]
            if seeds:
                args += ["--cluster-seeds", seeds[0]]
            p = start(args, env)
            procs.append(p)
            http_port = port_of(p.stdout.readline())
            cluster_line = p.stdout.readline()
            seeds.append("127.0.0.1:%d" % port_of(cluster_line))
            nodes.append(http_port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if all(get(p, "/v1/cluster")[1].count('"state":"alive"') == 3
                   for p in nodes):
                break
            time.sleep(0.05)
        three, three_failed = load(nodes, a.seconds, a.clients)

        # Delta propagation: feedback on a, lag as b and c measured it
        # (from the delta leaving a's cluster actor to its arrival).
        _, body = post(nodes[0], "/v1/route", BODY)
        decision = json.loads(body)["decision_id"]
        for _ in range(300):
            post(nodes[0], "/v1/feedback", json.dumps(
                {"decision_id": decision, "outcome": "success"}))
            time.sleep(0.005)
        time.sleep(0.5)  # let the last batches land before reading
        lags = [json.loads(get(p, "/v1/cluster")[1])["delta_lag_ms"]
                for p in nodes[1:]]

        print("one node:    %8.1f answers/s (%d failed)" % (one, one_failed))
        print("three nodes: %8.1f answers/s (%d failed)" % (three, three_failed))
        print("ratio three/one: %.2f" % (three / one if one else 0.0))
        for name, lag in zip(["b", "c"], lags):
            print("delta a -> %s: p50 %.1f ms, p99 %.1f ms over %d batches "
                  "(includes the 10 ms batching delay)"
                  % (name, lag["p50"], lag["p99"], lag["samples"]))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()


if __name__ == "__main__":
    main()
