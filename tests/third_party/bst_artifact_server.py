#!/usr/bin/python3
"""Starts BuildStream's artifact server (Debian package `buildstream`) on 127.0.0.1 only.

Its own CLI (bst-artifact-server) binds every interface, so this calls the library's
create_server() and binds loopback itself. Writes the chosen port to --port-file and
serves until SIGTERM/SIGINT. Must run under Debian's /usr/bin/python3, where the
buildstream module lives.
"""
import argparse
import signal
import sys
import threading

try:
    from buildstream._artifactcache.casserver import create_server
except ImportError as error:  # not installed: tell the caller to skip
    print(f"bst_artifact_server.py: buildstream is not installed: {error}", file=sys.stderr)
    sys.exit(77)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repo", required=True, help="directory of the CAS repository")
    parser.add_argument("--port-file", required=True, help="file to write the bound port to")
    parser.add_argument("--read-only", action="store_true", help="refuse pushes")
    args = parser.parse_args()

    server = create_server(args.repo, enable_push=not args.read_only)
    port = server.add_insecure_port("127.0.0.1:0")
    if port == 0:
        print("bst_artifact_server.py: could not bind 127.0.0.1", file=sys.stderr)
        return 1
    server.start()
    with open(args.port_file, "w") as f:
        f.write(str(port))

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    server.stop(grace=2).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
