#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

enum class member_state : std::uint8_t { alive, suspect, dead };

[[nodiscard]] std::string_view to_string(member_state s) noexcept;

struct membership_config {
  /// Silence after which a peer is suspect: three missed heartbeats of 250 ms.
  std::chrono::milliseconds suspect_after{750};
  /// Silence after which a peer is dead; with a 250 ms check, a dead or
  /// partitioned peer is noticed within 1.75 s.
  std::chrono::milliseconds dead_after{1500};
};

/// Who is in the cluster and who is alive, from when each peer was last
/// heard. A pure function of the time passed in.
class membership {
public:
  using time_point = std::chrono::steady_clock::time_point;

  struct member {
    std::string id;
    /// HOST:PORT of its cluster endpoint.
    std::string address;
    /// Changes when the node restarts.
    std::string incarnation;
    time_point last_heard{};
    /// Its connection went down (CAF said so): dead until heard again.
    bool down = true;
  };

  membership(std::string self_id, membership_config cfg = {})
    : self_(std::move(self_id)), cfg_(cfg) {
  }

  /// Adds a peer known only by address (a seed, or from a peer's list).
  /// False when it was known already.
  bool learn(const std::string& id, const std::string& address);

  /// The peer spoke (hello or heartbeat). True when it was not alive before
  /// (it joined, came back, or restarted with a new incarnation).
  bool heard(const std::string& id, const std::string& address,
             const std::string& incarnation, time_point now);

  /// Its connection went down.
  void lost(const std::string& id);

  [[nodiscard]] member_state state_of(const member& m,
                                      time_point now) const noexcept;

  /// Alive and suspect peers plus this node: who may own budgets. A
  /// suspect peer still owns its budgets (requests to it time out and are
  /// refused) so that a slow node does not make ownership flap.
  [[nodiscard]] std::vector<std::string> owners(time_point now) const;

  /// Whether more than half of every node ever known (this one included)
  /// is alive or suspect: the side of a partition allowed to own budgets.
  [[nodiscard]] bool has_quorum(time_point now) const;

  /// The cluster size to assume before peers are heard: a node started with
  /// seeds counts them, so that alone it does not believe it has a majority.
  void set_min_known(std::size_t n) noexcept {
    min_known_ = n;
  }

  [[nodiscard]] const std::map<std::string, member>& peers() const noexcept {
    return peers_;
  }

  [[nodiscard]] const std::string& self() const noexcept {
    return self_;
  }

private:
  std::string self_;
  membership_config cfg_;
  std::map<std::string, member> peers_;
  std::size_t min_known_ = 1;
};

} // namespace switchyard::engine
