"""ISO 3166-1 alpha-2 countries grouped into UN M49 regions, for generalising countries in
released microdata (a country too rare to release becomes its region). Pure, no Django import."""

from __future__ import annotations

_REGIONS = {
    "Africa": (
        "DZ EG LY MA SD TN EH BI KM DJ ER ET KE MG MW MU YT MZ RE RW SC SO SS TZ UG ZM ZW AO CM CF "
        "TD CG CD GQ GA ST BW SZ LS NA ZA BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG IO TF"
    ),
    "Americas": (
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI BZ CR "
        "SV GT HN MX NI PA AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE BM CA GL PM US"
    ),
    "Asia": (
        "KZ KG TJ TM UZ CN HK MO KP JP MN KR TW BN KH ID LA MY MM PH SG TH TL VN AF BD BT IN IR MV "
        "NP PK LK AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"
    ),
    "Europe": (
        "BY BG CZ HU PL MD RO RU SK UA AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB AL AD BA HR "
        "GI GR VA IT MT ME MK PT SM RS SI ES XK AT BE FR DE LI LU MC NL CH"
    ),
    "Oceania": (
        "AU CX CC HM NZ NF FJ NC PG SB VU GU KI MH FM NR MP PW AS CK PF NU PN WS TK TO TV WF UM"
    ),
}

REGION_OF: dict[str, str] = {
    code: region for region, codes in _REGIONS.items() for code in codes.split()
}


def region(code: str) -> str:
    """The UN M49 region of an ISO alpha-2 code; unknown codes stay as they are (e.g. -99)."""
    return REGION_OF.get(code.upper(), code)
