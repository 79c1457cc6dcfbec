#pragma once
// How each successful reply looks in each output format. Replies with a JSON
// payload get a view chosen by their reply code (a table per list, aligned
// fields per object); a reply code with no view of its own falls back to a
// generic one, so a new protocol command prints sensibly without edits here.
#include <ostream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/colour.hpp"
#include "cli/control_client.hpp"
#include "cli/output_mode.hpp"
#include "common/command_table.hpp"

namespace regctl {

using Json = nlohmann::ordered_json;

// True when the command's documented reply is one value (or none) rather than JSON.
bool has_single_value_reply(const reg::CommandSpec& spec);

// The reply's JSON payload; a Failure if regd sent something else.
Json parse_payload(const Reply& reply);

// -o json of a reply: the server's JSON as sent (pretty on a terminal), or for
// value replies {"reply":"ROUTE_OK","route_id":"r3"}.
void print_reply_json(std::ostream& out, const reg::CommandSpec& spec, const Reply& reply, const OutputMode& mode);

void print_reply(std::ostream& out, const reg::CommandSpec& spec, const Reply& reply, Format format,
                 const OutputMode& mode, const Palette& palette);

// A JSON payload in table, wide or plain form (used by --watch as well).
void print_json_view(std::ostream& out, std::string_view code, const Json& value, Format format,
                     const Palette& palette, bool borders);

// "a,b" for arrays, "-" for null, the text of a string, compact JSON otherwise.
std::string value_text(const Json& value);

}  // namespace regctl
