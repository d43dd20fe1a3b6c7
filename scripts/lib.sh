# Shared helpers for the shell scripts: JSON field extraction, free ports, waiting for a server.
json() { # json 'expr' < body   (expr is Python over `d`, the parsed document)
  python3 -c "import sys, json; d = json.load(sys.stdin); v = $1; print(v if not isinstance(v, (dict, list, bool)) and v is not None else json.dumps(v))"
}
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_for() { # wait_for URL
  for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "server at $1 did not come up" >&2; return 1
}
