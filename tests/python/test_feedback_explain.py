"""Feedback is stored, moves later decisions, and explain() shows it."""

import switchyard

TASK = "Write a fibonacci function in Python"


def candidate(decision, model):
    return next(c for c in decision.raw["candidates"] if c["model"] == model)


def test_feedback_moves_a_later_decision_and_explain_shows_it(sim_url, tmp_path):
    data = str(tmp_path / "data")
    with switchyard.Runtime(data_dir=data, worker_threads=2) as rt:
        before = rt.route(TASK)
        chosen = before.model
        learned_before = candidate(before, chosen)["factors"]["learned"]
        rated = []
        for _ in range(12):
            reply = rt.execute(TASK, force_model=chosen)
            rt.feedback(reply.decision_id, outcome="failure", rating=1)
            rated.append(reply.decision_id)
        # A decision id nobody made is refused, with the project's message.
        try:
            rt.feedback(rated[-1] + 1000, outcome="success")
            raise AssertionError("feedback on an unknown decision was accepted")
        except switchyard.SwitchyardError as err:
            assert err.code == "not_found"
    # Closing flushed the learned state and the decision log to the store;
    # a new runtime reads them back.
    with switchyard.Runtime(data_dir=data, worker_threads=2) as rt:
        after = rt.route(TASK)
        learned_after = candidate(after, chosen)["factors"]["learned"]
        assert learned_after < learned_before
        logged = rt.explain(rated[0])
        assert logged["task"]["text"] == TASK
        assert logged["kind"] == "execute"
        assert [f["outcome"] for f in logged["feedback"]] == ["failure"]
        assert logged["outcome"]["answered_by"] == chosen


def test_explain_needs_a_data_dir(runtime):
    reply = runtime.execute("say hello")
    try:
        runtime.explain(reply.decision_ref)
        raise AssertionError("explain without a data_dir answered")
    except switchyard.SwitchyardError as err:
        assert err.code == "not_found"
        assert "data_dir" in str(err)


def test_feedback_needs_something_to_say(runtime):
    reply = runtime.execute("say hello")
    try:
        runtime.feedback(reply.decision_id)
        raise AssertionError("empty feedback was accepted")
    except ValueError as err:
        assert "outcome" in str(err)
    runtime.feedback(reply.decision_id, quality=0.9, rating=5)
