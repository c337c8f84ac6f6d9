"""Which email addresses belong to a partner company, by their domain.

Registration, an email change and provisioning consult it, so it sits below those domains; the PartnerNet sync
(`certtracker.partners.sync`) fills its table.
"""

from __future__ import annotations

from certtracker.core.addresses import canonical
from certtracker.models.partners import DOMAIN_PREFIX, PARTNER_PREFIX, PartnerCompany, PartnerDomain

# The seed page's words to a partner employee who tries to self-register.
PARTNERNET_ROUTE = (
    "This email address belongs to a partner company. Partner employees do not use self-registration: "
    "your CertTracker account must be associated with your PartnerNet record so that your company "
    "receives credit towards partner program requirements. Ask your company's primary partner contact "
    "to verify that you have an active PartnerNet contact record; once it exists, a CertTracker account "
    "with your partner details is created for you automatically within 24 hours."
)


def _domain_and_parents(domain: str) -> list[str]:
    labels = domain.lower().split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def partner_for_email(email: str) -> str | None:
    """The partner id owning the email's domain (or a parent domain of it), if any: one batch read."""
    domain = canonical(email).rpartition("@")[2]
    keys = [DOMAIN_PREFIX + candidate for candidate in _domain_and_parents(domain)]
    for item in PartnerDomain.batch_get(keys):
        return str(item.partner_id)
    return None


def company_name(partner_id: str) -> str | None:
    """The partner company's name as PartnerNet keeps it (what a person recognises; the id is PartnerNet's), or None
    for a partner the sync has not written (yet)."""
    for item in PartnerCompany.batch_get([PARTNER_PREFIX + partner_id]):
        return str(item.name)
    return None
