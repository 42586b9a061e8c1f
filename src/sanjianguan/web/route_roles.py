"""接口角色表: which roles may call each API route, as published in `docs/api.md`.

The services enforce the roles (`access.permissions`); this table only documents them.
`tests/web/test_authz_matrix.py` calls every route as every role and checks the answers
against its own table written from the spec, and checks that this one says the same, so
the published page cannot drift from what the code does. Add a row with every new route.
"""

from __future__ import annotations

from sanjianguan.workflow_db.models import Role

PUBLIC = "public"  # no login needed
EVERYONE = frozenset(role.value for role in Role)  # any logged-in user (the data is scoped)
BUT_EXPERT = EVERYONE - {Role.EXPERT.value}  # experts see anonymised packages only (double-blind)

OFFICE = frozenset({Role.OFFICE.value})
INSTITUTION = frozenset({Role.INSTITUTION.value})
ADJUDICATOR = frozenset({Role.ADJUDICATOR.value})
EXPERT = frozenset({Role.EXPERT.value})
POINTS_READERS = frozenset(
    {
        Role.OFFICE.value,
        Role.INVESTIGATOR.value,
        Role.INSURANCE.value,
        Role.INSTITUTION.value,
        Role.AUDITOR.value,
    }
)

# Joint work: the inspecting departments, the analysts, the institutions (their own), the auditor.
JOINT_READERS = frozenset(
    {
        Role.OFFICE.value,
        Role.ANALYST.value,
        Role.INVESTIGATOR.value,
        Role.INSURANCE.value,
        Role.INSTITUTION.value,
        Role.AUDITOR.value,
    }
)
INSPECTORS = frozenset({Role.INVESTIGATOR.value, Role.INSURANCE.value})
REFERRAL_READERS = OFFICE | {Role.INSURANCE.value, Role.AUDITOR.value}

# (method, path under /api/v1) → roles allowed (PUBLIC: anyone, logged in or not).
ROUTE_ROLES: dict[tuple[str, str], frozenset[str] | str] = {
    ("POST", "/session"): PUBLIC,
    ("DELETE", "/session"): EVERYONE,
    ("GET", "/me"): EVERYONE,
    ("PUT", "/me/password"): EVERYONE,
    ("GET", "/calendar/status"): EVERYONE,
    ("GET", "/clues"): EVERYONE,
    ("GET", "/clues/{clue_id}"): EVERYONE,
    ("GET", "/statistics/clues"): EVERYONE,
    ("POST", "/periods/{period}/push"): OFFICE,
    ("POST", "/periods/{period}/sample"): OFFICE,
    ("GET", "/clues/{clue_id}/case"): EVERYONE,
    ("GET", "/clues/{clue_id}/history"): BUT_EXPERT,
    ("GET", "/clues/{clue_id}/evidence/{file_id}"): BUT_EXPERT,
    ("GET", "/clues/{clue_id}/adjudication"): EVERYONE,
    ("GET", "/deadlines/overdue"): OFFICE,
    ("GET", "/experts/me/packages"): EXPERT,
    ("POST", "/clues/{clue_id}/remind"): OFFICE,
    ("POST", "/clues/{clue_id}/self-check"): INSTITUTION,
    ("POST", "/clues/{clue_id}/evidence-request"): OFFICE | {Role.INVESTIGATOR.value},
    ("POST", "/clues/{clue_id}/evidence"): INSTITUTION,
    ("POST", "/clues/{clue_id}/verify"): frozenset({Role.INVESTIGATOR.value}),
    ("POST", "/clues/{clue_id}/adjudication"): ADJUDICATOR,
    ("POST", "/clues/{clue_id}/votes"): EXPERT,
    ("POST", "/clues/{clue_id}/ruling"): ADJUDICATOR,
    ("POST", "/clues/{clue_id}/decision"): OFFICE,
    ("POST", "/clues/{clue_id}/decision-notice"): OFFICE,
    ("POST", "/clues/{clue_id}/appeal"): INSTITUTION,
    ("POST", "/clues/{clue_id}/review"): OFFICE,
    ("POST", "/clues/{clue_id}/responsibility-notice"): OFFICE,
    ("POST", "/clues/{clue_id}/rectification"): INSTITUTION,
    ("POST", "/clues/{clue_id}/close"): OFFICE,
    ("PUT", "/experts/{user_id}/profile"): OFFICE | ADJUDICATOR,
    ("POST", "/experts/me/conflicts"): EXPERT,
    # accountability ladder (sanjianguan.web.routes.accountability)
    ("POST", "/accountability/runs"): OFFICE,
    ("GET", "/accountability/ladder"): EVERYONE,  # configuration (art. 35), no case data
    ("GET", "/accountability/proposals"): OFFICE | INSTITUTION | {Role.AUDITOR.value},
    ("GET", "/accountability/proposals/{proposal_id}"): OFFICE | INSTITUTION | {Role.AUDITOR.value},
    ("POST", "/accountability/proposals/{proposal_id}/confirm"): OFFICE,
    ("POST", "/accountability/proposals/{proposal_id}/reject"): OFFICE,
    ("GET", "/accountability/facts"): OFFICE | INSTITUTION | {Role.AUDITOR.value},
    ("POST", "/accountability/facts"): OFFICE,
    # penalty points (sanjianguan.web.routes.points): who inspects scores
    ("POST", "/points/records"): OFFICE | {Role.INVESTIGATOR.value, Role.INSURANCE.value},
    ("GET", "/points/records"): POINTS_READERS,
    ("GET", "/points/records/{record_id}"): POINTS_READERS,
    ("POST", "/points/records/{record_id}/notice"): OFFICE | {Role.INVESTIGATOR.value, Role.INSURANCE.value},
    ("POST", "/points/records/{record_id}/report"): OFFICE | {Role.INVESTIGATOR.value, Role.INSURANCE.value},
    ("POST", "/points/records/{record_id}/register"): OFFICE,
    ("POST", "/points/records/{record_id}/appeal"): INSTITUTION,
    ("POST", "/points/records/{record_id}/appeal/decision"): OFFICE,
    ("GET", "/points/institutions/{institution_id}"): POINTS_READERS,
    ("GET", "/points/staff/{party_id}"): POINTS_READERS,
    ("POST", "/points/returns"): OFFICE,
    ("GET", "/points/returns"): OFFICE,
    ("POST", "/points/disclosures"): OFFICE,
    ("GET", "/public/points/disclosures/{region_code}/{quarter}"): PUBLIC,
    # double random inspections and joint inspections (sanjianguan.web.routes.inspections)
    ("POST", "/inspections/plans"): OFFICE,
    ("GET", "/inspections/plans"): JOINT_READERS,
    ("GET", "/inspections/plans/{plan_id}"): JOINT_READERS,
    ("GET", "/inspections/visits"): JOINT_READERS,
    ("GET", "/inspections/visits/{visit_id}"): JOINT_READERS,
    ("POST", "/inspections/visits/{visit_id}/findings"): INSPECTORS,
    ("POST", "/inspections/conflicts"): frozenset({Role.INVESTIGATOR.value}),
    # special campaigns (sanjianguan.web.routes.campaigns)
    ("POST", "/campaigns"): OFFICE,
    ("GET", "/campaigns"): JOINT_READERS,
    ("GET", "/campaigns/{campaign_id}"): JOINT_READERS,
    ("POST", "/campaigns/{campaign_id}/close"): OFFICE,
    ("GET", "/campaigns/{campaign_id}/tally"): JOINT_READERS,
    ("GET", "/campaigns/{campaign_id}/records"): JOINT_READERS,
    ("POST", "/campaigns/{campaign_id}/records"): OFFICE | INSPECTORS | INSTITUTION,
    ("POST", "/campaigns/{campaign_id}/records/{record_id}/void"): OFFICE,
    ("GET", "/campaigns/{campaign_id}/institutions/{institution_id}/self-check-form"): JOINT_READERS,
    # cross-department referral (sanjianguan.web.routes.referrals) and rule feedback
    ("POST", "/clues/{clue_id}/referrals"): OFFICE | {Role.INSURANCE.value},
    ("GET", "/referrals"): REFERRAL_READERS,
    ("GET", "/referrals/{referral_id}"): REFERRAL_READERS,
    ("POST", "/referrals/{referral_id}/receive"): frozenset({Role.INSURANCE.value}),
    ("POST", "/referrals/{referral_id}/feedback"): frozenset({Role.INSURANCE.value}),
    ("GET", "/feedback/rules"): OFFICE | {Role.ANALYST.value, Role.AUDITOR.value},
    # 县区月报 (seed 000): the county office files it, the city office follows it
    ("GET", "/reports/county-return"): OFFICE,
    ("POST", "/reports/county-return/scan"): OFFICE,
    ("GET", "/reports/county-return/scans"): OFFICE,
    # notices with a 文号 (sanjianguan.web.routes.notices): the office issues, the recipient reads
    ("POST", "/notices"): OFFICE,
    ("GET", "/notices"): OFFICE | INSTITUTION,
    ("GET", "/notices/{notice_id}"): OFFICE | INSTITUTION,
    ("GET", "/notices/{notice_id}/file"): OFFICE | INSTITUTION,
}
# documents (sanjianguan.web.routes.report_tallies): as the data they hold
ROUTE_ROLES[("GET", "/reports/disclosure")] = PUBLIC  # published: anyone; unpublished: the office's preview
ROUTE_ROLES[("GET", "/reports/campaigns/{campaign_id}")] = JOINT_READERS
ROUTE_ROLES[("GET", "/reports/yearly")] = OFFICE | INSTITUTION | {Role.AUDITOR.value}

# 工作月报、工作通报 (sanjianguan.web.routes.report_monthly): the regional roles that report the month.
MONTHLY_REPORT_READERS = OFFICE | {Role.ANALYST.value, Role.INSURANCE.value, Role.AUDITOR.value}
ROUTE_ROLES[("GET", "/reports/monthly")] = MONTHLY_REPORT_READERS
ROUTE_ROLES[("GET", "/reports/bulletin")] = MONTHLY_REPORT_READERS

# 消息中心 (sanjianguan.web.routes.messages): every role reads and sets its own, nobody another's.
ROUTE_ROLES[("GET", "/messages")] = EVERYONE
ROUTE_ROLES[("POST", "/messages/read")] = EVERYONE
ROUTE_ROLES[("GET", "/messages/preferences")] = EVERYONE
ROUTE_ROLES[("PUT", "/messages/preferences")] = EVERYONE
