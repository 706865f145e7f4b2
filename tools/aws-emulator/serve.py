"""The AWS API emulator of the local engine: moto's server on a loopback port the kernel picks.

Prints one JSON line once it accepts requests ({"endpoint": "http://127.0.0.1:<port>", "pid": <pid>}) and
serves until SIGTERM/SIGINT, or, with --state-dir, until that directory is gone: the emulator holds the
cloud a local state describes, so it lives exactly as long as that state (rm -rf the state, the cloud goes).
"""
import argparse
import json
import logging
import os
import signal
import sys
import threading

from moto.server import ThreadedMotoServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    parser.add_argument("--state-dir", help="stop once this directory no longer exists")
    args = parser.parse_args()
    # One log line per API call is noise in the engine's log and the tests' output; errors still show.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(json.dumps({"endpoint": f"http://{host}:{port}", "pid": os.getpid()}), flush=True)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(2):
        if args.state_dir and not os.path.isdir(args.state_dir):
            break
    server.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
