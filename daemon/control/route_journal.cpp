#include "daemon/control/route_journal.hpp"

#include "daemon/control/session_record.hpp"

namespace reg::control {

using Kind = state::ItemChange::Kind;

void RouteJournal::staged_route_changed(const Session& session, std::uint64_t number) {
  const auto& staged = session.staged->routes;
  if (auto route = staged.find(number); route != staged.end())
    changes_.push_back({Kind::stage, session.id, number, encode_route(route->second)});
  else if (session.active.routes.count(number))
    changes_.push_back({Kind::stage, session.id, number, std::nullopt});
  else
    changes_.push_back({Kind::unstage, session.id, number, std::nullopt});
}

void RouteJournal::staged_applied(const Session& session) {
  changes_.push_back({Kind::apply_staged, session.id, 0, std::nullopt});
}

void RouteJournal::staged_discarded(const Session& session) {
  changes_.push_back({Kind::drop_staged, session.id, 0, std::nullopt});
}

void RouteJournal::rewritten(const Session& session) {
  changes_.push_back({Kind::drop_all, session.id, 0, std::nullopt});
  const auto& active = session.active.routes;
  for (const auto& [number, route] : active) changes_.push_back({Kind::set_applied, session.id, number, encode_route(route)});
  if (!session.staged) return;
  // The overlay: what staged changes against active.
  const auto& staged = session.staged->routes;
  for (const auto& [number, route] : staged) {
    auto applied = active.find(number);
    if (applied == active.end() || applied->second != route)
      changes_.push_back({Kind::stage, session.id, number, encode_route(route)});
  }
  for (const auto& [number, route] : active) {
    if (!staged.count(number)) changes_.push_back({Kind::stage, session.id, number, std::nullopt});
  }
}

}  // namespace reg::control
