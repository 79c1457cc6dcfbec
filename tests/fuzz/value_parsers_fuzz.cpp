// Every parser of PROTOCOL.md §2 on arbitrary text. The first byte picks the
// parser; what a parser accepts must come back the same when its canonical
// form is parsed again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/value_parsers.hpp"

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 14) {
    case 0:
      if (auto duration = reg::parse_duration(text)) {
        auto again = reg::parse_duration(reg::format_duration(*duration));
        require(again && *again == *duration);
      }
      break;
    case 1:
      if (auto domains = reg::parse_domains(text)) {
        std::string joined;
        for (const auto& domain : *domains) joined += (joined.empty() ? "" : ",") + domain;
        auto again = reg::parse_domains(joined);
        require(again && *again == *domains);
      }
      break;
    case 2:
      if (auto url = reg::parse_backend_url(text)) {
        auto again = reg::parse_backend_url(url->to_string());
        require(again && *again == *url);
      }
      break;
    case 3:
      if (auto path = reg::parse_path(text)) require(reg::parse_path(*path).ok());
      break;
    case 4:
      (void)reg::parse_size(text);
      break;
    case 5:
      if (auto cidr = reg::parse_cidr(text)) {
        const std::array<std::uint8_t, 16> address{};
        (void)cidr->contains(std::span<const std::uint8_t>(address.data(), cidr->ipv6 ? 16 : 4));
      }
      break;
    case 6:
      (void)reg::parse_cidr_list(text);
      break;
    case 7:
      if (auto host_port = reg::parse_host_port(text)) {
        auto again = reg::parse_host_port(host_port->to_string());
        require(again && again->host == host_port->host && again->port == host_port->port);
      }
      break;
    case 8:
      if (auto route = reg::parse_route_id(text)) {
        auto again = reg::parse_route_id(reg::format_route_id(*route));
        require(again && *again == *route);
      }
      break;
    case 9:
      (void)reg::parse_priority(text);
      (void)reg::parse_bool(text);
      break;
    case 10:
      (void)reg::parse_integer(text, -1000, 1000, "value");
      break;
    case 11:
      (void)reg::parse_name(text, "service_name");
      break;
    case 12:
      if (auto range = reg::parse_status_range(text)) require(range->low <= range->high);
      break;
    case 13:
      (void)reg::check_header_name(text);
      (void)reg::check_header_value(text);
      break;
  }
  return 0;
}
