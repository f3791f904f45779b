"""A large, realistic, deterministic dataset for measuring Parley at scale.

``generate(statements=200_000, seed=1)`` fills an empty database with about
50 talks, 2,000 actors and 500 topics at 200,000 statements, and every other
kind of record in proportion: participations, relationships, key figures,
position histories with their evidence, events with the actors' roles, every
statement's accounts and topics, milestones, sources and the citations behind
every kind of record, and a few corrections. Smaller or larger runs scale each
count with the number of statements (with a floor, so a tiny run still has a
bit of everything).

How it stays fast and repeatable:

- one ``random.Random(seed)`` draws everything in a fixed order, and every row
  gets an explicit primary key, so the same arguments give the same rows;
- rows are written with ``bulk_create`` in batches, in one transaction;
- ``bulk_create`` skips ``save()``, so dates are normalised here to the start
  of their period (``tracker.dates.period_start``) and a part of the day is
  only ever set on a date known to the day, exactly as ``save()`` would;
- ``bulk_create`` sends no signals either: the search index is rebuilt once at
  the end (``tracker.search.rebuild``) and the publication stamp is bumped.

Generated rows deliberately get no history rows: history records who changed
what in the admin, and generated data has no editor and no changes; writing
200,000 "created" history rows would double the time and the database size
and tell a reader nothing.

Most records are published; a realistic share are drafts or in review (and a
few statements and sources have been retracted), so every public surface has
something to leave out.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import random
import time
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils.text import slugify

from tracker.dates import PartOfDay, PreciseDate, Precision, period_start
from tracker.links import url_builder
from tracker.models import (
    Actor,
    ActorKind,
    AttributionKind,
    Channel,
    Citation,
    Correction,
    CorrectionKind,
    Event,
    EventKind,
    EventRole,
    EventRoleKind,
    Form,
    KeyFigure,
    Milestone,
    MilestoneKind,
    MilestoneState,
    Negotiation,
    NegotiationState,
    Participation,
    ParticipationRole,
    Position,
    PositionBasis,
    Relationship,
    RelationshipKind,
    SearchDocument,
    SearchKind,
    Source,
    SourceKind,
    Stance,
    Statement,
    StatementKind,
    Status,
    Topic,
    Verification,
)

BATCH = 5000
# Every generated date lies between these; "today" for the data is fixed, so
# the same seed gives the same rows whatever day it runs.
FIRST_DAY = datetime.date(2012, 1, 1)
DATA_TODAY = datetime.date(2026, 10, 31)
DATA_NOON = datetime.datetime.combine(DATA_TODAY, datetime.time(12), tzinfo=datetime.UTC)
REFERENCE_SCALE = 200_000


# ---------------------------------------------------------------------------
# Vocabulary: enough variety that pages, search and charts look like real use.

COUNTRIES = [
    ("IQ", "Iraq", "Iraqi", "ar"),
    ("US", "United States", "US", "en"),
    ("IR", "Iran", "Iranian", "fa"),
    ("SY", "Syria", "Syrian", "ar"),
    ("TR", "Turkey", "Turkish", "tr"),
    ("SA", "Saudi Arabia", "Saudi", "ar"),
    ("YE", "Yemen", "Yemeni", "ar"),
    ("LB", "Lebanon", "Lebanese", "ar"),
    ("IL", "Israel", "Israeli", "he"),
    ("PS", "Palestine", "Palestinian", "ar"),
    ("EG", "Egypt", "Egyptian", "ar"),
    ("QA", "Qatar", "Qatari", "ar"),
    ("JO", "Jordan", "Jordanian", "ar"),
    ("AE", "United Arab Emirates", "Emirati", "ar"),
    ("OM", "Oman", "Omani", "ar"),
    ("SD", "Sudan", "Sudanese", "ar"),
    ("SS", "South Sudan", "South Sudanese", "en"),
    ("ET", "Ethiopia", "Ethiopian", "am"),
    ("ER", "Eritrea", "Eritrean", "ti"),
    ("LY", "Libya", "Libyan", "ar"),
    ("DZ", "Algeria", "Algerian", "ar"),
    ("MA", "Morocco", "Moroccan", "ar"),
    ("ML", "Mali", "Malian", "fr"),
    ("NE", "Niger", "Nigerien", "fr"),
    ("CD", "DR Congo", "Congolese", "fr"),
    ("RW", "Rwanda", "Rwandan", "rw"),
    ("SO", "Somalia", "Somali", "so"),
    ("KE", "Kenya", "Kenyan", "sw"),
    ("AF", "Afghanistan", "Afghan", "ps"),
    ("PK", "Pakistan", "Pakistani", "ur"),
    ("IN", "India", "Indian", "hi"),
    ("AM", "Armenia", "Armenian", "hy"),
    ("AZ", "Azerbaijan", "Azerbaijani", "az"),
    ("GE", "Georgia", "Georgian", "ka"),
    ("UA", "Ukraine", "Ukrainian", "uk"),
    ("RU", "Russia", "Russian", "ru"),
    ("RS", "Serbia", "Serbian", "sr"),
    ("XK", "Kosovo", "Kosovar", "sq"),
    ("CO", "Colombia", "Colombian", "es"),
    ("VE", "Venezuela", "Venezuelan", "es"),
    ("KP", "North Korea", "North Korean", "ko"),
    ("KR", "South Korea", "South Korean", "ko"),
    ("CY", "Cyprus", "Cypriot", "el"),
    ("GB", "United Kingdom", "British", "en"),
    ("FR", "France", "French", "fr"),
]
COUNTRY_NAMES = {code: name for code, name, _, _ in COUNTRIES}
ORGANISATIONS = [
    ("United Nations", "UN"),
    ("African Union", "AU"),
    ("European Union", "EU"),
    ("Arab League", "Arab League"),
    ("Organisation of Islamic Cooperation", "OIC"),
    ("Intergovernmental Authority on Development", "IGAD"),
    ("Organization for Security and Co-operation in Europe", "OSCE"),
    ("International Committee of the Red Cross", "ICRC"),
    ("Gulf Cooperation Council", "GCC"),
    ("Economic Community of West African States", "ECOWAS"),
    ("NATO", "NATO"),
    ("International Atomic Energy Agency", "IAEA"),
]
FIRST_NAMES = [
    "Ahmed",
    "Mohammed",
    "Ali",
    "Hassan",
    "Fuad",
    "Nouri",
    "Sara",
    "Layla",
    "Omar",
    "Yusuf",
    "Fatima",
    "Karim",
    "Rania",
    "Samir",
    "Hadi",
    "Mariam",
    "Tariq",
    "Zainab",
    "Khalid",
    "Huda",
    "John",
    "Lloyd",
    "Antony",
    "Linda",
    "Michael",
    "Patrick",
    "Karen",
    "Robert",
    "Emily",
    "Daniel",
    "Abiy",
    "Selam",
    "Dawit",
    "Amina",
    "Ibrahim",
    "Aisha",
    "Ruslan",
    "Elena",
    "Giorgi",
    "Nino",
    "Ilham",
    "Nikol",
    "Ana",
    "Carlos",
    "Lucia",
    "Andrés",
    "Min-jun",
    "Ji-woo",
    "Farid",
    "Nadia",
]
LAST_NAMES = [
    "al-Sudani",
    "Hussein",
    "al-Hakim",
    "al-Amiri",
    "Barzani",
    "Talabani",
    "al-Maliki",
    "Rasool",
    "al-Khazali",
    "Muhandis",
    "Austin",
    "Blinken",
    "Ryder",
    "Kirby",
    "Miller",
    "Thomas-Greenfield",
    "Haddad",
    "Nasrallah",
    "Mansour",
    "Farouk",
    "Saleh",
    "Abdullah",
    "Haile",
    "Tesfaye",
    "Gebremedhin",
    "Mohamud",
    "Odinga",
    "Kagame",
    "Tshisekedi",
    "Aliyev",
    "Pashinyan",
    "Petrov",
    "Kovalenko",
    "Garcia",
    "Rodríguez",
    "Moreno",
    "Kim",
    "Park",
    "Lee",
    "Dupont",
    "Martin",
    "Wright",
    "Khan",
    "Sharif",
    "Rahimi",
    "Yilmaz",
    "Demir",
]
ARABIC_NAMES = {
    "Ahmed": "أحمد",
    "Mohammed": "محمد",
    "Ali": "علي",
    "Hassan": "حسن",
    "Fuad": "فؤاد",
    "Nouri": "نوري",
    "Sara": "سارة",
    "Layla": "ليلى",
    "Omar": "عمر",
    "Yusuf": "يوسف",
    "Fatima": "فاطمة",
    "Karim": "كريم",
    "Khalid": "خالد",
    "Huda": "هدى",
    "Zainab": "زينب",
    "al-Sudani": "السوداني",
    "Hussein": "حسين",
    "al-Hakim": "الحكيم",
    "al-Amiri": "العامري",
    "al-Maliki": "المالكي",
    "Haddad": "حداد",
    "Mansour": "منصور",
    "Saleh": "صالح",
    "Abdullah": "عبدالله",
    "Farouk": "فاروق",
}
BODIES = [
    "Ministry of Foreign Affairs",
    "Ministry of Defence",
    "Prime Minister's Office",
    "Presidency",
    "National Security Council",
    "Ministry of Interior",
    "Joint Operations Command",
    "Foreign Affairs Committee",
    "Central Bank",
    "Ministry of Oil",
    "Ministry of Water Resources",
    "Office of the National Security Adviser",
]
COMMANDS = [
    "Central Command",
    "Joint Task Force",
    "Army General Staff",
    "Counter-Terrorism Service",
    "Border Guard Command",
    "Air Defence Command",
    "Naval Forces Command",
    "Special Forces",
]
GROUP_WORDS = [
    "Brigades",
    "Movement",
    "Resistance Front",
    "Popular Mobilization",
    "Liberation Army",
    "Defence Units",
    "Forces",
    "Front",
    "Islamic Resistance",
    "Revolutionary Council",
]
GROUP_NAMES = [
    "Hezbollah",
    "al-Nujaba",
    "Sayyid al-Shuhada",
    "al-Asaib",
    "Tawhid",
    "Jaysh al-Watani",
    "Ansar",
    "al-Fatah",
    "Sovereignty",
    "Homeland",
    "Dawn",
    "Unity",
    "Martyrs",
    "Badr",
    "Imam Ali",
    "Northern",
    "Southern",
    "Eastern",
    "Free",
    "National",
]
PARTY_WORDS = ["Alliance", "Coalition", "Party", "Bloc", "Movement", "Current", "Front"]
PARTY_NAMES = [
    "State of Law",
    "National Wisdom",
    "Progress",
    "Sovereignty",
    "Renewal",
    "Unity",
    "Reform",
    "Democratic",
    "Patriotic",
    "Fatah",
    "Construction",
    "Dignity",
    "Justice",
    "Liberal",
]
TALKS_SUBJECTS = [
    ("talks on the future of foreign forces", "forces"),
    ("ceasefire talks", "ceasefire"),
    ("security agreement negotiations", "security"),
    ("water-sharing talks", "water"),
    ("border demarcation talks", "border"),
    ("prisoner exchange talks", "prisoners"),
    ("nuclear talks", "nuclear"),
    ("peace process", "peace"),
    ("normalisation talks", "normalisation"),
    ("trade and transit negotiations", "trade"),
]
TOPIC_QUESTIONS = [
    ("Foreign troop withdrawal", "Should {b} forces leave {a} by a fixed date?"),
    ("Timetable", "Should the talks agree a timetable before the next round?"),
    ("Ceasefire first", "Should a ceasefire take effect before a final deal is signed?"),
    ("Monitors", "Should international monitors verify that the terms are kept?"),
    ("Prisoners", "Should all prisoners be exchanged in one step?"),
    ("Sanctions", "Should sanctions on {a} be lifted as part of a deal?"),
    ("Border line", "Should the border follow the line of the last agreement?"),
    ("Armed groups", "Should armed groups be brought under state command?"),
    ("Reconstruction", "Should {b} fund reconstruction in {a}?"),
    ("Advisers", "Should military advisers stay after combat forces leave?"),
    ("Airspace", "Should {a} control its own airspace?"),
    ("Water quota", "Should each side get a fixed share of the river's water?"),
    ("Refugee return", "Should refugees return before elections are held?"),
    ("Bases", "Should {b} keep bases in {a}?"),
    ("Guarantors", "Should outside powers guarantee the agreement?"),
    ("Elections", "Should elections be held within a year of a deal?"),
    ("Amnesty", "Should fighters be granted an amnesty?"),
    ("Inspections", "Should inspectors have access to every site?"),
    ("Humanitarian access", "Should aid convoys cross the front line freely?"),
    ("Revenue sharing", "Should oil revenue be shared by a fixed formula?"),
    ("Parliament vote", "Should parliament approve the deal before it takes effect?"),
    ("Bilateral relationship", "Should a bilateral partnership replace the coalition?"),
]
KEY_FIGURES = [
    ("{b} troops in {a}", "troops", Decimal(2500)),
    ("People displaced", "people", Decimal(120000)),
    ("Prisoners held", "prisoners", Decimal(900)),
    ("Attacks on {b} forces since the talks began", "attacks", Decimal(160)),
    ("Aid pledged", "US dollars", Decimal(350000000)),
]
PLACES = [
    ("al-Mashtal", "east Baghdad", "Baghdad", "IQ", 33.33, 44.46),
    ("Green Zone", "Karkh", "Baghdad", "IQ", 33.30, 44.39),
    ("Ain al-Asad air base", "", "Anbar", "IQ", 33.80, 42.44),
    ("Erbil airport", "", "Erbil", "IQ", 36.24, 43.96),
    ("Tower 22", "", "Rukban", "JO", 33.31, 38.71),
    ("Old City", "", "Jerusalem", "IL", 31.78, 35.23),
    ("Port", "", "Hodeidah", "YE", 14.80, 42.95),
    ("Airport road", "", "Khartoum", "SD", 15.59, 32.55),
    ("Market", "", "El Fasher", "SD", 13.63, 25.35),
    ("Border crossing", "", "Rafah", "EG", 31.28, 34.25),
    ("Lachin corridor", "", "Lachin", "AZ", 39.64, 46.55),
    ("Presidential palace", "", "Tripoli", "LY", 32.89, 13.19),
    ("Parliament", "", "Mogadishu", "SO", 2.04, 45.34),
    ("Town hall", "", "Goma", "CD", -1.68, 29.22),
    ("Harbour", "", "Aden", "YE", 12.79, 45.03),
    ("Checkpoint", "", "Deir ez-Zor", "SY", 35.33, 40.14),
]
OUTLETS = [
    "NPR",
    "Reuters",
    "Associated Press",
    "Agence France-Presse",
    "BBC News",
    "Al Jazeera",
    "The New York Times",
    "The Washington Post",
    "The Guardian",
    "Al-Monitor",
    "Rudaw",
    "Shafaq News",
    "The National",
    "Asharq Al-Awsat",
    "Kurdistan 24",
    "Deutsche Welle",
    "Financial Times",
    "Le Monde",
    "Sudan Tribune",
    "Addis Standard",
    "Hürriyet Daily News",
    "Times of Israel",
    "L'Orient-Le Jour",
    "Iraqi News Agency",
    "Foreign Ministry website",
]
OFFICIAL_OUTLETS = ["Foreign Ministry website", "Iraqi News Agency"]
VERBS = {
    StatementKind.ACCOUNT: ["said", "described how", "told reporters that", "recounted that"],
    StatementKind.DEMAND: ["demanded that", "called for", "insisted that", "urged that"],
    StatementKind.PLEDGE: ["pledged that", "promised that", "vowed that", "committed to ensure"],
    StatementKind.CLAIM_OF_RESPONSIBILITY: ["claimed responsibility, saying", "said its fighters"],
    StatementKind.DENIAL: ["denied that", "rejected reports that", "dismissed claims that"],
    StatementKind.ANNOUNCEMENT: ["announced that", "said in a statement that", "declared that"],
    StatementKind.ASSESSMENT: ["assessed that", "warned that", "said it believed that"],
}
CLAUSES = [
    "the next round of talks would take place in {city} within weeks",
    "{b} forces would begin a phased drawdown once the committees finish their work",
    "no agreement could be reached while attacks on {b} positions continued",
    "the strike near {place} killed a commander and two of his companions",
    "there were no indications of collateral damage or civilian casualties",
    "a civilian car was hit and its passengers were killed",
    "the talks on {topic} had made real progress",
    "the government would not accept any timetable imposed from outside",
    "the ceasefire had been broken several times overnight",
    "monitors should be deployed along the line of contact",
    "prisoners would be exchanged in stages, starting with the wounded",
    "any deal must be approved by parliament before it takes effect",
    "its fighters would suspend operations to avoid embarrassing the government",
    "the presence of foreign forces had become a source of instability",
    "the working groups had agreed on most of the technical questions",
    "sanctions relief would only follow verified steps",
    "reconstruction funds would be released once the security situation allowed",
    "the border committee would meet again after the holidays",
    "the delegation had walked out over the question of {topic}",
    "the partnership would become a bilateral security relationship",
]
TAILS = [
    "",
    "",
    "",
    " The talks continue.",
    " Officials gave no further details.",
    " The claim could not be independently verified.",
    " A spokesperson declined to comment.",
    " Diplomats said the gap between the sides remained wide.",
    " Negotiators are due to meet again next month.",
]
ATTRIBUTIONS = {
    AttributionKind.NAMED: "{name}",
    AttributionKind.OFFICIAL_CHANNEL: "{org}, in a statement",
    AttributionKind.SPOKESPERSON: "a spokesperson for {org}",
    AttributionKind.ANONYMOUS: "{anonymous}",
    AttributionKind.COLLECTIVE: "{collective}",
}
ANONYMOUS = [
    "a former senior U.S. military official",
    "a senior official familiar with the talks",
    "two diplomats briefed on the negotiations",
    "a security source",
    "a government adviser",
    "officials who spoke on condition of anonymity",
    "a source close to the delegation",
]
COLLECTIVE = [
    "the coordination committee of armed groups",
    "the parliamentary blocs",
    "the delegations, in a joint communiqué",
    "residents of the area",
    "the mediators",
]
STANCE_SUMMARIES = {
    Stance.SUPPORTS: "{actor} backs this outright and has said so repeatedly.",
    Stance.LEANS_SUPPORT: "{actor} is open to it, with conditions it has not spelt out.",
    Stance.MIXED: "{actor} supports parts of it and rejects others; its position is conditional.",
    Stance.LEANS_OPPOSE: "{actor} is sceptical and has raised objections without ruling it out.",
    Stance.OPPOSES: "{actor} rejects this and has threatened to leave the talks over it.",
    Stance.UNCLEAR: "{actor} has sent mixed signals; its position cannot yet be told.",
}
STANCES = list(Stance)
STANCE_WEIGHTS = [18, 20, 22, 18, 16, 6]


# ---------------------------------------------------------------------------
# Counts.


@dataclass(frozen=True)
class Plan:
    """How many of each record a run of ``statements`` statements gets."""

    statements: int
    talks: int
    actors: int
    topics_per_talks: int
    events: int
    sources: int
    milestones_per_talks: int
    relationships: int
    corrections: int

    @classmethod
    def for_statements(cls, statements: int) -> Plan:
        scale = statements / REFERENCE_SCALE
        talks = max(3, round(50 * scale))
        return cls(
            statements=statements,
            talks=talks,
            actors=max(60, round(2000 * scale)),
            topics_per_talks=10,
            events=max(30, statements // 20),
            sources=max(60, statements // 4),
            milestones_per_talks=12,
            relationships=max(30, round(1500 * scale)),
            corrections=max(5, statements // 1000),
        )


# ---------------------------------------------------------------------------
# Helpers.


@dataclass
class StatusShare:
    """The share of each publishing status for one kind of record."""

    draft: float = 0.03
    in_review: float = 0.015
    retracted: float = 0.0

    def draw(self, rng: random.Random) -> str:
        roll = rng.random()
        if roll < self.draft:
            return Status.DRAFT
        if roll < self.draft + self.in_review:
            return Status.IN_REVIEW
        if roll < self.draft + self.in_review + self.retracted:
            return Status.RETRACTED
        return Status.PUBLISHED


MOSTLY_PUBLISHED = StatusShare(draft=0.02, in_review=0.01)
STATEMENT_STATUS = StatusShare(draft=0.03, in_review=0.015, retracted=0.003)
SOURCE_STATUS = StatusShare(draft=0.02, in_review=0.01, retracted=0.002)

PRECISIONS = [Precision.DAY, Precision.WEEK, Precision.MONTH, Precision.YEAR]
PRECISION_WEIGHTS = [82, 8, 8, 2]
PARTS = ["", *PartOfDay.values]
PART_WEIGHTS = [85, 4, 4, 4, 3]


def pick(rng: random.Random, population, weights):
    """One item of ``population`` drawn by ``weights`` (``rng.choices`` is slower for one)."""
    roll = rng.random() * sum(weights)
    for item, weight in zip(population, weights, strict=True):
        roll -= weight
        if roll < 0:
            return item
    return population[-1]


def precise(rng: random.Random, day: datetime.date, weights=PRECISION_WEIGHTS) -> dict:
    """A date as ``save()`` stores it: at its period's start, a part of day only on a day."""
    precision = pick(rng, PRECISIONS, weights)
    part = pick(rng, PARTS, PART_WEIGHTS) if precision == Precision.DAY else ""
    return {
        "value": period_start(day, precision),
        "precision": precision,
        "part": part,
        "on_or_before": precision == Precision.DAY and rng.random() < 0.02,
    }


def date_fields(name: str, date: dict | None) -> dict:
    """The four stored columns of the precise date ``name``."""
    if date is None:
        return {name: None}
    return {
        name: date["value"],
        f"{name}_precision": date["precision"],
        f"{name}_part_of_day": date["part"],
        f"{name}_on_or_before": date["on_or_before"],
    }


def day_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    span = max(0, (end - start).days)
    return start + datetime.timedelta(days=rng.randint(0, span))


def published_at(status: str, day: datetime.date, rng: random.Random):
    """When a published or retracted record went public: a few hours to days after ``day``."""
    if status not in (Status.PUBLISHED, Status.RETRACTED):
        return None
    moment = datetime.datetime.combine(day, datetime.time(8), tzinfo=datetime.UTC)
    return moment + datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 3))


class Slugs:
    """Unique slugs: the second "un" becomes "un-2"."""

    def __init__(self):
        self.seen: set[str] = set()

    def __call__(self, text: str) -> str:
        base = slugify(text)[:100] or "record"
        slug, n = base, 1
        while slug in self.seen:
            n += 1
            slug = f"{base}-{n}"
        self.seen.add(slug)
        return slug


class Table:
    """Writes rows of one model with multi-row INSERTs, bypassing model instances.

    Building 200,000 model instances costs more than writing them, so rows are
    plain dicts keyed by attribute name (``pk`` for the primary key); missing
    columns take the field's default, and ``created_at``/``updated_at`` take the
    row's ``published_at`` (or the data's "today"), as if saved when published.
    Values are adapted for the database the way Django would adapt them.
    """

    def __init__(self, model):
        self.model = model
        fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in fields]
        pk_name = model._meta.pk.attname
        self.keys = ["pk" if name == pk_name else name for name in self.attnames]
        self.defaults = [None if field.primary_key else field.get_default() for field in fields]
        self.adapters = [self._adapter(field) for field in fields]
        self.stamped = {"created_at", "updated_at"} & set(self.attnames)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        marks = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
        # Rows without a primary key let the database number them (PostgreSQL refuses NULL ids).
        keyless = [field for field in fields if not field.primary_key]
        self.keyless_index = [i for i, field in enumerate(fields) if not field.primary_key]
        self.keyless_sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(model._meta.db_table),
            ", ".join(quote(field.column) for field in keyless),
            ", ".join(["%s"] * len(keyless)),
        )

    @staticmethod
    def _adapter(field):
        ops = connection.ops
        internal = field.get_internal_type()
        if internal == "DateTimeField":
            if connection.vendor == "sqlite" and connection.timezone_name == "UTC":
                # What Django stores for an aware time in UTC, without its per-value checks.
                return lambda value: str(value.replace(tzinfo=None))
            return ops.adapt_datetimefield_value
        if internal == "DateField":
            return ops.adapt_datefield_value
        if internal == "DecimalField":
            return lambda value: ops.adapt_decimalfield_value(
                value, field.max_digits, field.decimal_places
            )
        return None

    def write(self, rows: list[dict]) -> None:
        data = []
        for row in rows:
            if self.stamped:
                moment = row.get("published_at") or DATA_NOON
                row.setdefault("created_at", moment)
                row.setdefault("updated_at", moment)
            values = []
            for key, default, adapt in zip(self.keys, self.defaults, self.adapters, strict=True):
                value = row.get(key, default)
                if adapt is not None and value is not None:
                    value = adapt(value)
                values.append(value)
            data.append(values)
        sql = self.sql
        if rows and "pk" not in rows[0]:
            sql = self.keyless_sql
            data = [[values[i] for i in self.keyless_index] for values in data]
        with connection.cursor() as cursor:
            for start in range(0, len(data), BATCH):
                cursor.executemany(sql, data[start : start + BATCH])


# ---------------------------------------------------------------------------
# The generator.


@dataclass
class TalksInfo:
    pk: int
    a: tuple
    b: tuple
    start: datetime.date
    end: datetime.date
    status: str
    participants: list[int] = field(default_factory=list)
    speakers: list[int] = field(default_factory=list)
    topics: list[int] = field(default_factory=list)
    topic_titles: dict[int, str] = field(default_factory=dict)
    events: list[int] = field(default_factory=list)
    event_days: list[datetime.date] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    sources: list[tuple[datetime.date, int]] = field(default_factory=list)


class Generator:
    """Draws every record in a fixed order from one seeded ``random.Random``."""

    def __init__(self, statements: int, seed: int, log: Callable[[str], None] = print):
        self.plan = Plan.for_statements(statements)
        self.rng = random.Random(seed)
        self.log = log
        self.counts: dict[str, int] = {}
        self.content_types = {
            model: ContentType.objects.get_for_model(model).pk
            for model in (
                Negotiation,
                KeyFigure,
                Topic,
                Actor,
                Relationship,
                Position,
                Statement,
                Event,
                Milestone,
                Source,
            )
        }
        self.tables: dict = {}
        self.source_talks: dict[int, set[int]] = {}
        self.topic_talks: dict[int, int] = {}
        self.statement_documents: list[tuple] = []
        self.source_documents: list[tuple] = []
        self.citations: list[dict] = []
        self.citation_pk = 0
        self.public_statements: list[int] = []

    # -- bookkeeping --------------------------------------------------------

    def write(self, model, rows: list) -> None:
        if model not in self.tables:
            self.tables[model] = Table(model)
        self.tables[model].write(rows)
        name = model._meta.verbose_name_plural
        self.counts[name] = self.counts.get(name, 0) + len(rows)

    def cite(
        self, model, pk: int, day: datetime.date, pool, count: int, talks: int | None = None
    ) -> None:
        """Cite ``count`` sources from ``pool`` (sorted (day, pk)), published on or after ``day``.

        ``talks`` is the record's talks when it is a public statement or event:
        search lists a source under the talks of the public records citing it.
        """
        if not pool or count <= 0:
            return
        index = min(bisect_left(pool, (day, 0)), len(pool) - 1)
        chosen: set[int] = set()
        for _ in range(count * 3):
            offset = self.rng.randint(0, 6)
            chosen.add(pool[min(index + offset, len(pool) - 1)][1])
            if len(chosen) >= count:
                break
        for n, source_pk in enumerate(sorted(chosen)):
            if talks:
                self.source_talks.setdefault(source_pk, set()).add(talks)
            self.citation_pk += 1
            locator = f"paragraph {self.rng.randint(1, 24)}" if n == 0 else ""
            self.citations.append(
                dict(
                    pk=self.citation_pk,
                    source_id=source_pk,
                    content_type_id=self.content_types[model],
                    object_id=pk,
                    locator=locator,
                )
            )
        if len(self.citations) >= BATCH * 4:
            self.flush_citations()

    def flush_citations(self) -> None:
        self.write(Citation, self.citations)
        self.citations = []

    # -- search index -------------------------------------------------------

    def index(self) -> dict[str, int]:
        """Fill the search index with what ``tracker.search.rebuild`` would write.

        The few thousand talks, actors, topics, positions, events and milestones
        go through the search module's own document builders; the hundreds of
        thousands of statements and sources are written straight from what the
        generator already knows, with the same helpers, in a fraction of the
        time. tests/test_generate.py checks that both give identical rows.
        """
        from tracker import search

        if connection.vendor != "sqlite":  # on SQLite, _indexes_deferred rebuilds FTS5 at the end
            search.install_schema()
        counts: dict[str, int] = {}
        bulk_kinds = {SearchKind.STATEMENT, SearchKind.SOURCE}
        # Generated summaries repeat; rendering the same Markdown thousands of
        # times would take most of the run, so remember each rendering.
        original_plain = search.plain
        search.plain = functools.lru_cache(maxsize=None)(original_plain)
        try:
            for spec in search.SPECS:
                if spec.kind in bulk_kinds:
                    continue
                context = spec.context(None)
                records = spec.queryset().order_by("pk")
                batch = [spec.document(record, context) for record in records]
                for start in range(0, len(batch), 2000):
                    search._write(batch[start : start + 2000])
                counts[spec.kind] = len(batch)
        finally:
            search.plain = original_plain
        documents, links = [], []

        def add(document: search.Document) -> None:
            pk = search.document_id(document.kind, document.object_id)
            documents.append(
                {
                    "pk": pk,
                    "kind": document.kind,
                    "object_id": document.object_id,
                    "title": search._clean(document.title)[:500],
                    "body": document.body,
                    "detail": search._clean(document.detail)[:300],
                    "url": document.url,
                    "date_label": document.date_label,
                    "date_start": document.date_start,
                    "date_end": document.date_end,
                }
            )
            links.extend(
                {"searchdocument_id": pk, "negotiation_id": talks}
                for talks in sorted(document.talks)
            )

        statement_url = url_builder("tracker:statement")
        for row, speaker_name, date, talks in self.statement_documents:
            add(
                search.Document(
                    SearchKind.STATEMENT,
                    row["pk"],
                    row["attribution"],
                    statement_url(row["pk"]),
                    body=search._clean(
                        row["text"], row["original_text"], speaker_name, row["verification_note"]
                    ),
                    detail=" · ".join(
                        (
                            Form(row["form"]).label,
                            StatementKind(row["kind"]).label,
                            Verification(row["verification"]).label,
                        )
                    ),
                    talks=talks,
                    **search._dates(_precise_date(date)),
                )
            )
        counts[SearchKind.STATEMENT] = len(self.statement_documents)
        source_url = url_builder("tracker:source")
        for row, date in self.source_documents:
            kind = SourceKind(row["kind"]).label
            add(
                search.Document(
                    SearchKind.SOURCE,
                    row["pk"],
                    row["title"],
                    source_url(row["pk"]),
                    body=search._clean(row["outlet"], row["authors"], row["contributors"]),
                    detail=" · ".join(part for part in (row["outlet"], kind) if part),
                    talks=self.source_talks.get(row["pk"], set()),
                    **search._dates(_precise_date(date)),
                )
            )
        counts[SearchKind.SOURCE] = len(self.source_documents)
        Table(SearchDocument).write(documents)
        Table(SearchDocument.negotiations.through).write(links)
        if connection.vendor == "postgresql":
            search.write_terms(SearchDocument.objects.filter(terms__isnull=True))
            _reset_sequences([SearchDocument, SearchDocument.negotiations.through])
        return counts

    # -- records ------------------------------------------------------------

    def run(self) -> dict[str, int]:
        steps = [
            ("actors", self.make_actors),
            ("talks", self.make_talks),
            ("sources", self.make_sources),
            ("topics and key figures", self.make_topics),
            ("relationships", self.make_relationships),
            ("events", self.make_events),
            ("statements", self.make_statements),
            ("positions", self.make_positions),
            ("milestones", self.make_milestones),
            ("corrections", self.make_corrections),
        ]
        for label, step in steps:
            started, cpu = time.perf_counter(), time.process_time()
            step()
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            self.log(f"  {label:<24} {wall:6.1f} s ({cpu:.1f} s CPU)")
        self.flush_citations()
        return self.counts

    def make_actors(self) -> None:
        rng, slugs = self.rng, Slugs()
        self.slugs = slugs
        rows: list[Actor] = []
        self.states: dict[str, int] = {}
        self.orgs: list[int] = []
        self.by_country: dict[str, list[int]] = {}
        self.actor_names: dict[int, str] = {}
        self.actor_status: dict[int, str] = {}
        self.persons: set[int] = set()

        def add(kind, name, *, country="", short="", native="", lang="", aliases="", status=None):
            pk = len(rows) + 1
            status = status or MOSTLY_PUBLISHED.draw(rng)
            rows.append(
                dict(
                    pk=pk,
                    slug=slugs(name),
                    kind=kind,
                    name=name,
                    short_name=short,
                    native_name=native,
                    native_language=lang if native else "",
                    aliases=aliases,
                    country=country,
                    wikidata_id=f"Q{rng.randint(1000, 9_999_999)}" if rng.random() < 0.4 else "",
                    description=f"{name} is a {ActorKind(kind).label.lower()}"
                    + (f" from {COUNTRY_NAMES[country]}." if country else "."),
                    status=status,
                    published_at=published_at(status, datetime.date(2020, 1, 1), rng),
                )
            )
            self.actor_names[pk] = name
            self.actor_status[pk] = status
            if country:
                self.by_country.setdefault(country, []).append(pk)
            return pk

        for code, name, _, _ in COUNTRIES:
            self.states[code] = add(ActorKind.STATE, name, country=code, status=Status.PUBLISHED)
        for name, short in ORGANISATIONS:
            pk = add(
                ActorKind.INTERNATIONAL_ORGANISATION,
                name,
                short=short if short != name else "",
                status=Status.PUBLISHED,
            )
            self.orgs.append(pk)
        kinds = [
            ActorKind.PERSON,
            ActorKind.GOVERNMENT_BODY,
            ActorKind.MILITARY_COMMAND,
            ActorKind.ARMED_GROUP,
            ActorKind.PARTY,
            ActorKind.PARLIAMENT_BLOC,
            ActorKind.GROUP,
            ActorKind.COALITION,
            ActorKind.GOVERNMENT,
        ]
        weights = [58, 14, 6, 8, 5, 4, 2, 1, 2]
        while len(rows) < self.plan.actors:
            code, country, adjective, lang = rng.choice(COUNTRIES)
            kind = pick(rng, kinds, weights)
            native = ""
            aliases = ""
            short = ""
            if kind == ActorKind.PERSON:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                name = f"{first} {last}"
                if lang == "ar" and first in ARABIC_NAMES and last in ARABIC_NAMES:
                    native = f"{ARABIC_NAMES[first]} {ARABIC_NAMES[last]}"
            elif kind == ActorKind.GOVERNMENT_BODY:
                name = f"{country} {rng.choice(BODIES)}"
            elif kind == ActorKind.GOVERNMENT:
                name = f"Government of {country}"
            elif kind == ActorKind.MILITARY_COMMAND:
                name = f"{adjective} {rng.choice(COMMANDS)}"
            elif kind == ActorKind.ARMED_GROUP:
                core = rng.choice(GROUP_NAMES)
                name = f"{rng.choice(['Kata’ib', 'Harakat', 'Liwa', 'Saraya'])} {core}"
                if rng.random() < 0.5:
                    name = f"{core} {rng.choice(GROUP_WORDS)}"
                initials = "".join(word[0] for word in name.replace("’", "").split())
                aliases = "\n".join([name.replace("’", "'"), initials.upper()])
                short = initials.upper()[:60]
            elif kind in (ActorKind.PARTY, ActorKind.PARLIAMENT_BLOC, ActorKind.COALITION):
                name = f"{rng.choice(PARTY_NAMES)} {rng.choice(PARTY_WORDS)} ({adjective})"
            else:
                name = f"{adjective} {rng.choice(['delegation', 'tribal elders', 'families'])}"
            pk = add(
                kind, name, country=code, short=short, native=native, lang=lang, aliases=aliases
            )
            if kind == ActorKind.PERSON:
                self.persons.add(pk)
        self.write(Actor, rows)
        self.actor_pks = [row["pk"] for row in rows]

    def make_talks(self) -> None:
        rng, slugs = self.rng, Slugs()
        self.talks: list[TalksInfo] = []
        talks_rows, participation_rows = [], []
        states = list(self.states)
        for n in range(self.plan.talks):
            a_code, b_code = rng.sample(states, 2)
            if n == 0:
                a_code, b_code = "IQ", "US"
            a = next(c for c in COUNTRIES if c[0] == a_code)
            b = next(c for c in COUNTRIES if c[0] == b_code)
            subject, short = TALKS_SUBJECTS[n % len(TALKS_SUBJECTS)] if n else TALKS_SUBJECTS[0]
            title = f"{a[1]}–{b[1]} {subject}"
            start = day_between(rng, FIRST_DAY, datetime.date(2025, 6, 30))
            state = pick(rng, list(NegotiationState), [8, 50, 14, 16, 12])
            finished = state in (NegotiationState.CONCLUDED, NegotiationState.COLLAPSED)
            end = (
                min(DATA_TODAY, start + datetime.timedelta(days=rng.randint(200, 2200)))
                if finished
                else DATA_TODAY
            )
            status = Status.PUBLISHED if n < 2 or rng.random() > 0.04 else Status.DRAFT
            start_date = precise(rng, start, [60, 10, 28, 2])
            info = TalksInfo(pk=n + 1, a=a, b=b, start=start_date["value"], end=end, status=status)
            talks_rows.append(
                dict(
                    pk=info.pk,
                    title=title,
                    slug=slugs(f"{a[1]} {b[1]} {short}"),
                    summary=(
                        f"Negotiations between **{a[1]}** and **{b[1]}**: {subject}. "
                        f"Parley follows the positions of each party, the rounds held and "
                        f"what was said, with every claim traced to its source."
                    ),
                    state=state,
                    status=status,
                    published_at=published_at(status, start, rng),
                    **date_fields("start_on", start_date),
                    **date_fields(
                        "end_on", precise(rng, end, [70, 0, 30, 0]) if finished else None
                    ),
                )
            )
            # Parties: the two states and a few of their bodies, groups and people.
            local = [
                pk
                for pk in self.by_country.get(a_code, []) + self.by_country.get(b_code, [])
                if pk not in (self.states[a_code], self.states[b_code])
            ]
            rng.shuffle(local)
            mediator = rng.choice(
                self.orgs
                + [self.states[c] for c in ("QA", "OM", "EG", "TR") if c not in (a_code, b_code)]
            )
            roles = [
                (self.states[a_code], ParticipationRole.PARTY),
                (self.states[b_code], ParticipationRole.PARTY),
                (mediator, ParticipationRole.MEDIATOR),
            ]
            extra = [pk for pk in local if pk not in self.persons][: rng.randint(4, 8)]
            roles += [
                (
                    pk,
                    rng.choice(
                        [
                            ParticipationRole.PARTY,
                            ParticipationRole.STAKEHOLDER,
                            ParticipationRole.OBSERVER,
                        ]
                    ),
                )
                for pk in extra
            ]
            for order, (actor_pk, role) in enumerate(roles):
                participation_rows.append(
                    dict(
                        pk=len(participation_rows) + 1,
                        negotiation_id=info.pk,
                        actor_id=actor_pk,
                        role=role,
                        order=order,
                    )
                )
                info.participants.append(actor_pk)
            pool = local[:40] + rng.sample(self.actor_pks, 10)
            info.speakers = list(dict.fromkeys(info.participants + pool))
            self.talks.append(info)
        self.write(Negotiation, talks_rows)
        self.write(Participation, participation_rows)

    def make_sources(self) -> None:
        rng = self.rng
        rows: list[Source] = []
        seen: set[tuple] = set()
        for pk in range(1, self.plan.sources + 1):
            info = rng.choice(self.talks)
            day = day_between(rng, info.start, info.end)
            kind = pick(rng, list(SourceKind), [70, 15, 12, 3])
            outlet = rng.choice(
                OFFICIAL_OUTLETS if kind == SourceKind.OFFICIAL_STATEMENT else OUTLETS
            )
            actor = self.actor_names[rng.choice(info.speakers)]
            issue = rng.choice(TOPIC_QUESTIONS)[0].lower()
            title = rng.choice(
                [
                    f"{actor} says {info.a[1]} and {info.b[1]} are close to a deal",
                    f"Talks between {info.a[1]} and {info.b[1]} stall over {issue}",
                    f"{info.b[2]} strike in {info.a[1]} raises the stakes for the talks",
                    f"What we know about the {info.a[2]}–{info.b[2]} negotiations",
                    f"{actor} rejects {info.b[2]} proposal",
                    f"New round of {info.a[2]}–{info.b[2]} talks opens in {rng.choice(PLACES)[2]}",
                ]
            )
            date = precise(rng, day, [94, 2, 3, 1])
            key = (outlet, title, date["value"])
            if key in seen:
                title = f"{title} (update {pk})"
                key = (outlet, title, date["value"])
            seen.add(key)
            status = SOURCE_STATUS.draw(rng)
            slug = slugify(title)[:80]
            rows.append(
                dict(
                    pk=pk,
                    kind=kind,
                    outlet=outlet,
                    title=title,
                    authors=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    contributors=(
                        f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                        if rng.random() < 0.3
                        else ""
                    ),
                    url=f"https://{slugify(outlet)}.example/{day:%Y/%m/%d}/{slug}-{pk}"
                    if rng.random() < 0.95
                    else "",
                    language=rng.choice(["en"] * 8 + ["ar", "fr"]),
                    status=status,
                    published_at=published_at(status, day, rng),
                    **date_fields("published_on", date),
                )
            )
            info.sources.append((date["value"], pk))
            if status == Status.PUBLISHED:
                self.source_documents.append((rows[-1], date))
        for info in self.talks:
            info.sources.sort()
        self.write(Source, rows)

    def make_topics(self) -> None:
        rng = self.rng
        topics, figures = [], []
        for info in self.talks:
            questions = rng.sample(TOPIC_QUESTIONS, self.plan.topics_per_talks)
            for order, (title, question) in enumerate(questions):
                pk = len(topics) + 1
                status = MOSTLY_PUBLISHED.draw(rng)
                topics.append(
                    dict(
                        pk=pk,
                        negotiation_id=info.pk,
                        slug=slugify(title),
                        title=title,
                        question=question.format(a=info.a[1], b=info.b[1]),
                        description=f"Whether the parties to the {info.a[2]}–{info.b[2]} talks "
                        f"agree on {title.lower()}.",
                        order=order,
                        status=status,
                        published_at=published_at(status, info.start, rng),
                    )
                )
                info.topics.append(pk)
                self.topic_talks[pk] = info.pk
                info.topic_titles[pk] = title
            for label, unit, base in rng.sample(KEY_FIGURES, 3):
                for _ in range(rng.randint(1, 2)):
                    pk = len(figures) + 1
                    day = day_between(rng, info.start, info.end)
                    status = MOSTLY_PUBLISHED.draw(rng)
                    figures.append(
                        dict(
                            pk=pk,
                            negotiation_id=info.pk,
                            label=label.format(a=info.a[1], b=info.b[2]),
                            value=base * Decimal(rng.randint(5, 20)) / 10,
                            unit=unit,
                            qualifier=rng.choice(["roughly", "at least", "up to", ""]),
                            status=status,
                            published_at=published_at(status, day, rng),
                            **date_fields("as_of", precise(rng, day, [70, 10, 20, 0])),
                        )
                    )
                    self.cite(KeyFigure, pk, day, info.sources, 1)
        self.write(Topic, topics)
        self.write(KeyFigure, figures)

    def make_relationships(self) -> None:
        rng = self.rng
        rows, seen = [], set()
        while len(rows) < self.plan.relationships:
            subject, obj = rng.sample(self.actor_pks, 2)
            kind = pick(rng, list(RelationshipKind), [25, 20, 20, 20, 15])
            start = day_between(rng, datetime.date(2000, 1, 1), datetime.date(2024, 1, 1))
            start_date = precise(rng, start, [20, 0, 30, 50]) if rng.random() < 0.7 else None
            key = (subject, kind, obj, start_date["value"] if start_date else None)
            if key in seen:
                continue
            seen.add(key)
            end_date = None
            if start_date and rng.random() < 0.2:
                end_date = precise(
                    rng, start + datetime.timedelta(days=rng.randint(400, 3000)), [10, 0, 30, 60]
                )
            pk = len(rows) + 1
            status = MOSTLY_PUBLISHED.draw(rng)
            rows.append(
                dict(
                    pk=pk,
                    subject_id=subject,
                    kind=kind,
                    object_id=obj,
                    description="As the sources report it.",
                    status=status,
                    published_at=published_at(status, datetime.date(2024, 1, 1), rng),
                    **date_fields("start_on", start_date),
                    **date_fields("end_on", end_date),
                )
            )
            info = rng.choice(self.talks)
            self.cite(Relationship, pk, info.start, info.sources, 1)
        self.write(Relationship, rows)

    def make_events(self) -> None:
        rng, slugs = self.rng, Slugs()
        events, roles = [], []
        kinds = list(EventKind)
        for pk in range(1, self.plan.events + 1):
            info = rng.choice(self.talks)
            kind = pick(rng, kinds, [22, 22, 12, 14, 14, 10, 6])
            place = rng.choice(PLACES)
            day = day_between(rng, info.start, info.end)
            title = {
                EventKind.STRIKE: f"{info.b[2]} strike near {place[0]}",
                EventKind.ATTACK: f"Attack on {info.b[2]} positions at {place[0]}",
                EventKind.PROTEST: f"Protest against the talks in {place[2]}",
                EventKind.ROUND_OF_TALKS: f"Technical round of {info.a[2]}–{info.b[2]} talks",
                EventKind.ANNOUNCEMENT: f"{info.a[1]} announces a new step in the talks",
                EventKind.SECURITY_MEASURE: f"Curfew imposed in {place[2]}",
                EventKind.OTHER: f"Incident at {place[0]}",
            }[kind]
            has_place = rng.random() < 0.8
            has_coords = has_place and rng.random() < 0.5
            status = MOSTLY_PUBLISHED.draw(rng)
            date = precise(rng, day, [88, 6, 5, 1])
            events.append(
                dict(
                    pk=pk,
                    negotiation_id=info.pk if rng.random() < 0.92 else None,
                    slug=slugs(f"{title} {date['value']:%Y-%m-%d}"),
                    title=title,
                    kind=kind,
                    summary=f"{title}, as reported. Accounts of what happened differ.",
                    place_name=place[0] if has_place else "",
                    district=place[1] if has_place else "",
                    city=place[2] if has_place else "",
                    country=place[3] if has_place else "",
                    latitude=Decimal(str(place[4])) if has_coords else None,
                    longitude=Decimal(str(place[5])) if has_coords else None,
                    status=status,
                    published_at=published_at(status, day, rng),
                    **date_fields("occurred_on", date),
                )
            )
            if events[-1]["negotiation_id"]:
                info.events.append(pk)
                info.event_days.append(date["value"])
            for actor in rng.sample(info.speakers, min(len(info.speakers), rng.randint(1, 3))):
                roles.append(
                    dict(
                        pk=len(roles) + 1,
                        event_id=pk,
                        actor_id=actor,
                        role=rng.choice(list(EventRoleKind)),
                    )
                )
            public_talks = events[-1]["negotiation_id"] if status == Status.PUBLISHED else None
            self.cite(Event, pk, day, info.sources, rng.choice([1, 1, 2]), public_talks)
        self.write(Event, events)
        self.write(EventRole, roles)

    def make_statements(self) -> None:
        rng = self.rng
        through = Statement.topics.through
        rows, topic_links = [], []
        kinds = list(StatementKind)
        attribution_kinds = list(AttributionKind)
        channels = list(Channel)
        verifications = list(Verification)
        self.by_speaker: dict[tuple[int, int], list[int]] = {}
        self.statement_day: dict[int, datetime.date] = {}
        for pk in range(1, self.plan.statements + 1):
            info = (
                self.talks[min(int(rng.paretovariate(1.2)) - 1, len(self.talks) - 1)]
                if rng.random() < 0.3
                else rng.choice(self.talks)
            )
            day = day_between(rng, info.start, info.end)
            kind = pick(rng, kinds, [24, 14, 10, 4, 8, 16, 24])
            attribution_kind = pick(rng, attribution_kinds, [50, 15, 15, 15, 5])
            speaker = rng.choice(info.speakers) if rng.random() < 0.85 else None
            name = self.actor_names[speaker] if speaker else "an unnamed official"
            org = self.actor_names[rng.choice(info.participants)]
            attribution = ATTRIBUTIONS[attribution_kind].format(
                name=name if speaker else rng.choice(ANONYMOUS),
                org=org,
                anonymous=rng.choice(ANONYMOUS),
                collective=rng.choice(COLLECTIVE),
            )
            topic = rng.choice(info.topics)
            clause = rng.choice(CLAUSES).format(
                city=rng.choice(PLACES)[2],
                place=rng.choice(PLACES)[0],
                b=info.b[2],
                topic=info.topic_titles[topic].lower(),
            )
            form = Form.QUOTE if rng.random() < 0.45 else Form.PARAPHRASE
            if form == Form.QUOTE:
                text = f"“We have said clearly that {clause}.”{rng.choice(TAILS)}"
            else:
                text = (
                    f"{name[0].upper()}{name[1:]} {rng.choice(VERBS[kind])} {clause}."
                    f"{rng.choice(TAILS)}"
                )
            arabic = info.a[3] == "ar" and rng.random() < 0.1
            status = STATEMENT_STATUS.draw(rng)
            date = precise(rng, day, [90, 5, 4, 1])
            event = None
            if info.events and rng.random() < 0.25:
                index = min(bisect_left(info.event_days, date["value"]), len(info.events) - 1)
                event = info.events[max(0, index - rng.randint(0, 2))]
            verification = pick(rng, verifications, [30, 50, 12, 8])
            rows.append(
                dict(
                    pk=pk,
                    negotiation_id=info.pk if rng.random() < 0.96 else None,
                    kind=kind,
                    speaker_id=speaker,
                    attribution=attribution[:300],
                    attribution_kind=attribution_kind,
                    form=form,
                    text=text,
                    original_text="نحن ملتزمون بالحوار" if arabic else "",
                    original_language="ar" if arabic else "",
                    channel=pick(rng, channels, [12, 8, 16, 16, 12, 6, 28, 2]),
                    verification=verification,
                    verification_note="Disputed by the other party."
                    if verification == Verification.DISPUTED
                    else "",
                    event_id=event,
                    status=status,
                    published_at=published_at(status, day, rng),
                    **date_fields("stated_on", date),
                )
            )
            statement_topics = []
            if rng.random() < 0.75:
                statement_topics.append(topic)
                if rng.random() < 0.3:
                    other = rng.choice(info.topics)
                    if other != topic:
                        statement_topics.append(other)
            topic_links += [dict(statement_id=pk, topic_id=t) for t in statement_topics]
            row = rows[-1]
            if status == Status.PUBLISHED:
                talks = {self.topic_talks[t] for t in statement_topics}
                if row["negotiation_id"]:
                    talks.add(row["negotiation_id"])
                public_speaker = speaker and self.actor_status[speaker] == Status.PUBLISHED
                self.statement_documents.append(
                    (row, self.actor_names[speaker] if public_speaker else "", date, talks)
                )
            info.statements.append(pk)
            self.statement_day[pk] = date["value"]
            if status == Status.PUBLISHED and speaker:
                self.by_speaker.setdefault((info.pk, speaker), []).append(pk)
            public_talks = row["negotiation_id"] if status == Status.PUBLISHED else None
            self.cite(
                Statement,
                pk,
                day,
                info.sources,
                pick(rng, [1, 2, 3], [70, 25, 5]),
                public_talks,
            )
            if len(rows) >= BATCH * 4:
                self.write(Statement, rows)
                rows = []
            if len(topic_links) >= BATCH * 4:
                self.write(through, topic_links)
                topic_links = []
        self.write(Statement, rows)
        self.write(through, topic_links)

    def make_positions(self) -> None:
        rng = self.rng
        positions, evidence = [], []
        through = Position.evidence.through
        for info in self.talks:
            for actor in info.participants:
                own = self.by_speaker.get((info.pk, actor), [])
                for topic in info.topics:
                    if rng.random() > 0.65:
                        continue
                    days = sorted(
                        {
                            period_start(day_between(rng, info.start, info.end), Precision.DAY)
                            for _ in range(pick(rng, [1, 2, 3, 4, 5], [25, 30, 25, 12, 8]))
                        }
                    )
                    stance = pick(rng, STANCES, STANCE_WEIGHTS)
                    for day in days:
                        pk = len(positions) + 1
                        if rng.random() < 0.5:
                            stance = pick(rng, STANCES, STANCE_WEIGHTS)
                        status = MOSTLY_PUBLISHED.draw(rng)
                        positions.append(
                            dict(
                                pk=pk,
                                actor_id=actor,
                                topic_id=topic,
                                stance=stance,
                                summary=STANCE_SUMMARIES[stance].format(
                                    actor=self.actor_names[actor]
                                ),
                                basis=pick(rng, list(PositionBasis), [70, 30]),
                                status=status,
                                published_at=published_at(status, day, rng),
                                as_of=day,
                                as_of_precision=Precision.DAY,
                            )
                        )
                        candidates = [s for s in own if self.statement_day[s] <= day][
                            -5:
                        ] or info.statements[:5]
                        for statement in sorted(
                            set(rng.sample(candidates, min(2, len(candidates))))
                        ):
                            evidence.append(dict(position_id=pk, statement_id=statement))
        self.write(Position, positions)
        self.write(through, evidence)

    def make_milestones(self) -> None:
        rng, slugs = self.rng, Slugs()
        rows, statement_links, event_links = [], [], []
        statements_through = Milestone.statements.through
        events_through = Milestone.events.through
        for info in self.talks:
            span = (info.end - info.start).days
            for n in range(self.plan.milestones_per_talks):
                pk = len(rows) + 1
                day = info.start + datetime.timedelta(
                    days=span * (n + 1) // (self.plan.milestones_per_talks + 1)
                )
                upcoming = n >= self.plan.milestones_per_talks - 2 and info.end == DATA_TODAY
                if upcoming:
                    day = DATA_TODAY + datetime.timedelta(days=rng.randint(20, 400))
                kind = pick(rng, list(MilestoneKind), [45, 15, 15, 8, 7, 10])
                state = (
                    rng.choice([MilestoneState.EXPECTED, MilestoneState.SCHEDULED])
                    if upcoming
                    else pick(
                        rng,
                        [
                            MilestoneState.HELD,
                            MilestoneState.POSTPONED,
                            MilestoneState.CANCELLED,
                            MilestoneState.MISSED,
                        ],
                        [80, 8, 6, 6],
                    )
                )
                held = precise(rng, day, [92, 4, 4, 0]) if state == MilestoneState.HELD else None
                planned = precise(
                    rng, day - datetime.timedelta(days=rng.randint(0, 30)), [60, 10, 30, 0]
                )
                label = MilestoneKind(kind).label
                title = f"{label}: {info.a[1]}–{info.b[1]}, {day:%B %Y}"
                status = MOSTLY_PUBLISHED.draw(rng)
                rows.append(
                    dict(
                        pk=pk,
                        negotiation_id=info.pk,
                        slug=slugs(f"{info.a[1]} {info.b[1]} {label} {day:%Y-%m}"),
                        title=title,
                        kind=kind,
                        state=state,
                        outcome="The parties agreed to keep talking." if held else "",
                        status=status,
                        published_at=published_at(status, min(day, DATA_TODAY), rng),
                        **date_fields("planned_on", planned),
                        **date_fields("held_on", held),
                    )
                )
                for statement in sorted(
                    set(rng.sample(info.statements, min(len(info.statements), 2)))
                ):
                    statement_links.append(dict(milestone_id=pk, statement_id=statement))
                if info.events and rng.random() < 0.5:
                    event_links.append(dict(milestone_id=pk, event_id=rng.choice(info.events)))
                self.cite(Milestone, pk, min(day, DATA_TODAY), info.sources, 1)
            self.cite(Negotiation, info.pk, info.start, info.sources, 2)
        self.write(Milestone, rows)
        self.write(statements_through, statement_links)
        self.write(events_through, event_links)

    def make_corrections(self) -> None:
        rng = self.rng
        rows = []
        texts = [
            "An earlier version gave the wrong date for this statement.",
            "An earlier version attributed this statement to the wrong official.",
            "We clarified that the figure is an estimate.",
        ]
        statement_type = self.content_types[Statement]
        for pk in range(1, self.plan.corrections + 1):
            statement = rng.randint(1, self.plan.statements)
            day = min(DATA_TODAY, self.statement_day[statement] + datetime.timedelta(days=3))
            status = MOSTLY_PUBLISHED.draw(rng)
            rows.append(
                dict(
                    pk=pk,
                    content_type_id=statement_type,
                    object_id=statement,
                    kind=pick(rng, list(CorrectionKind), [60, 35, 5]),
                    date=day,
                    text=rng.choice(texts),
                    status=status,
                    published_at=published_at(status, day, rng),
                )
            )
        self.write(Correction, rows)


# ---------------------------------------------------------------------------
# Entry points.

GENERATED_MODELS = [
    Actor,
    Negotiation,
    Participation,
    Source,
    Topic,
    KeyFigure,
    Relationship,
    Event,
    EventRole,
    Statement,
    Position,
    Milestone,
    Correction,
    Citation,
]


@contextlib.contextmanager
def _indexes_deferred(log: Callable[[str], None]):
    """On SQLite, drop the secondary indexes and the search triggers while loading.

    Building an index once over sorted rows is many times cheaper than updating
    a dozen of them row by row; the FTS5 mirror is likewise rebuilt in one pass.
    Everything is recreated from its own definition before the transaction ends.
    """
    from tracker import search

    if connection.vendor != "sqlite":
        yield
        return
    tables = [table for table in parley_tables() if table not in _KEEP_TABLES]
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks})",
            tables,
        )
        indexes = [(name, sql) for name, sql in cursor.fetchall() if not _leads_with_key(name)]
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        for suffix in ("insert", "delete", "update"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {search.FTS_TABLE}_{suffix}")
    yield
    started, cpu = time.perf_counter(), time.process_time()
    with connection.cursor() as cursor:
        for _, sql in indexes:
            cursor.execute(sql)
        cursor.execute(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('rebuild')")
    search.install_schema()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    log(f"  {'indexes, FTS5':<24} {wall:6.1f} s ({cpu:.1f} s CPU)")


def _leads_with_key(index: str) -> bool:
    """Whether an SQLite index starts with a foreign key column.

    Those stay: SQLite finds the rows referring to each new parent row through
    them, and without one every insert into the parent scans the whole child.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl_name FROM sqlite_master WHERE name = %s", [index])
        (table,) = cursor.fetchone()
        cursor.execute(f"PRAGMA index_info({quote(index)})")
        columns = [row[2] for row in sorted(cursor.fetchall())]
        cursor.execute(f"PRAGMA foreign_key_list({quote(table)})")
        keys = {row[3] for row in cursor.fetchall()}
    return bool(columns) and columns[0] in keys


def _precise_date(date: dict) -> PreciseDate:
    return PreciseDate(date["value"], date["precision"], date["part"], date["on_or_before"])


def _reset_sequences(models: list) -> None:
    """After rows with explicit keys, move PostgreSQL's sequences past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def parley_tables() -> list[str]:
    """Every table of Parley's records, link tables, history and search index (not users)."""
    tables = []
    for model in apps.get_app_config("tracker").get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.append(model._meta.db_table)
    return tables


def has_records() -> bool:
    return any(model.objects.exists() for model in (Negotiation, Actor, Statement, Source))


def flush() -> None:
    """Delete every Parley record, link, history row and search document; keep user accounts."""
    from tracker import search

    tables = [t for t in parley_tables() if t not in _KEEP_TABLES]
    sql = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    sqlite = connection.vendor == "sqlite"
    if sqlite and not connection.in_atomic_block:
        # Without foreign key checks SQLite empties a table in one step instead
        # of row by row (a no-op inside a transaction, e.g. in tests).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")
    try:
        with transaction.atomic():
            if sqlite:
                # Empty the FTS5 mirror at once instead of row by row through its triggers.
                with connection.cursor() as cursor:
                    for suffix in ("insert", "delete", "update"):
                        cursor.execute(f"DROP TRIGGER IF EXISTS {search.FTS_TABLE}_{suffix}")
                    cursor.execute(f"DELETE FROM {search.FTS_TABLE}")
            else:
                # PostgreSQL cannot TRUNCATE a table with deferred checks still pending.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            connection.ops.execute_sql_flush(sql)
            search.install_schema()
    finally:
        if sqlite and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA foreign_keys = ON")


_KEEP_TABLES: set[str] = {"tracker_publicationstamp"}


def generate(statements: int, seed: int = 1, log: Callable[[str], None] = print) -> dict:
    """Fill an empty database; return the number of rows written per kind of record."""
    if statements < 1:
        raise ValueError("statements must be at least 1")
    generator = Generator(statements, seed, log)
    if connection.vendor == "sqlite":
        # One long transaction touches every page of a dozen indexes; with
        # SQLite's default 2 MB page cache it spills to the WAL and crawls.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1000000")
    with transaction.atomic(), _indexes_deferred(log):
        counts = generator.run()
        _reset_sequences(
            [
                *GENERATED_MODELS,
                Statement.topics.through,
                Position.evidence.through,
                Milestone.statements.through,
                Milestone.events.through,
            ]
        )
        started, cpu = time.perf_counter(), time.process_time()
        indexed = generator.index()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        log(f"  {'search index':<24} {wall:6.1f} s ({cpu:.1f} s CPU)")
    counts["search documents"] = sum(indexed.values())
    started = time.perf_counter()
    refresh_statistics()
    log(f"  {'statistics (ANALYZE)':<24} {time.perf_counter() - started:6.1f} s")
    _bump_stamp()
    return counts


def refresh_statistics() -> None:
    """Let the database's query planner see the tables as they now are.

    Without statistics SQLite picks an index by its shape alone, and after a
    bulk load it picks badly: an event page read 200,000 statements through the
    status index instead of a few through the event's. PostgreSQL's autovacuum
    would get there later; this gets there before the first reader does.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # VACUUM also marks the freshly written pages all-visible, as autovacuum
            # would, so counts can read an index alone (190,000 published statements:
            # 28 ms, then 6-10 ms). It cannot run inside a transaction.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


def _bump_stamp() -> None:
    """Tell caches the public data changed (see tracker.caching)."""
    try:
        from tracker.caching import bump_publication_stamp
    except ImportError:
        return
    bump_publication_stamp()


__all__ = ["Plan", "flush", "generate", "has_records", "refresh_statistics"]
