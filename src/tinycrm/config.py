"""The user's config file: reminder settings, SMTP for ``remind --mail``, automation rules.

TOML, at ``$TINYCRM_CONFIG`` or ``config.toml`` in platformdirs' user config dir,
read with tomllib. Errors name the line and the key, so ``tinycrm rules check``
can say exactly what to fix::

    [remind]
    closing_days = 7            # "closing soon" looks this many days ahead

    [smtp]                      # for tinycrm remind --mail
    host = "smtp.example.com"
    user = "me@example.com"
    password_command = "pass show smtp"

    [scoring]                   # tinycrm score marks leads by their score
    hot = 10                    # a score of 10 or more makes a lead hot
    cold = 0                    # a score below 0 makes it cold

    [phone]
    region = "DE"               # numbers without a country code are German ones

    [keys]                      # the board's keys, by binding id (? shows the keys)
    "board.won" = "W"
    "app.quit" = "ctrl+q"

    [hooks]                     # executables in hooks/ beside this file (tinycrm hooks list)
    timeout = 10                # seconds a hook may run before it is stopped

    [[webhooks]]                # every matching event POSTed, signed (tinycrm webhooks)
    url = "https://example.com/hooks/tinycrm"
    events = ["deal.*", "contact.created"]
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    [mail]                      # tinycrm mail import / sync
    own_addresses = ["me@mycompany.example"]   # From one of these: direction out
    own_domains = ["mycompany.example"]        # internal mail: never logged
    create_contacts_max = 15    # --create-contacts adds no one from mail with more people

    [mail.imap]                 # tinycrm mail sync
    host = "imap.example.com"   # port, tls = "ssl" | "starttls" | "none"
    user = "me@mycompany.example"
    password_cmd = "pass show mail/imap"       # run without a shell; or keyring = true
    folders = ["INBOX", "Sent"]                # default: INBOX and the \\Sent folder

    [[rules]]
    name = "Proposal follow-up"
    when = "deal.stage"         # deal.created, deal.stage, deal.won, deal.lost, contact.created
    stage = "Proposal"
    task = "Follow up on the proposal to {company}"
    due = "+3d"
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinycrm.automation_rules import Rule
from tinycrm.config_lines import ConfigError
from tinycrm.config_lines import Locator as _Locator
from tinycrm.vocab import LIFECYCLES

if TYPE_CHECKING:
    from tinycrm.business_hours import SupportSettings
    from tinycrm.quote_config import QuoteSettings, SellerSettings
    from tinycrm.service_config import ContractSettings
    from tinycrm.webhooks.endpoints import Endpoint

TRIGGERS = {
    "deal.created": "a deal is created",
    "deal.stage": "a deal enters a stage (also when it is created in it)",
    "deal.won": "a deal is won",
    "deal.lost": "a deal is lost",
    "contact.created": "a contact is created",
}
RULE_KEYS = {
    "name",
    "when",
    "stage",
    "pipeline",
    "lifecycle",
    "task",
    "due",
    "set_contact_lifecycle",
}
PLACEHOLDERS = ("name", "contact", "company", "deal", "stage")
SECTIONS = {
    "remind",
    "smtp",
    "scoring",
    "rules",
    "keys",
    "phone",
    "hooks",
    "webhooks",
    "mail",
    "contracts",
    "support",
    "seller",
    "quotes",
}
SCORING_KEYS = ("hot", "cold")
SCORE_LIMIT = 1_000_000


@dataclass(frozen=True)
class ImapSettings:
    """``[mail.imap]``: where ``tinycrm mail sync`` reads. The password is never kept
    here: ``password_cmd`` is run (its first line of output is the password) or the
    system keyring is asked (``keyring = true``: service "tinycrm", the user as the name).

    ``password_cmd`` is a program and its arguments, run without a shell (as himalaya
    runs ``auth.cmd``): a string is split into words as a shell would (quotes kept
    together, no pipes, variables or ``~``), or a list gives the words as they are; for
    a pipeline write ``["sh", "-c", "pass show mail | head -n 1"]``. ``folders`` None
    means INBOX and the Sent folder (the one the server flags ``\\Sent``, else a
    folder with a usual name). ``cafile`` trusts the certificates in that PEM file
    (a server with a self-signed certificate); the system's are trusted otherwise."""

    host: str
    user: str
    port: int | None = None  # default: 993 for ssl, 143 otherwise
    tls: str = "ssl"  # ssl | starttls | none
    password_cmd: tuple[str, ...] | None = None
    keyring: bool = False
    folders: tuple[str, ...] | None = None
    cafile: Path | None = None

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.tls == "ssl" else 143)


@dataclass(frozen=True)
class MailSettings:
    """``[mail]``: the user's own addresses (mail From them is "out") and domains
    (mail among them only is internal, never logged)."""

    own_addresses: tuple[str, ...] = ()
    own_domains: tuple[str, ...] = ()
    imap: ImapSettings | None = None
    # --create-contacts adds no one from a message with more people on it than this
    # (besides the user and their colleagues): a newsletter, a mailing sent in Bcc
    create_contacts_max: int = 15

    @property
    def own(self) -> tuple[str, ...]:
        """``own_addresses`` and the IMAP login when it is an address: the mailbox
        ``mail sync`` reads is the user's own, whether or not they listed it."""
        login = self.imap.user.strip().lower() if self.imap is not None else ""
        if "@" not in login or login in self.own_addresses:
            return self.own_addresses
        return (*self.own_addresses, login)


@dataclass(frozen=True)
class Config:
    path: Path
    exists: bool
    closing_days: int = 7
    smtp: dict[str, Any] | None = None
    rules: tuple[Rule, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)
    score_hot: int = 10  # [scoring] hot: a lead scoring at least this is hot
    score_cold: int = 0  # [scoring] cold: a lead scoring below this is cold
    keys: dict[str, str] = field(default_factory=dict)  # [keys] binding id -> keys
    phone_region: str | None = None  # [phone] region: where a number without +CC is
    error: str | None = None  # a broken file: why (writes that need it refuse with it)
    hook_timeout: float = 10.0  # [hooks] timeout: seconds a hook may run
    webhooks: tuple[Endpoint, ...] = ()  # [[webhooks]]: where events are POSTed
    mail: MailSettings = field(default_factory=MailSettings)  # [mail]
    # [contracts], [support], [seller] and [quotes] as read (None: not in the file); the
    # properties below give their defaults, made only when asked for, so a command that
    # reads none of them does not import their modules.
    contracts_table: ContractSettings | None = None
    support_table: SupportSettings | None = None
    seller_table: SellerSettings | None = None
    quotes_table: QuoteSettings | None = None

    @property
    def contracts(self) -> ContractSettings:
        """``[contracts]`` as the file sets it, else the defaults."""
        if self.contracts_table is not None:
            return self.contracts_table
        from tinycrm.service_config import ContractSettings

        return ContractSettings()

    @property
    def seller(self) -> SellerSettings:
        """``[seller]`` as the file sets it, else no seller (who the quotes are from)."""
        if self.seller_table is not None:
            return self.seller_table
        from tinycrm.quote_config import SellerSettings

        return SellerSettings()

    @property
    def quotes(self) -> QuoteSettings:
        """``[quotes]`` as the file sets it, else the defaults."""
        if self.quotes_table is not None:
            return self.quotes_table
        from tinycrm.quote_config import QuoteSettings

        return QuoteSettings()

    @property
    def support(self) -> SupportSettings:
        """Business hours and SLA targets: ``[support]``, else Monday to Friday
        09:00-17:00 in the user's time zone with the default targets."""
        if self.support_table is not None:
            return self.support_table
        from tinycrm import dates
        from tinycrm.business_hours import default_support

        return default_support(dates.local_tz())


CONFIG_LIMIT = 1 << 20  # bytes: a config file holds settings and rules, not data


def config_path() -> Path:
    """Where the config file is: ``$TINYCRM_CONFIG``, else the user config dir."""
    env = os.environ.get("TINYCRM_CONFIG")
    if env:
        return _expand(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("tinycrm", appauthor=False)) / "config.toml"


def _expand(name: str) -> Path:
    """``name`` with ``~`` expanded; ``ConfigError`` for ``~user`` of no such user."""
    from tinycrm.files import expand_home

    return expand_home(name, "cannot read config file", ConfigError)


def load_config(path: Path | None = None) -> Config:
    """Read and validate the config file; a missing file is an empty config, unless
    ``TINYCRM_CONFIG`` names it (a typo there must not silently drop every setting)."""
    target = path or config_path()
    try:
        with target.open("rb") as stream:  # at most what a config can be: not /dev/zero
            data = stream.read(CONFIG_LIMIT + 1)
        if len(data) > CONFIG_LIMIT:
            raise ConfigError(
                f"config file {target} is larger than {CONFIG_LIMIT >> 20} MiB: "
                "is it the right file? (check TINYCRM_CONFIG)"
            )
        # (utf-8-sig: a byte order mark, as Windows Notepad writes, is not part of the text)
        text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except FileNotFoundError:
        if _named_by_env(target):
            raise ConfigError(
                f"config file {target} does not exist (named by TINYCRM_CONFIG)"
            ) from None
        return Config(path=target, exists=False)
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"cannot read config file {target}: line {line} is not UTF-8 text "
            f"(byte 0x{exc.object[exc.start]:02x}); save it as UTF-8"
        ) from exc
    except OSError as exc:
        why = "it is a directory" if isinstance(exc, IsADirectoryError) else exc.strerror
        raise ConfigError(f"cannot read config file {target}: {why or exc}") from exc
    return parse_config(text, target)


def load_config_lenient(path: Path | None = None) -> Config:
    """The config file, or, when it cannot be used, an empty config carrying the reason
    in ``error``: what opens the store loads it once, reads still work, and a write that
    needs the rules or thresholds refuses with the reason (``tinycrm.api.settings``)."""
    try:
        return load_config(path)
    except ConfigError as exc:
        try:
            where = path or config_path()
        except ConfigError:  # TINYCRM_CONFIG=~nouser/c.toml: the file as named
            where = Path(os.environ.get("TINYCRM_CONFIG", ""))
        return Config(path=where, exists=True, error=str(exc))


def _named_by_env(target: Path) -> bool:
    env = os.environ.get("TINYCRM_CONFIG")
    if not env:
        return False
    return _expand(env) == target


@cache
def _cached(path: str, stamp: tuple[int, int, int]) -> Config:
    return load_config(Path(path))


def current_config() -> Config:
    """The config file as it is now (re-read when it changes: its modification time, or,
    for two writes within the clock's tick, its size or inode)."""
    target = config_path()
    try:
        stat = target.stat()
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    except OSError:
        stamp = (-1, -1, -1)
    return _cached(str(target), stamp)


def parse_config(text: str, path: Path) -> Config:
    import tomllib  # here: only a config file that exists is parsed

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    locate = _Locator(text, path)
    unknown = set(data) - SECTIONS
    if unknown:
        key = sorted(unknown)[0]
        raise locate.error(
            None,
            key,
            f"unknown section or key {key!r} (known: {', '.join(sorted(SECTIONS))})",
        )
    remind = data.get("remind", {})
    if not isinstance(remind, dict):
        raise locate.error(None, "remind", "[remind] must be a table")
    closing = remind.get("closing_days", 7)
    if not isinstance(closing, int) or isinstance(closing, bool) or not 0 <= closing <= 365:
        raise locate.error(
            None,
            "closing_days",
            "remind.closing_days must be a whole number 0-365",
            within="remind",
        )
    for key in set(remind) - {"closing_days"}:
        raise locate.error(
            None, key, f"unknown key remind.{key} (known: closing_days)", within="remind"
        )
    smtp = data.get("smtp")
    if smtp is not None and not isinstance(smtp, dict):
        raise locate.error(None, "smtp", "[smtp] must be a table")
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise locate.error(None, "rules", "rules must be an array of tables: [[rules]]")
    rules = tuple(_rule(i, r, locate) for i, r in enumerate(raw_rules))
    hot, cold = _scoring(data.get("scoring", {}), locate)
    keys = _keys(data.get("keys", {}), locate)
    phone_region = _phone(data.get("phone", {}), locate)
    hook_timeout = _hooks(data.get("hooks", {}), locate)
    webhooks = _webhooks(data.get("webhooks", []), locate)
    mail = _mail(data.get("mail", {}), locate)
    from tinycrm.service_config import parse_contracts, parse_support

    contracts = parse_contracts(data.get("contracts", {}), locate)
    support = parse_support(data.get("support"), locate)
    from tinycrm.quote_config import parse_quotes, parse_seller

    seller = parse_seller(data.get("seller", {}), locate)
    quotes = parse_quotes(data.get("quotes", {}), locate)
    return Config(
        path=path,
        exists=True,
        closing_days=closing,
        smtp=smtp,
        rules=rules,
        raw=data,
        score_hot=hot,
        score_cold=cold,
        keys=keys,
        phone_region=phone_region,
        hook_timeout=hook_timeout,
        webhooks=webhooks,
        mail=mail,
        contracts_table=contracts,
        support_table=support,
        seller_table=seller,
        quotes_table=quotes,
    )


def _hooks(hooks: Any, locate: _Locator) -> float:
    """The [hooks] table: ``timeout``, the seconds a hook may run (default 10)."""
    if not isinstance(hooks, dict):
        raise locate.error(None, "hooks", "[hooks] must be a table")
    for key in hooks:
        if key != "timeout":
            raise locate.error(
                None, key, f"unknown key hooks.{key} (known: timeout)", within="hooks"
            )
    timeout = hooks.get("timeout", 10)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 3600:
        said = "hooks.timeout must be a number of seconds, more than 0 and at most 3600"
        raise locate.error(None, "timeout", said, within="hooks")
    return float(timeout)


def _webhooks(raw: Any, locate: _Locator) -> tuple[Endpoint, ...]:
    """The [[webhooks]] tables: url, events, secret (see tinycrm.webhooks.endpoints)."""
    from tinycrm.webhooks.endpoints import parse_endpoint

    if not isinstance(raw, list):
        raise locate.error(None, "webhooks", "webhooks must be an array of tables: [[webhooks]]")
    endpoints: list[Endpoint] = []
    for index, table in enumerate(raw):
        try:
            endpoint = parse_endpoint(table)
        except ValueError as exc:
            key = str(exc).split(":", 1)[0].split(" ", 1)[0]
            line = locate.table_line("webhooks", index, key)
            where = f"{locate.path}, line {line}" if line else str(locate.path)
            raise ConfigError(f"{where}: webhooks[{index + 1}].{exc}") from None
        first = next((n for n, e in enumerate(endpoints) if e.url == endpoint.url), None)
        if first is not None:  # the address itself is not shown: a secret may be in it
            line = locate.table_line("webhooks", index, "url")
            where = f"{locate.path}, line {line}" if line else str(locate.path)
            raise ConfigError(
                f"{where}: webhooks[{index + 1}].url: the same address as "
                f"webhooks[{first + 1}] (one table per address: list all its events there)"
            )
        endpoints.append(endpoint)
    return tuple(endpoints)


MAIL_KEYS = ("own_addresses", "own_domains", "create_contacts_max", "imap")
CREATE_CONTACTS_LIMIT = 100_000  # the most [mail] create_contacts_max may be
IMAP_KEYS = ("host", "port", "tls", "user", "password_cmd", "keyring", "folders", "cafile")
TLS_MODES = ("ssl", "starttls", "none")


def _strings(value: Any, name: str, locate: _Locator) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise locate.error(
            None,
            name.rsplit(".", 1)[1],
            f"{name} must be a list of strings",
            within=name.rsplit(".", 1)[0],
        )
    return tuple(v.strip().lower() for v in value)


def _mail(mail: Any, locate: _Locator) -> MailSettings:
    """The [mail] table: own_addresses, own_domains, create_contacts_max and [mail.imap]."""
    if not isinstance(mail, dict):
        raise locate.error(None, "mail", "[mail] must be a table")
    for key in mail:
        if key not in MAIL_KEYS:
            raise locate.error(
                None, key, f"unknown key mail.{key} (known: {', '.join(MAIL_KEYS)})", within="mail"
            )
    addresses = _strings(mail.get("own_addresses", []), "mail.own_addresses", locate)
    for address in addresses:
        if "@" not in address:
            raise locate.error(
                None,
                "own_addresses",
                f"mail.own_addresses: {address!r} is not an address",
                within="mail",
            )
    domains = tuple(
        d.lstrip("@") for d in _strings(mail.get("own_domains", []), "mail.own_domains", locate)
    )
    most = mail.get("create_contacts_max", MailSettings.create_contacts_max)
    if isinstance(most, bool) or not isinstance(most, int) or not 0 < most <= CREATE_CONTACTS_LIMIT:
        raise locate.error(
            None,
            "create_contacts_max",
            f"mail.create_contacts_max must be a number of people, 1-{CREATE_CONTACTS_LIMIT:,}",
            within="mail",
        )
    imap = mail.get("imap")
    return MailSettings(
        own_addresses=addresses,
        own_domains=domains,
        create_contacts_max=most,
        imap=None if imap is None else _imap(imap, locate),
    )


def _imap(imap: Any, locate: _Locator) -> ImapSettings:
    if not isinstance(imap, dict):
        raise locate.error(None, "imap", "[mail.imap] must be a table")
    for key in imap:
        if key not in IMAP_KEYS:
            raise locate.error(
                None,
                key,
                f"unknown key mail.imap.{key} (known: {', '.join(IMAP_KEYS)})",
                within="mail.imap",
            )
    for key in ("host", "user"):
        if not isinstance(imap.get(key), str) or not imap[key].strip():
            raise locate.error(
                None, key, f"mail.imap.{key} is required (a string)", within="mail.imap"
            )
    port = imap.get("port")
    if port is not None and (
        isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536
    ):
        raise locate.error(
            None, "port", "mail.imap.port must be a port number, 1-65535", within="mail.imap"
        )
    tls = imap.get("tls", "ssl")
    if tls not in TLS_MODES:
        raise locate.error(
            None, "tls", 'mail.imap.tls must be "ssl", "starttls" or "none"', within="mail.imap"
        )
    command = _password_cmd(imap.get("password_cmd"), locate)
    keyring = imap.get("keyring", False)
    if not isinstance(keyring, bool):
        raise locate.error(
            None, "keyring", "mail.imap.keyring must be true or false", within="mail.imap"
        )
    folders = imap.get("folders")
    if folders is not None and (
        not isinstance(folders, list)
        or not folders
        or not all(isinstance(f, str) and f.strip() and _one_line(f) for f in folders)
    ):
        raise locate.error(
            None, "folders", "mail.imap.folders must be a list of folder names", within="mail.imap"
        )
    host = imap["host"].strip()
    if any(ch.isspace() or ord(ch) < 32 for ch in host) or "/" in host:
        raise locate.error(
            None, "host", "mail.imap.host must be a host name without spaces", within="mail.imap"
        )
    if not _one_line(imap["user"]):
        raise locate.error(None, "user", "mail.imap.user must be one line", within="mail.imap")
    cafile = imap.get("cafile")
    if cafile is not None and (not isinstance(cafile, str) or not cafile.strip()):
        raise locate.error(
            None, "cafile", "mail.imap.cafile must be the path of a PEM file", within="mail.imap"
        )
    return ImapSettings(
        host=host,
        user=imap["user"].strip(),
        port=port,
        tls=tls,
        password_cmd=command,
        keyring=keyring,
        folders=None if folders is None else tuple(f.strip() for f in folders),
        cafile=None if cafile is None else _beside(locate.path, cafile.strip()),
    )


def _one_line(text: str) -> bool:
    return not any(ord(ch) < 32 or ch == "\x7f" for ch in text)


def _beside(config: Path, name: str) -> Path:
    """A path from the config file: ``~`` expanded, relative to the file's folder."""
    path = _expand(name)
    return path if path.is_absolute() else Path(config).parent / path


def _password_cmd(value: Any, locate: _Locator) -> tuple[str, ...] | None:
    """``password_cmd``: a string split as a shell splits words, or a list of words."""
    import shlex

    message = "mail.imap.password_cmd must be a command: a string or a list of strings"
    if value is None:
        return None
    if isinstance(value, str):
        try:
            words = shlex.split(value)
        except ValueError as exc:  # an unclosed quote
            raise locate.error(
                None, "password_cmd", f"mail.imap.password_cmd: {exc}", within="mail.imap"
            ) from None
    elif isinstance(value, list) and all(isinstance(w, str) for w in value):
        words = list(value)
    else:
        raise locate.error(None, "password_cmd", message, within="mail.imap")
    if not words or not words[0].strip() or any("\0" in w for w in words):
        raise locate.error(None, "password_cmd", message, within="mail.imap")
    return tuple(words)


def _phone(phone: Any, locate: _Locator) -> str | None:
    """The [phone] table: ``region``, the country of numbers typed without ``+CC``."""
    if not isinstance(phone, dict):
        raise locate.error(None, "phone", "[phone] must be a table")
    for key in phone:
        if key != "region":
            raise locate.error(
                None, key, f"unknown key phone.{key} (known: region)", within="phone"
            )
    region = phone.get("region")
    if region is None:
        return None
    from tinycrm.phones import check_region

    if not isinstance(region, str):
        raise locate.error(
            None,
            "region",
            'phone.region must be a two-letter country code in quotes, such as "DE" '
            f"(not {region!r})",
            within="phone",
        )
    try:
        return check_region(region)
    except ValueError as exc:
        raise locate.error(None, "region", f"phone.region: {exc}", within="phone") from None


_KEY = re.compile(r"^(?:(?:ctrl|shift|alt|super|meta)\+)*(?:[a-z0-9_]+|[^\s,])$", re.IGNORECASE)
_BINDING_ID = re.compile(r"^[a-z_]+\.[a-z_]+$")


def _keys(keys: Any, locate: _Locator) -> dict[str, str]:
    """The [keys] table: a binding id (``board.won``) to keys (``"W"``, ``"ctrl+q,f10"``).

    Whether an id exists is the board's to say (its bindings are not imported here)."""
    if not isinstance(keys, dict):
        raise locate.error(None, "keys", "[keys] must be a table")
    out = {}
    for binding_id, value in keys.items():
        if not _BINDING_ID.match(binding_id):
            raise locate.error(
                None,
                binding_id,
                f'keys: {binding_id!r} is not a binding id like "board.won"',
                within="keys",
            )
        parts = [p.strip() for p in value.split(",")] if isinstance(value, str) else []
        if not parts or not all(_KEY.match(p) for p in parts):
            raise locate.error(
                None,
                binding_id,
                f'keys.{binding_id} must be keys as a string, such as "W", "ctrl+q" or "f5,F"',
                within="keys",
            )
        out[binding_id] = ",".join(parts)
    return out


def _scoring(scoring: Any, locate: _Locator) -> tuple[int, int]:
    """The [scoring] thresholds: ``hot`` (at or above: hot) and ``cold`` (below: cold)."""
    if not isinstance(scoring, dict):
        raise locate.error(None, "scoring", "[scoring] must be a table")
    for key in scoring:
        if key not in SCORING_KEYS:
            raise locate.error(
                None, key, f"unknown key scoring.{key} (known: hot, cold)", within="scoring"
            )
    values = {"hot": 10, "cold": 0}
    for key in SCORING_KEYS:
        value = scoring.get(key, values[key])
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > SCORE_LIMIT:
            raise locate.error(None, key, f"scoring.{key} must be a whole number", within="scoring")
        values[key] = value
    if values["cold"] > values["hot"]:
        raise locate.error(
            None,
            "cold",
            f"scoring.cold ({values['cold']}) must not be above hot ({values['hot']})",
            within="scoring",
        )
    return values["hot"], values["cold"]


def _rule(index: int, raw: Any, locate: _Locator) -> Rule:
    where = f"rules[{index + 1}]"
    if not isinstance(raw, dict):
        raise locate.error(index, None, f"{where} must be a table")
    for key, value in raw.items():
        if key not in RULE_KEYS:
            known = ", ".join(sorted(RULE_KEYS))
            raise locate.error(index, key, f"{where}: unknown key {key!r} (known: {known})")
        if not isinstance(value, str):
            raise locate.error(index, key, f"{where}.{key} must be a string")
    when = raw.get("when")
    if when not in TRIGGERS:
        choices = ", ".join(TRIGGERS)
        shown = f" {when!r}" if when else ""
        raise locate.error(index, "when", f"{where}.when{shown} must be one of: {choices}")
    if not raw.get("task") and not raw.get("set_contact_lifecycle"):
        raise locate.error(
            index, "when", f'{where} does nothing: give task = "…" or set_contact_lifecycle'
        )
    for key in ("stage", "pipeline"):  # a contact rule has no deal: it would never fire
        if raw.get(key) and not when.startswith("deal."):
            raise locate.error(index, key, f"{where}.{key} only applies to deal rules")
    if raw.get("lifecycle") and when != "contact.created":
        raise locate.error(index, "lifecycle", f"{where}.lifecycle only applies to contact.created")
    for key in ("lifecycle", "set_contact_lifecycle"):
        value = raw.get(key)
        if value is not None and value not in LIFECYCLES:
            raise locate.error(index, key, f"{where}.{key} must be one of: {', '.join(LIFECYCLES)}")
    due = raw.get("due", "+1d")
    if "due" in raw:
        from tinycrm import dates

        try:
            dates.parse_when(due)
        except ValueError as exc:
            raise locate.error(index, "due", f"{where}.due: {exc}") from None
    task = raw.get("task")
    if task:
        from tinycrm import placeholders

        typos = placeholders.unknown(task, PLACEHOLDERS)
        if typos:
            raise locate.error(
                index,
                "task",
                f"{where}.task: unknown placeholder {{{typos[0]}}} "
                f"(use {', '.join('{' + p + '}' for p in PLACEHOLDERS)})",
            )
    return Rule(
        index=index,
        when=when,
        name=raw.get("name", ""),
        stage=raw.get("stage"),
        pipeline=raw.get("pipeline"),
        lifecycle=raw.get("lifecycle"),
        task=task,
        due=due,
        set_contact_lifecycle=raw.get("set_contact_lifecycle"),
        line=locate.line(index, None),
        key_lines=tuple((key, locate.line(index, key)) for key in raw),
    )
