"""A tool loop written as a plain Python agent loop: the model calls a tool,
Python runs the function, the result goes back, the model answers."""

import json

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city", "unit"],
        },
    },
}

calls = []


def get_weather(city, unit):
    calls.append((city, unit))
    return {"temperature": 21, "unit": unit, "sky": "sunny-skies-marker"}


TOOLS = {"get_weather": get_weather}


def run_agent(runtime, question, model=None):
    """The final reply, the conversation, and the model of each turn."""
    messages = [{"role": "user", "content": question}]
    hints = {"force_model": model} if model else {}
    # The first turn must call the tool; Ollama's API cannot say so (its
    # models call a tool whenever offered one, as the sim's does).
    if model != "qwen3:1.7b":
        hints["tool_choice"] = "required"
    models = []
    for _ in range(4):
        reply = runtime.execute(messages=messages, tools=[WEATHER_TOOL], **hints)
        models.append(reply.model)
        if not reply.tool_calls:
            return reply, messages, models
        messages.append({"role": "assistant", "content": reply.text,
                         "tool_calls": reply.tool_calls})
        for call in reply.tool_calls:
            fn = TOOLS[call["function"]["name"]]
            result = fn(**json.loads(call["function"]["arguments"]))
            messages.append({"role": "tool", "tool_call_id": call["id"],
                             "content": json.dumps(result)})
        # The conversation now holds this model's tool calls: it stays there.
        hints = {"sticky_model": reply.model}
    raise AssertionError("the agent did not finish in 4 turns")


def test_a_tool_loop_through_the_embedded_runtime(runtime):
    calls.clear()
    reply, messages, models = run_agent(runtime,
                                        "What is the weather in Paris right now?")
    assert len(calls) == 1
    city, unit = calls[0]
    assert isinstance(city, str) and unit in ("celsius", "fahrenheit")
    assert [m["role"] for m in messages] == ["user", "assistant", "tool"]
    assert reply.finish_reason == "stop" and reply.text
    assert messages[1]["tool_calls"][0]["function"]["name"] == "get_weather"
    # The answer comes from the model that made the call (sticky_model).
    assert len(models) == 2 and models[0] == models[1]


def test_tool_loops_through_each_wire_format(runtime):
    # One model per upstream format (config/models.yaml): OpenAI, Anthropic,
    # Gemini, Cohere, Ollama.
    for model in ("gpt-4o-mini", "claude-haiku-4", "gemini-flash-1.5",
                  "command-r", "qwen3:1.7b"):
        calls.clear()
        reply, _, _ = run_agent(runtime, "What is the weather in Paris right now?",
                             model=model)
        assert len(calls) == 1, model
        assert reply.model == model and reply.text
