#pragma once
// A setting the control thread replaces while proxy workers read it (SIGHUP
// reload): readers take the current immutable value and keep it as long as
// they need; a writer publishes a whole new one, never edits in place.
#include <atomic>
#include <memory>

namespace reg::proxy {

template <class T>
class SharedSnapshot {
 public:
  SharedSnapshot() : value_(std::make_shared<const T>()) {}
  SharedSnapshot(const SharedSnapshot& other) : value_(other.current()) {}
  SharedSnapshot& operator=(const SharedSnapshot& other) {
    publish(other.current());
    return *this;
  }

  std::shared_ptr<const T> current() const { return std::atomic_load_explicit(&value_, std::memory_order_acquire); }
  void publish(T value) { publish(std::make_shared<const T>(std::move(value))); }
  void publish(std::shared_ptr<const T> value) {
    std::atomic_store_explicit(&value_, std::move(value), std::memory_order_release);
  }

 private:
  std::shared_ptr<const T> value_;
};

}  // namespace reg::proxy
