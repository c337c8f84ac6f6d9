"""Email addresses compared: the one identity form (`canonical`) and the delivery mailbox limits count (`mailbox`).

`canonical` is the rule every comparison of addresses uses (claims at registration and email change, login and
recovery by email, provisioning): the whole address in lower case, its domain in ASCII (IDNA punycode). The local
part is lower-cased too, although RFC 5321 lets a server tell `Ann@` from `ann@`: no mail system CertTracker
delivers to does, every claim ever stored was lower-cased this way (`AccountClaim.for_email`), and two accounts
for one person's mailbox are worse than the theoretical server that would need them apart. An address that
passed `certtracker.core.fields.email_address` is ASCII already, so `canonical` of a stored address is its
`lower()`: no stored key changes.

`mailbox` is coarser, and only for counting: the inbox a message lands in, so `a+1@`, `a+2@` and (at Gmail, which
ignores dots) `a.b@` and `ab@` are one recipient to a per-recipient limit. It is never stored as an identity nor
used to find an account: `a.b@` and `ab@` at other providers are different people.
"""

from __future__ import annotations

# Providers known to deliver `a.b@` and `ab@` to one inbox, and the domain each is known by.
_DOTS_IGNORED = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def _ascii_domain(domain: str) -> str:
    domain = domain.strip().lower()
    if domain.isascii():
        return domain
    import idna  # email-validator's own IDNA (2008, UTS #46): the same punycode fields.email_address stores

    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        return domain  # not a deliverable domain: compared as written, never equal to a valid one


def canonical(address: str) -> str:
    """The identity form of an address: equal for two spellings of one address, stable (canonical of canonical is
    itself), and the form claims are keyed on."""
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return address.strip().lower()
    return f"{local.lower()}@{_ascii_domain(domain)}"


def mailbox(address: str) -> str:
    """The inbox an address delivers to, for per-recipient limits: its canonical form without a `+tag`, and without
    dots at providers that ignore them (googlemail.com is gmail.com). A part that would become empty is kept."""
    local, at, domain = canonical(address).rpartition("@")
    if not at:
        return domain
    local = local.split("+", 1)[0] or local
    if domain in _DOTS_IGNORED:
        domain = _DOTS_IGNORED[domain]
        local = local.replace(".", "") or local
    return f"{local}@{domain}"
