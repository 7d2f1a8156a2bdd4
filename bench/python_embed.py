#!/usr/bin/env python3
"""What the Python binding adds per task: execute_async on asyncio against
the C++ embedding API (embedded_runtime::execute with a callback), in the
same process, on the same runtime, with the same instant in-process provider
(no network in the figures).

    PYTHONPATH=<prefix>/lib/python3.11/dist-packages \\
      /usr/bin/python3 bench/python_embed.py [--tasks N] [--in-flight K]

Three runs of each, interleaved; the medians are printed:
  throughput  K tasks in flight (each completion submits the next)
  latency     one task at a time: submit -> reply, p50 and p99; for C++
              both in the runtime's callback (no thread woken) and waited
              for on a std::future (a thread woken, as asyncio's loop is)
"""

import argparse
import asyncio
import statistics
import time

import switchyard
from switchyard import _native

TASK = {"text": "say hello", "force_model": "gpt-4o-mini"}

# --conversation: an agent's turn, a tool call and its result before it.
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city",
        "parameters": {"type": "object",
                       "properties": {"city": {"type": "string"}},
                       "required": ["city"]},
    },
}
CONVERSATION = {
    "force_model": "gpt-4o-mini",
    "tools": [WEATHER_TOOL],
    "messages": [
        {"role": "system", "content": "You are a travel assistant."},
        {"role": "user", "content": "What is the weather in Paris right now?"},
        {"role": "assistant", "content": "",
         "tool_calls": [{"id": "call_1", "type": "function",
                         "function": {"name": "get_weather",
                                      "arguments": "{\"city\": \"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1",
         "content": "{\"temperature\": 21, \"sky\": \"sunny\"}"},
    ],
}


async def python_run(rt, tasks, in_flight, task):
    """Returns (seconds, sorted latencies in us)."""
    latencies = []
    remaining = [tasks]

    async def worker():
        while remaining[0] > 0:
            remaining[0] -= 1
            start = time.perf_counter()
            await rt.execute_async(task)
            latencies.append((time.perf_counter() - start) * 1e6)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return time.perf_counter() - start, sorted(latencies)


def pct(values, p):
    return values[min(len(values) - 1, int(p * len(values)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--in-flight", type=int, default=256)
    parser.add_argument("--latency-tasks", type=int, default=3000)
    parser.add_argument("--worker-threads", type=int, default=2)
    parser.add_argument("--data-dir", default=None,
                        help="keep the runtime's store there (learning, the "
                             "decision log), as users run it; default none")
    parser.add_argument("--conversation", action="store_true",
                        help="send an agent's turn (tools, a tool call and "
                             "its result) instead of one line of text")
    args = parser.parse_args()
    task = CONVERSATION if args.conversation else TASK

    rows = {"cpp": [], "python": [], "cpp_lat": [], "cpp_wait": [], "python_lat": []}
    with switchyard.Runtime(worker_threads=args.worker_threads,
                            data_dir=args.data_dir,
                            _instant_provider=True) as rt:
        # Warm-up: connections, caches, the learning snapshot.
        _native.bench_cpp(rt._native, 2000, 64, task)
        asyncio.run(python_run(rt, 2000, 64, task))
        for _ in range(3):
            c = _native.bench_cpp(rt._native, args.tasks, args.in_flight, task)
            assert c["failed"] == 0
            rows["cpp"].append(c["tasks_per_s"])
            secs, _ = asyncio.run(python_run(rt, args.tasks, args.in_flight, task))
            rows["python"].append(args.tasks / secs)
            c = _native.bench_cpp(rt._native, args.latency_tasks, 1, task)
            rows["cpp_lat"].append((c["p50_us"], c["p99_us"]))
            c = _native.bench_cpp(rt._native, args.latency_tasks, 1, task,
                                  blocking=True)
            rows["cpp_wait"].append((c["p50_us"], c["p99_us"]))
            _, lat = asyncio.run(python_run(rt, args.latency_tasks, 1, task))
            rows["python_lat"].append((pct(lat, 0.5), pct(lat, 0.99)))
        stats = rt.stats()

    cpp = statistics.median(rows["cpp"])
    py = statistics.median(rows["python"])
    cpp_p50 = statistics.median(r[0] for r in rows["cpp_lat"])
    cpp_p99 = statistics.median(r[1] for r in rows["cpp_lat"])
    wait_p50 = statistics.median(r[0] for r in rows["cpp_wait"])
    wait_p99 = statistics.median(r[1] for r in rows["cpp_wait"])
    py_p50 = statistics.median(r[0] for r in rows["python_lat"])
    py_p99 = statistics.median(r[1] for r in rows["python_lat"])
    print(f"throughput, {args.in_flight} in flight, {args.tasks} tasks "
          f"(median of 3):")
    print(f"  C++ embedded_runtime::execute  {cpp:10.0f} tasks/s  "
          f"{1e6 / cpp:7.2f} us/task")
    print(f"  Python execute_async           {py:10.0f} tasks/s  "
          f"{1e6 / py:7.2f} us/task")
    print(f"  added by the binding           {1e6 / py - 1e6 / cpp:7.2f} us/task")
    print(f"latency, one task at a time, {args.latency_tasks} tasks "
          f"(median of 3 runs):")
    print(f"  C++ callback     p50 {cpp_p50:8.1f} us  p99 {cpp_p99:8.1f} us")
    print(f"  C++ future.get() p50 {wait_p50:8.1f} us  p99 {wait_p99:8.1f} us")
    print(f"  Python await     p50 {py_p50:8.1f} us  p99 {py_p99:8.1f} us")
    print(f"  added over future.get() p50 {py_p50 - wait_p50:8.1f} us")
    print(f"runtime: {stats['succeeded']} succeeded, {stats['failed']} failed")


if __name__ == "__main__":
    main()
