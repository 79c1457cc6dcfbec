// Issue 5, durability: regd is killed with SIGKILL at random moments while a
// client streams mutating commands. After each restart every acknowledged
// change must be there, and the one command that was on its way when regd
// died is either wholly applied or not at all (an apply is all or nothing).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/control.hpp"
#include "support/regd_process.hpp"
#include "support/reply_json.hpp"
#include "support/temp_dir.hpp"

namespace reg::test {
namespace {

constexpr int kRestarts = 200;
// How long the client streams before the kill, at most: short runs keep the
// whole test well under a minute.
constexpr int kLongestRunMs = 30;
constexpr std::size_t kMostSessions = 6;

// A route is known by its domain (unique per route); ids are checked apart.
struct SessionModel {
  std::string id;  // empty while only a lost REGISTER may have created it
  std::map<std::string, std::uint64_t> active;  // domain -> route number
  std::map<std::string, std::uint64_t> view;    // active plus staged changes
  bool draining = false;
};
// By instance name: a REGISTER whose reply was lost has no known id.
using Model = std::map<std::string, SessionModel>;

// Without route numbers: a lost ROUTE_ADD's number is unknown.
std::string describe(const Model& model) {
  std::string text;
  for (const auto& [instance, session] : model) {
    text += instance + ": active";
    for (const auto& [domain, number] : session.active) text += " " + domain;
    text += "; view";
    for (const auto& [domain, number] : session.view) text += " " + domain;
    text += session.draining ? "; draining\n" : "\n";
  }
  return text;
}

Model read_back(Control& control) {
  Model model;
  for (const auto& entry : reply_json(control.send("SESSION_LIST"), "SESSION_LIST_OK")) {
    SessionModel& session = model[entry["instance_name"].get<std::string>()];
    session.id = entry["session_id"].get<std::string>();
    for (const auto& route : reply_json(control.send("ROUTE_LIST|" + session.id), "ROUTE_LIST_OK")) {
      const std::string domain = route["domains"][0].get<std::string>();
      const std::string status = route["status"].get<std::string>();
      const std::uint64_t number = std::stoull(route["route_id"].get<std::string>().substr(1));
      if (status != "staged") session.active[domain] = number;
      if (status != "pending_removal") session.view[domain] = number;
    }
    session.draining = control.send("DRAIN_STATUS|" + session.id).rfind("DRAIN_STATUS_OK|", 0) == 0;
  }
  return model;
}

// One command, what it does to the model when it succeeds, and its reply code.
struct Step {
  std::string line;
  std::string expected_code;
  std::function<void(Model&, const std::string& reply)> apply;
};

class CommandStream {
 public:
  CommandStream(Model model, std::uint64_t seed, std::uint64_t& next_name)
      : model_(std::move(model)), random_(seed), next_name_(next_name) {}

  // Sends commands one after another until the connection dies.
  void run(const HostPort& server) {
    try {
      Control control(server);
      for (;;) {
        pending_ = next_step();
        const std::string reply = control.send(pending_->line);
        const auto bar = reply.find('|');
        if (reply.substr(0, bar) != pending_->expected_code) {
          failure_ = pending_->line + " answered " + reply;
          return;
        }
        pending_->apply(model_, reply);
        if (reply.rfind("ROUTE_OK|r", 0) == 0) highest_route_ = std::max(highest_route_, route_number(reply));
        pending_.reset();
        ++acknowledged_;
      }
    } catch (const std::exception&) {
      // regd was killed: pending_ (if any) may or may not have happened.
    }
  }

  const Model& acknowledged_model() const { return model_; }
  // The model as it is if the command on its way when regd died took effect.
  Model model_with_pending() const {
    Model model = model_;
    if (pending_) pending_->apply(model, "");
    return model;
  }
  const std::string& failure() const { return failure_; }
  std::uint64_t highest_route() const { return highest_route_; }
  int acknowledged() const { return acknowledged_; }

 private:
  std::string fresh_name(std::string_view prefix) { return std::string(prefix) + std::to_string(++next_name_); }

  static std::uint64_t route_number(const std::string& reply) {
    return reply.empty() ? 0 : std::stoull(reply.substr(reply.find("|r") + 2));
  }

  Step next_step() {
    const int roll = static_cast<int>(random_() % 100);
    if (model_.empty() || (roll < 10 && model_.size() < kMostSessions)) {
      const std::string instance = fresh_name("i");
      return {"REGISTER|crash|" + instance + "|9000|" + std::string(persistent_lease), "ACK",
              [instance](Model& model, const std::string& reply) {
                model[instance].id = reply.empty() ? "" : reply.substr(4);
              }};
    }
    auto chosen = model_.begin();
    std::advance(chosen, static_cast<long>(random_() % model_.size()));
    const std::string instance = chosen->first;
    const std::string& id = chosen->second.id;
    const SessionModel& session = chosen->second;
    if (roll < 40 || (roll < 55 && session.view.empty())) {
      const std::string domain = fresh_name("d") + ".example.com";
      return {"ROUTE_ADD|" + id + "|" + domain + "|/|http://127.0.0.1:9|0", "ROUTE_OK",
              [instance, domain](Model& model, const std::string& reply) {
                model[instance].view[domain] = route_number(reply);
              }};
    }
    if (roll < 55) {
      auto route = session.view.begin();
      std::advance(route, static_cast<long>(random_() % session.view.size()));
      const std::string domain = route->first;
      return {"ROUTE_REMOVE|" + id + "|r" + std::to_string(route->second), "ROUTE_OK",
              [instance, domain](Model& model, const std::string&) { model[instance].view.erase(domain); }};
    }
    if (roll < 72)
      return {"CONFIG_APPLY|" + id, "OK",
              [instance](Model& model, const std::string&) { model[instance].active = model[instance].view; }};
    if (roll < 78)
      return {"CONFIG_ROLLBACK|" + id, "OK",
              [instance](Model& model, const std::string&) { model[instance].view = model[instance].active; }};
    if (roll < 86 && !session.draining)
      return {"DRAIN_START|" + id + "|1h", "DRAIN_OK",
              [instance](Model& model, const std::string&) { model[instance].draining = true; }};
    if (roll < 86)
      return {"DRAIN_CANCEL|" + id, "DRAIN_OK",
              [instance](Model& model, const std::string&) { model[instance].draining = false; }};
    return {"CLIENT_SHUTDOWN|" + id, "SHUTDOWN_OK",
            [instance](Model& model, const std::string&) { model.erase(instance); }};
  }

  Model model_;
  std::mt19937_64 random_;
  std::uint64_t& next_name_;
  std::optional<Step> pending_;
  std::string failure_;
  std::uint64_t highest_route_ = 0;
  int acknowledged_ = 0;
};

}  // namespace

TEST_CASE("state: kill -9 at random moments loses no acknowledged change and half-applies nothing", "[state]") {
  TempDir state("regd-crash");
  const std::vector<std::string> flags{"--state-dir", state.path().string(), "--workers", "1", "--log-level", "warn"};
  const std::uint64_t seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937_64 random(seed);
  std::uint64_t next_name = 0;
  std::uint64_t highest_route = 0;
  int acknowledged = 0;

  Model known;  // what regd holds, as read back after the last restart
  auto regd = std::make_unique<RegdProcess>(flags);
  for (int restart = 0; restart < kRestarts; ++restart) {
    INFO("restart " << restart);
    CommandStream stream(known, random(), next_name);
    std::thread client([&] { stream.run(regd->control()); });
    std::this_thread::sleep_for(std::chrono::microseconds(random() % (kLongestRunMs * 1000)));
    regd->kill();
    client.join();
    REQUIRE(stream.failure().empty());
    acknowledged += stream.acknowledged();

    regd = std::make_unique<RegdProcess>(flags);
    Control control(regd->control());
    const Model found = read_back(control);
    const std::string found_text = describe(found);
    INFO("after the restart:\n" << found_text << "acknowledged:\n" << describe(stream.acknowledged_model())
                                << "with the command on its way:\n" << describe(stream.model_with_pending()));
    REQUIRE((found_text == describe(stream.acknowledged_model()) ||
             found_text == describe(stream.model_with_pending())));
    // Acknowledged route ids are the ids the restored routes have.
    for (const auto& [instance, session] : stream.acknowledged_model()) {
      const auto restored = found.find(instance);
      if (restored == found.end()) continue;  // the lost command was its CLIENT_SHUTDOWN
      for (const auto& [domain, number] : session.view) {
        const auto route = restored->second.view.find(domain);
        if (route != restored->second.view.end()) CHECK(route->second == number);
      }
    }
    // Route ids are never reused, also after a crash.
    highest_route = std::max(highest_route, stream.highest_route());
    if (!found.empty()) {
      const std::string& id = found.begin()->second.id;
      const std::string added =
          control.add_route(id, "probe" + std::to_string(restart) + ".example.com", "/", "http://127.0.0.1:9");
      const std::uint64_t number = std::stoull(added.substr(1));
      CHECK(number > highest_route);
      highest_route = number;
      REQUIRE(control.send("ROUTE_REMOVE|" + id + "|" + added) == "ROUTE_OK");
    }
    known = read_back(control);
  }
  // The kills must have landed among acknowledged work, not only before it.
  CHECK(acknowledged > kRestarts);
}

}  // namespace reg::test
