"""Every published figure the synthetic pilot is calibrated to, with its source.

Each :class:`Figure` says what it is, its value, where it was published (URL and the
table, chart or passage), whether it is ``published`` (quoted from the source),
``derived`` (computed here from published figures, the computation stated) or an
``assumption`` of the scenario (no source could be confirmed), and what the generator
uses it for. The dataset README lists them all (:func:`figures`).

Sources were read in stored public copies of the pages named. Where only a copy on
another site could be read (an Occupational Outlook Handbook page quoted by a college,
a Census table transcribed by a history site), the locator says so. Wages are BLS OEWS
national medians of the vintage each page showed; they are not adjusted for inflation,
and the generator uses them as the relative wage levels of occupations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

__all__ = [
    "CENSUS_2020_STATE_POPULATION",
    "DIVISION_STATES",
    "OCCUPATION_FIGURES",
    "Figure",
    "OccupationFigure",
    "division_shares",
    "figures",
    "pilot_gender_shares",
    "pilot_race_shares",
    "pilot_veteran_share",
]

Status = Literal["published", "derived", "assumption"]


@dataclass(frozen=True, slots=True)
class Figure:
    """One calibration figure and its provenance."""

    key: str
    value: float | str
    unit: str
    what: str
    source: str
    url: str
    locator: str
    status: Status
    used_for: str


# -- Opportunity@Work: STARs ------------------------------------------------------------------

_OAW = "Opportunity@Work, STARs (Skilled Through Alternative Routes)"
_OAW_URL = "https://opportunityatwork.org/stars/"
_TPC = "Opportunity@Work and Ad Council, Tear the Paper Ceiling: About STARs"
_TPC_URL = "https://tearthepaperceiling.org/about-stars"

STARS_MILLIONS = Figure(
    "stars_millions", 70, "million workers",
    "STARs in the US workforce ('70+ million strong talent pool')",
    _OAW, _OAW_URL, "section 'STARs are a 70+ million strong talent pool'", "published",
    "README context; the STARs definition (age 25+, in the labour force, high school diploma, "
    "no bachelor's degree) defines learners.stars",
)  # fmt: skip
STARS_SHARE_WORKFORCE = Figure(
    "stars_share_workforce", 0.50, "share of US workers",
    "Share of all US workers who are STARs ('50% of all workers in the U.S. are STARs')",
    _OAW, _OAW_URL, "section 'STARs represent our country's diversity'", "published",
    "the overall STARs rate used to tilt labour-force shares into the pilot's mix "
    "(see pilot_race_shares); the pilot's own STARs share is reported beside it",
)  # fmt: skip
_STARS_RATES = {
    "black": 0.61,
    "hispanic_latino": 0.55,
    "white": 0.50,
    "women": 0.50,
    "rural": 0.66,
    "veterans": 0.61,
}
_GROUP_LABELS = {
    "black": "Black",
    "hispanic_latino": "Hispanic or Latino",
    "white": "white",
    "women": "women",
    "rural": "rural",
    "veterans": "veteran",
}
STARS_RATE_FIGURES = tuple(
    Figure(
        f"stars_rate_{group}", rate, f"share of {_GROUP_LABELS[group]} workers",
        f"Share of {_GROUP_LABELS[group]} workers who are STARs",
        _TPC, _TPC_URL, "'STARs also reflect our nation's racial and cultural diversity' list",
        "published",
        "tilting the labour-force composition towards the STARs population "
        "(pilot race/ethnicity, gender and veteran shares)" if group != "rural"
        else "README context only (the generator has no urban/rural column)",
    )
    for group, rate in _STARS_RATES.items()
)  # fmt: skip

# -- BLS: labour-force composition ------------------------------------------------------------

_MLR = (
    "BLS Monthly Labor Review (2023), Projections overview and highlights, 2022-32: "
    "Chart 11, Labor force shares by race"
)
_MLR_URL = "http://www.bls.gov/opub/mlr/2023/highcharts/data/dubina-chart11.stm"
LF_RACE_FIGURES = tuple(
    Figure(
        f"lf_share_{race}_2022", share, "share of the civilian labor force",
        f"{label} share of the labor force in 2022 (race groups include Hispanics of that race)",
        _MLR, _MLR_URL, "Chart 11 data table, row 2022", "published",
        "pilot race/ethnicity mix (pilot_race_shares)",
    )
    for race, label, share in (
        ("white", "White", 0.767),
        ("black", "Black", 0.129),
        ("other_races", "All other race groups", 0.104),
    )
)  # fmt: skip
LF_HISPANIC = Figure(
    "lf_share_hispanic_2023q3", 0.191, "share of the labor force",
    "Hispanic or Latino share of the US labor force, third quarter of 2023 (a BLS figure, "
    "as reported)",
    "Hispanic Engineer & IT, 'Nearly half of U.S. Latinos with a graduate degree reside in the "
    "top 10 metropolitan areas' (reporting a BLS release)",
    "https://hispanicengineer.com/manage-new/nearly-half-of-u-s-latinos-with-a-graduate-degree-"
    "reside-in-the-top-10-metropolitan-areas",
    "first paragraph (secondary report; the BLS CPS table cpsaat06 gives the Hispanic labor "
    "force, 31.8 million in 2023)", "published",
    "pilot race/ethnicity mix (pilot_race_shares)",
)  # fmt: skip
LF_OTHER_RACES_SPLIT = Figure(
    "lf_split_other_races", "asian 7, two or more 2, AIAN 1, NHPI 0.4 (percent)", "percent",
    "Split of the 'all other race groups' share: Asian 7%, Two or More Races 2%, American "
    "Indian and Alaska Native 1%, Native Hawaiian and Other Pacific Islander under 0.5% of the "
    "labor force (BLS, Labor force characteristics by race and ethnicity, 2021; read in a "
    "copy of the report's text, NHPI taken as 0.4%)",
    "BLS Reports, Labor force characteristics by race and ethnicity, 2021",
    "https://www.bls.gov/opub/reports/race-and-ethnicity/2021/home.htm",
    "section 'Composition of the labor force' (text read in a copy at "
    "sitemw.blogg.se/2023/november/citizens-2017-traits.html)", "published",
    "splitting the other-races share in pilot_race_shares",
)  # fmt: skip
WOMEN_SHARE = Figure(
    "lf_share_women", 0.47, "share of US workers",
    "Women's share of US workers ('Almost 47 percent of U.S. workers are women')",
    "BLS Commissioner's Corner / DOL Women's Bureau blog, 12 Stats about Working Women (2017)",
    "https://blsmon1.bls.gov/blog/2017/12-stats-about-working-women.htm",
    "'Women are Integral to Today's Workforce' list", "published",
    "pilot gender mix (pilot_gender_shares)",
)  # fmt: skip
VETERAN_SHARE = Figure(
    "lf_share_veterans_2023", 0.052, "share of the labor force",
    "Veterans' share of the overall labor force in 2023",
    "BLS Commissioner's Corner, Honoring America's Veterans (November 8, 2024)",
    "https://www.bls.gov/blog/2024/honoring-americas-veterans.htm",
    "second paragraph ('Veterans accounted for 5.2 percent of the overall labor force in "
    "2023')", "published",
    "pilot veteran share (pilot_veteran_share)",
)  # fmt: skip

# -- Burning Glass Institute / Harvard Business School ---------------------------------------

DEGREE_POSTINGS_2017 = Figure(
    "degree_postings_share_2017", 0.51, "share of online job postings",
    "Share of online job listings requiring a (bachelor's) degree in 2017",
    "Harvard Project on the Workforce, 'A 4-year degree isn't quite the job requirement it used "
    "to be' (New York Times, S. Lohr, citing Emsi Burning Glass data)",
    "https://www.pw.hks.harvard.edu/post/a-4-year-degree-isn-t-quite-the-job-requirement-it-"
    "used-to-be", "first paragraph", "published",
    "README context: the trend the degree reset continues",
)  # fmt: skip
DEGREE_POSTINGS_2021 = Figure(
    "degree_postings_share_2021", 0.44, "share of online job postings",
    "Share of online job listings requiring a degree in 2021 (down from 51% in 2017)",
    DEGREE_POSTINGS_2017.source, DEGREE_POSTINGS_2017.url, "first paragraph", "published",
    "share of postings requiring a bachelor's degree at the start of the pilot window, before "
    "any pilot employer drops its requirement (the per-occupation requirement rates are scaled "
    "to give this share)",
)  # fmt: skip
DEGREE_RESET_MIDDLE = Figure(
    "degree_reset_middle_skill_occupations", 0.46, "share of middle-skill occupations",
    "Middle-skill occupations with a material degree reset between 2017 and 2019 (31% of "
    "high-skill occupations)",
    "Fuller, Langer, Nitschke, O'Kane, Sigelman, Taska, The Emerging Degree Reset "
    "(Burning Glass Institute, 2022)",
    "https://www.hbs.edu/faculty/Pages/item.aspx?num=62030", "abstract, first bullet",
    "published",
    "informs (does not fix) the scenario's share of employers that drop degree requirements "
    "(drop_share); occupation-level, not employer-level",
)  # fmt: skip
_SBH = (
    "Sigelman, Fuller, Martin, Skills-Based Hiring: The Long Road from Pronouncements to "
    "Practice (Burning Glass Institute and Harvard Business School, February 2024)"
)
_SBH_URL = "https://www.pw.hks.harvard.edu/post/skills-based-hiring-the-long-road-from-pronouncements-to-practice"
SBH_LEADERS = Figure(
    "sbh_leaders_share", 0.37, "share of firms that removed degree requirements",
    "Skills-Based Hiring Leaders: firms that dropped degree requirements and hired more "
    "workers without BAs ('37 percent of the firms we studied')",
    _SBH, _SBH_URL, "Executive Summary (report p. 5)", "published",
    "employer typology: followed-through droppers (skills screen after the drop)",
)  # fmt: skip
SBH_IN_NAME_ONLY = Figure(
    "sbh_in_name_only_share", 0.45, "share of firms that removed degree requirements",
    "In Name Only: no meaningful change in hiring after removing the stated requirement "
    "('Approximately 45% of firms')",
    _SBH, _SBH_URL, "Executive Summary (report p. 5)", "published",
    "employer typology: postings stop requiring a degree, the screen stays degree-based",
)  # fmt: skip
SBH_BACKSLIDERS = Figure(
    "sbh_backsliders_share", 0.18, "share of firms that removed degree requirements",
    "Backsliders: short-term gains that do not stick ('approximately one-fifth'; 18% in the "
    "report's figure as summarized by Academica Group)",
    _SBH, "https://academica.ca/top-ten/skill-based-hiring-lags-behind-policy-changes-report",
    "Executive Summary (report p. 5); 18% as quoted by Academica's summary", "published",
    "employer typology: skills screen for 6-12 months after the drop, then the degree "
    "requirement returns",
)  # fmt: skip

# -- Census: population by division -----------------------------------------------------------

#: 2020 Census resident population by state (April 1, 2020), the apportionment release.
CENSUS_2020_STATE_POPULATION: Mapping[str, int] = MappingProxyType(
    {
        "Alabama": 5_024_279,
        "Alaska": 733_391,
        "Arizona": 7_151_502,
        "Arkansas": 3_011_524,
        "California": 39_538_223,
        "Colorado": 5_773_714,
        "Connecticut": 3_605_944,
        "Delaware": 989_948,
        "District of Columbia": 689_545,
        "Florida": 21_538_187,
        "Georgia": 10_711_908,
        "Hawaii": 1_455_271,
        "Idaho": 1_839_106,
        "Illinois": 12_812_508,
        "Indiana": 6_785_528,
        "Iowa": 3_190_369,
        "Kansas": 2_937_880,
        "Kentucky": 4_505_836,
        "Louisiana": 4_657_757,
        "Maine": 1_362_359,
        "Maryland": 6_177_224,
        "Massachusetts": 7_029_917,
        "Michigan": 10_077_331,
        "Minnesota": 5_706_494,
        "Mississippi": 2_961_279,
        "Missouri": 6_154_913,
        "Montana": 1_084_225,
        "Nebraska": 1_961_504,
        "Nevada": 3_104_614,
        "New Hampshire": 1_377_529,
        "New Jersey": 9_288_994,
        "New Mexico": 2_117_522,
        "New York": 20_201_249,
        "North Carolina": 10_439_388,
        "North Dakota": 779_094,
        "Ohio": 11_799_448,
        "Oklahoma": 3_959_353,
        "Oregon": 4_237_256,
        "Pennsylvania": 13_002_700,
        "Rhode Island": 1_097_379,
        "South Carolina": 5_118_425,
        "South Dakota": 886_667,
        "Tennessee": 6_910_840,
        "Texas": 29_145_505,
        "Utah": 3_271_616,
        "Vermont": 643_077,
        "Virginia": 8_631_393,
        "Washington": 7_705_281,
        "West Virginia": 1_793_716,
        "Wisconsin": 5_893_718,
        "Wyoming": 576_851,
    }
)
CENSUS_2020_TOTAL = 331_449_281

#: Census Bureau divisions and their states.
DIVISION_STATES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "new_england": (
            "Connecticut",
            "Maine",
            "Massachusetts",
            "New Hampshire",
            "Rhode Island",
            "Vermont",
        ),
        "middle_atlantic": ("New Jersey", "New York", "Pennsylvania"),
        "east_north_central": ("Illinois", "Indiana", "Michigan", "Ohio", "Wisconsin"),
        "west_north_central": (
            "Iowa",
            "Kansas",
            "Minnesota",
            "Missouri",
            "Nebraska",
            "North Dakota",
            "South Dakota",
        ),
        "south_atlantic": (
            "Delaware",
            "District of Columbia",
            "Florida",
            "Georgia",
            "Maryland",
            "North Carolina",
            "South Carolina",
            "Virginia",
            "West Virginia",
        ),
        "east_south_central": ("Alabama", "Kentucky", "Mississippi", "Tennessee"),
        "west_south_central": ("Arkansas", "Louisiana", "Oklahoma", "Texas"),
        "mountain": (
            "Arizona",
            "Colorado",
            "Idaho",
            "Montana",
            "Nevada",
            "New Mexico",
            "Utah",
            "Wyoming",
        ),
        "pacific": ("Alaska", "California", "Hawaii", "Oregon", "Washington"),
    }
)

_CENSUS = "US Census Bureau, 2020 Census Apportionment Results: resident population by state"
_CENSUS_URL = "https://www.census.gov/data/tables/2020/dec/2020-apportionment-data.html"
_CENSUS_LOCATOR = (
    "resident population, April 1, 2020 (state values read in a transcription at "
    "mail.historycentral.com/States/Totalstate.html; they sum to the published total "
    "331,449,281); divisions summed here from their states"
)


def division_shares() -> dict[str, float]:
    """Each Census division's share of the 2020 resident population (sums to 1).

    Examples
    --------
    >>> round(division_shares()["south_atlantic"], 4)
    0.1994
    """
    totals = {
        division: sum(CENSUS_2020_STATE_POPULATION[state] for state in states)
        for division, states in DIVISION_STATES.items()
    }
    grand = sum(totals.values())
    if grand != CENSUS_2020_TOTAL:  # pragma: no cover - a transcription error
        raise AssertionError(f"state populations sum to {grand}, not {CENSUS_2020_TOTAL}")
    return {division: total / grand for division, total in totals.items()}


# -- Occupations: BLS OEWS wages and Employment Projections education -------------------------


@dataclass(frozen=True, slots=True)
class OccupationFigure:
    """A real O*NET-SOC occupation with its BLS wage and typical entry-level education."""

    soc: str
    title: str
    median_hourly: float
    wage_vintage: str
    wage_basis: str
    typical_education: str  # a learners.highest_education code
    education_as_published: str
    source: str
    url: str


_OOH = "BLS Occupational Outlook Handbook"
OCCUPATION_FIGURES: tuple[OccupationFigure, ...] = (
    OccupationFigure(
        "15-1232.00", "Computer User Support Specialists", 23.93, "May 2021",
        "median annual wage $49,770 / 2,080 hours (the OEWS convention)", "some_college",
        "some college courses ('user support specialists typically need to complete some college "
        "courses')",
        f"{_OOH}, Computer Support Specialists (Pay; How to Become One)",
        "https://www.bls.gov/ooh/computer-and-information-technology/computer-support-specialists.htm",
    ),
    OccupationFigure(
        "15-1244.00", "Network and Computer Systems Administrators", 43.52, "May 2022",
        "median hourly pay as published", "bachelor", "Bachelor's degree",
        f"{_OOH}, Network and Computer Systems Administrators (Quick Facts)",
        "https://www.bls.gov/ooh/computer-and-information-technology/network-and-computer-systems-administrators.htm",
    ),
    OccupationFigure(
        "15-1252.00", "Software Developers", 63.59, "May 2023",
        "median annual wage for software developers $132,270 / 2,080 hours", "bachelor",
        "Bachelor's degree",
        f"{_OOH}, Software Developers, Quality Assurance Analysts, and Testers (Pay)",
        "https://www.bls.gov/ooh/computer-and-information-technology/software-developers.htm",
    ),
    OccupationFigure(
        "29-1141.00", "Registered Nurses", 39.05, "May 2022",
        "median hourly pay as published", "bachelor", "Bachelor's degree",
        f"{_OOH}, Registered Nurses (Quick Facts)",
        "http://stats.bls.gov/ooh/Healthcare/Registered-nurses.htm",
    ),
    OccupationFigure(
        "31-1131.00", "Nursing Assistants", 14.57, "May 2021",
        "median annual wage for nursing assistants $30,310 / 2,080 hours", "some_college",
        "postsecondary nondegree award ('need to complete a state-approved education program'); "
        "coded some_college, the nearest learners.highest_education code",
        f"{_OOH}, Nursing Assistants and Orderlies (Pay), read in a copy at "
        "sumnercollege.edu/blog/occupational-outlook-nursing-assisting/",
        "https://www.bls.gov/ooh/healthcare/nursing-assistants.htm",
    ),
    OccupationFigure(
        "43-4051.00", "Customer Service Representatives", 15.81, "May 2017",
        "median hourly pay as published (2017 Median Pay)", "high_school",
        "High school diploma or equivalent",
        f"{_OOH}, Customer Service Representatives (Quick Facts, 2018-19 edition), read in a "
        "copy at nextstepplanningedu.com/customer-service-representatives",
        "https://www.bls.gov/ooh/office-and-administrative-support/customer-service-representatives.htm",
    ),
    OccupationFigure(
        "47-2111.00", "Electricians", 28.87, "May 2021",
        "median annual wage $60,040 / 2,080 hours", "high_school",
        "High school diploma or equivalent (apprenticeship)",
        "BLS Employment Projections figures for Electricians as listed by Stacker "
        "(newsbreak.com/news/2811228503184/electricians, 2022-11-04)",
        "https://www.bls.gov/ooh/construction-and-extraction/electricians.htm",
    ),
    OccupationFigure(
        "49-9041.00", "Industrial Machinery Mechanics", 26.40, "May 2020",
        "median hourly pay of the OOH group (industrial machinery mechanics, machinery "
        "maintenance workers and millwrights)", "high_school",
        "High school diploma or equivalent",
        f"{_OOH}, Industrial Machinery Mechanics, Machinery Maintenance Workers, and Millwrights "
        "(Quick Facts)",
        "https://www.bls.gov/OOH/installation-maintenance-and-repair/industrial-machinery-mechanics-and-maintenance-workers-and-millwrights.htm",
    ),
    OccupationFigure(
        "51-4121.00", "Welders, Cutters, Solderers, and Brazers", 22.60, "May 2021",
        "median hourly pay as published", "high_school", "High school diploma or equivalent",
        f"{_OOH}, Welders, Cutters, Solderers, and Brazers (Quick Facts)",
        "https://www.bls.gov/ooh/production/welders-cutters-solderers-and-brazers.htm",
    ),
    OccupationFigure(
        "53-3032.00", "Heavy and Tractor-Trailer Truck Drivers", 26.12, "May 2023",
        "median hourly pay as published", "some_college",
        "Postsecondary nondegree award (truck driving school, CDL); coded some_college, the "
        "nearest learners.highest_education code",
        f"{_OOH}, Heavy and Tractor-trailer Truck Drivers (Quick Facts)",
        "https://www.bls.gov/ooh/transportation-and-material-moving/heavy-and-tractor-trailer-truck-drivers.htm",
    ),
    OccupationFigure(
        "53-7062.00", "Laborers and Freight, Stock, and Material Movers, Hand", 17.36,
        "May 2022", "OEWS national median hourly wage", "less_than_high_school",
        "no formal educational credential ('There are usually no formal educational "
        "requirements'); coded less_than_high_school",
        "BLS OEWS, Occupational Employment and Wages, May 2022, 53-7062 (percentile table); "
        f"{_OOH}, Hand Laborers and Material Movers",
        "http://stats.bls.gov/oes/current/oes537062.htm",
    ),
)  # fmt: skip


def _occupation_figures() -> tuple[Figure, ...]:
    found = []
    for occ in OCCUPATION_FIGURES:
        found.append(
            Figure(
                f"median_wage_{occ.soc}", occ.median_hourly, "USD per hour",
                f"{occ.title}: national median hourly wage, {occ.wage_vintage} "
                f"({occ.wage_basis})",
                occ.source, occ.url, "Quick Facts / Pay section", "published",
                "occupations.median_wage; the centre of outcome and posting wages in the "
                "occupation",
            )
        )  # fmt: skip
        found.append(
            Figure(
                f"typical_education_{occ.soc}", occ.typical_education, "education code",
                f"{occ.title}: typical entry-level education, {occ.education_as_published}",
                occ.source, occ.url, "Quick Facts / How to Become One", "published",
                "occupations.typical_education; how often postings require a bachelor's degree",
            )
        )  # fmt: skip
    return tuple(found)


# -- derived pilot shares -----------------------------------------------------------------------

#: Share of the pilot whose race/ethnicity is not reported (scenario assumption).
RACE_UNKNOWN_SHARE = 0.03
#: Shares of non-binary and not-reported gender (scenario assumption).
GENDER_NONBINARY_SHARE = 0.01
GENDER_UNKNOWN_SHARE = 0.02


def pilot_race_shares() -> dict[str, float]:
    """The pilot's race/ethnicity mix, derived from labour-force and STARs figures.

    BLS counts Hispanic workers in the race groups; the pilot records Hispanic or Latino as
    its own (EEO-1) category, so the Hispanic share is taken out of the White share (where
    most Hispanic workers are classified). Each group's labour-force share is then
    multiplied by the share of that group's workers who are STARs (50% for groups without a
    published rate) and the shares renormalized, so the pilot looks like the STARs
    population rather than the whole labour force; 3% are not reported.

    Examples
    --------
    >>> shares = pilot_race_shares()
    >>> round(sum(shares.values()), 10), round(shares["black"], 3)
    (1.0, 0.146)
    """
    hispanic = LF_HISPANIC.value
    assert isinstance(hispanic, float)
    labour = {
        "hispanic_latino": hispanic,
        "white": 0.767 - hispanic,
        "black": 0.129,
        "asian": 0.07,
        "two_or_more": 0.02,
        "american_indian_alaska_native": 0.01,
        "native_hawaiian_pacific_islander": 0.004,
    }
    rate = {"hispanic_latino": 0.55, "white": 0.50, "black": 0.61}
    tilted = {group: share * rate.get(group, 0.50) for group, share in labour.items()}
    total = sum(tilted.values())
    shares = {group: (1 - RACE_UNKNOWN_SHARE) * value / total for group, value in tilted.items()}
    shares["unknown"] = RACE_UNKNOWN_SHARE
    return shares


def pilot_gender_shares() -> dict[str, float]:
    """Female/male/non-binary/unknown: women are 47% of workers and 50% of them are STARs,
    the same rate as all workers, so women stay 47% of those reporting female or male.

    Examples
    --------
    >>> {k: round(v, 4) for k, v in pilot_gender_shares().items()}
    {'female': 0.4559, 'male': 0.5141, 'nonbinary': 0.01, 'unknown': 0.02}
    """
    reported = 1.0 - GENDER_NONBINARY_SHARE - GENDER_UNKNOWN_SHARE
    female = 0.47 * 0.50 / 0.50
    return {
        "female": reported * female,
        "male": reported * (1.0 - female),
        "nonbinary": GENDER_NONBINARY_SHARE,
        "unknown": GENDER_UNKNOWN_SHARE,
    }


def pilot_veteran_share() -> float:
    """Veterans are 5.2% of the labour force and 61% of them are STARs (50% of all workers),
    so among STARs they are 5.2% x 0.61 / 0.50 = 6.3%.

    Examples
    --------
    >>> round(pilot_veteran_share(), 4)
    0.0634
    """
    return 0.052 * 0.61 / 0.50


_DERIVED = (
    Figure(
        "pilot_race_shares", ", ".join(f"{k} {v:.3f}" for k, v in pilot_race_shares().items()),
        "shares of learners",
        "Pilot race/ethnicity mix: labour-force shares (Hispanic taken out of White) times each "
        "group's STARs rate, renormalized; 3% not reported (assumption)",
        "computed from lf_share_* and stars_rate_*", "", "lerkit/datasets/_synth/_calibration.py",
        "derived", "learners.race_ethnicity",
    ),
    Figure(
        "pilot_gender_shares", ", ".join(f"{k} {v:.3f}" for k, v in pilot_gender_shares().items()),
        "shares of learners",
        "Pilot gender mix: women 47% of those reporting female or male (their STARs rate equals "
        "the overall 50%); 1% non-binary and 2% not reported (assumptions)",
        "computed from lf_share_women and stars_rate_women", "",
        "lerkit/datasets/_synth/_calibration.py", "derived", "learners.gender",
    ),
    Figure(
        "pilot_veteran_share", round(pilot_veteran_share(), 4), "share of learners",
        "Veterans among STARs: 5.2% x 61% / 50%; every military-pathway learner is a veteran "
        "and the rest of the pilot is filled up to this share",
        "computed from lf_share_veterans_2023, stars_rate_veterans, stars_share_workforce", "",
        "lerkit/datasets/_synth/_calibration.py", "derived", "learners.veteran",
    ),
    Figure(
        "division_shares", ", ".join(f"{k} {v:.4f}" for k, v in division_shares().items()),
        "shares of the 2020 resident population",
        "Census division shares of the 2020 resident population (states summed)",
        _CENSUS, _CENSUS_URL, _CENSUS_LOCATOR, "derived",
        "learners.region (the pilot recruits in proportion to population); employers' regions",
    ),
)  # fmt: skip


def figures() -> tuple[Figure, ...]:
    """Every published and derived figure, in README order (assumptions are listed with
    the scenario parameters, see :mod:`lerkit.datasets._synth._scenario`)."""
    return (
        STARS_MILLIONS,
        STARS_SHARE_WORKFORCE,
        *STARS_RATE_FIGURES,
        *LF_RACE_FIGURES,
        LF_HISPANIC,
        LF_OTHER_RACES_SPLIT,
        WOMEN_SHARE,
        VETERAN_SHARE,
        DEGREE_POSTINGS_2017,
        DEGREE_POSTINGS_2021,
        DEGREE_RESET_MIDDLE,
        SBH_LEADERS,
        SBH_IN_NAME_ONLY,
        SBH_BACKSLIDERS,
        *_occupation_figures(),
        *_DERIVED,
    )
