"""AuthDesk's own forms as FHIR Questionnaires, and a case's answers as QuestionnaireResponses.

* The "Document Clinical" questions of ``store/rules/clinical_rules.toml``
  (one Questionnaire per rule; one response per service line answered).
* The newborn delivery notification's data (mother's member ID, delivery
  date and type, birth weight, NICU).

Both travel in the request Bundle as ``supportingInfo[AdditionalInformation]``
(US Core QuestionnaireResponse), with the Questionnaire beside them so the
question texts can be read without AuthDesk.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.meta import Meta
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.questionnaire import Questionnaire, QuestionnaireItem, QuestionnaireItemAnswerOption
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from fhir.resources.R4B.reference import Reference

from store.fhir import terms
from store.records import CaseDetail, ServiceLineRecord
from store.services import clinical

_ITEM_TYPES = {"yes_no": "boolean", "choice": "choice", "number": "decimal", "text": "string"}
NEWBORN_ID = "newborn-delivery"
UCUM = "http://unitsofmeasure.org"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "rule"


@lru_cache(maxsize=64)
def _clinical_questionnaire(title: str) -> Questionnaire | None:
    rule = next((r for r in clinical.rules() if r.title == title), None)
    if rule is None:
        return None
    slug = _slug(rule.title)
    items = []
    for question in rule.questions:
        options = None
        if question.kind == "choice":
            options = [QuestionnaireItemAnswerOption(valueCoding=Coding(code=o, display=o)) for o in question.options]
        items.append(QuestionnaireItem(linkId=question.id, text=question.text, type=_ITEM_TYPES[question.kind],
                                       required=question.required, answerOption=options))
    return Questionnaire(
        id=f"clinical-{slug}",
        url=f"{terms.QUESTIONNAIRE_BASE}:clinical:{slug}",
        name=slug.replace("-", "_"),
        title=f"Document Clinical: {rule.title}",
        status="active",
        item=items,
    )


def clinical_questionnaire(code: str) -> Questionnaire | None:
    """The Questionnaire of the clinical rule covering ``code`` (None when the code has no questions)."""
    rule = clinical.rule_for(code)
    if rule is None:
        return None
    return _clinical_questionnaire(rule.title).model_copy(deep=True)


def _answer(kind: str, text: str) -> QuestionnaireResponseItemAnswer | None:
    text = (text or "").strip()
    if not text:
        return None
    if kind == "yes_no" and text.lower() in ("yes", "no"):
        return QuestionnaireResponseItemAnswer(valueBoolean=text.lower() == "yes")
    if kind == "number":
        try:
            return QuestionnaireResponseItemAnswer(valueDecimal=float(text))
        except ValueError:
            pass
    if kind == "choice":
        return QuestionnaireResponseItemAnswer(valueCoding=Coding(code=text, display=text))
    return QuestionnaireResponseItemAnswer(valueString=text)


def clinical_response(questionnaire: Questionnaire, line: ServiceLineRecord, patient: Reference,
                      author: Reference, authored: datetime) -> QuestionnaireResponse:
    """The clerk's answers for ``line`` (US Core QuestionnaireResponse)."""
    items = []
    for question in clinical.questions_for(line.code):
        answer = _answer(question.kind, str(line.clinical_answers.get(question.id, "")))
        items.append(QuestionnaireResponseItem(linkId=question.id, text=question.text,
                                               answer=[answer] if answer else None))
    return QuestionnaireResponse(
        meta=Meta(profile=[terms.PROFILE_US_CORE_QR]),
        questionnaire=questionnaire.url,
        status="completed",
        subject=patient,
        authored=authored,
        author=author,
        item=items,
    )


def newborn_questionnaire() -> Questionnaire:
    """The newborn delivery notification's fields as a Questionnaire."""
    from store.services.reference import delivery_types

    options = [QuestionnaireItemAnswerOption(valueCoding=Coding(code=t, display=t)) for t in delivery_types()]
    return Questionnaire(
        id=NEWBORN_ID,
        url=f"{terms.QUESTIONNAIRE_BASE}:{NEWBORN_ID}",
        name="newborn_delivery",
        title="Newborn delivery notification",
        status="active",
        item=[
            QuestionnaireItem(linkId="mother-member-id", text="Mother's member ID", type="string", required=True),
            QuestionnaireItem(linkId="delivery-date", text="Delivery date", type="date", required=True),
            QuestionnaireItem(linkId="delivery-type", text="Delivery type", type="choice", required=True,
                              answerOption=options),
            QuestionnaireItem(linkId="birth-weight", text="Birth weight", type="quantity", required=True),
            QuestionnaireItem(linkId="nicu", text="Admitted to the NICU", type="boolean", required=True),
        ],
    )


def newborn_response(questionnaire: Questionnaire, case: CaseDetail, patient: Reference, author: Reference,
                     authored: datetime) -> QuestionnaireResponse:
    """The case's newborn delivery data as a QuestionnaireResponse."""
    answers = {
        "mother-member-id": QuestionnaireResponseItemAnswer(valueString=case.mother_member_id)
        if case.mother_member_id else None,
        "delivery-date": QuestionnaireResponseItemAnswer(valueDate=case.delivery_date) if case.delivery_date else None,
        "delivery-type": QuestionnaireResponseItemAnswer(valueCoding=Coding(code=case.delivery_type,
                                                                             display=case.delivery_type))
        if case.delivery_type else None,
        "birth-weight": QuestionnaireResponseItemAnswer(valueQuantity=Quantity(
            value=case.birth_weight_grams, unit="g", system=UCUM, code="g"))
        if case.birth_weight_grams is not None else None,
        "nicu": QuestionnaireResponseItemAnswer(valueBoolean=bool(case.nicu)),
    }
    items = [
        QuestionnaireResponseItem(linkId=item.linkId, text=item.text,
                                  answer=[answers[item.linkId]] if answers[item.linkId] else None)
        for item in questionnaire.item
    ]
    return QuestionnaireResponse(
        meta=Meta(profile=[terms.PROFILE_US_CORE_QR]),
        questionnaire=questionnaire.url,
        status="completed",
        subject=patient,
        authored=authored,
        author=author,
        item=items,
    )


__all__ = ["clinical_questionnaire", "clinical_response", "newborn_questionnaire", "newborn_response"]
