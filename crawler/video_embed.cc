#include "crawler/video_embed.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"

namespace scrapewatch::crawler {
namespace {

constexpr std::string_view kYouTubeEmbedHosts[] = {
    "youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com",
    "www.youtube-nocookie.com"};

bool IsYouTubeId(std::string_view id) {
  return id.size() == 11 && std::all_of(id.begin(), id.end(), [](char c) {
           return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
         });
}

bool IsDigits(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
}

// Host and path of a canonical http(s) URL: lower-case host, no port, no
// query or fragment.
struct HostPath {
  std::string_view host;
  std::string_view path;
};

std::optional<HostPath> SplitUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string_view rest = url.substr(scheme_end + 3);
  size_t path_start = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view authority = rest.substr(0, path_start);
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view path = rest.substr(path_start);
  path = path.substr(0, std::min(path.find_first_of("?#"), path.size()));
  return HostPath{authority.substr(0, authority.find(':')), path};
}

// The path segment after `prefix` when it is the last one ("/embed/ID" or
// "/embed/ID/").
std::optional<std::string_view> SegmentAfter(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return std::nullopt;
  std::string_view id = path.substr(prefix.size());
  if (id.ends_with('/')) id.remove_suffix(1);
  if (id.find('/') != std::string_view::npos) return std::nullopt;
  return id;
}

std::optional<VideoImage> YouTubeThumbnail(std::string_view id) {
  // "videoseries" (a playlist player) has the shape of an id.
  if (!IsYouTubeId(id) || id == "videoseries") return std::nullopt;
  return VideoImage{"https://i.ytimg.com/vi/" + std::string(id) + "/hqdefault.jpg",
                    "video_thumbnail", true};
}

}  // namespace

std::optional<VideoImage> VideoImageForEmbed(std::string_view embed_url) {
  std::optional<HostPath> url = SplitUrl(embed_url);
  if (!url) return std::nullopt;
  if (std::find(std::begin(kYouTubeEmbedHosts), std::end(kYouTubeEmbedHosts), url->host) !=
      std::end(kYouTubeEmbedHosts)) {
    std::optional<std::string_view> id = SegmentAfter(url->path, "/embed/");
    return id ? YouTubeThumbnail(*id) : std::nullopt;
  }
  if (url->host == "youtu.be") {
    std::optional<std::string_view> id = SegmentAfter(url->path, "/");
    return id ? YouTubeThumbnail(*id) : std::nullopt;
  }
  if (url->host == "player.vimeo.com") {
    std::optional<std::string_view> id = SegmentAfter(url->path, "/video/");
    if (id && IsDigits(*id)) return VideoImage{std::string(embed_url), "video_embed", false};
  }
  return std::nullopt;
}

}  // namespace scrapewatch::crawler
