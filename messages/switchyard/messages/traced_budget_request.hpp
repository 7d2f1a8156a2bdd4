#pragma once

#include "switchyard/messages/task_messages.hpp"

#include <memory>

namespace switchyard {

/// A reservation for a traced task (`task_spec::trace` set): a ledger
/// behind a cluster's records a `switchyard.budget_reserve` span under
/// `trace` while it waits on a scope's owner node; a local ledger answers it
/// as a plain `budget_request`. In-process only: the trace is not
/// serialised.
struct traced_budget_request {
  budget_request request;
  std::shared_ptr<const telemetry::trace_parent> trace;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f,
                                        traced_budget_request& x) {
  return f(caf::meta::type_name("traced_budget_request"), x.request);
}

} // namespace switchyard
