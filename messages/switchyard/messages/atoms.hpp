#pragma once

#include <caf/atom.hpp>

/// Message tags. CAF 0.17 atoms hold at most 10 characters.
namespace switchyard {

using classify_atom = caf::atom_constant<caf::atom("classify")>;
using score_atom = caf::atom_constant<caf::atom("score")>;
using route_atom = caf::atom_constant<caf::atom("route")>;
using execute_atom = caf::atom_constant<caf::atom("execute")>;
using call_atom = caf::atom_constant<caf::atom("call")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;
using acquire_atom = caf::atom_constant<caf::atom("acquire")>;
using report_atom = caf::atom_constant<caf::atom("report")>;
using poll_atom = caf::atom_constant<caf::atom("poll")>;
using state_atom = caf::atom_constant<caf::atom("state")>;
using breaker_atom = caf::atom_constant<caf::atom("breaker")>;
using avail_atom = caf::atom_constant<caf::atom("avail")>;
using probe_atom = caf::atom_constant<caf::atom("probe")>;
using probed_atom = caf::atom_constant<caf::atom("probed")>;
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;
using outcome_atom = caf::atom_constant<caf::atom("outcome")>;
using answered_atom = caf::atom_constant<caf::atom("answered")>;
using feedback_atom = caf::atom_constant<caf::atom("feedback")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using reserve_atom = caf::atom_constant<caf::atom("reserve")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using ensemble_atom = caf::atom_constant<caf::atom("ensemble")>;
using approve_atom = caf::atom_constant<caf::atom("approve")>;
using pending_atom = caf::atom_constant<caf::atom("pending")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using delta_atom = caf::atom_constant<caf::atom("delta")>;
using persist_atom = caf::atom_constant<caf::atom("persist")>;
using log_atom = caf::atom_constant<caf::atom("log")>;
using ledger_atom = caf::atom_constant<caf::atom("ledger")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using experiment_atom = caf::atom_constant<caf::atom("experiment")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using key_cap_atom = caf::atom_constant<caf::atom("keycap")>;
using assign_atom = caf::atom_constant<caf::atom("assign")>;
using refit_atom = caf::atom_constant<caf::atom("refit")>;

} // namespace switchyard
