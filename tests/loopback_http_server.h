// A tiny HTTP/1.1 server on 127.0.0.1 for integration tests of the fetcher
// and the crawler.
//
// Contract:
//  - The constructor binds 127.0.0.1 (never any other address) on a port the
//    kernel picks and starts serving at once; port(), origin() and url(path)
//    say where. Failing to bind throws std::system_error.
//  - Route(target, response) maps a request target, matched exactly
//    ("/a.html", "/q?x=1"), to a canned response, sent after its optional
//    delay. Any other target gets a 404. Routes may be changed while serving.
//  - One request per connection: every response carries Content-Length and
//    "Connection: close", and request bodies are ignored (tests send GETs).
//    Each connection is served on its own thread, so delayed responses overlap.
//  - Every request is logged (method, target, User-Agent, and the
//    steady_clock time its header had fully arrived); requests() returns the
//    log in arrival order. All public methods are thread-safe.
//  - The destructor stops accepting, lets responses in progress finish and
//    joins every thread.
#ifndef SCRAPEWATCH_TESTS_LOOPBACK_HTTP_SERVER_H_
#define SCRAPEWATCH_TESTS_LOOPBACK_HTTP_SERVER_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace scrapewatch::test {

struct CannedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given
  std::string body;
  std::chrono::milliseconds delay{0};  // waited before the response is sent
};

struct RecordedRequest {
  std::string method;
  std::string target;
  std::string user_agent;  // "" when the header is absent
  std::chrono::steady_clock::time_point arrived;
};

class LoopbackHttpServer {
 public:
  LoopbackHttpServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    if (listen_fd_ < 0 || bind(listen_fd_, generic, length) != 0 || listen(listen_fd_, 64) != 0 ||
        getsockname(listen_fd_, generic, &length) != 0 || pipe2(wake_fds_, O_CLOEXEC) != 0) {
      std::system_error error(errno, std::generic_category(), "LoopbackHttpServer");
      if (listen_fd_ >= 0) close(listen_fd_);
      throw error;
    }
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~LoopbackHttpServer() {
    char wake = 0;
    (void)!write(wake_fds_[1], &wake, 1);
    acceptor_.join();
    for (std::thread& connection : connections_) connection.join();
    close(listen_fd_);
    close(wake_fds_[0]);
    close(wake_fds_[1]);
  }

  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  int port() const { return port_; }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string url(std::string_view path) const { return origin() + std::string(path); }

  void Route(const std::string& target, CannedResponse response) {
    std::lock_guard lock(mutex_);
    routes_[target] = std::move(response);
  }

  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return log_;
  }

  // Just the targets of requests(), in arrival order.
  std::vector<std::string> targets() const {
    std::vector<std::string> targets;
    for (const RecordedRequest& request : requests()) targets.push_back(request.target);
    return targets;
  }

 private:
  void AcceptLoop() {
    while (true) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
      if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
      if (fds[1].revents != 0) return;  // the destructor asked us to stop
      if (fds[0].revents == 0) continue;
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) connections_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    // A client that connects and never sends must not block shutdown forever.
    timeval receive_timeout{.tv_sec = 5, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof(receive_timeout));
    std::string head;
    char buffer[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
      ssize_t received = recv(fd, buffer, sizeof(buffer), 0);
      if (received <= 0) {  // closed before a whole request header arrived
        close(fd);
        return;
      }
      head.append(buffer, static_cast<size_t>(received));
    }
    RecordedRequest request = ParseHead(head);
    request.arrived = std::chrono::steady_clock::now();
    CannedResponse response;
    {
      std::lock_guard lock(mutex_);
      log_.push_back(request);
      auto route = routes_.find(request.target);
      response = route != routes_.end() ? route->second
                                        : CannedResponse{.status = 404, .body = "not found"};
    }
    std::this_thread::sleep_for(response.delay);
    SendAll(fd, Serialize(response));
    close(fd);
  }

  // `head` is the request line and header fields, each ending in CRLF, then CRLF.
  static RecordedRequest ParseHead(std::string_view head) {
    RecordedRequest request;
    size_t line_end = head.find("\r\n");
    std::string_view request_line = head.substr(0, line_end);
    size_t method_end = request_line.find(' ');
    size_t target_end = request_line.find(' ', method_end + 1);
    request.method = std::string(request_line.substr(0, method_end));
    request.target = std::string(request_line.substr(method_end + 1, target_end - method_end - 1));
    while (true) {
      size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      std::string_view line = head.substr(start, line_end - start);
      if (line.empty()) return request;  // the blank line that ends the header
      size_t colon = line.find(':');
      if (colon != std::string_view::npos &&
          EqualsIgnoringCase(line.substr(0, colon), "user-agent")) {
        std::string_view value = line.substr(colon + 1);
        size_t first = value.find_first_not_of(" \t");
        request.user_agent =
            first == std::string_view::npos ? "" : std::string(value.substr(first));
      }
    }
  }

  static bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
    }
    return true;
  }

  static std::string Serialize(const CannedResponse& response) {
    std::string wire = "HTTP/1.1 " + std::to_string(response.status) + " " +
                       ReasonPhrase(response.status) + "\r\n";
    for (const auto& [name, value] : response.headers) wire += name + ": " + value + "\r\n";
    wire += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    wire += "Connection: close\r\n\r\n";
    return wire + response.body;
  }

  static const char* ReasonPhrase(int status) {
    switch (status) {
      case 200: return "OK";
      case 301: return "Moved Permanently";
      case 302: return "Found";
      case 404: return "Not Found";
      case 429: return "Too Many Requests";
      case 503: return "Service Unavailable";
      default: return "Status";  // clients read the code, not the phrase
    }
  }

  // Gives up quietly when the client has gone (e.g. it stopped reading at
  // its body limit); MSG_NOSIGNAL keeps that from raising SIGPIPE.
  static void SendAll(int fd, std::string_view data) {
    while (!data.empty()) {
      ssize_t sent = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent <= 0) return;
      data.remove_prefix(static_cast<size_t>(sent));
    }
  }

  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};
  int port_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // touched by the acceptor, then the destructor
  mutable std::mutex mutex_;
  std::map<std::string, CannedResponse> routes_;
  std::vector<RecordedRequest> log_;
};

}  // namespace scrapewatch::test

#endif  // SCRAPEWATCH_TESTS_LOOPBACK_HTTP_SERVER_H_
