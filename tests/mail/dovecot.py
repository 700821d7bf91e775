"""A real IMAP server for the tests: Dovecot from the system packages, started on free
127.0.0.1 ports with its own configuration, state, mail and log in one temporary folder.

``start()`` writes a self-signed certificate for 127.0.0.1 (openssl) and a
``dovecot.conf`` that needs no system path (any user name logs in with :data:`PASSWORD`,
each with its own mail: a test takes a new name for a new, empty account), then runs
``dovecot -F`` and waits until both listeners answer: IMAP with STARTTLS on ``port`` and
IMAP over TLS on ``tls_port``. Mail lives in Maildir folders; INBOX, ``Sent``
(special-use ``\\Sent``) and ``Clients`` exist. Failed logins are not slowed down (no
auth penalty, no delay), so a test of a wrong password costs no seconds. As root, mail
belongs to nobody/nogroup (Dovecot refuses root as a mail user) and Dovecot's own
processes run as its package's users; as anyone else, all of it runs as that user (no
chroot).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

USER = "me@mycompany.example"
PASSWORD = "s3cret-pass"


@dataclass
class Dovecot:
    root: Path
    port: int  # plain IMAP, STARTTLS offered
    tls_port: int  # IMAP over TLS
    cafile: Path  # the self-signed certificate, to trust it
    process: subprocess.Popen[bytes]
    user: str = USER
    password: str = PASSWORD

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        try:
            return (self.root / "dovecot.log").read_text(errors="replace")
        except OSError:
            return ""


def available() -> bool:
    return shutil.which("dovecot") is not None or Path("/usr/sbin/dovecot").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def _users() -> tuple[str, str, str, str]:
    """(internal user, login user, mail uid, mail gid) for the account running the tests."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        return me, me, str(os.geteuid()), str(os.getegid())
    return "dovecot", "dovenull", "nobody", "nogroup"


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = tinycrm-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
auth_username_chars =
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%n
mail_uid = {uid}
mail_gid = {gid}
passdb {{
  driver = static
  args = password={password} nodelay=yes
}}
userdb {{
  driver = static
  args = home={root}/mail/%n
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
  mailbox Clients {{
    auto = create
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service auth {{
  unix_listener auth-userdb {{
    mode = 0666
  }}
}}
"""


def start(attempts: int = 3) -> Dovecot:
    """Start Dovecot (see the module's docstring); raise RuntimeError with its log if it
    does not come up within 20 s, ``attempts`` times (a free port taken meanwhile)."""
    for attempt in range(1, attempts + 1):
        try:
            return _start()
        except RuntimeError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def _start() -> Dovecot:
    root = Path(tempfile.mkdtemp(prefix="tinycrm-dovecot-"))
    root.chmod(0o755)  # Dovecot's unprivileged processes walk into it
    internal, login, uid, gid = _users()
    _certificate(root)
    (root / "mail").mkdir()
    if os.geteuid() == 0:
        shutil.chown(root / "mail", uid, gid)
    port, tls_port = _free_port(), _free_port()
    group = "dovecot" if os.geteuid() == 0 else internal_group()
    conf = root / "dovecot.conf"
    conf.write_text(
        CONFIG.format(
            root=root, password=PASSWORD, port=port, tls_port=tls_port, internal=internal,
            internal_group=group, login=login, uid=uid, gid=gid,
        )
    )  # fmt: skip
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    process = subprocess.Popen(
        [binary, "-F", "-c", str(conf)],
        preexec_fn=_end_with_parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=open(root / "stderr.log", "wb"),  # noqa: SIM115 (the child keeps it)
    )
    server = Dovecot(root, port, tls_port, root / "cert.pem", process)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _greets(port) and _answers(tls_port):
            return server
        time.sleep(0.05)
    detail = (root / "stderr.log").read_text(errors="replace") + server.log()
    server.stop()
    raise RuntimeError(f"dovecot did not start: {detail.strip()[-2000:]}")


def _end_with_parent() -> None:
    """In the child: SIGTERM when the test process ends, however it ends (Linux)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def internal_group() -> str:
    import grp

    return grp.getgrgid(os.getegid()).gr_name


def _greets(port: int) -> bool:
    """Whether IMAP answers on ``port`` (its greeting: the login process is up)."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1) as s:
        s.settimeout(1)
        return s.recv(4).startswith(b"* OK")
    return False


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False
