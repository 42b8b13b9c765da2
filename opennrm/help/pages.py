"""Which guide section the "Help" link opens on each page: URL name → sections.

Every named URL of the project is either here or in ``NOT_PAGES`` (files, JSON, fragments and
redirects nobody reads); ``tests/help/test_pages.py`` fails on a URL name in neither, so a new page
cannot ship without its help. A page used by several roles lists a section for each: the link opens
the first one whose role the signed-in user holds (else the first). A section is a role's overview
(``"trainer"``) or one of its tasks (``"trainer/cohorts"``); a page with no task of its own points
explicitly to the overview of the role that uses it.
"""

from __future__ import annotations

from opennrm.accounts.roles import Role

_ROLE_OVERVIEWS = tuple(str(role) for role in Role)
_SIGN_IN = ("everyone/sign-in",)
_ACCOUNT = ("everyone/account",)
_IMPORTS = ("case_manager", "trainer", "justice", "coordinator", "national_coordinator")
_STATISTICS = ("national_coordinator/statistics", "coordinator/statistics", "case_manager")

SECTIONS: dict[str, tuple[str, ...]] = {
    "home": (*_ROLE_OVERVIEWS, "everyone"),
    # the guide itself
    "help:index": ("everyone",),
    "help:role": ("everyone",),
    "help:task": ("everyone",),
    # sign-in and the account (allauth)
    "account_login": _SIGN_IN,
    "account_logout": _SIGN_IN,
    "account_inactive": _SIGN_IN,
    "account_signup": _SIGN_IN,
    "account_reauthenticate": _SIGN_IN,
    "account_request_reauthentication_code": _SIGN_IN,
    "account_confirm_reauthentication_code": _SIGN_IN,
    "account_confirm_login_code": _SIGN_IN,
    "account_email": _ACCOUNT,
    "account_email_verification_sent": _ACCOUNT,
    "account_confirm_email": _ACCOUNT,
    "account_change_password": _ACCOUNT,
    "account_set_password": _ACCOUNT,
    "account_reset_password": _SIGN_IN,
    "account_reset_password_done": _SIGN_IN,
    "account_reset_password_from_key": _SIGN_IN,
    "account_reset_password_from_key_done": _SIGN_IN,
    "mfa_authenticate": _SIGN_IN,
    "mfa_reauthenticate": _SIGN_IN,
    "mfa_index": _ACCOUNT,
    "mfa_activate_totp": _ACCOUNT,
    "mfa_deactivate_totp": _ACCOUNT,
    "mfa_view_recovery_codes": _ACCOUNT,
    "mfa_generate_recovery_codes": _ACCOUNT,
    "accounts:profile": _ACCOUNT,
    "accounts:token_revoke": _ACCOUNT,
    # administration
    "accounts:users": ("admin/users",),
    "accounts:user": ("admin/users",),
    "accounts:user_active": ("admin/users",),
    "accounts:user_unlock": ("admin/users",),
    "accounts:user_token_revoke": ("admin/users",),
    "accounts:service_token_issue": ("admin/users",),
    "accounts:unlock": ("admin/users",),
    "accounts:grants": ("admin/users",),
    "accounts:grant_approve": ("admin/users",),
    "accounts:grant_reject": ("admin/users",),
    "accounts:agencies": ("admin",),
    "accounts:agency": ("admin",),
    "accounts:agency_aliases": ("admin",),
    "accounts:agency_alias_remove": ("admin",),
    "field:devices": ("admin/devices",),
    "field:devices_wipe": ("admin/devices",),
    "transnational:partner_add": ("admin",),
    "transnational:partner": ("admin",),
    # audit
    "audit:list": ("auditor/audit",),
    "audit:verify": ("auditor/audit",),
    "accounts:break_glass": ("auditor/break-glass",),
    "accounts:break_glass_review": ("auditor/break-glass",),
    "lifecycle:erasures": ("auditor", "admin"),
    "lifecycle:requests": ("auditor", "admin"),
    # screening and referral
    "screening:list": ("screener/screen",),
    "screening:start": ("screener/screen",),
    "screening:edit": ("screener/screen",),
    "screening:detail": ("screener/screen",),
    "screening:discard": ("screener/screen",),
    "screening:referral_unavailable": ("screener/refer",),
    "screening:stats": ("coordinator/statistics", "national_coordinator/statistics"),
    "field:home": ("screener", "service_provider"),
    "cases:referral_create": ("screener/refer",),
    "cases:refer_from_screening": ("screener/refer",),
    "cases:referral_list": ("case_manager/referrals", "screener/refer"),
    "cases:referral_detail": ("case_manager/referrals", "screener/refer"),
    "cases:referral_acknowledge": ("case_manager/referrals",),
    "cases:referral_accept": ("case_manager/referrals",),
    "cases:referral_decline": ("case_manager/referrals",),
    # cases
    "cases:case_list": ("case_manager/case", "service_provider/requests"),
    "cases:case_detail": ("case_manager/case", "service_provider/requests"),
    "cases:case_history": ("case_manager/case",),
    "cases:case_step": ("case_manager/case",),
    "cases:break_glass": ("case_manager/case",),
    "cases:consent_withdraw": ("case_manager/case",),
    "cases:guardian_end": ("case_manager/case",),
    "cases:stay_end": ("case_manager/case", "service_provider/requests"),
    "cases:deadlines": ("case_manager/deadlines",),
    "cases:import": ("case_manager",),
    "cases:service_inbox": ("service_provider/requests",),
    "cases:service_step": ("service_provider/requests",),
    "cases:provider_shelter": ("service_provider/requests",),
    "transnational:index": ("case_manager", "admin"),
    "transnational:send": ("case_manager",),
    "transnational:referral": ("case_manager",),
    # justice
    "cases:status_lookup": ("justice/proceedings",),
    "justice:list": ("justice/proceedings",),
    "justice:new": ("justice/proceedings",),
    "justice:detail": ("justice/proceedings",),
    "justice:move": ("justice/proceedings",),
    "justice:close": ("justice/proceedings",),
    "justice:defendant_new": ("justice/proceedings",),
    "justice:outcome": ("justice/proceedings",),
    "justice:requalify": ("justice/proceedings",),
    "justice:victim_new": ("justice/proceedings",),
    "justice:victim": ("justice/proceedings",),
    "justice:hearing_new": ("justice/proceedings",),
    "justice:for_case": ("justice/proceedings", "case_manager/case"),
    "justice:import": ("justice",),
    # training and awareness
    "training:cohorts": ("trainer/cohorts",),
    "training:cohort": ("trainer/cohorts",),
    "training:cohort_edit": ("trainer/cohorts",),
    "training:import": ("trainer/cohorts",),
    "training:coverage": ("trainer/coverage", "coordinator"),
    "training:events": ("trainer",),
    "training:event": ("trainer",),
    "training:planning": ("trainer",),
    "awareness:index": ("coordinator", "national_coordinator", "trainer"),
    "awareness:campaign": ("coordinator", "national_coordinator", "trainer"),
    # monitoring and statistics
    "monitoring:dashboard": ("coordinator/monitoring", "national_coordinator/monitoring"),
    "monitoring:indicator": ("coordinator/monitoring", "national_coordinator/monitoring"),
    "monitoring:recommendations": ("coordinator/monitoring", "national_coordinator/monitoring"),
    "monitoring:recommendations_import": ("coordinator/monitoring",),
    "monitoring:recommendation": ("coordinator/monitoring", "national_coordinator/monitoring"),
    "monitoring:meetings": ("coordinator/monitoring", "national_coordinator/monitoring"),
    "monitoring:meeting": ("coordinator/monitoring", "national_coordinator/monitoring"),
    "monitoring:follow_up_done": ("coordinator/monitoring",),
    "monitoring:reports": ("coordinator/monitoring", "national_coordinator/monitoring"),
    "monitoring:report": ("coordinator/monitoring", "national_coordinator/monitoring"),
    "monitoring:report_generate": ("coordinator/monitoring",),
    "monitoring:rendition": ("coordinator/monitoring",),
    "statistics:index": _STATISTICS,
    "statistics:about": _STATISTICS,
    "statistics:ctdc": ("national_coordinator/statistics", "coordinator/statistics"),
    "statistics:ctdc_request": ("national_coordinator/statistics", "coordinator/statistics"),
    "statistics:ctdc_export": ("national_coordinator/statistics", "coordinator/statistics"),
    "statistics:synthetic_request": ("national_coordinator/statistics", "coordinator/statistics"),
    "statistics:synthetic": ("national_coordinator/statistics", "coordinator/statistics"),
    "statistics:htcds": ("case_manager",),
    # imports (cases, training completions, registers, recommendations)
    "imports:index": _IMPORTS,
    "imports:upload": _IMPORTS,
    "imports:job": _IMPORTS,
    "imports:columns": _IMPORTS,
    "imports:values": _IMPORTS,
    "imports:preview": _IMPORTS,
    "imports:resume": _IMPORTS,
}

# Named URLs that render no page of their own: files, JSON, fragments, machine endpoints.
NOT_PAGES = frozenset(
    {
        "healthz",
        "readyz",
        "metrics",
        "set_language",
        "openapi-schema",
        "help:shot",
        "mfa_download_recovery_codes",
        "audit:export",
        "screening:autosave",
        "cases:import_template",
        "cases:case_file",
        "field:service_worker",
        "field:manifest",
        "field:catalogues",
        "training:import_errors",
        "training:certificate",
        "monitoring:rendition_download",
        "statistics:download",
        "statistics:ctdc_download",
        "statistics:synthetic_download",
        "statistics:htcds_download",
        "imports:report",
        "imports:template",
    }
)


def section_for(view_name: str, roles: frozenset[str] | set[str]) -> str:
    """The section the Help link opens on a page, for a user with these roles."""
    candidates = SECTIONS.get(view_name, ())
    for section in candidates:
        if section.split("/", 1)[0] in roles:
            return section
    for section in candidates:
        if section.split("/", 1)[0] == "everyone":
            return section
    return candidates[0] if candidates else ""
