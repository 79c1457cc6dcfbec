#include "daemon/admin/admin_server.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace reg::admin {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr std::uint64_t kBodyLimit = 64 * 1024;
// A client gets this long to send a request (or, kept alive, the next one)
// and to take the answer.
constexpr auto kIoTimeout = std::chrono::seconds(10);
// How long a closing connection waits for the client to finish sending.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kDiscardChunk = 4096;
// Accepting fails mostly when file descriptors run out; retrying at once would
// spin the control thread.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

// Exactly one of the two is set.
struct Page {
  std::function<AdminPage()> render;         // on the control thread
  std::function<PageRenderer()> prepare;     // on the control thread, the renderer on the render thread
};
using Pages = std::map<std::string, Page, std::less<>>;
using RenderExecutor = asio::thread_pool::executor_type;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Response make_response(http::status status, std::string_view content_type, std::string body) {
  Response response{status, 11};
  response.set(http::field::server, "regd");
  response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

// Answers for requests that could not be read; the connection closes after.
Response rejection(http::status status, std::string body) {
  Response response = make_response(status, "text/plain", std::move(body));
  response.keep_alive(false);
  return response;
}

bool is_get_or_head(const Request& request) {
  return request.method() == http::verb::get || request.method() == http::verb::head;
}

// The page `request` asks for, or nullptr (not found, or a method other than GET and HEAD).
const Page* requested_page(const Request& request, const Pages& pages) {
  if (!is_get_or_head(request)) return nullptr;
  const std::string_view target = request.target();
  const auto page = pages.find(target.substr(0, target.find('?')));
  return page == pages.end() ? nullptr : &page->second;
}

Response page_response(AdminPage content) {
  return make_response(static_cast<http::status>(content.status), content.content_type, std::move(content.body));
}

// The request's version and keep-alive; a HEAD answer keeps its headers only.
Response fitted_to(const Request& request, Response response) {
  response.version(request.version());
  response.keep_alive(request.keep_alive());
  // prepare_payload() has set Content-Length to the full body, as HEAD requires.
  if (request.method() == http::verb::head) response.body().clear();
  return response;
}

// The answer to anything but a page rendered apart.
Response answer(const Request& request, const Pages& pages) {
  if (!is_get_or_head(request)) {
    Response response = make_response(http::status::method_not_allowed, "text/plain", "method not allowed\n");
    response.set(http::field::allow, "GET, HEAD");
    return fitted_to(request, std::move(response));
  }
  const Page* page = requested_page(request, pages);
  if (page == nullptr) return fitted_to(request, make_response(http::status::not_found, "text/plain", "not found\n"));
  return fitted_to(request, page_response(page->render()));
}

// Beast 1.74 accepts framing that allows request smuggling (DESIGN.md).
bool has_safe_framing(const Request& request) {
  auto encodings = request.count(http::field::transfer_encoding);
  if (encodings == 0) return true;
  return encodings == 1 && request.count(http::field::content_length) == 0 &&
         beast::iequals(request[http::field::transfer_encoding], "chunked");
}

std::optional<Response> rejection_for_read_error(error_code ec) {
  if (ec == http::error::header_limit) {
    return rejection(http::status::request_header_fields_too_large, "request header too large\n");
  }
  if (ec == http::error::body_limit) {
    return rejection(http::status::payload_too_large, "request body too large\n");
  }
  if (ec.category() == make_error_code(http::error::bad_version).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return rejection(http::status::bad_request, "malformed request\n");
  }
  return std::nullopt;
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<const Pages> pages, RenderExecutor renderer)
      : stream_(std::move(socket)), pages_(std::move(pages)), renderer_(std::move(renderer)) {}

  void start() { read_header(); }

  void close() { stream_.close(); }

 private:
  void read_header() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(kIoTimeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(error_code ec) {
    if (ec) return on_read_error(ec);
    if (!has_safe_framing(parser_->get())) {
      return send(rejection(http::status::bad_request, "ambiguous message framing\n"));
    }
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       self->on_request(ec);
                     });
  }

  void on_request(error_code ec) {
    if (ec) return on_read_error(ec);
    const Page* page = requested_page(parser_->get(), *pages_);
    if (page == nullptr || !page->prepare) return send(answer(parser_->get(), *pages_));
    // The connection reads nothing more until the page is sent.
    asio::post(renderer_, [self = shared_from_this(), render = page->prepare()] {
      AdminPage content = render();
      asio::post(self->stream_.get_executor(), [self, content = std::move(content)]() mutable {
        self->send(fitted_to(self->parser_->get(), page_response(std::move(content))));
      });
    });
  }

  void on_read_error(error_code ec) {
    if (auto response = rejection_for_read_error(ec)) return send(std::move(*response));
    close();
  }

  void send(Response response) {
    response_ = std::move(response);
    stream_.expires_after(kIoTimeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](error_code ec, std::size_t) {
                        self->on_sent(ec);
                      });
  }

  void on_sent(error_code ec) {
    if (ec) return close();
    if (response_.keep_alive()) return read_header();
    // Closing with request bytes still unread would reset the connection and
    // could destroy the answer before the client reads it (RFC 9112 9.6), so
    // only the sending side closes now and the rest is read away.
    error_code already_closed;
    stream_.socket().shutdown(tcp::socket::shutdown_send, already_closed);
    stream_.expires_after(kLingerTimeout);
    discard_until_closed();
  }

  void discard_until_closed() {
    stream_.async_read_some(buffer_.prepare(kDiscardChunk),
                            [self = shared_from_this()](error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->discard_until_closed();
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<const Pages> pages_;
  RenderExecutor renderer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
};

}  // namespace

class AdminServer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, HostPort address)
      : io_(io), address_(std::move(address)), acceptor_(io), accept_retry_(io) {
    // Shared with the page, which connections may call after stop().
    add_page("/healthz", [shutting_down = shutting_down_] {
      if (*shutting_down) return AdminPage{"text/plain", "shutting down\n", 503};
      return AdminPage{"text/plain", "ok\n"};
    });
  }

  void begin_shutdown() { *shutting_down_ = true; }

  void add_page(std::string path, std::function<AdminPage()> render) {
    (*pages_)[std::move(path)] = Page{std::move(render), {}};
  }

  void add_page_rendered_apart(std::string path, std::function<PageRenderer()> prepare) {
    (*pages_)[std::move(path)] = Page{{}, std::move(prepare)};
  }

  Status start() {
    error_code ec;
    // Runs once at startup, before any client depends on the control thread,
    // and the listen address is nearly always a literal.
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(address_.host, std::to_string(address_.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec) return cannot_listen(ec);
    tcp::endpoint endpoint = endpoints.begin()->endpoint();

    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      error_code already_closed;
      acceptor_.close(already_closed);
      return cannot_listen(ec);
    }
    accept();
    return success();
  }

  void stop() {
    // A render under way finishes first: it posts its page to the control
    // io_context, which must still be there.
    render_thread_.stop();
    render_thread_.join();
    error_code already_closed;
    acceptor_.close(already_closed);
    accept_retry_.cancel();
    for (auto& connection : connections_) {
      if (auto open = connection.lock()) open->close();
    }
    connections_.clear();
  }

 private:
  Error cannot_listen(error_code ec) const {
    return make_error("cannot listen on " + address_.to_string() + ": " + ec.message());
  }

  void accept() {
    acceptor_.async_accept([self = shared_from_this()](error_code ec, tcp::socket socket) {
      self->on_accept(ec, std::move(socket));
    });
  }

  void on_accept(error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (ec) {
      accept_retry_.expires_after(kAcceptRetryDelay);
      accept_retry_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec) self->accept();
      });
      return;
    }
    std::erase_if(connections_, [](const auto& connection) { return connection.expired(); });
    auto connection = std::make_shared<Connection>(std::move(socket), pages_, render_thread_.get_executor());
    connections_.push_back(connection);
    connection->start();
    accept();
  }

  asio::io_context& io_;
  const HostPort address_;
  std::shared_ptr<Pages> pages_ = std::make_shared<Pages>();
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  std::vector<std::weak_ptr<Connection>> connections_;
  std::shared_ptr<bool> shutting_down_ = std::make_shared<bool>(false);
  asio::thread_pool render_thread_{1};
};

AdminServer::AdminServer(boost::asio::io_context& io, HostPort address)
    : impl_(std::make_shared<Impl>(io, std::move(address))) {}

AdminServer::~AdminServer() { impl_->stop(); }

void AdminServer::add_page(std::string path, std::function<AdminPage()> render) {
  impl_->add_page(std::move(path), std::move(render));
}

void AdminServer::add_page_rendered_apart(std::string path, std::function<PageRenderer()> prepare) {
  impl_->add_page_rendered_apart(std::move(path), std::move(prepare));
}

Status AdminServer::start() { return impl_->start(); }

void AdminServer::begin_shutdown() { impl_->begin_shutdown(); }

void AdminServer::stop() { impl_->stop(); }

}  // namespace reg::admin
