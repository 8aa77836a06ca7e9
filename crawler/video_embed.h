// The image a scraper gets from an embedded video player: YouTube serves a
// still frame of every video at a URL derived from the video's id, so an
// embed is as good as an <img> of that frame. Other players have no such
// derivable URL; Vimeo's embeds are still worth recording, as a reference a
// scraper could resolve through the provider's API, but not fetched.
//
// Thread safety: a pure function. Errors: none; anything else yields nullopt.
#ifndef SCRAPEWATCH_CRAWLER_VIDEO_EMBED_H_
#define SCRAPEWATCH_CRAWLER_VIDEO_EMBED_H_

#include <optional>
#include <string>
#include <string_view>

namespace scrapewatch::crawler {

struct VideoImage {
  std::string url;
  std::string_view kind;  // "video_thumbnail" or "video_embed"
  bool fetchable = true;  // false: `url` is the player page, not an image
};

// For the canonical absolute URL of an embedded player (an <iframe src>):
//   youtube.com/embed/ID, youtube-nocookie.com/embed/ID (with or without
//   "www."), youtu.be/ID -> video_thumbnail https://i.ytimg.com/vi/ID/hqdefault.jpg
//   player.vimeo.com/video/ID -> video_embed, the embed URL, not fetchable
// where a YouTube ID is 11 of [A-Za-z0-9_-] and a Vimeo ID is digits.
std::optional<VideoImage> VideoImageForEmbed(std::string_view embed_url);

}  // namespace scrapewatch::crawler

#endif  // SCRAPEWATCH_CRAWLER_VIDEO_EMBED_H_
