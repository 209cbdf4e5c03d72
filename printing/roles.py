"""Who is who on paper, one model for every document.

The resident the case is for is the 申请人 (and, when someone acts for them,
the 委托人 of the 授权委托书). The person who comes to act for the resident is
the 代办人 (the 受托人 of the 授权委托书). The station's own worker is the
代办员. Every document names people with these words and nothing else, so the
receipt, the notices and the township's papers agree.
"""

from __future__ import annotations

from printing.fmt import relation_text
from printing.model import CaseDocument, Party

RESIDENT = "申请人"
"""The resident the case is for."""
PRINCIPAL = "委托人"
"""The resident, on the 授权委托书."""
ACTING = "代办人"
"""The person acting for the resident (a relative, or someone the resident sent)."""
TRUSTEE = "受托人"
"""The person acting, on the 授权委托书."""
AGENT = "代办员"
"""The station's worker who takes the case in."""


def resident(doc: CaseDocument) -> Party:
    """The resident the case is for (申请人)."""
    return doc.principal or doc.applicant


def acting(doc: CaseDocument) -> Party | None:
    """The person acting for the resident (代办人), or None when the resident came themself."""
    return doc.applicant if doc.principal is not None else None


def signer(doc: CaseDocument) -> str:
    """Who signs for the resident's side at the desk: the 代办人 when present, else the 申请人."""
    return ACTING if acting(doc) is not None else RESIDENT


def phone_or_blank(phone: str) -> str:
    """A phone as printed: the number, or a line to write it on when it is unknown."""
    return phone.strip() or "____________"


def by_the_agent(doc: CaseDocument) -> bool:
    """Whether the station's own 代办员 acts for the resident (``agent``: the resident
    entrusted someone; it is the 代办员 when nobody else was entered, or the person
    entered is the case's 代办员)."""
    if doc.relation != "agent":
        return False
    proxy = acting(doc)
    agent = doc.agent_name.strip()
    return proxy is None or (bool(agent) and proxy.name.strip() == agent)


def relation_words(doc: CaseDocument) -> str:
    """代办关系 as printed: 本人, 亲属代办, 代办员代办 (the station's 代办员 entrusted), or
    受托人代办 (another person the resident entrusted, a neighbour, a son); free text
    as written."""
    if doc.relation == "agent" and not by_the_agent(doc):
        return "受托人代办"
    return relation_text(doc.relation)
