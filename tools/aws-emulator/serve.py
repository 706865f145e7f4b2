"""The AWS API emulator of the local engine: moto's server on a loopback port the kernel picks.

Prints one JSON line once it accepts requests ({"endpoint": "http://127.0.0.1:<port>", "pid": <pid>}) and
serves until SIGTERM/SIGINT, or, with --state-dir, until that directory is gone: the emulator holds the
cloud a local state describes, so it lives exactly as long as that state (rm -rf the state, the cloud goes).

A copy of a local state needs a copy of its cloud: SIGUSR1 writes what the emulator holds to
<state-dir>/emulator.snapshot (a pickle of moto's backends of the services the local engine uses, written to
a temporary file and renamed), and --restore starts a new emulator holding it. The local suite seeds a state
once and copies it this way. Restore only a snapshot an emulator of these pinned packages wrote: unpickling
runs whatever the file says.
"""
import argparse
import json
import logging
import os
import pickle
import signal
import sys
import threading

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from moto.backends import get_backend
from moto.server import ThreadedMotoServer

# The services the fake aws provider and the driver's adapters call (fakecloud/providers/emulator.ts,
# automation/engines/localPorts.ts), but SSM: its backend holds a lambda, which does not pickle, and the
# parameters the account holds are put again by every command that opens the state (automation/local/emulator.ts).
SERVICES = ["acm", "dynamodb", "ec2", "elbv2", "sts"]
PRIVATE_KEYS = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)


def private_key(pem: bytes):  # noqa: ANN201
    return serialization.load_pem_private_key(pem, None)


def certificate(pem: bytes):  # noqa: ANN201
    return x509.load_pem_x509_certificate(pem)


class CloudPickler(pickle.Pickler):
    """Pickles what moto keeps of ACM certificates too: cryptography's keys and certificates, through PEM."""

    def reducer_override(self, obj):  # noqa: ANN001, ANN201 (pickle's protocol)
        if isinstance(obj, PRIVATE_KEYS):
            pem = obj.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            return private_key, (pem,)
        if isinstance(obj, x509.Certificate):
            return certificate, (obj.public_bytes(serialization.Encoding.PEM),)
        return NotImplemented


def snapshot(path: str) -> None:
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "wb") as file:
        CloudPickler(file).dump({name: dict(get_backend(name)) for name in SERVICES})
    os.replace(temporary, path)


def restore(path: str) -> None:
    with open(path, "rb") as file:
        saved = pickle.load(file)
    for name, accounts in saved.items():
        backends = get_backend(name)
        backends.clear()
        backends.update(accounts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    parser.add_argument("--state-dir", help="stop once this directory no longer exists; SIGUSR1 snapshots into it")
    parser.add_argument("--restore", help="start holding the cloud of this snapshot")
    args = parser.parse_args()
    # One log line per API call is noise in the engine's log and the tests' output; errors still show.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    if args.restore:
        restore(args.restore)
    if args.state_dir:
        # Written by the main thread between two checks of the state directory, never while handling a signal.
        wanted = threading.Event()
        signal.signal(signal.SIGUSR1, lambda *_: wanted.set())
    host, port = server.get_host_and_port()
    print(json.dumps({"endpoint": f"http://{host}:{port}", "pid": os.getpid()}), flush=True)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.2):
        if args.state_dir and not os.path.isdir(args.state_dir):
            break
        if args.state_dir and wanted.is_set():
            wanted.clear()
            try:
                snapshot(os.path.join(args.state_dir, "emulator.snapshot"))
            except Exception:  # noqa: BLE001 - the emulator goes on; the missing snapshot says it failed
                logging.exception("snapshot failed")
    server.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
