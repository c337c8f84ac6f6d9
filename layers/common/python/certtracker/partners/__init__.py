"""Partner companies of the program: the PartnerNet sync and provisioning, association and the partner report.

Which email addresses are a partner's is `certtracker.partner_addresses`: accounts consult it too."""
