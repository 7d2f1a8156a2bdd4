"""execute_async on asyncio: many tasks in flight from one event loop."""

import asyncio

import pytest

import switchyard

TASKS = 300


async def after_first_step(task):
    """Returns once `task` has taken its first step (for execute_async: it
    has submitted). The loop runs ready callbacks in the order they were
    scheduled, so a coroutine scheduled after `task` runs after that step."""
    async def behind():
        pass
    await asyncio.ensure_future(behind())


def test_hundreds_of_tasks_in_flight_from_one_loop(runtime):
    async def main():
        seen_in_flight = {}

        async def watch():
            # Runs in the same loop iteration as the submissions: with a
            # blocking submit, every task would have finished by now.
            seen_in_flight["pending"] = sum(not t.done() for t in tasks)
            seen_in_flight["submitted"] = runtime.stats()["submitted"]

        tasks = [asyncio.ensure_future(runtime.execute_async(
                     f"say hello #{i}", force_model="gpt-4o-mini"))
                 for i in range(TASKS)]
        watcher = asyncio.ensure_future(watch())
        replies = await asyncio.gather(*tasks)
        await watcher
        return replies, seen_in_flight

    replies, seen = asyncio.run(main())
    assert seen == {"pending": TASKS, "submitted": TASKS}
    assert len({r.decision_id for r in replies}) == TASKS
    assert all(r.model == "gpt-4o-mini" and r.text for r in replies)
    # Counted before each reply is handed over (in_flight only after it).
    assert runtime.stats()["succeeded"] == TASKS


def test_a_failed_task_raises_from_the_await(runtime):
    async def main():
        with pytest.raises(switchyard.SwitchyardError) as err:
            await runtime.execute_async("say hello", force_model="no-such-model")
        return err.value

    err = asyncio.run(main())
    assert err.code == "unknown_model"


def test_a_cancelled_await_leaves_the_runtime_working(runtime):
    async def main():
        task = asyncio.ensure_future(runtime.execute_async("say hello"))
        await after_first_step(task)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return await runtime.execute_async("say hello again")

    assert asyncio.run(main()).text


def test_a_reply_after_its_loop_closed_is_dropped(sim_url):
    rt = switchyard.Runtime(worker_threads=1)
    loop = asyncio.new_event_loop()

    async def submit_and_leave():
        # Submitted, never awaited: the loop closes with the task in flight.
        task = asyncio.ensure_future(rt.execute_async("say hello"))
        await after_first_step(task)

    loop.run_until_complete(submit_and_leave())
    loop.close()
    rt.close()  # drains: the reply arrives for a closed loop
    stats = rt.stats()
    assert stats["submitted"] == 1 and stats["in_flight"] == 0
