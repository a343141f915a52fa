"""Demo data: two offices, their users and thousands of realistic fake cases.

Everything is generated from a fixed ``random.Random`` seed, anchored at the
current instant (:func:`store.types.utcnow`) so that the demo dashboard always
looks current: drafts about to expire, pending cases with decisions due (some
overdue), decided cases over the past year.

Rows are written with SQLAlchemy Core ``insert(table)`` and lists of dicts, in
chunks, inside one transaction: 100,000 cases (about a million rows with their
lines, organizations and timeline) take seconds, where ``session.add`` per
object would take most of a minute. Only the four demo users go through
:func:`store.services.auth.create_user` (one argon2 hash each).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, text

from store.enums import (
    LINE_STATUS_WORDS,
    CareSetting,
    ClinicalOutcome,
    CoverageOrder,
    ExpeditedCriterion,
    LineStatus,
    ProviderRole,
    RequestKind,
    RequestStatus,
    Role,
    Urgency,
)
from store.models import (
    AuthRequest,
    CaseEvent,
    Coverage,
    DiagnosisLine,
    Member,
    NumberSequence,
    Provider,
    RequestOrganization,
    ServiceLine,
    User,
)
from store.services import numbering
from store.services.cases import build_search_text
from store.texts import DRAFT_LIFETIME, DRAFT_LIFETIME_WORDS
from store.types import utcnow

# (username, password, role, organization code; "" = the plan, sees every organization)
DEMO_ACCOUNTS: list[tuple[str, str, str, str]] = [
    ("amy", "demo-clerk-1", "clerk", "NORTH"),
    ("ben", "demo-clerk-2", "clerk", "NORTH"),
    ("cara", "demo-clerk-3", "clerk", "SOUTH"),
    ("rita", "demo-review", "reviewer", ""),
]

ORGANIZATIONS = {
    "NORTH": "Northside Family Clinic",
    "SOUTH": "Southlake Orthopedics & Surgery",
}

_USER_DETAILS = {
    "amy": ("Amy Chen", "amy.chen@northside.example", "414-555-0141", "414-555-0199"),
    "ben": ("Ben Okafor", "ben.okafor@northside.example", "414-555-0142", "414-555-0199"),
    "cara": ("Cara Lindqvist", "cara.lindqvist@southlake.example", "262-555-0117", "262-555-0190"),
    "rita": ("Rita Haldane, RN", "utilization.review@lakeshore-plan.example", "800-555-0160", ""),
}

CHUNK = 5000
SEED = 2026
DECISION_EXPEDITED = timedelta(hours=72)
DECISION_STANDARD = timedelta(days=7)

# Real, billable ICD-10-CM codes (FY2026 release) with their official descriptions.
ICD10: dict[str, str] = {
    "M17.11": "Unilateral primary osteoarthritis, right knee",
    "M17.12": "Unilateral primary osteoarthritis, left knee",
    "M16.11": "Unilateral primary osteoarthritis, right hip",
    "M16.12": "Unilateral primary osteoarthritis, left hip",
    "M54.50": "Low back pain, unspecified",
    "M51.16": "Intervertebral disc disorders with radiculopathy, lumbar region",
    "M48.062": "Spinal stenosis, lumbar region with neurogenic claudication",
    "M75.121": "Complete rotator cuff tear or rupture of right shoulder, not specified as traumatic",
    "S83.511A": "Sprain of anterior cruciate ligament of right knee, initial encounter",
    "S72.001A": "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture",
    "G43.909": "Migraine, unspecified, not intractable, without status migrainosus",
    "G40.909": "Epilepsy, unspecified, not intractable, without status epilepticus",
    "R51.9": "Headache, unspecified",
    "C50.911": "Malignant neoplasm of unspecified site of right female breast",
    "C34.90": "Malignant neoplasm of unspecified part of unspecified bronchus or lung",
    "C18.9": "Malignant neoplasm of colon, unspecified",
    "C61": "Malignant neoplasm of prostate",
    "E11.9": "Type 2 diabetes mellitus without complications",
    "E11.65": "Type 2 diabetes mellitus with hyperglycemia",
    "I10": "Essential (primary) hypertension",
    "I25.10": "Atherosclerotic heart disease of native coronary artery without angina pectoris",
    "I48.91": "Unspecified atrial fibrillation",
    "I50.9": "Heart failure, unspecified",
    "I21.4": "Non-ST elevation (NSTEMI) myocardial infarction",
    "I63.9": "Cerebral infarction, unspecified",
    "J44.1": "Chronic obstructive pulmonary disease with (acute) exacerbation",
    "J18.9": "Pneumonia, unspecified organism",
    "N18.6": "End stage renal disease",
    "N17.9": "Acute kidney failure, unspecified",
    "K80.20": "Calculus of gallbladder without cholecystitis without obstruction",
    "K35.80": "Unspecified acute appendicitis",
    "K57.30": "Diverticulosis of large intestine without perforation or abscess without bleeding",
    "K50.90": "Crohn's disease, unspecified, without complications",
    "R10.9": "Unspecified abdominal pain",
    "R07.9": "Chest pain, unspecified",
    "F32.2": "Major depressive disorder, single episode, severe without psychotic features",
    "F33.2": "Major depressive disorder, recurrent severe without psychotic features",
    "F31.9": "Bipolar disorder, unspecified",
    "F20.9": "Schizophrenia, unspecified",
    "F10.20": "Alcohol dependence, uncomplicated",
    "G47.33": "Obstructive sleep apnea (adult) (pediatric)",
    "E66.01": "Morbid (severe) obesity due to excess calories",
    "M05.79": "Rheumatoid arthritis with rheumatoid factor of multiple sites without organ or systems involvement",
    "L40.0": "Psoriasis vulgaris",
    "O80": "Encounter for full-term uncomplicated delivery",
    "O82": "Encounter for cesarean delivery without indication",
    "Z38.00": "Single liveborn infant, delivered vaginally",
    "Z38.01": "Single liveborn infant, delivered by cesarean",
}

# Real CPT / HCPCS Level II codes: (type, plain description, (min units, max units)).
PROCEDURES: dict[str, tuple[str, str, tuple[int, int]]] = {
    "27447": ("CPT", "Total knee arthroplasty", (1, 1)),
    "27130": ("CPT", "Total hip arthroplasty", (1, 1)),
    "27236": ("CPT", "Open treatment of femoral neck fracture, with prosthetic replacement", (1, 1)),
    "29881": ("CPT", "Knee arthroscopy with meniscectomy", (1, 1)),
    "29827": ("CPT", "Shoulder arthroscopy with rotator cuff repair", (1, 1)),
    "63030": ("CPT", "Lumbar laminotomy with discectomy, one interspace", (1, 1)),
    "22612": ("CPT", "Posterior lumbar spinal fusion, single level", (1, 1)),
    "70553": ("CPT", "MRI brain without and with contrast", (1, 1)),
    "72148": ("CPT", "MRI lumbar spine without contrast", (1, 1)),
    "73721": ("CPT", "MRI lower extremity joint without contrast", (1, 1)),
    "74177": ("CPT", "CT abdomen and pelvis with contrast", (1, 1)),
    "78815": ("CPT", "PET/CT imaging, skull base to mid-thigh", (1, 1)),
    "93306": ("CPT", "Transthoracic echocardiography, complete", (1, 1)),
    "93458": ("CPT", "Left heart catheterization with coronary angiography", (1, 1)),
    "95810": ("CPT", "Polysomnography, attended, 4 or more parameters", (1, 1)),
    "43239": ("CPT", "Upper GI endoscopy with biopsy", (1, 1)),
    "45378": ("CPT", "Colonoscopy, diagnostic", (1, 1)),
    "47562": ("CPT", "Laparoscopic cholecystectomy", (1, 1)),
    "44970": ("CPT", "Laparoscopic appendectomy", (1, 1)),
    "43644": ("CPT", "Laparoscopic gastric bypass (Roux-en-Y)", (1, 1)),
    "97110": ("CPT", "Therapeutic exercise, each 15 minutes", (8, 24)),
    "97140": ("CPT", "Manual therapy, each 15 minutes", (6, 12)),
    "90837": ("CPT", "Psychotherapy, 60 minutes", (8, 16)),
    "90870": ("CPT", "Electroconvulsive therapy", (6, 12)),
    "96413": ("CPT", "Chemotherapy IV infusion, first hour", (4, 12)),
    "90935": ("CPT", "Hemodialysis with single evaluation", (12, 39)),
    "99223": ("CPT", "Initial hospital inpatient care, high complexity", (1, 1)),
    "99233": ("CPT", "Subsequent hospital inpatient care, high complexity", (1, 6)),
    "59400": ("CPT", "Routine obstetric care, vaginal delivery", (1, 1)),
    "59510": ("CPT", "Routine obstetric care, cesarean delivery", (1, 1)),
    "99460": ("CPT", "Initial newborn care in hospital, per day", (1, 1)),
    "J9035": ("HCPCS", "Injection, bevacizumab, 10 mg", (40, 120)),
    "J9271": ("HCPCS", "Injection, pembrolizumab, 1 mg", (200, 400)),
    "J1745": ("HCPCS", "Injection, infliximab, excludes biosimilar, 10 mg", (30, 100)),
    "J2505": ("HCPCS", "Injection, pegfilgrastim, 6 mg", (1, 6)),
    "E0601": ("HCPCS", "Continuous positive airway pressure (CPAP) device", (1, 1)),
    "E1390": ("HCPCS", "Oxygen concentrator, single delivery port", (1, 3)),
    "E0260": ("HCPCS", "Hospital bed, semi-electric, with mattress", (1, 1)),
    "G0299": ("HCPCS", "Direct skilled nursing services of an RN in home health, each 15 minutes", (8, 40)),
}


@dataclass(frozen=True)
class _Scenario:
    """A clinically coherent request pattern: what, why, where and by whom."""

    kind: RequestKind
    category: str
    treatment_type: str
    place_of_service: str
    diagnoses: tuple[str, ...]
    procedures: tuple[str, ...]
    specialty: str
    facility: bool = False
    expedited: tuple[ExpeditedCriterion, ...] = ()
    days: tuple[int, int] = (0, 0)  # length of the service period


S, IP, ER, NB = (RequestKind.SERVICE, RequestKind.INPATIENT, RequestKind.EMERGENT_ADMISSION,
                 RequestKind.NEWBORN)
_C = ExpeditedCriterion

SCENARIOS: tuple[_Scenario, ...] = (
    _Scenario(S, "Surgery", "Orthopedic surgery", "22", ("M17.11", "M17.12"), ("27447", "73721"),
              "Orthopedic surgery", facility=True),
    _Scenario(S, "Surgery", "Orthopedic surgery", "24", ("M75.121", "S83.511A"), ("29827", "29881", "97110"),
              "Orthopedic surgery", facility=True, days=(0, 60)),
    _Scenario(S, "Advanced imaging", "MRI", "11", ("G43.909", "R51.9", "G40.909"), ("70553",),
              "Neurology"),
    _Scenario(S, "Advanced imaging", "MRI", "22", ("M54.50", "M51.16", "M48.062"), ("72148", "63030"),
              "Neurosurgery", facility=True),
    _Scenario(S, "Oncology", "Chemotherapy / infusion", "22", ("C50.911", "C34.90", "C18.9"),
              ("J9035", "96413", "J2505"), "Hematology / oncology", expedited=(_C.CANCER,), days=(60, 120)),
    _Scenario(S, "Oncology", "Immunotherapy", "11", ("C34.90", "C61"), ("J9271", "96413", "78815"),
              "Hematology / oncology", expedited=(_C.CANCER,), days=(60, 120)),
    _Scenario(S, "Cardiology", "Diagnostic cardiology", "22", ("I25.10", "R07.9", "I48.91"), ("93306", "93458"),
              "Cardiology", facility=True),
    _Scenario(S, "Sleep medicine", "Sleep study and equipment", "11", ("G47.33",), ("95810", "E0601"),
              "Pulmonology / sleep medicine", days=(0, 30)),
    _Scenario(S, "Gastroenterology", "Endoscopy", "24", ("K57.30", "R10.9", "K50.90"), ("45378", "43239"),
              "Gastroenterology", facility=True),
    _Scenario(S, "Surgery", "General surgery", "22", ("K80.20",), ("47562", "74177"),
              "General surgery", facility=True),
    _Scenario(S, "Surgery", "Bariatric surgery", "22", ("E66.01", "E11.65"), ("43644",),
              "General surgery", facility=True),
    _Scenario(S, "Rehabilitation", "Physical therapy", "11", ("M54.50", "M17.11", "M75.121"), ("97110", "97140"),
              "Physical therapy", days=(28, 84)),
    _Scenario(S, "Dialysis", "Outpatient hemodialysis", "65", ("N18.6",), ("90935",),
              "Nephrology", expedited=(_C.DIALYSIS,), days=(28, 90)),
    _Scenario(S, "Home care", "Home health and equipment", "12", ("J44.1", "I50.9"), ("E1390", "E0260", "G0299"),
              "Family medicine", expedited=(_C.DME_DISCHARGE,), days=(30, 90)),
    _Scenario(S, "Outpatient behavioral health", "Intensive outpatient (IOP)", "11", ("F33.2", "F10.20"), ("90837",),
              "Psychiatry", days=(28, 56)),
    _Scenario(S, "Specialty drugs", "Biologic infusion", "11", ("M05.79", "K50.90", "L40.0"), ("J1745", "96413"),
              "Rheumatology", days=(56, 180)),
    _Scenario(IP, "Surgical admission", "Joint replacement", "21", ("M16.11", "M16.12"), ("27130", "99223"),
              "Orthopedic surgery", facility=True, expedited=(_C.ADMISSION_WITHIN_7_DAYS,), days=(1, 3)),
    _Scenario(IP, "Surgical admission", "Spine surgery", "21", ("M51.16", "M48.062"), ("22612", "99223"),
              "Neurosurgery", facility=True, expedited=(_C.ADMISSION_WITHIN_7_DAYS,), days=(2, 4)),
    _Scenario(IP, "Behavioral health", "Inpatient psychiatric", "51", ("F32.2", "F31.9", "F20.9"),
              ("99223", "90870"), "Psychiatry", facility=True, expedited=(_C.BEHAVIORAL_HEALTH,), days=(5, 14)),
    _Scenario(ER, "Medical admission", "Cardiac", "21", ("I21.4", "I48.91", "I10"), ("99223", "93458"),
              "Cardiology", facility=True, expedited=(_C.ER_ADMISSION,), days=(2, 5)),
    _Scenario(ER, "Medical admission", "Stroke", "21", ("I63.9", "I10"), ("99223", "70553", "99233"),
              "Neurology", facility=True, expedited=(_C.ER_ADMISSION,), days=(3, 7)),
    _Scenario(ER, "Medical admission", "Respiratory", "21", ("J18.9", "J44.1", "I50.9"), ("99223", "99233"),
              "Hospital medicine", facility=True, expedited=(_C.ER_ADMISSION,), days=(2, 6)),
    _Scenario(ER, "Surgical admission", "Emergency surgery", "21", ("K35.80", "S72.001A", "N17.9"),
              ("99223", "44970", "27236"), "General surgery", facility=True, expedited=(_C.ER_ADMISSION,),
              days=(1, 4)),
    _Scenario(NB, "Maternity", "Vaginal delivery", "21", ("O80", "Z38.00"), ("59400", "99460"),
              "Obstetrics & gynecology", facility=True, days=(2, 2)),
    _Scenario(NB, "Maternity", "Cesarean delivery", "21", ("O82", "Z38.01"), ("59510", "99460"),
              "Obstetrics & gynecology", facility=True, days=(3, 4)),
)

_KIND_WEIGHTS = {S: 64, IP: 18, ER: 11, NB: 7}
_COMORBIDITIES = ("I10", "E11.9", "E66.01", "I48.91")

# Per 100 cases.
_STATUS_MIX = {
    RequestStatus.DRAFT: 8,
    RequestStatus.PENDING: 18,
    RequestStatus.REJECTED: 8,
    RequestStatus.ACCEPTED: 54,
    RequestStatus.EXPIRED: 7,
    RequestStatus.CANCELLED: 5,
}

FEMALE_NAMES = (
    "Olivia", "Emma", "Ava", "Sophia", "Isabella", "Mia", "Amelia", "Harper", "Evelyn", "Abigail",
    "Grace", "Chloe", "Nora", "Lily", "Zoe", "Hannah", "Aaliyah", "Maya", "Priya", "Mei", "Lucia",
    "Fatima", "Keisha", "Rosa", "Ingrid", "Dana", "Teresa", "Linda", "Patricia", "Gloria",
)
MALE_NAMES = (
    "Liam", "Noah", "Oliver", "Elijah", "James", "William", "Benjamin", "Lucas", "Henry", "Theodore",
    "Jack", "Samuel", "Mateo", "David", "Joseph", "Carlos", "Andre", "Darnell", "Wei", "Arjun",
    "Omar", "Tomasz", "Hiroshi", "Kwame", "Robert", "Michael", "Thomas", "Gerald", "Frank", "Luis",
)
LAST_NAMES = (
    "Whitfield", "Nguyen", "Garcia", "Johnson", "Okonkwo", "Kowalski", "Patel", "Smith", "Brown",
    "Martinez", "Anderson", "Larsen", "Hernandez", "Kim", "Murphy", "O'Brien", "Rossi", "Schmidt",
    "Jackson", "Thompson", "Lopez", "Wilson", "Nakamura", "Haddad", "Novak", "Dubois", "Mensah",
    "Ivanova", "Fitzgerald", "Bergstrom", "Castillo", "Reyes", "Washington", "Sullivan", "Chowdhury",
    "Abernathy", "Delacroix", "Yilmaz", "Kaur", "Moreau",
)
PLANS = ("Lakeshore Health Plan", "Lakeshore Medicaid Advantage", "Lakeshore Medicare Complete")

# (name, specialty, organization code or None)
PRACTITIONERS = (
    ("Rivera, Ana MD", "Family medicine", "NORTH"),
    ("Osei, Kwabena MD", "Family medicine", "NORTH"),
    ("Feldman, Ruth DO", "Family medicine", "NORTH"),
    ("Park, Daniel MD", "Cardiology", "NORTH"),
    ("Lindgren, Sofia MD", "Neurology", "NORTH"),
    ("Abara, Chidi MD", "Psychiatry", "NORTH"),
    ("Collins, Megan PT", "Physical therapy", "NORTH"),
    ("Moreno, Luis MD", "Obstetrics & gynecology", "NORTH"),
    ("Brandt, Erik MD", "Orthopedic surgery", "SOUTH"),
    ("Sato, Keiko MD", "Orthopedic surgery", "SOUTH"),
    ("Hale, Jonathan MD", "Neurosurgery", "SOUTH"),
    ("Quinn, Deirdre DPT", "Physical therapy", "SOUTH"),
    ("Vasquez, Elena MD", "General surgery", "SOUTH"),
    ("Mbeki, Thandiwe MD", "Family medicine", "SOUTH"),
    ("Ahmed, Yusuf MD", "Hematology / oncology", None),
    ("Greene, Laura MD", "Hematology / oncology", None),
    ("Novak, Pavel MD", "Cardiology", None),
    ("Fischer, Hanna MD", "Pulmonology / sleep medicine", None),
    ("Tran, Minh MD", "Gastroenterology", None),
    ("Kapoor, Anil MD", "Nephrology", None),
    ("Bishop, Carla MD", "Rheumatology", None),
    ("O'Connell, Sean MD", "Hospital medicine", None),
    ("Ibrahim, Layla MD", "Neurology", None),
    ("Russo, Marco MD", "General surgery", None),
    ("Dietrich, Karl MD", "Psychiatry", None),
    ("Adeyemi, Funmi MD", "Obstetrics & gynecology", None),
)
# (name, specialty, organization code or None)
FACILITIES = (
    ("Lakeshore General Hospital", "Acute care hospital", None),
    ("St. Brigid Medical Center", "Acute care hospital", None),
    ("Southlake Surgery Center", "Ambulatory surgery center", "SOUTH"),
    ("Northside Imaging & Outpatient Center", "Outpatient hospital department", "NORTH"),
    ("Harbor Behavioral Health Hospital", "Psychiatric hospital", None),
    ("Bayview Women's & Children's Hospital", "Acute care hospital", None),
)

_DENIAL_REASONS = (
    "Not medically necessary: conservative treatment (6 weeks of physical therapy and NSAIDs) is not documented.",
    "Not medically necessary: imaging within the last 12 months shows no change; repeat study not indicated.",
    "Experimental / investigational for the stated diagnosis under the plan's medical policy.",
    "Service is not a covered benefit under the member's plan.",
    "Documentation does not show that InterQual criteria for this service are met.",
)
_REJECT_REASONS = (
    "Member is not eligible on the date of service: coverage terminated before the start date.",
    "Duplicate request: an approved authorization already covers this service and these dates.",
    "Requested service does not require prior authorization for this plan; no authorization is needed.",
    "Servicing provider is out of network and no network exception was requested.",
    "Clinical records attached are for a different member; resubmit with the correct records.",
)
_PEND_REASONS = (
    "Pended: please send the last two office notes and the imaging report.",
    "Pended: send documentation of failed conservative therapy (dates and duration).",
    "Pended: the plan's medical director asked for a peer-to-peer call; call 800-555-0160.",
)


def is_seeded(store) -> bool:
    """Whether the demo users exist already (then seeding is skipped)."""
    with store.session() as session:
        found = session.execute(
            select(User.id).where(User.username == DEMO_ACCOUNTS[0][0]).limit(1)
        ).first()
    return found is not None


BASE_CASES = 25_000
"""Cases generated one by one; beyond them the demo repeats them in SQL with new ids and numbers."""


def seed_demo(
    store,
    cases: int = 2000,
    progress: Callable[[int, str], None] | None = None,
    *,
    seed: int = SEED,
    now: datetime | None = None,
) -> dict[str, int]:
    """Fill ``store`` with the demo organizations, users, members, providers and cases.

    Atomic: everything — users, cases, the dashboard listing, its counters
    and indexes, the plan contacts and (SQLite) the planner's statistics — is
    written in one transaction (:func:`_bulk_transaction`), so a seed that is
    killed leaves the database as it was and the next run seeds it whole.

    A bulk load: the first :data:`BASE_CASES` cases are generated one by one
    and written with ``executemany`` (``COPY`` on PostgreSQL) in batches of
    :data:`CHUNK`; more are copies of them made inside the database
    (``INSERT … SELECT`` with new ids and numbers). The listing's triggers
    and the case tables' secondary indexes are set aside during the load;
    the listing, its counters and the name index are then built set-based in
    one place (:func:`_restore_listing`), the indexes created, and the
    statistics refreshed (SQLite: ``ANALYZE`` before the commit; PostgreSQL:
    ``VACUUM (ANALYZE)`` per table after it).

    Args:
        store: an open, migrated store (ideally empty).
        cases: how many requests to create.
        progress: called as ``progress(done, what)``: ``what`` is ``"cases"``
            while cases are written (``done`` of ``cases``), then
            ``"listing"``, ``"indexes"`` and ``"statistics"`` as each stage
            starts (``done`` = ``cases``).
        seed: the random seed (the same seed and ``now`` give the same data).
        now: the anchor instant; defaults to :func:`utcnow`.

    Returns:
        How many rows of each kind were written.
    """
    now = now or utcnow()
    rng = random.Random(seed)
    report = progress or (lambda done, what: None)
    with _bulk_transaction(store) as conn:
        users = _create_users(conn)
        dialect = conn.dialect.name
        _set_aside_listing(conn)
        builder = _Builder(conn, rng, now, users)
        first_id = builder.next_ids["auth_request"]
        builder.write_directory(min(cases, BASE_CASES))
        base = min(cases, BASE_CASES)
        done = 0
        report(0, "cases")
        while done < base:
            n = min(CHUNK, base - done)
            builder.write_cases(done, n)
            done += n
            report(done, "cases")
        while done < cases:
            n = min(base, cases - done)
            builder.copy_cases(first_id, base, done, n)
            done += n
            report(done, "cases")
        builder.finish()
        report(cases, "listing")
        _restore_listing(conn, first_id)
        report(cases, "indexes")
        _restore_indexes(conn)
        _save_demo_contacts(conn)
        report(cases, "statistics")
        if dialect == "sqlite":
            from store.listing import analyze

            analyze(conn)
    if dialect == "postgresql":
        _vacuum_analyze(store.engine)  # after the commit: VACUUM cannot run in a transaction
    return dict(builder.counts)


@contextmanager
def _bulk_transaction(store) -> Iterator:
    """One connection in one transaction for a bulk load; committed at the end, rolled back on any error.

    SQLite: ``BEGIN IMMEDIATE`` (the write lock from the start) in rollback-journal
    mode: the load's new pages are written once to the database file instead of
    twice through a write-ahead log of gigabytes, and a killed process leaves a
    journal that the next opener rolls back. WAL mode is restored after the
    commit. The journal mode is left as it is if another connection holds the file.
    """
    engine = store.engine
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            yield conn
        return
    engine.dispose()  # pooled connections would keep the file in WAL mode
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        level = raw.isolation_level
        raw.isolation_level = None  # the driver's own BEGIN off: ours is BEGIN IMMEDIATE
        conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
        conn.exec_driver_sql("PRAGMA cache_size=-400000")  # 400 MB while loading
        conn.exec_driver_sql("PRAGMA temp_store=FILE")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
        finally:
            conn.exec_driver_sql("PRAGMA cache_size=-2000")
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            raw.isolation_level = level
            conn.rollback()  # SQLAlchemy's own (empty) transaction


def _vacuum_analyze(engine) -> None:
    """PostgreSQL after a bulk load: ``VACUUM (ANALYZE)`` per table (statistics and the visibility map).

    The visibility map lets the listing's queries read its indexes alone. A
    table another session holds (or a deadlock with its ``ANALYZE``) is
    skipped: the seed is committed already and the next autovacuum or
    ``authdesk db upgrade`` fills in.
    """
    from sqlalchemy.exc import DBAPIError

    from store.listing import own_tables

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in own_tables(conn):
            try:
                conn.exec_driver_sql(f'VACUUM (ANALYZE) "{name}"')
            except DBAPIError:
                continue


def _save_demo_contacts(conn) -> None:
    """The seed's plan phone numbers (result screen, letters and help), in the seed's transaction."""
    from sqlmodel import Session

    from store.services.plan_contacts import DEMO_CONTACTS, save_plan_contacts

    with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
        save_plan_contacts(session, None, DEMO_CONTACTS)
        session.commit()


def _bulk_indexes() -> list:
    """Plain indexes of the case tables that a bulk load is faster without (built again after it).

    Unique constraints stay (they guard the numbers), and so do the indexes
    leading with ``request_id``: the copies read their source rows by them.
    """
    indexes = []
    for model in (AuthRequest, RequestOrganization, DiagnosisLine, ServiceLine, CaseEvent):
        for index in sorted(model.__table__.indexes, key=lambda i: i.name):
            if not index.unique and list(index.columns)[0].name != "request_id":
                indexes.append(index)
    return indexes


def _set_aside_listing(conn) -> None:
    """Drop the listing's triggers and indexes, the case tables' plain indexes and (SQLite) the name index."""
    from store import listing

    for index in _bulk_indexes():
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
    dialect = conn.dialect.name
    for statement in listing.drop_trigger_sql(dialect):
        conn.exec_driver_sql(statement)
    for name, _columns in [*listing.listing_indexes(), (listing.REPORT_INDEX, [])]:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    if dialect == "sqlite":
        for statement in listing.drop_name_index_sql(dialect):
            conn.exec_driver_sql(statement)


def _restore_listing(conn, first_id: int) -> None:
    """The one place the bulk load fills what the triggers keep: listing rows, counters, names.

    Set-based, from the cases loaded since ``first_id``: one listing row per
    (audience, case), then the per-name counters (``case_name_count``) from
    the listing and the per-status counters from those, then every distinct
    member name (``case_name``). The result equals what the triggers of
    :mod:`store.listing` would have written row by row (a test compares).
    """
    from store import listing

    dialect = conn.dialect.name
    cols = ", ".join([*listing.MIRRORED, *listing.REPORT_COLUMNS])
    values = f"{listing.mirrored_values(dialect, 'r')}, {listing.report_values(dialect, 'r')}"
    conn.execute(text(
        f"INSERT INTO case_listing (audience_id, request_id, {cols}) "
        f"SELECT {listing.PLAN_AUDIENCE}, r.id, {values} FROM auth_request r WHERE r.id >= :first"),
        {"first": first_id})
    conn.execute(text(
        f"INSERT INTO case_listing (audience_id, request_id, {cols}) "
        f"SELECT o.organization_id, r.id, {values} FROM request_organization o "
        "JOIN auth_request r ON r.id = o.request_id WHERE o.request_id >= :first"),
        {"first": first_id})
    for statement in listing.fill_name_counts_sql():
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql("DELETE FROM case_count")
    conn.exec_driver_sql(
        "INSERT INTO case_count (audience_id, status, n) "
        "SELECT audience_id, status, SUM(n) FROM case_name_count GROUP BY audience_id, status")
    conn.exec_driver_sql(listing.fill_names_sql(dialect, first_id))


def _restore_indexes(conn) -> None:
    """Build what :func:`_set_aside_listing` dropped: indexes, the name search index, the triggers."""
    from store import listing

    dialect = conn.dialect.name
    for name, columns in listing.listing_indexes():
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON case_listing ({', '.join(columns)})")
    conn.exec_driver_sql(listing.report_index_sql())
    for index in _bulk_indexes():
        index.create(conn, checkfirst=True)
    for statement in listing.create_name_index_sql(conn):
        conn.exec_driver_sql(statement)
    for statement in listing.create_trigger_sql(dialect):
        conn.exec_driver_sql(statement)


def _create_users(conn) -> dict[str, object]:
    """The demo organizations and users, written in the seed's own transaction."""
    from sqlmodel import Session

    from store.services.auth import create_user, get_or_create_organization

    users = {}
    with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
        for code, name in ORGANIZATIONS.items():
            get_or_create_organization(session, code, name)
        for username, password, role, org in DEMO_ACCOUNTS:
            full_name, email, phone, fax = _USER_DETAILS[username]
            users[username] = create_user(
                session, username, password, role=Role(role), organization_code=org or None,
                full_name=full_name, email=email, phone=phone, fax=fax,
            )
        session.commit()
    return users


class _Builder:
    """Generates rows and writes them in bulk on one connection."""

    def __init__(self, conn, rng: random.Random, now: datetime, users: dict) -> None:
        self.conn = conn
        self.rng = rng
        self.now = now
        self.today = now.date()
        self.users = users
        self.clerks_by_org: dict[int, list] = {}
        for user in users.values():
            if user.role is Role.CLERK:
                self.clerks_by_org.setdefault(user.organization_id, []).append(user)
        self.org_ids = sorted(self.clerks_by_org)
        self.reviewer = next(u for u in users.values() if u.role is Role.REVIEWER)
        self.counts: dict[str, int] = {}
        self.next_ids = {
            name: (conn.execute(select(func.max(model.id))).scalar() or 0) + 1
            for name, model in (("member", Member), ("coverage", Coverage), ("provider", Provider),
                                ("auth_request", AuthRequest))
        }
        self.counter = {
            name: conn.execute(
                select(NumberSequence.last_value).where(NumberSequence.name == name)
            ).scalar() or 0
            for name in (numbering.DRAFT, numbering.WEBCERT, numbering.AUTH_SP, numbering.AUTH_IP)
        }
        self.counter0 = dict(self.counter)
        self.expiring_left = 6

    # ----- helpers -----

    def _take_id(self, name: str) -> int:
        value = self.next_ids[name]
        self.next_ids[name] = value + 1
        return value

    def _number(self, name: str) -> int:
        self.counter[name] += 1
        return self.counter[name]

    def _insert(self, model, rows: list[dict]) -> None:
        """Write ``rows`` straight through the driver (COPY on PostgreSQL): no per-value ORM work."""
        if not rows:
            return
        table = model.__table__.name
        names = list(rows[0])
        quoted = ", ".join(f'"{n}"' for n in names)
        if self.conn.dialect.name == "postgresql":
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_pg_value(row[n]) for n in names])
        else:
            marks = ", ".join("?" for _ in names)
            self.conn.exec_driver_sql(
                f"INSERT INTO {table} ({quoted}) VALUES ({marks})",
                [tuple(_sqlite_value(row[n]) for n in names) for row in rows],
            )
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    def copy_cases(self, first_id: int, base: int, done: int, n: int) -> None:
        """Cases ``done`` … ``done + n - 1`` as copies of the first ``n`` generated ones.

        Inside the database: new ids (shifted by ``done``), new draft, WebCert
        and authorization numbers (never used before), the same children.
        """
        if not hasattr(self, "_base_numbers"):
            self._base_numbers = {name: self.counter[name] - self.counter0[name] for name in self.counter}
        copy_index = done // base
        params = {
            "shift": done, "first": first_id, "n": n, "draft0": self.counter0[numbering.DRAFT],
            "wshift": copy_index * self._base_numbers[numbering.WEBCERT],
            "spshift": copy_index * self._base_numbers[numbering.AUTH_SP],
            "ipshift": copy_index * self._base_numbers[numbering.AUTH_IP],
        }
        pad = _pad_sqlite if self.conn.dialect.name == "sqlite" else _pad_pg
        draft = f"'D-' || {pad(':draft0 + (id + :shift - :first) + 1', 6)}"
        webcert = (f"CASE WHEN webcert_number IS NULL THEN NULL ELSE "
                   f"'WC-' || {pad('CAST(substr(webcert_number, 4) AS INTEGER) + :wshift', 7)} END")
        auth = ("CASE WHEN auth_number IS NULL THEN NULL WHEN substr(auth_number, 1, 2) = 'SP' THEN "
                f"'SP' || {pad('CAST(substr(auth_number, 3) AS INTEGER) + :spshift', 7)} ELSE "
                f"substr(auth_number, 1, 2) || {pad('CAST(substr(auth_number, 3) AS INTEGER) + :ipshift', 7)} END")
        search = ("substr(lower(member_name || ' ' || member_id_entered || CASE WHEN medicaid_id_entered <> '' "
                  f"THEN ' ' || medicaid_id_entered ELSE '' END || ' ' || {draft} || COALESCE(' ' || {webcert}, '')"
                  f" || COALESCE(' ' || {auth}, '')), 1, 400)")
        special = {"id": "id + :shift", "draft_number": draft, "webcert_number": webcert, "auth_number": auth,
                   "search_text": search}
        names = [c.name for c in AuthRequest.__table__.columns]
        rng_where = "WHERE {col} >= :first AND {col} < :first + :n"
        self._copy("auth_request", names, [special.get(c, f'"{c}"') for c in names],
                   "FROM auth_request " + rng_where.format(col="id"), params)
        for model in (RequestOrganization, DiagnosisLine, ServiceLine):
            names = [c.name for c in model.__table__.columns if c.name != "id"]
            exprs = ["request_id + :shift" if c == "request_id" else f'"{c}"' for c in names]
            self._copy(model.__tablename__, names, exprs,
                       f"FROM {model.__tablename__} " + rng_where.format(col="request_id"), params)
        names = ["request_id", "at", "actor_id", "actor_name", "event", "detail"]
        detail = ("replace(replace(replace(e.detail, b.draft_number, c.draft_number), "
                  "COALESCE(b.webcert_number, '~'), COALESCE(c.webcert_number, '~')), "
                  "COALESCE(b.auth_number, '~'), COALESCE(c.auth_number, '~'))")
        self._copy("case_event", names,
                   ["c.id", "e.at", "e.actor_id", "e.actor_name", "e.event", detail],
                   "FROM case_event e JOIN auth_request b ON b.id = e.request_id "
                   "JOIN auth_request c ON c.id = e.request_id + :shift "
                   + rng_where.format(col="e.request_id"), params)
        for name, used in self._base_numbers.items():
            if name == numbering.DRAFT:
                continue
            self.counter[name] = max(self.counter[name], self.counter0[name] + (copy_index + 1) * used)
        self.counter[numbering.DRAFT] = max(self.counter[numbering.DRAFT],
                                            self.counter0[numbering.DRAFT] + done + n)
        self.next_ids["auth_request"] = max(self.next_ids["auth_request"], first_id + done + n)

    def _copy(self, table: str, names: list[str], exprs: list[str], source: str, params: dict) -> None:
        columns = ", ".join(f'"{c}"' for c in names)
        result = self.conn.execute(text(f"INSERT INTO {table} ({columns}) SELECT {', '.join(exprs)} {source}"),
                                   params)
        self.counts[table] = self.counts.get(table, 0) + max(0, result.rowcount or 0)

    # ----- members and providers -----

    def write_directory(self, cases: int) -> None:
        """Members with coverage periods, practitioners and facilities."""
        rng = self.rng
        org_by_code = dict(
            self.conn.execute(text("SELECT code, id FROM organization")).all()
        )
        members, coverages = [], []
        self.eligible: list[tuple[int, str, str, str, int]] = []  # (pk, member_id, medicaid, name, coverage)
        self.anyone: list[tuple[int, str, str, str, int | None]] = []
        self.mothers: list[tuple[int, str, str, str, int]] = []
        n_members = max(60, min(20_000, cases // 8))
        plan_start = date(self.today.year - 3, 1, 1)
        used_ids: set[str] = set()
        for k in range(n_members):
            pk = self._take_id("member")
            female = rng.random() < 0.55
            first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
            last = rng.choice(LAST_NAMES)
            member_id = f"M{rng.randrange(1_000_000, 9_999_999):07d}"
            while member_id in used_ids:
                member_id = f"M{rng.randrange(1_000_000, 9_999_999):07d}"
            used_ids.add(member_id)
            medicaid = f"MC{rng.randrange(100_000, 999_999)}" if rng.random() < 0.3 else None
            if female and rng.random() < 0.35:
                birth = self.today - timedelta(days=rng.randrange(19 * 365, 40 * 365))
            else:
                birth = self.today - timedelta(days=rng.randrange(2 * 365, 88 * 365))
            members.append({
                "id": pk, "member_id": member_id, "medicaid_id": medicaid, "first_name": first,
                "last_name": last, "birth_date": birth, "sex": "F" if female else "M",
                "email": "",
            })
            name = f"{last}, {first}"
            plan = PLANS[1] if medicaid else rng.choice((PLANS[0], PLANS[0], PLANS[2]))
            group = f"G{rng.randrange(100, 999)}"
            kind = k % 13
            if kind == 5:  # secondary coverage only: the plan will not authorize
                cov = self._take_id("coverage")
                coverages.append(_coverage(cov, pk, plan, group, CoverageOrder.SECONDARY, plan_start, None))
                self.anyone.append((pk, member_id, medicaid or "", name, cov))
            elif kind == 9:  # lapsed: coverage ended months ago
                cov = self._take_id("coverage")
                end = self.today - timedelta(days=rng.randrange(30, 300))
                coverages.append(_coverage(cov, pk, plan, group, CoverageOrder.PRIMARY, plan_start, end))
                self.anyone.append((pk, member_id, medicaid or "", name, cov))
            else:
                if kind == 2:  # an earlier period on another plan, then the current one
                    old = self._take_id("coverage")
                    start = self.today - timedelta(days=400)  # covers last year's decided cases
                    coverages.append(_coverage(old, pk, PLANS[2] if plan != PLANS[2] else PLANS[0], group,
                                               CoverageOrder.PRIMARY, plan_start, start - timedelta(days=1)))
                else:
                    start = plan_start
                cov = self._take_id("coverage")
                coverages.append(_coverage(cov, pk, plan, group, CoverageOrder.PRIMARY, start, None))
                entry = (pk, member_id, medicaid or "", name, cov)
                self.eligible.append(entry)
                self.anyone.append(entry)
                if female and 19 * 365 <= (self.today - birth).days <= 40 * 365:
                    self.mothers.append(entry)
        if not self.mothers:
            self.mothers = self.eligible[:5]
        self._insert(Member, members)
        self._insert(Coverage, coverages)

        providers = []
        self.by_specialty: dict[str, list[tuple[int, int | None]]] = {}
        self.family_by_org: dict[int, list[tuple[int, int | None]]] = {}
        self.facilities: list[tuple[int, int | None, str, str]] = []
        used_npis: set[str] = set()
        from store.codes.npi import make_npi

        def npi() -> str:
            while True:
                value = make_npi(f"{rng.choice('12')}{rng.randrange(10**8):08d}")
                if value not in used_npis:
                    used_npis.add(value)
                    return value

        for index, (name, specialty, org) in enumerate(PRACTITIONERS, start=1):
            pid = self._take_id("provider")
            org_id = org_by_code.get(org) if org else None
            providers.append(_provider(pid, npi(), f"P{10000 + index * 7}", name, specialty, False, org_id, rng))
            self.by_specialty.setdefault(specialty, []).append((pid, org_id))
            if specialty == "Family medicine" and org_id is not None:
                self.family_by_org.setdefault(org_id, []).append((pid, org_id))
        for index, (name, specialty, org) in enumerate(FACILITIES, start=1):
            pid = self._take_id("provider")
            org_id = org_by_code.get(org) if org else None
            providers.append(_provider(pid, npi(), f"F{30000 + index * 11}", name, specialty, True, org_id, rng))
            self.facilities.append((pid, org_id, specialty, name))
        self._insert(Provider, providers)

    # ----- cases -----

    def write_cases(self, start: int, n: int) -> None:
        """Cases ``start`` … ``start + n - 1`` with their children."""
        requests, orgs, diagnoses, lines, events = [], [], [], [], []
        for i in range(start, start + n):
            self._case(i, requests, orgs, diagnoses, lines, events)
        self._insert(AuthRequest, requests)
        self._insert(RequestOrganization, orgs)
        self._insert(DiagnosisLine, diagnoses)
        self._insert(ServiceLine, lines)
        self._insert(CaseEvent, events)

    def _status(self, i: int) -> RequestStatus:
        statuses = list(_STATUS_MIX)
        if i < len(statuses):
            return statuses[i]
        block, offset = divmod(i, 100)
        if offset == 0 or not hasattr(self, "_pattern") or self._pattern_block != block:
            pattern = [s for s, weight in _STATUS_MIX.items() for _ in range(weight)]
            random.Random(block * 7919 + 17).shuffle(pattern)
            self._pattern, self._pattern_block = pattern, block
        return self._pattern[offset]

    def _case(self, i, requests, orgs, diagnoses, lines, events) -> None:
        rng, now = self.rng, self.now
        status = self._status(i)
        kinds = list(_KIND_WEIGHTS)
        kind = kinds[i % 4] if i < 8 else rng.choices(kinds, weights=list(_KIND_WEIGHTS.values()))[0]
        scenario = rng.choice([s for s in SCENARIOS if s.kind is kind])
        org_id = self.org_ids[0] if rng.random() < 0.62 else self.org_ids[-1]
        creator = rng.choice(self.clerks_by_org[org_id])
        submitted = status in (RequestStatus.PENDING, RequestStatus.ACCEPTED, RequestStatus.REJECTED)

        # Member: submitted cases need active primary coverage; drafts may be anyone.
        if kind is NB:
            pool = self.mothers
        elif submitted:
            pool = self.eligible
        else:
            pool = self.anyone
        member_pk, member_id, medicaid, member_name, coverage_id = rng.choice(pool)

        # Clock.
        hour = timedelta(hours=1)
        expires = None
        submitted_at = due = decided_at = None
        if status is RequestStatus.DRAFT:
            if self.expiring_left > 0:
                self.expiring_left -= 1
                created = now - timedelta(minutes=rng.randrange(73 * 60, 95 * 60 + 50))
            else:
                created = now - timedelta(minutes=rng.randrange(20, 70 * 60))
            expires = created + DRAFT_LIFETIME
            updated = created + timedelta(minutes=rng.randrange(0, max(1, int((now - created).total_seconds() // 60))))
        elif status is RequestStatus.EXPIRED:
            created = now - timedelta(minutes=rng.randrange(5 * 24 * 60, 180 * 24 * 60))
            expires = created + DRAFT_LIFETIME
            updated = expires
        elif status is RequestStatus.CANCELLED:
            created = now - timedelta(minutes=rng.randrange(24 * 60, 180 * 24 * 60))
            expires = created + DRAFT_LIFETIME
            updated = created + timedelta(minutes=rng.randrange(5, 90 * 60))
        elif status is RequestStatus.PENDING:
            submitted_at = now - timedelta(minutes=rng.randrange(30, 9 * 24 * 60))
            created = submitted_at - timedelta(minutes=rng.randrange(5, 48 * 60))
            updated = submitted_at
        else:
            submitted_at = now - timedelta(minutes=rng.randrange(2 * 24 * 60, 365 * 24 * 60))
            created = submitted_at - timedelta(minutes=rng.randrange(5, 72 * 60))
        expedited = bool(scenario.expedited) and (kind is ER or rng.random() < 0.45)
        urgency = Urgency.EXPEDITED if expedited else Urgency.STANDARD
        if submitted_at is not None:
            due = submitted_at + (DECISION_EXPEDITED if expedited else DECISION_STANDARD)
            if status is not RequestStatus.PENDING:
                window = (due - submitted_at).total_seconds() / 60
                decided_at = submitted_at + timedelta(minutes=rng.randrange(120, int(window * 1.1)))
                decided_at = min(decided_at, now - hour)
                updated = decided_at

        # Dates of service.
        basis = (submitted_at or created).date()
        admission_at = None
        delivery_date = None
        if kind is ER:
            admission_at = created - timedelta(minutes=rng.randrange(60, 20 * 60))
            start_date = admission_at.date()
        elif kind is NB:
            delivery_date = basis - timedelta(days=rng.randrange(0, 2))
            start_date = delivery_date
        elif kind is IP:
            start_date = basis + timedelta(days=rng.randrange(1, 21))
        else:
            start_date = basis + timedelta(days=rng.randrange(0, 30))
        end_date = start_date + timedelta(days=rng.randint(*scenario.days))

        # Providers and who may see the case.
        servicing_pid, servicing_org = rng.choice(self.by_specialty[scenario.specialty])
        requesting_pid, requesting_org = rng.choice(self.family_by_org.get(org_id) or [(servicing_pid, servicing_org)])
        own = [p for p in self.by_specialty[scenario.specialty] if p[1] == org_id]
        if own and rng.random() < 0.5:  # the office's own specialist requests directly
            requesting_pid, requesting_org = own[0][0], org_id
        facility_pid = facility_org = None
        if scenario.facility:
            if kind is NB:
                options = [f for f in self.facilities if "Women" in f[3]]
            elif scenario.category == "Behavioral health":
                options = [f for f in self.facilities if f[2] == "Psychiatric hospital"]
            elif kind.is_inpatient:
                options = [f for f in self.facilities if f[2] == "Acute care hospital"]
            else:
                options = [f for f in self.facilities if f[2] != "Psychiatric hospital"]
            facility_pid, facility_org, _, _ = rng.choice(options or self.facilities)

        request_id = self._take_id("auth_request")
        # Who sees the case: the rule save_draft applies (store.services.sharing), not rows of its own.
        from store.services.sharing import associated_organizations

        for other, role in associated_organizations(org_id, {
            ProviderRole.REQUESTING: requesting_org, ProviderRole.SERVICING: servicing_org,
            ProviderRole.FACILITY: facility_org,
        }).items():
            orgs.append({"request_id": request_id, "organization_id": other, "role": role})

        # Numbers.
        draft_number = numbering.format_draft_number(self._number(numbering.DRAFT))
        webcert = auth = None
        if submitted:
            webcert = numbering.format_webcert_number(self._number(numbering.WEBCERT))
            counter = numbering.AUTH_SP if kind.auth_prefix == "SP" else numbering.AUTH_IP
            auth = numbering.format_auth_number(kind.auth_prefix, self._number(counter))

        # Diagnoses.
        primary = rng.choice(scenario.diagnoses)
        codes = [primary]
        if kind is NB:
            codes = list(scenario.diagnoses)
        elif rng.random() < 0.4:
            extra = rng.choice(_COMORBIDITIES)
            if extra not in codes:
                codes.append(extra)
        for position, code in enumerate(codes):
            diagnoses.append({
                "request_id": request_id, "position": position, "code": code,
                "description": ICD10[code], "is_primary": position == 0,
            })

        # Service lines and their outcome.
        n_lines = 1 if len(scenario.procedures) == 1 else rng.randint(1, len(scenario.procedures))
        if kind is NB:
            n_lines = len(scenario.procedures)
        counts = {s: 0 for s in LineStatus}
        reject_reason = ""
        if status is RequestStatus.REJECTED:
            reject_reason = rng.choice(_REJECT_REASONS)
        for number, code in enumerate(scenario.procedures[:n_lines], start=1):
            code_type, description, (low, high) = PROCEDURES[code]
            units = rng.randint(low, high)
            if code == "99233":
                units = max(1, (end_date - start_date).days - 1)
            line = {
                "request_id": request_id, "line_number": number, "code": code, "code_type": code_type,
                "description": description, "modifier": "RT" if code in ("27447", "27130") and rng.random() < 0.5 else "",
                "from_date": start_date, "to_date": end_date, "requested_units": units,
                "status": LineStatus.REQUESTED.value, "authorized_units": None, "authorized_from": None,
                "authorized_to": None, "decision_reason": "", "decided_at": None, "was_pended": False,
                "clinical_outcome": ClinicalOutcome.NOT_REQUIRED.value, "clinical_answers": {},
            }
            if submitted and code_type == "CPT" and code[0] in "27" and rng.random() < 0.7:
                line["clinical_outcome"] = ClinicalOutcome.CRITERIA_MET.value
                line["clinical_answers"] = {"conservative_treatment_weeks": rng.choice([6, 8, 12])}
            if status is RequestStatus.ACCEPTED:
                self._decide_line(line, decided_at)
            elif status is RequestStatus.REJECTED:
                line.update(status=LineStatus.DENIED.value, decision_reason=reject_reason, decided_at=decided_at)
            elif status is RequestStatus.CANCELLED:
                line["status"] = LineStatus.CANCELLED.value
            counts[LineStatus(line["status"])] += 1
            lines.append(line)

        # Timeline.
        creator_name = creator.full_name
        ev = events.append
        ev(_event(request_id, created, creator, "created", f"Draft {draft_number} saved"))
        if status is RequestStatus.DRAFT and updated > created + timedelta(minutes=1):
            ev(_event(request_id, updated, creator, "saved", "Draft saved"))
        if status is RequestStatus.EXPIRED:
            ev(_event(request_id, expires, None, "expired", f"Draft expired {DRAFT_LIFETIME_WORDS} after it was created"))
        if status is RequestStatus.CANCELLED:
            ev(_event(request_id, updated, creator, "cancelled", f"Draft cancelled by {creator_name}"))
        if submitted:
            ev(_event(request_id, submitted_at, creator, "submitted",
                      f"Submitted: WebCert {webcert}, authorization {auth} pending"
                      + (" (expedited requested)" if expedited else "")))
        if status is RequestStatus.REJECTED:
            ev(_event(request_id, decided_at, self.reviewer, "rejected", reject_reason))
        if status is RequestStatus.ACCEPTED:
            summary = ", ".join(
                f"{n} {LINE_STATUS_WORDS[s].lower()} ({s.value})"
                for s, n in counts.items() if n and s is not LineStatus.REQUESTED
            )
            ev(_event(request_id, decided_at, self.reviewer, "accepted", f"Accepted; lines: {summary}"))

        requests.append({
            "id": request_id,
            "kind": kind.value,
            "status": status.value,
            "version": 1,
            "draft_number": draft_number,
            "webcert_number": webcert,
            "auth_number": auth,
            "member_pk": member_pk,
            "member_id_entered": member_id,
            "medicaid_id_entered": medicaid,
            "member_name": member_name,
            "coverage_id": coverage_id,
            "requesting_provider_id": requesting_pid,
            "servicing_provider_id": servicing_pid,
            "facility_provider_id": facility_pid,
            "care_setting": (CareSetting.INPATIENT if kind.is_inpatient else CareSetting.OUTPATIENT).value,
            "category": scenario.category,
            "treatment_type": scenario.treatment_type,
            "place_of_service": scenario.place_of_service,
            "start_date": start_date,
            "end_date": end_date,
            "admitted_via_er": kind is ER,
            "admission_at": admission_at,
            "mother_member_id": member_id if kind is NB else "",
            "delivery_date": delivery_date,
            "delivery_type": ("Cesarean section" if "Cesarean" in scenario.treatment_type else "Vaginal") if kind is NB else "",
            "birth_weight_grams": rng.randrange(2400, 4300) if kind is NB else None,
            "nicu": kind is NB and rng.random() < 0.08,
            "urgency": urgency.value,
            "requested_urgency": urgency.value,
            "expedited_reasons": [c.value for c in scenario.expedited] if expedited else [],
            "benefits_reference": f"BR{rng.randrange(10**7, 10**8)}" if rng.random() < 0.7 else "",
            "contact_name": creator.full_name,
            "contact_phone": creator.phone,
            "contact_phone_ext": "",
            "contact_fax": creator.fax,
            "contact_email": creator.email,
            "wizard_step": rng.randrange(1, 7) if status is RequestStatus.DRAFT else 7,
            "form_state": {},
            "reject_reason": reject_reason,
            "search_text": build_search_text(member_name, member_id, medicaid, draft_number, webcert, auth),
            "created_by_id": creator.id,
            "organization_id": org_id,
            "created_at": created,
            "updated_at": updated,
            "expires_at": expires,
            "submitted_at": submitted_at,
            "decision_due_at": due,
            "decided_at": decided_at,
            "expiry_reminder_queued_at": None,
            "expired_notice_queued_at": None,
        })

    def _decide_line(self, line: dict, decided_at: datetime) -> None:
        rng = self.rng
        roll = rng.random()
        units = line["requested_units"]
        line["decided_at"] = decided_at
        if roll < 0.72 or (roll < 0.82 and units < 2):
            line.update(status=LineStatus.APPROVED.value, authorized_units=units,
                        authorized_from=line["from_date"], authorized_to=line["to_date"],
                        was_pended=rng.random() < 0.06)
        elif roll < 0.82:
            granted = max(1, units * rng.choice((1, 2)) // 3)
            to_date = line["from_date"] + (line["to_date"] - line["from_date"]) * 2 // 3
            line.update(status=LineStatus.PARTIAL.value, authorized_units=granted,
                        authorized_from=line["from_date"], authorized_to=to_date,
                        decision_reason=f"Partially approved: {granted} of {units} units; "
                                        "medical necessity supports a shorter course, then reassess.")
        elif roll < 0.93:
            line.update(status=LineStatus.DENIED.value, authorized_units=0,
                        decision_reason=rng.choice(_DENIAL_REASONS))
        else:
            line.update(status=LineStatus.PENDED.value, decision_reason=rng.choice(_PEND_REASONS),
                        was_pended=True)

    def finish(self) -> None:
        """Advance the number counters past every number used; fix PostgreSQL sequences."""
        for name, value in self.counter.items():
            updated = self.conn.execute(
                text("UPDATE number_sequence SET last_value = :v WHERE name = :n AND last_value < :v"),
                {"v": value, "n": name},
            ).rowcount
            exists = self.conn.execute(
                select(NumberSequence.name).where(NumberSequence.name == name)
            ).first()
            if not updated and exists is None:
                self.conn.execute(insert(NumberSequence.__table__), [{"name": name, "last_value": value}])
        if self.conn.dialect.name == "postgresql":
            for table in ("member", "coverage", "provider", "auth_request"):
                self.conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                ))


def _sqlite_value(value):
    """A value as SQLAlchemy would store it in SQLite (UTC text instants, ISO dates, JSON text)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _pg_value(value):
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _pad_sqlite(expr: str, width: int) -> str:
    return f"printf('%0{width}d', {expr})"


def _pad_pg(expr: str, width: int) -> str:
    return f"lpad(({expr})::text, greatest({width}, length(({expr})::text)), '0')"


def _coverage(pk, member_pk, plan, group, order, start, end) -> dict:
    return {"id": pk, "member_pk": member_pk, "plan_name": plan, "group_number": group,
            "order": order.value, "start_date": start, "end_date": end}


def _provider(pk, npi, number, name, specialty, facility, org_id, rng) -> dict:
    area = "414" if org_id else rng.choice(("262", "608", "920"))
    return {
        "id": pk, "npi": npi, "provider_number": number, "name": name, "specialty": specialty,
        "is_facility": facility, "phone": f"{area}-555-{rng.randrange(100, 199):04d}",
        "fax": f"{area}-555-{rng.randrange(200, 299):04d}",
        "address": f"{rng.randrange(100, 9999)} {rng.choice(('Lake', 'Oak', 'Main', 'Harbor', 'Elm'))} St",
        "organization_id": org_id,
    }


def _event(request_id: int, at: datetime, actor, event: str, detail: str) -> dict:
    return {
        "request_id": request_id, "at": at, "actor_id": actor.id if actor else None,
        "actor_name": actor.full_name if actor else "system", "event": event, "detail": detail,
    }





__all__ = ["DEMO_ACCOUNTS", "ORGANIZATIONS", "is_seeded", "seed_demo"]
