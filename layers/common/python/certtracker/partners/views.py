"""The partner credit report's answer, shaped from the domain's records."""

from __future__ import annotations

from certtracker.contract.partners import EmployeeCredentialOut, EmployeeOut, LapsingOut, PartnerReport, RequirementOut
from certtracker.partners.credit import Report


def report(found: Report) -> PartnerReport:
    requirements = (
        None
        if found.requirements is None
        else [
            RequirementOut(
                credential_id=rule.credential_id,
                title=rule.title,
                required=rule.required,
                held=rule.held,
                met=rule.met,
                lapsing=rule.lapsing,
            )
            for rule in found.requirements
        ]
    )
    lapsing = (
        None
        if found.lapsing is None
        else [LapsingOut.model_validate(entry, from_attributes=True) for entry in found.lapsing]
    )
    return PartnerReport(
        partner_id=str(found.partner.partner_id),
        name=str(found.partner.name),
        tier=found.partner.tier,
        requirements=requirements,
        lapsing=lapsing,
        employees=[
            EmployeeOut(
                name=employee.name,
                username=employee.username,
                email=employee.email,
                credentials=[
                    EmployeeCredentialOut.model_validate(c, from_attributes=True) for c in employee.credentials
                ],
            )
            for employee in found.employees
        ],
        next_cursor=found.next_cursor,
    )
