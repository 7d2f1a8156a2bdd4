"""stream(): chunks as the model writes them, from a plain or an async loop."""

import asyncio

import pytest

import switchyard


# Tasks whose budget reservation covers the sim's answer: a stream past its
# reservation is cut (finish_reason "length").
CODE_TASK = "Write a fibonacci function in Python"


def test_stream_yields_the_answer_in_pieces(runtime):
    stream = runtime.stream(CODE_TASK, force_model="gpt-4o-mini")
    chunks = list(stream)
    text = "".join(c.text for c in chunks)
    assert len([c for c in chunks if c.text]) > 1
    assert stream.reply.finish_reason == "stop"
    assert text and text == stream.reply.text
    assert all(c.model == "gpt-4o-mini" for c in chunks)
    assert stream.reply.model == "gpt-4o-mini"


def test_async_stream_on_an_event_loop(runtime):
    async def main():
        stream = runtime.stream(CODE_TASK, force_model="claude-haiku-4")
        pieces = [c.text async for c in stream]
        return pieces, stream.reply

    pieces, reply = asyncio.run(main())
    assert len([p for p in pieces if p]) > 1
    assert reply.finish_reason == "stop"
    assert "".join(pieces) == reply.text
    assert reply.model == "claude-haiku-4"


def test_many_async_streams_at_once(runtime):
    async def read(i):
        stream = runtime.stream(f"{CODE_TASK} #{i}", force_model="gpt-4o-mini")
        joined = "".join([c.text async for c in stream])
        assert stream.reply.finish_reason == "stop"
        return joined, stream.reply.text

    async def main():
        return await asyncio.gather(*(read(i) for i in range(50)))

    for joined, text in asyncio.run(main()):
        assert joined == text and text


def test_a_stream_that_cannot_start_raises_when_read(runtime):
    stream = runtime.stream("say hello", force_model="no-such-model")
    with pytest.raises(switchyard.SwitchyardError) as err:
        list(stream)
    assert err.value.code == "unknown_model"
