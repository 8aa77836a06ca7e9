# Serving a folder on 127.0.0.1 with Debian's nginx, for the demo and tests.
# Source it, then:  start_site ROOT RUNDIR [PORT...]  (sets SITE_PORT)  ...  stop_site RUNDIR
# The server runs with its own config, pid file and logs in RUNDIR; nothing
# of the system's nginx configuration is used or touched. With several PORTs
# one server serves the site on each (many sites for a batch test); SITE_PORT
# is the first; with none, a free port is chosen.

start_site() {
  local site_root=$1 run_dir=$2
  local ports=("${@:3}")
  ((${#ports[@]})) || ports=("$(free_port)")
  mkdir -p "$run_dir/tmp"
  # As root, nginx's workers would drop to www-data, which cannot read a
  # checkout under /root or a mktemp folder; this server only ever listens on
  # loopback and serves files the caller owns.
  local user_line=""
  [[ $(id -u) != 0 ]] || user_line="user root;"
  cat >"$run_dir/nginx.conf" <<CONF
$user_line
daemon on;
worker_processes 1;
pid $run_dir/nginx.pid;
error_log $run_dir/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log $run_dir/access.log;
  client_body_temp_path $run_dir/tmp/body;
  proxy_temp_path $run_dir/tmp/proxy;
  fastcgi_temp_path $run_dir/tmp/fastcgi;
  uwsgi_temp_path $run_dir/tmp/uwsgi;
  scgi_temp_path $run_dir/tmp/scgi;
  server {
$(printf '    listen 127.0.0.1:%s;\n' "${ports[@]}")
    root $site_root;
    location /private/ { add_header X-Robots-Tag "noindex, noimageindex"; }
    # The one opt-out this site sends: img2dataset's default honours it, an
    # indiscriminate scraper does not.
    location = /images/camp.jpg { add_header X-Robots-Tag "noai, noimageai"; }
    # An old photo URL kept alive by a redirect, as CMSs and CDNs do.
    location = /photos/dana.jpg { return 301 /images/director.jpg; }
  }
}
CONF
  /usr/sbin/nginx -c "$run_dir/nginx.conf" -e "$run_dir/error.log" 2>>"$run_dir/error.log" || {
    say "nginx failed to start; see $run_dir/error.log:"; cat "$run_dir/error.log" >&2; return 1; }
  SITE_PORT=${ports[0]}
}

stop_site() {
  local run_dir=$1
  [[ -f $run_dir/nginx.pid ]] || return 0
  /usr/sbin/nginx -c "$run_dir/nginx.conf" -e "$run_dir/error.log" -s quit 2>/dev/null || true
  for _ in $(seq 50); do [[ -f $run_dir/nginx.pid ]] || return 0; sleep 0.1; done
}
