#include "daemon/proxy/maintenance_page.hpp"

namespace reg::proxy {

std::string_view maintenance_page_html() {
  return R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Down for maintenance</title>
<style>
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f5f6f8;color:#1f2933}
main{max-width:32rem;padding:2rem;text-align:center}
h1{font-size:1.6rem;margin:0 0 .75rem}
p{margin:0;line-height:1.5;color:#52606d}
</style>
</head>
<body>
<main>
<h1>Down for maintenance</h1>
<p>This service is being updated and will be back shortly. Please try again in a few minutes.</p>
</main>
</body>
</html>
)";
}

}  // namespace reg::proxy
