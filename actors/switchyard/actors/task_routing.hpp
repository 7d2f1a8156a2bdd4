#pragma once

#include "switchyard/engine/classifier.hpp"
#include "switchyard/engine/router.hpp"
#include "switchyard/messages/storage_records.hpp"
#include "switchyard/messages/task_messages.hpp"

#include <cstddef>

/// How the actors turn a task into the router's inputs. The classifier and
/// scorer actors use these, and so does replay, so that a replayed decision
/// is computed exactly as the logged one was.
namespace switchyard::actors {

/// Fills in what a caller may leave out: with messages and no text, the
/// text the classifier reads is the newest user turn's.
void complete_task(task_spec& t);

/// Bytes of text the task sends: its messages (tool calls, results and
/// images included) and tool schemas, or its text alone.
[[nodiscard]] std::size_t task_text_bytes(const task_spec& t) noexcept;

/// What routing measures of the task's conversation (text bytes, fields
/// used, tool names), so that a record without the transcript replays.
[[nodiscard]] task_shape shape_of(const task_spec& t);

/// The shape a record holds, or, for a record that holds the transcript
/// (older ones), the one computed from it.
[[nodiscard]] task_shape shape_of(const decision_record& rec);

/// The task as the decision log keeps it: every field the router reads,
/// the classifier's text (the newest user turn), and no transcript or tool
/// schemas (their measure is in shape_of()).
[[nodiscard]] task_spec logged_task(const task_spec& t);

/// The classification a classifier actor gives the task.
[[nodiscard]] engine::classification
classify_task(const engine::keyword_classifier& classifier, const task_spec& t);
[[nodiscard]] engine::classification
classify_task(const engine::keyword_classifier& classifier, const task_spec& t,
              const task_shape& shape);

/// The router's request for one routing round of the task. Points into `t`
/// and `ctx`, which must outlive it.
[[nodiscard]] engine::route_request
route_request_for(const task_spec& t, const route_context& ctx) noexcept;
[[nodiscard]] engine::route_request
route_request_for(const task_spec& t, const route_context& ctx,
                  const task_shape& shape) noexcept;

} // namespace switchyard::actors
