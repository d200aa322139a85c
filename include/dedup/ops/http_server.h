// A small HTTP/1.1 server for the operations endpoints (/metrics, /healthz, /readyz).
//
// GET and HEAD on exact paths (a query string is ignored); one request per connection
// (Connection: close); requests are served one at a time on the server's own thread, each bounded
// by a 2 s socket timeout and an 8 KiB request head, so a slow or hostile client cannot hold the
// endpoint for long or grow memory. Not a general web server: it serves a scraper and a probe.
//
// Thread-safety: handlers run on the server's thread and must be thread-safe with respect to the
// rest of the program. Start and the destructor are called from one owning thread.
#ifndef DEDUP_OPS_HTTP_SERVER_H_
#define DEDUP_OPS_HTTP_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace dedup {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpResponse()>;

class HttpServer {
 public:
  // Binds `address` ("host:port" or "[v6addr]:port"; host may be a name, port 0 picks a free
  // port) and serves `routes` (path -> handler) until destroyed.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      std::string_view address, std::map<std::string, HttpHandler> routes);
  ~HttpServer();

  // The bound address with its actual port, e.g. "127.0.0.1:41234".
  const std::string& bound_address() const;
  int port() const;

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dedup

#endif  // DEDUP_OPS_HTTP_SERVER_H_
