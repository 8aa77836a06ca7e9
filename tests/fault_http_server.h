// A raw-socket HTTP/1.1 server on 127.0.0.1 that misbehaves on request, and
// an access log precise enough to check a crawler's politeness from the
// server's side. For end-to-end tests that run the real scrapewatch binary.
//
// Contract:
//  - The constructor binds 127.0.0.1 (never any other address) on a port the
//    kernel picks and starts serving at once; origin() and url(path) say
//    where. Failing to bind throws std::system_error.
//  - Route(target, response) maps a request target, matched exactly, to a
//    Response; RouteSequence(target, responses) serves them in turn, then
//    the last one again and again. Any other target gets a 404. Routes may
//    be changed while serving.
//  - A Response is canned (status, headers, body with Content-Length, after
//    an optional delay) or one of the faults in Response::Fault. A canned
//    response keeps the connection open for the client's next request
//    (HTTP/1.1 keep-alive) unless the client sent "Connection: close"; a
//    fault always ends its connection. Each connection has its own thread.
//  - The access log holds every request in arrival order: method, target,
//    User-Agent, `arrived` (steady_clock, once its header had fully
//    arrived), `finished` and `client_gone` (see LoggedRequest). log()
//    returns a copy. All public methods are thread-safe.
//  - The destructor stops accepting, ends every response in progress (the
//    endless ones too) and joins every thread.
#ifndef SCRAPEWATCH_TESTS_FAULT_HTTP_SERVER_H_
#define SCRAPEWATCH_TESTS_FAULT_HTTP_SERVER_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace scrapewatch::test {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct Response {
  enum class Fault {
    kNone,            // status, headers and `body` with its Content-Length
    kSlowDrip,        // 200, a large Content-Length, then `drip_bytes` of `body` (cycled)
                      // every `drip_interval`, until the client hangs up
    kResetMidBody,    // 200, Content-Length of `body`, half of it, then a TCP reset
    kEndlessChunked,  // 200, chunked, `body` as one chunk after another, never a last chunk
    kShortBody,       // 200, Content-Length of `body` plus kShortBodyMissingBytes, then
                      // `body` and a clean close
    kGzipBomb,        // 200, Content-Encoding: gzip of `inflated_bytes` zero bytes, compressed
                      // while it is sent (so the server never holds the bomb), no length,
                      // ended by closing the connection
  };
  int status = 200;
  HttpHeaders headers;  // sent as given, before the ones the fault needs
  std::string body;
  std::chrono::milliseconds delay{0};  // waited (watching for a hang-up) before anything is sent
  Fault fault = Fault::kNone;
  size_t drip_bytes = 0;
  std::chrono::milliseconds drip_interval{0};
  int64_t inflated_bytes = 0;
};

inline constexpr int64_t kShortBodyMissingBytes = 100000;

// Canned responses.
inline Response Canned(int status, HttpHeaders headers, std::string body) {
  return {.status = status, .headers = std::move(headers), .body = std::move(body)};
}
inline Response Html(std::string body) {
  return Canned(200, {{"Content-Type", "text/html; charset=utf-8"}}, std::move(body));
}
inline Response Redirect(const std::string& location) {
  return Canned(302, {{"Location", location}}, "moved");
}

// Faults; `content_type` is what the response claims to be.
inline Response SlowDrip(const std::string& content_type, size_t drip_bytes,
                         std::chrono::milliseconds interval) {
  return {.headers = {{"Content-Type", content_type}},
          .body = "<p>drip</p>",
          .fault = Response::Fault::kSlowDrip,
          .drip_bytes = drip_bytes,
          .drip_interval = interval};
}
inline Response ResetMidBody(const std::string& content_type, std::string body) {
  return {.headers = {{"Content-Type", content_type}},
          .body = std::move(body),
          .fault = Response::Fault::kResetMidBody};
}
inline Response EndlessChunked(const std::string& content_type) {
  std::string chunk;
  while (chunk.size() < 16384) chunk += "<p>and on and on</p>\n";
  return {.headers = {{"Content-Type", content_type}},
          .body = std::move(chunk),
          .fault = Response::Fault::kEndlessChunked};
}
inline Response ShortBody(const std::string& content_type, std::string body) {
  return {.headers = {{"Content-Type", content_type}},
          .body = std::move(body),
          .fault = Response::Fault::kShortBody};
}
inline Response GzipBomb(const std::string& content_type, int64_t inflated_bytes) {
  return {.headers = {{"Content-Type", content_type}, {"Content-Encoding", "gzip"}},
          .fault = Response::Fault::kGzipBomb,
          .inflated_bytes = inflated_bytes};
}

struct LoggedRequest {
  std::string method;
  std::string target;
  std::string user_agent;  // "" when the header is absent
  std::chrono::steady_clock::time_point arrived;
  // When the server was done with the request: just before it handed the
  // response's last bytes to the kernel (so a client that reads the whole
  // response before its next request always sends that request after this
  // time), when it cut the connection on purpose, or when it found the
  // client gone. Unset while the response is in progress.
  std::optional<std::chrono::steady_clock::time_point> finished;
  // The client hung up (or reset) before the whole response was sent.
  bool client_gone = false;
};

class FaultHttpServer {
 public:
  FaultHttpServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    if (listen_fd_ < 0 || bind(listen_fd_, generic, length) != 0 || listen(listen_fd_, 64) != 0 ||
        getsockname(listen_fd_, generic, &length) != 0 || pipe2(stop_fds_, O_CLOEXEC) != 0) {
      std::system_error error(errno, std::generic_category(), "FaultHttpServer");
      if (listen_fd_ >= 0) close(listen_fd_);
      throw error;
    }
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  ~FaultHttpServer() {
    // Nobody reads the pipe, so every poll that watches it wakes and keeps
    // waking: each thread sees the stop, wherever it is waiting.
    char stop = 0;
    (void)!write(stop_fds_[1], &stop, 1);
    acceptor_.join();
    for (std::thread& connection : connections_) connection.join();
    close(listen_fd_);
    close(stop_fds_[0]);
    close(stop_fds_[1]);
  }

  FaultHttpServer(const FaultHttpServer&) = delete;
  FaultHttpServer& operator=(const FaultHttpServer&) = delete;

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string url(std::string_view path) const { return origin() + std::string(path); }

  void Route(const std::string& target, Response response) {
    RouteSequence(target, {std::move(response)});
  }

  void RouteSequence(const std::string& target, std::vector<Response> responses) {
    if (responses.empty()) throw std::invalid_argument("RouteSequence needs a response");
    std::lock_guard lock(mutex_);
    routes_[target] = {std::move(responses), 0};
  }

  std::vector<LoggedRequest> log() const {
    std::lock_guard lock(mutex_);
    return log_;
  }

 private:
  struct Sequence {
    std::vector<Response> responses;
    size_t served = 0;
  };

  struct RequestHead {
    std::string method;
    std::string target;
    std::string user_agent;
    bool wants_close = false;
  };

  enum class Wait { kElapsed, kClientGone, kStopping };

  void AcceptLoop() {
    while (true) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fds_[0], POLLIN, 0}};
      if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
      if (fds[1].revents != 0) return;
      if (fds[0].revents == 0) continue;
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) connections_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    std::string received;  // bytes read but not yet parsed (a pipelined next request)
    while (std::optional<std::string> head = ReadHead(fd, received)) {
      RequestHead request = ParseHead(*head);
      size_t index;
      Response response;
      {
        std::lock_guard lock(mutex_);
        index = log_.size();
        log_.push_back({.method = request.method,
                        .target = request.target,
                        .user_agent = request.user_agent,
                        .arrived = std::chrono::steady_clock::now()});
        auto route = routes_.find(request.target);
        if (route == routes_.end()) {
          response = Canned(404, {{"Content-Type", "text/plain"}}, "not found");
        } else {
          Sequence& sequence = route->second;
          response = sequence.responses[std::min(sequence.served, sequence.responses.size() - 1)];
          ++sequence.served;
        }
      }
      if (!Respond(fd, index, response, request.wants_close)) break;
    }
    close(fd);  // after kResetMidBody's SO_LINGER {1, 0}, this sends the reset
  }

  // Serves one response; returns whether the connection stays open.
  bool Respond(int fd, size_t index, const Response& response, bool client_wants_close) {
    if (Wait wait = WaitWatchingClient(fd, response.delay); wait != Wait::kElapsed) {
      Finish(index, wait == Wait::kClientGone);
      return false;
    }
    switch (response.fault) {
      case Response::Fault::kNone: {
        std::string wire = Head(response.status, response.headers) +
                           "Content-Length: " + std::to_string(response.body.size()) + "\r\n" +
                           (client_wants_close ? "Connection: close\r\n" : "") + "\r\n" +
                           response.body;
        return SendLast(fd, index, wire) && !client_wants_close;
      }
      case Response::Fault::kSlowDrip: {
        if (!SendPart(fd, index, Head(200, response.headers) +
                                     "Content-Length: 100000000\r\nConnection: close\r\n\r\n")) {
          return false;
        }
        for (size_t offset = 0;; offset += response.drip_bytes) {
          std::string drop;
          for (size_t i = 0; i < response.drip_bytes; ++i) {
            drop += response.body[(offset + i) % response.body.size()];
          }
          if (!SendPart(fd, index, drop)) return false;
          if (Wait wait = WaitWatchingClient(fd, response.drip_interval); wait != Wait::kElapsed) {
            Finish(index, wait == Wait::kClientGone);
            return false;
          }
        }
      }
      case Response::Fault::kResetMidBody: {
        std::string wire = Head(200, response.headers) +
                           "Content-Length: " + std::to_string(response.body.size()) +
                           "\r\n\r\n" + response.body.substr(0, response.body.size() / 2);
        if (!SendPart(fd, index, wire)) return false;
        // Lets the client read what was sent, so the reset lands mid-body
        // rather than before the status line.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        linger abort_on_close{.l_onoff = 1, .l_linger = 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof(abort_on_close));
        Finish(index, false);
        return false;
      }
      case Response::Fault::kEndlessChunked: {
        if (!SendPart(fd, index, Head(200, response.headers) +
                                     "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")) {
          return false;
        }
        char size[32];
        snprintf(size, sizeof(size), "%zx\r\n", response.body.size());
        std::string chunk = size + response.body + "\r\n";
        while (SendPart(fd, index, chunk)) {
        }
        return false;
      }
      case Response::Fault::kShortBody: {
        std::string wire =
            Head(200, response.headers) + "Content-Length: " +
            std::to_string(static_cast<int64_t>(response.body.size()) + kShortBodyMissingBytes) +
            "\r\nConnection: close\r\n\r\n" + response.body;
        SendLast(fd, index, wire);
        shutdown(fd, SHUT_WR);
        return false;
      }
      case Response::Fault::kGzipBomb:
        SendGzipBomb(fd, index, response);
        return false;
    }
    return false;
  }

  // Compresses `inflated_bytes` zeros at the highest ratio and sends the
  // output as it comes, so the bomb costs the server only as much CPU as the
  // client takes in (a client that inflates it all gets ~1 MB per GiB).
  void SendGzipBomb(int fd, size_t index, const Response& response) {
    if (!SendPart(fd, index, Head(200, response.headers) + "Connection: close\r\n\r\n")) return;
    z_stream stream{};
    if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16 /* gzip wrapper */, 9,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::runtime_error("deflateInit2 failed");
    }
    static const std::vector<unsigned char> zeros(1 << 16, 0);
    std::vector<unsigned char> out(1 << 14);
    int64_t left = response.inflated_bytes;
    bool sending = true;
    while (sending) {
      uInt take = static_cast<uInt>(std::min<int64_t>(left, zeros.size()));
      left -= take;
      stream.next_in = const_cast<unsigned char*>(zeros.data());
      stream.avail_in = take;
      int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
      int result;
      do {
        stream.next_out = out.data();
        stream.avail_out = static_cast<uInt>(out.size());
        result = deflate(&stream, flush);
        size_t produced = out.size() - stream.avail_out;
        if (produced > 0 &&
            !SendPart(fd, index, {reinterpret_cast<char*>(out.data()), produced})) {
          sending = false;
          break;
        }
      } while (stream.avail_out == 0);
      if (sending && result == Z_STREAM_END) {
        Finish(index, false);
        sending = false;
      }
    }
    deflateEnd(&stream);
  }

  static std::string Head(int status, const HttpHeaders& headers) {
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " + ReasonPhrase(status) + "\r\n";
    for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
    return head;
  }

  static const char* ReasonPhrase(int status) {
    switch (status) {
      case 200: return "OK";
      case 302: return "Found";
      case 404: return "Not Found";
      case 429: return "Too Many Requests";
      case 500: return "Internal Server Error";
      case 503: return "Service Unavailable";
      default: return "Status";  // clients read the code, not the phrase
    }
  }

  // The next request header (through its blank line), or nullopt when the
  // client closed the connection or the server is stopping.
  std::optional<std::string> ReadHead(int fd, std::string& received) {
    while (true) {
      size_t end = received.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::string head = received.substr(0, end + 4);
        received.erase(0, end + 4);  // request bodies are not expected (tests send GETs)
        return head;
      }
      pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fds_[0], POLLIN, 0}};
      if (poll(fds, 2, -1) < 0 && errno != EINTR) return std::nullopt;
      if (fds[1].revents != 0) return std::nullopt;
      if (fds[0].revents == 0) continue;
      char buffer[4096];
      ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
      if (got <= 0) return std::nullopt;
      received.append(buffer, static_cast<size_t>(got));
    }
  }

  static RequestHead ParseHead(std::string_view head) {
    RequestHead request;
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
      if (colon == std::string_view::npos) continue;
      std::string_view value = line.substr(colon + 1);
      size_t first = value.find_first_not_of(" \t");
      value = first == std::string_view::npos ? std::string_view() : value.substr(first);
      if (EqualsIgnoringCase(line.substr(0, colon), "user-agent")) {
        request.user_agent = std::string(value);
      } else if (EqualsIgnoringCase(line.substr(0, colon), "connection")) {
        request.wants_close = EqualsIgnoringCase(value, "close");
      }
    }
  }

  // `lower` is lower-case.
  static bool EqualsIgnoringCase(std::string_view text, std::string_view lower) {
    if (text.size() != lower.size()) return false;
    for (size_t i = 0; i < text.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(text[i])) != lower[i]) return false;
    }
    return true;
  }

  // Sleeps for `duration` unless the client hangs up or the server stops.
  Wait WaitWatchingClient(int fd, std::chrono::milliseconds duration) {
    auto deadline = std::chrono::steady_clock::now() + duration;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Wait::kElapsed;
      pollfd fds[2] = {{fd, POLLRDHUP, 0}, {stop_fds_[0], POLLIN, 0}};
      if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) return Wait::kStopping;
      if (fds[1].revents != 0) return Wait::kStopping;
      if (fds[0].revents != 0) return Wait::kClientGone;
    }
  }

  // Sends all of `data`; false (with the request finished) when the client
  // has gone or the server is stopping. MSG_NOSIGNAL: a client that hung up
  // must not raise SIGPIPE in the test.
  bool SendPart(int fd, size_t index, std::string_view data) {
    while (!data.empty()) {
      pollfd fds[2] = {{fd, POLLOUT | POLLRDHUP, 0}, {stop_fds_[0], POLLIN, 0}};
      if (poll(fds, 2, -1) < 0 && errno != EINTR) {
        Finish(index, false);
        return false;
      }
      if (fds[1].revents != 0) {
        Finish(index, false);
        return false;
      }
      if ((fds[0].revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) {
        Finish(index, true);
        return false;
      }
      if ((fds[0].revents & POLLOUT) == 0) continue;
      ssize_t sent = send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (sent <= 0) {
        Finish(index, true);
        return false;
      }
      data.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // Sends the rest of a response: finished is stamped first (see
  // LoggedRequest), and again if the client turns out to be gone.
  bool SendLast(int fd, size_t index, std::string_view data) {
    Finish(index, false);
    return SendPart(fd, index, data);
  }

  void Finish(size_t index, bool client_gone) {
    std::lock_guard lock(mutex_);
    log_[index].finished = std::chrono::steady_clock::now();
    log_[index].client_gone = client_gone;
  }

  int listen_fd_ = -1;
  int stop_fds_[2] = {-1, -1};
  int port_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // touched by the acceptor, then the destructor
  mutable std::mutex mutex_;
  std::map<std::string, Sequence> routes_;
  std::vector<LoggedRequest> log_;
};

}  // namespace scrapewatch::test

#endif  // SCRAPEWATCH_TESTS_FAULT_HTTP_SERVER_H_
