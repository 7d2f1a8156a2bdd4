"""route, execute and the errors around them, against sim-upstream."""

import pytest

import switchyard


def test_route_decides_without_calling_a_model(runtime):
    d = runtime.route("Audit production deployment for security vulnerabilities")
    assert d.decision_id > 0
    assert d.task_type == "security_audit"
    assert d.complexity == "critical"
    assert d.model and d.rationale
    assert runtime.stats()["submitted"] == 1


def test_hints_as_keyword_arguments_move_the_decision(runtime):
    forced = runtime.route("say hello", force_model="claude-opus-4")
    assert forced.model == "claude-opus-4"
    typed = runtime.route({"text": "say hello"}, task_type="code_review")
    assert typed.task_type == "code_review"


def test_execute_answers_through_the_routed_model(runtime):
    reply = runtime.execute("Write a fibonacci function in Python")
    assert reply.text
    assert reply.decision_id > 0
    assert reply.decision_ref == "dec_%016x" % reply.decision_id
    assert reply.model in reply.attempts
    assert reply.output_tokens > 0
    assert reply.finish_reason == "stop"
    # Counted before the reply is handed over (in_flight only after it).
    assert runtime.stats()["succeeded"] == 1


def test_execute_takes_a_conversation(runtime):
    reply = runtime.execute(messages=[
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": [{"type": "text", "text": "say hello"}]},
    ], force_model="gpt-4o-mini")
    assert reply.model == "gpt-4o-mini"
    assert reply.text


def test_a_task_the_router_cannot_place_raises_with_the_project_message(runtime):
    with pytest.raises(switchyard.SwitchyardError) as err:
        runtime.execute("say hello", force_model="no-such-model")
    assert err.value.code == "unknown_model"
    assert "force_model names a model that is not in the registry" in str(err.value)


def test_fields_are_checked(runtime):
    with pytest.raises(ValueError, match="unknown task field 'task_tpye'"):
        runtime.route("say hello", task_tpye="testing")
    with pytest.raises(ValueError, match="task_type 'poetry'"):
        runtime.route("say hello", task_type="poetry")
    with pytest.raises(ValueError, match="needs text or messages"):
        runtime.route({})


def test_a_bad_registry_is_refused_with_its_errors(sim_url):
    with pytest.raises(switchyard.SwitchyardError) as err:
        switchyard.Runtime("version: 1\nproviders: {}\nmodels: []\n")
    assert err.value.code == "invalid_config"
    assert str(err.value)


def test_a_closed_runtime_refuses_tasks(sim_url):
    rt = switchyard.Runtime(worker_threads=1)
    rt.close()
    assert rt.closed
    rt.close()  # idempotent
    with pytest.raises(switchyard.SwitchyardError, match="closed"):
        rt.execute("say hello")
