# Shared by the tools/ scripts. Source it; it defines paths and helpers only.

# Demo photos: the sample pictures of the npm package @vladmandic/face-api
# (MIT licence), pinned by version and by the tarball's SHA-256.
FACE_API_PACKAGE="@vladmandic/face-api@1.7.15"
FACE_API_TARBALL="vladmandic-face-api-1.7.15.tgz"
FACE_API_SHA256="0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031"

say() { printf '%s\n' "$*" >&2; }

# A TCP port on 127.0.0.1 that is free right now.
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
