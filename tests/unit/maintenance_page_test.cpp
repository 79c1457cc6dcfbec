#include "daemon/proxy/maintenance_page.hpp"

#include <string>

#include <catch2/catch.hpp>

namespace reg::proxy {

TEST_CASE("the maintenance page is a complete page that needs nothing else", "[maintenance_page]") {
  const std::string page(maintenance_page_html());
  CHECK(page.starts_with("<!DOCTYPE html>"));
  CHECK(page.find("<meta charset=\"utf-8\">") != std::string::npos);
  CHECK(page.find("</html>") != std::string::npos);
  // Nothing behind the route can serve a stylesheet, script or image now.
  CHECK(page.find("src=") == std::string::npos);
  CHECK(page.find("href=") == std::string::npos);
  CHECK(page.find("@import") == std::string::npos);
}

}  // namespace reg::proxy
