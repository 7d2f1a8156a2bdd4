#!/usr/bin/env python3
"""A small agent on the embedded runtime: cheap steps go to small models,
hard ones to strong models, tools run as Python functions, and every
decision and its cost is printed.

    python3 examples/python_agent.py                 # the registry's providers
    python3 examples/python_agent.py --sim BINARY    # a local sim-upstream

With --sim, BINARY (the `switchyard` executable) serves every provider's wire
format on loopback, so the example runs anywhere. Without it, the providers'
API keys come from the variables the registry names (OPENAI_API_KEY, ...).
Built for Debian's /usr/bin/python3 (see README, "Embedding").
"""

import argparse
import json
import os
import subprocess
import sys

import switchyard

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city", "unit"],
        },
    },
}


def get_weather(city, unit):
    return {"city": city, "temperature": 21, "unit": unit, "sky": "sunny"}


TOOLS = {"get_weather": get_weather}


def start_sim(binary):
    """sim-upstream on a free port; the registry's base URLs point at it."""
    proc = subprocess.Popen([binary, "sim-upstream", "--listen", "127.0.0.1:0",
                             "--zero-delay"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    url = "http://127.0.0.1:" + proc.stdout.readline().strip().rsplit(":", 1)[1]
    for name, path in (("OPENAI", "/v1"), ("MISTRAL", "/v1"), ("LMSTUDIO", "/v1"),
                       ("OPENROUTER", "/v1"), ("ANTHROPIC", ""),
                       ("GEMINI", "/v1beta"), ("COHERE", "/v2"), ("OLLAMA", "")):
        os.environ[name + "_BASE_URL"] = url + path
        os.environ.setdefault(name + "_API_KEY", "sim")
    return proc


class Agent:
    def __init__(self, rt):
        self.rt = rt
        self.spent = 0.0
        self.steps = []

    def step(self, label, reply):
        self.spent += reply.cost_usd
        decision = json.loads(reply.decision_json())
        self.steps.append((label, reply))
        print(f"{label:<10} {reply.decision_ref}  {reply.model:<30} "
              f"{decision['complexity']:<9} {decision['task_type']:<15} "
              f"${reply.cost_usd:.6f}")
        return reply

    def run(self, question):
        # A cheap step: a plan, from a small model.
        plan = self.step("plan", self.rt.execute(
            f"List the steps to answer: {question}", complexity="simple"))
        # Tools: the model asks, Python answers, the model writes it up.
        messages = [{"role": "user", "content": question}]
        hints = {"tool_choice": "required"}
        for _ in range(4):
            reply = self.step("tools", self.rt.execute(
                messages=messages, tools=[WEATHER_TOOL], **hints))
            if not reply.tool_calls:
                break
            messages.append({"role": "assistant", "content": reply.text,
                             "tool_calls": reply.tool_calls})
            for call in reply.tool_calls:
                fn = TOOLS[call["function"]["name"]]
                result = fn(**json.loads(call["function"]["arguments"]))
                messages.append({"role": "tool", "tool_call_id": call["id"],
                                 "content": json.dumps(result)})
            hints = {"sticky_model": reply.model}
        # A hard step: a review that needs a strong model.
        review = self.step("review", self.rt.execute(
            "Audit this answer for security vulnerabilities before it ships: "
            + reply.text[:500], complexity="critical"))
        for _, r in self.steps:
            self.rt.feedback(r.decision_id, outcome="success")
        return plan, reply, review


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sim", metavar="BINARY",
                        help="start `BINARY sim-upstream` and use it")
    args = parser.parse_args()
    sim = start_sim(args.sim) if args.sim else None
    try:
        with switchyard.Runtime() as rt:
            agent = Agent(rt)
            plan, answer, review = agent.run("What is the weather in Paris right now?")
            print(f"total      ${agent.spent:.6f} over {len(agent.steps)} steps")
            stats = rt.stats()
            print(f"runtime    {stats['succeeded']} succeeded, {stats['failed']} failed")
            ok = (stats["failed"] == 0 and not answer.tool_calls
                  and plan.model != review.model)
            print("agent: ok" if ok else "agent: FAILED")
            return 0 if ok else 1
    finally:
        if sim:
            sim.terminate()
            sim.wait()


if __name__ == "__main__":
    sys.exit(main())
