"""Seed data: the 2024 Iraq–US talks on the US-led coalition, as one NPR report tells them.

Everything here rests on ``npr-2024-02-08-us-drone-strike-baghdad.txt`` (beside
this file). Summaries are Parley's own words; statements quote or paraphrase
the report, attributed exactly as it attributes them. Dates are as precise as
the report allows: it is dated Thursday 8 February 2024, so "Wednesday night"
is 7 February, night; "last week" is the week of 29 January; anything said
without a date is "on or before 8 February 2024".

Locators name the paragraph of the report's body (the lead paragraph is 1).
Records are keyed by slug (statements by speaker attribution and text), so
loading twice changes nothing.
"""

import datetime

ARTICLE_FILE = "npr-2024-02-08-us-drone-strike-baghdad.txt"

# The report's date; statements it reports without a date were made on or before it.
REPORT_DAY = datetime.date(2024, 2, 8)
STRIKE_DAY = datetime.date(2024, 2, 7)
LAST_WEEK = datetime.date(2024, 1, 29)  # Monday of the week before the report's week

ON_OR_BEFORE_REPORT = {"date": REPORT_DAY, "precision": "day", "on_or_before": True}
STRIKE_NIGHT = {"date": STRIKE_DAY, "precision": "day", "part_of_day": "night"}
WEEK_BEFORE = {"date": LAST_WEEK, "precision": "week"}

SOURCE = {
    "outlet": "NPR",
    "title": "U.S. drone strike kills a leader of an Iran-backed militia in Iraq",
    "authors": "Jane Arraf, James Hider",
    "contributors": "Tom Bowman",
    "published_on": {"date": REPORT_DAY, "precision": "day"},
    "kind": "news_report",
    "language": "en",
    "notes": (
        "The report gives no web address in the copy Parley holds; "
        "it is cited by outlet, title, authors and date."
    ),
}

ACTORS = [
    {
        "slug": "united-states-government",
        "kind": "government",
        "name": "United States government",
        "short_name": "United States",
        "aliases": "U.S.\nUnited States\nthe U.S. government",
        "country": "US",
        "description": "The US side of the talks on the future of the US-led coalition in Iraq.",
        "cite": "paragraph 11",
    },
    {
        "slug": "us-military",
        "kind": "military_command",
        "name": "United States military",
        "short_name": "US military",
        "aliases": "U.S. military\nAmerican forces\nU.S. forces",
        "country": "US",
        "description": "The US armed forces, which carried out the Baghdad drone strike.",
        "cite": "paragraph 2",
    },
    {
        "slug": "us-central-command",
        "kind": "military_command",
        "name": "US Central Command",
        "short_name": "CENTCOM",
        "aliases": "U.S. Central Command\nCENTCOM",
        "country": "US",
        "description": "The US military command that announced the Baghdad strike on X.",
        "cite": "paragraph 2",
    },
    {
        "slug": "pentagon",
        "kind": "government_body",
        "name": "The Pentagon",
        "short_name": "Pentagon",
        "aliases": "Pentagon",
        "country": "US",
        "description": "The US defence headquarters, which reported the Baghdad strike's result.",
        "cite": "paragraph 1",
    },
    {
        "slug": "us-led-coalition-in-iraq",
        "kind": "coalition",
        "name": "US-led coalition in Iraq",
        "short_name": "US-led coalition",
        "aliases": "U.S.-led coalition",
        "country": "",
        "description": "The coalition whose future the talks decide; it includes US troops.",
        "cite": "paragraph 11",
    },
    {
        "slug": "government-of-iraq",
        "kind": "government",
        "name": "Government of Iraq",
        "short_name": "Iraq",
        "aliases": "Iraq\nIraqi government",
        "country": "IQ",
        "description": "The Iraqi side of the talks on the future of the US-led coalition.",
        "cite": "paragraph 11",
    },
    {
        "slug": "iraqi-military-command",
        "kind": "military_command",
        "name": "Iraqi military command",
        "short_name": "Iraqi military",
        "aliases": "Iraqi military",
        "country": "IQ",
        "description": "The Iraqi command that said it was investigating a deadly attack on a car.",
        "cite": "paragraph 3",
    },
    {
        "slug": "iraqi-interior-ministry",
        "kind": "government_body",
        "name": "Iraqi Interior Ministry",
        "short_name": "Interior Ministry",
        "aliases": "Interior Ministry\nMinistry of Interior",
        "country": "IQ",
        "description": "An official of the ministry verified video of the burning car.",
        "cite": "paragraph 3",
    },
    {
        "slug": "security-officials-in-baghdad",
        "kind": "group",
        "name": "Security officials in Baghdad",
        "short_name": "Baghdad security officials",
        "aliases": "",
        "country": "IQ",
        "description": "The officials who closed streets near the US Embassy after the strike.",
        "cite": "paragraph 9",
    },
    {
        "slug": "kataib-hezbollah",
        "kind": "armed_group",
        "name": "Kata'ib Hezbollah",
        "short_name": "Kata'ib Hezbollah",
        "native_name": "كتائب حزب الله",
        "native_language": "ar",
        "aliases": "Kataib Hezbollah\nKata'ib Hizballah\nKH\nHezbollah Brigades",
        "country": "IQ",
        "description": (
            "An Iran-backed Iraqi militia. A commander of the group was killed in the "
            "US drone strike in Baghdad on 7 February 2024."
        ),
        "cite": "paragraph 2",
    },
    {
        "slug": "iraqi-militias-in-government-forces",
        "kind": "armed_group",
        "name": "Iraqi militias in the government forces",
        "short_name": "Iraqi militias",
        "aliases": "Iraq's militias",
        "country": "IQ",
        "description": (
            "Iraq's militias that are now part of the Iraqi government forces; one of "
            "their Telegram channels announced the commander's death."
        ),
        "cite": "paragraph 5",
    },
    {
        "slug": "iran",
        "kind": "state",
        "name": "Iran",
        "short_name": "Iran",
        "aliases": "Islamic Republic of Iran",
        "country": "IR",
        "wikidata_id": "Q794",
        "description": "Backs the militia whose commander was killed.",
        "cite": "paragraph 1",
    },
    {
        "slug": "islamic-state",
        "kind": "armed_group",
        "name": "Islamic State group",
        "short_name": "ISIS",
        "aliases": "ISIS\nIslamic State",
        "country": "",
        "description": "The group the US says its presence helps keep from resurfacing.",
        "cite": "paragraph 12",
    },
    {
        "slug": "iraqi-members-of-parliament",
        "kind": "parliament_bloc",
        "name": "Iraqi members of parliament",
        "short_name": "Iraqi MPs",
        "aliases": "members of Iraq's parliament",
        "country": "IQ",
        "description": "Some members of Iraq's parliament, not named in the report.",
        "cite": "paragraph 10",
    },
    {
        "slug": "iraqi-militia-and-political-leaders",
        "kind": "group",
        "name": "Iraqi militia and political leaders",
        "short_name": "Militia and political leaders",
        "aliases": "militia and political leaders",
        "country": "IQ",
        "description": "Leaders of militias and of political groups, not named in the report.",
        "cite": "paragraph 12",
    },
]

RELATIONSHIPS = [
    (
        "kataib-hezbollah",
        "backed_by",
        "iran",
        "paragraph 1",
        "The report calls it an Iran-backed militia.",
    ),
    (
        "kataib-hezbollah",
        "hostile_to",
        "us-military",
        "paragraph 8",
        "The group has claimed responsibility for numerous attacks on US forces in Iraq.",
    ),
    (
        "iraqi-militias-in-government-forces",
        "part_of",
        "government-of-iraq",
        "paragraph 5",
        "The report describes these militias as now part of Iraqi government forces.",
    ),
    ("us-central-command", "part_of", "us-military", "paragraph 2", ""),
    ("pentagon", "part_of", "united-states-government", "paragraph 1", ""),
    ("us-military", "part_of", "united-states-government", "paragraph 2", ""),
    ("iraqi-military-command", "part_of", "government-of-iraq", "paragraph 3", ""),
    ("iraqi-interior-ministry", "part_of", "government-of-iraq", "paragraph 3", ""),
    (
        "us-military",
        "member_of",
        "us-led-coalition-in-iraq",
        "paragraph 11",
        "The coalition includes roughly 2,500 US troops.",
    ),
]

NEGOTIATION = {
    "slug": "iraq-us-coalition-talks-2024",
    "title": "Iraq–United States talks on the future of the US-led coalition",
    "summary": (
        "Iraq and the United States are negotiating what becomes of the US-led "
        "coalition in Iraq, which counts roughly 2,500 US troops. Washington wants "
        "to keep a smaller presence to stop the Islamic State group from returning; "
        "Iraqi lawmakers and militia leaders press for US forces to go, and the talks "
        "run alongside attacks by Iran-backed militias and US strikes in response."
    ),
    "state": "ongoing",
    "start_on": ON_OR_BEFORE_REPORT,
    "cite": "paragraph 11",
    "participants": [
        ("united-states-government", "party", "One of the two negotiating governments."),
        ("government-of-iraq", "party", "One of the two negotiating governments."),
        ("us-led-coalition-in-iraq", "stakeholder", "Its future is the subject of the talks."),
        ("iraqi-members-of-parliament", "stakeholder", "Some call for US forces to leave."),
        (
            "iraqi-militia-and-political-leaders",
            "stakeholder",
            "Dispute what the US mission is for.",
        ),
        ("kataib-hezbollah", "stakeholder", "Militia that has attacked US forces."),
    ],
}

KEY_FIGURES = [
    {
        "label": "US troops in the US-led coalition in Iraq",
        "value": 2500,
        "unit": "US troops",
        "qualifier": "roughly",
        "as_of": {"date": REPORT_DAY, "precision": "day"},
        "cite": "paragraph 11",
    }
]

TOPICS = [
    {
        "slug": "us-forces-stay",
        "title": "US forces stay",
        "question": "Should US forces stay in Iraq?",
        "description": "Whether US troops remain in Iraq at all once the talks conclude.",
        "order": 1,
        "cite": "paragraph 10",
    },
    {
        "slug": "size-of-us-presence",
        "title": "Smaller US presence",
        "question": "Should a continuing US presence be smaller than today's?",
        "description": "How many US troops, if any stay, should remain of the roughly 2,500.",
        "order": 2,
        "cite": "paragraph 12",
    },
    {
        "slug": "purpose-of-us-mission",
        "title": "Mission against ISIS",
        "question": "Is the US mission in Iraq about fighting ISIS, rather than the conflict with Iran?",
        "description": (
            "Whether US forces are there to help keep the Islamic State group from "
            "resurfacing, or have turned to the US conflict with Iran."
        ),
        "order": 3,
        "cite": "paragraph 12",
    },
]

STATEMENT_COMMON = {"negotiation": True}

STATEMENTS = [
    {
        "key": "pentagon-strike-killed-leader",
        "speaker": "pentagon",
        "attribution": "the Pentagon",
        "attribution_kind": "official_channel",
        "kind": "announcement",
        "form": "paraphrase",
        "text": (
            "A U.S. drone strike in Baghdad killed at least one leader of an "
            "Iran-backed militia on Wednesday."
        ),
        "channel": "news_report",
        "stated_on": ON_OR_BEFORE_REPORT,
        "verification": "confirmed",
        "verification_note": (
            "A Telegram channel of Iraq's militias also announced that a commander had been killed."
        ),
        "event": "us-drone-strike-al-mashtal-2024",
        "topics": [],
        "cite": "paragraph 1",
    },
    {
        "key": "centcom-unilateral-strike",
        "speaker": "us-central-command",
        "attribution": "U.S. Central Command, in a statement on X",
        "attribution_kind": "official_channel",
        "kind": "claim",
        "form": "quote",
        "text": (
            "conducted a unilateral strike in Iraq in response to the attacks on U.S. "
            "service members, killing a Kata'ib Hezbollah commander responsible for "
            "directly planning and participating in attacks on U.S. forces in the region"
        ),
        "channel": "x",
        "stated_on": ON_OR_BEFORE_REPORT,
        "verification": "confirmed",
        "verification_note": (
            "A Telegram channel of Iraq's militias also announced that a commander had been killed."
        ),
        "event": "us-drone-strike-al-mashtal-2024",
        "topics": ["purpose-of-us-mission"],
        "cite": "paragraph 2",
    },
    {
        "key": "iraqi-military-investigating-car",
        "speaker": "iraqi-military-command",
        "attribution": "The Iraqi military command",
        "attribution_kind": "official_channel",
        "kind": "account",
        "form": "paraphrase",
        "text": (
            "It was investigating an attack on a civilian car that killed the passengers inside."
        ),
        "channel": "news_report",
        "stated_on": ON_OR_BEFORE_REPORT,
        "verification": "reported",
        "verification_note": "Reported by NPR; the US military said it saw no sign of civilian casualties.",
        "event": "us-drone-strike-al-mashtal-2024",
        "topics": [],
        "cite": "paragraph 3",
    },
    {
        "key": "interior-ministry-video",
        "speaker": "iraqi-interior-ministry",
        "attribution": "an Iraqi Interior Ministry official, who verified the video",
        "attribution_kind": "anonymous",
        "kind": "account",
        "form": "paraphrase",
        "text": "Video showed an SUV engulfed in flames but with the frame still intact.",
        "channel": "other",
        "stated_on": ON_OR_BEFORE_REPORT,
        "verification": "reported",
        "verification_note": "NPR reports that an Iraqi Interior Ministry official verified the video.",
        "event": "us-drone-strike-al-mashtal-2024",
        "topics": [],
        "cite": "paragraph 3",
    },
    {
        "key": "us-military-no-civilian-casualties",
        "speaker": "us-military",
        "attribution": "The U.S. military",
        "attribution_kind": "official_channel",
        "kind": "assessment",
        "form": "quote",
        "text": "There are no indications of collateral damage or civilian casualties at this time.",
        "channel": "news_report",
        "stated_on": ON_OR_BEFORE_REPORT,
        "verification": "disputed",
        "verification_note": (
            "The Iraqi military command said it was investigating an attack on a civilian "
            "car that killed its passengers."
        ),
        "event": "us-drone-strike-al-mashtal-2024",
        "topics": [],
        "cite": "paragraph 4",
    },
    {
        "key": "militia-telegram-commander-killed",
        "speaker": "iraqi-militias-in-government-forces",
        "attribution": (
            "A Telegram channel used by Iraq's militias that are now part of Iraqi government forces"
        ),
        "attribution_kind": "official_channel",
        "kind": "announcement",
        "form": "paraphrase",
        "text": "A commander had been killed.",
        "channel": "telegram",
        "stated_on": ON_OR_BEFORE_REPORT,
        "verification": "reported",
        "verification_note": "",
        "event": "us-drone-strike-al-mashtal-2024",
        "topics": [],
        "cite": "paragraph 5",
    },
    {
        "key": "former-official-r9x",
        "speaker": None,
        "attribution": (
            "A former senior U.S. military official, speaking on condition of anonymity"
        ),
        "attribution_kind": "anonymous",
        "kind": "assessment",
        "form": "paraphrase",
        "text": (
            "The strike appeared to have used a version of the Hellfire missile called an "
            "R9X with an inert rather than explosive warhead, used in U.S. counterterrorism "
            "strikes to limit wider impact."
        ),
        "channel": "interview",
        "stated_on": ON_OR_BEFORE_REPORT,
        "verification": "unverified",
        "verification_note": "An anonymous assessment; no other account in the report.",
        "event": "us-drone-strike-al-mashtal-2024",
        "topics": [],
        "cite": "paragraph 7",
    },
    {
        "key": "kataib-hezbollah-claims-attacks",
        "speaker": "kataib-hezbollah",
        "attribution": "Kataib Hezbollah",
        "attribution_kind": "named",
        "kind": "claim",
        "form": "paraphrase",
        "text": "Claimed responsibility for numerous attacks on U.S. forces in Iraq.",
        "channel": "news_report",
        "stated_on": ON_OR_BEFORE_REPORT,
        "verification": "reported",
        "verification_note": "",
        "event": None,
        "topics": ["us-forces-stay"],
        "cite": "paragraph 8",
    },
    {
        "key": "kataib-hezbollah-stops-targeting",
        "speaker": "kataib-hezbollah",
        "attribution": "Kataib Hezbollah",
        "attribution_kind": "named",
        "kind": "pledge",
        "form": "paraphrase",
        "text": "It would no longer target U.S. troops.",
        "channel": "news_report",
        "stated_on": WEEK_BEFORE,
        "verification": "reported",
        "verification_note": "",
        "event": None,
        "topics": ["us-forces-stay"],
        "cite": "paragraph 8",
    },
    {
        "key": "mps-demand-us-leave",
        "speaker": "iraqi-members-of-parliament",
        "attribution": "Some Iraqi members of parliament",
        "attribution_kind": "collective",
        "kind": "demand",
        "form": "paraphrase",
        "text": (
            "The strike provided even more reason to demand that U.S. forces leave the country."
        ),
        "channel": "news_report",
        "stated_on": ON_OR_BEFORE_REPORT,
        "verification": "reported",
        "verification_note": "",
        "event": "us-drone-strike-al-mashtal-2024",
        "topics": ["us-forces-stay"],
        "cite": "paragraph 10",
    },
    {
        "key": "us-wants-smaller-presence",
        "speaker": "united-states-government",
        "attribution": "The United States",
        "attribution_kind": "named",
        "kind": "demand",
        "form": "paraphrase",
        "text": (
            "The United States would like to maintain a presence, although a smaller one, "
            "to help keep the Islamic State group from resurfacing."
        ),
        "channel": "news_report",
        "stated_on": ON_OR_BEFORE_REPORT,
        "verification": "reported",
        "verification_note": "",
        "event": None,
        "topics": ["us-forces-stay", "size-of-us-presence", "purpose-of-us-mission"],
        "cite": "paragraph 12",
    },
    {
        "key": "leaders-mission-moved-to-iran",
        "speaker": "iraqi-militia-and-political-leaders",
        "attribution": "Militia and political leaders",
        "attribution_kind": "collective",
        "kind": "assessment",
        "form": "paraphrase",
        "text": (
            "The U.S. mission has moved beyond helping the Iraqis fight ISIS to focus on "
            "its conflict with Iran."
        ),
        "channel": "news_report",
        "stated_on": ON_OR_BEFORE_REPORT,
        "verification": "disputed",
        "verification_note": "The United States says its presence is to keep the Islamic State group from resurfacing.",
        "event": None,
        "topics": ["purpose-of-us-mission"],
        "cite": "paragraph 12",
    },
]

EVENTS = [
    {
        "slug": "us-drone-strike-al-mashtal-2024",
        "title": "US drone strike in al-Mashtal, east Baghdad",
        "kind": "strike",
        "occurred_on": STRIKE_NIGHT,
        "summary": (
            "A US drone hit a crowded commercial and residential neighbourhood of east "
            "Baghdad that also houses an office of Kata'ib Hezbollah, killing a commander of "
            "the militia; blasts were heard miles away. The US said it had no sign of harm "
            "to civilians, while the Iraqi military said it was investigating a deadly "
            "attack on a civilian car."
        ),
        "place_name": "al-Mashtal",
        "district": "east Baghdad",
        "city": "Baghdad",
        "country": "IQ",
        "roles": [
            ("us-military", "perpetrator", "Carried out the drone strike."),
            ("us-central-command", "claimant", "Announced the strike on X."),
            ("kataib-hezbollah", "target", "A commander of the group was killed."),
            (
                "iraqi-military-command",
                "investigator",
                "Investigating an attack on a civilian car.",
            ),
        ],
        "cite": "paragraph 6",
    },
    {
        "slug": "us-strikes-militia-sites-iraq-syria-2024",
        "title": "US warplanes strike militia sites in Iraq and Syria",
        "kind": "strike",
        "occurred_on": WEEK_BEFORE,
        "summary": (
            "American warplanes hit militia sites in both Iraq and Syria, shortly after "
            "Kata'ib Hezbollah said it would stop targeting US troops."
        ),
        "place_name": "Militia sites in Iraq and Syria",
        "district": "",
        "city": "",
        "country": "",
        "roles": [("us-military", "perpetrator", "American warplanes carried out the strikes.")],
        "cite": "paragraph 8",
    },
    {
        "slug": "streets-blocked-near-us-embassy-2024",
        "title": "Streets blocked near the US Embassy in Baghdad",
        "kind": "security_measure",
        "occurred_on": ON_OR_BEFORE_REPORT,
        "summary": (
            "Expecting protests against the US after the strike, security officials in "
            "Baghdad closed streets around the heavily guarded US Embassy."
        ),
        "place_name": "Near the US Embassy",
        "district": "",
        "city": "Baghdad",
        "country": "IQ",
        "roles": [("security-officials-in-baghdad", "responder", "Blocked the streets.")],
        "cite": "paragraph 9",
    },
]

POSITIONS = [
    {
        "actor": "kataib-hezbollah",
        "topic": "us-forces-stay",
        "stance": "opposes",
        "basis": "inferred",
        "as_of": WEEK_BEFORE,
        "summary": (
            "Kata'ib Hezbollah has claimed many attacks on US forces in Iraq. In the week "
            "before the strike it said it would stop targeting US troops; editors read its "
            "record as opposition to US forces staying, which the report does not quote it "
            "saying outright."
        ),
        "evidence": ["kataib-hezbollah-claims-attacks", "kataib-hezbollah-stops-targeting"],
        "cite": "paragraph 8",
    },
    {
        "actor": "united-states-government",
        "topic": "us-forces-stay",
        "stance": "supports",
        "basis": "stated",
        "as_of": ON_OR_BEFORE_REPORT,
        "summary": "The United States wants to keep forces in Iraq.",
        "evidence": ["us-wants-smaller-presence"],
        "cite": "paragraph 12",
    },
    {
        "actor": "united-states-government",
        "topic": "size-of-us-presence",
        "stance": "supports",
        "basis": "stated",
        "as_of": ON_OR_BEFORE_REPORT,
        "summary": "The United States would accept a presence smaller than today's.",
        "evidence": ["us-wants-smaller-presence"],
        "cite": "paragraph 12",
    },
    {
        "actor": "united-states-government",
        "topic": "purpose-of-us-mission",
        "stance": "supports",
        "basis": "stated",
        "as_of": ON_OR_BEFORE_REPORT,
        "summary": "The United States says its presence is to stop the Islamic State group from resurfacing.",
        "evidence": ["us-wants-smaller-presence"],
        "cite": "paragraph 12",
    },
    {
        "actor": "iraqi-members-of-parliament",
        "topic": "us-forces-stay",
        "stance": "opposes",
        "basis": "stated",
        "as_of": ON_OR_BEFORE_REPORT,
        "summary": "Some Iraqi lawmakers say the strike adds to the case for US forces to leave.",
        "evidence": ["mps-demand-us-leave"],
        "cite": "paragraph 10",
    },
    {
        "actor": "iraqi-militia-and-political-leaders",
        "topic": "purpose-of-us-mission",
        "stance": "opposes",
        "basis": "stated",
        "as_of": ON_OR_BEFORE_REPORT,
        "summary": (
            "Militia and political leaders say the US mission is no longer about fighting "
            "ISIS but about the US conflict with Iran."
        ),
        "evidence": ["leaders-mission-moved-to-iran"],
        "cite": "paragraph 12",
    },
]

MILESTONES = [
    {
        "slug": "iraq-us-negotiations-begin-2024",
        "title": "Iraq and the United States begin negotiations",
        "kind": "round",
        "state": "held",
        "held_on": ON_OR_BEFORE_REPORT,
        "outcome": (
            "The negotiations on the coalition's future had begun by the time of the report; "
            "it gives no date for their start."
        ),
        "statements": ["us-wants-smaller-presence"],
        "events": [],
        "cite": "paragraph 11",
    }
]
