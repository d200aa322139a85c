#include "dedup/ops/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include "gtest/gtest.h"
#include "testing/http_get.h"

namespace dedup {
namespace {

using testing::HttpGet;

std::unique_ptr<HttpServer> StartServer(std::atomic<int>* ready) {
  std::map<std::string, HttpHandler> routes;
  routes["/healthz"] = [] { return HttpResponse{200, "text/plain", "ok\n"}; };
  routes["/readyz"] = [ready] {
    return ready->load() ? HttpResponse{200, "text/plain", "ready\n"}
                         : HttpResponse{503, "text/plain", "not ready: no partitions\n"};
  };
  absl::StatusOr<std::unique_ptr<HttpServer>> s = HttpServer::Start("127.0.0.1:0", routes);
  EXPECT_TRUE(s.ok()) << s.status();
  return std::move(*s);
}

TEST(HttpServerTest, ServesRoutesStatusesAndHead) {
  std::atomic<int> ready{0};
  std::unique_ptr<HttpServer> server = StartServer(&ready);
  ASSERT_GT(server->port(), 0);
  EXPECT_EQ(server->bound_address(), "127.0.0.1:" + std::to_string(server->port()));

  testing::HttpResult r = HttpGet(server->port(), "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
  EXPECT_NE(r.headers.find("Content-Length: 3"), std::string::npos) << r.headers;

  EXPECT_EQ(HttpGet(server->port(), "/readyz").status, 503);
  ready = 1;
  EXPECT_EQ(HttpGet(server->port(), "/readyz?verbose=1").status, 200);

  r = HttpGet(server->port(), "/healthz", "HEAD");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(HttpGet(server->port(), "/nothing").status, 404);
  EXPECT_EQ(HttpGet(server->port(), "/healthz", "POST").status, 405);
}

TEST(HttpServerTest, GarbageAndSilentClientsDoNotStopIt) {
  std::atomic<int> ready{1};
  std::unique_ptr<HttpServer> server = StartServer(&ready);
  // A client that connects and sends an oversized head with no end.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(server->port()));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  const std::string junk(20000, 'x');
  (void)!::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
  char buf[256];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, 12), "HTTP/1.1 400");
  ::close(fd);
  EXPECT_EQ(HttpGet(server->port(), "/healthz").status, 200);
}

TEST(HttpServerTest, RefusesBadAddressesAndBusyPorts) {
  std::map<std::string, HttpHandler> none;
  for (const char* bad : {"9464", "localhost", "127.0.0.1:99999", "127.0.0.1:x", "::1:80",
                          "[::1]80"}) {
    absl::StatusOr<std::unique_ptr<HttpServer>> s = HttpServer::Start(bad, none);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.status().message().find(bad), std::string::npos) << s.status();
  }
  absl::StatusOr<std::unique_ptr<HttpServer>> first = HttpServer::Start("127.0.0.1:0", none);
  ASSERT_TRUE(first.ok());
  absl::StatusOr<std::unique_ptr<HttpServer>> second =
      HttpServer::Start("127.0.0.1:" + std::to_string((*first)->port()), none);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("cannot listen"), std::string::npos) << second.status();
}

}  // namespace
}  // namespace dedup
