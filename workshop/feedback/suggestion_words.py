"""The words the mapping suggestion (``workshop.feedback.suggest``) recognises: common survey wording for each
field in headings, touchpoints' usual names, the headings of a long export's question and answer columns,
flags' answers, outcome labels and the points they are offered at, and the words too common to compare.

Vocabulary only, kept apart from the heuristics that use it so either can be read (and extended) alone.
"""

from __future__ import annotations

FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "response_id": (
        "response id",
        "respondent id",
        "response",
        "respondent",
        "id",
        "record id",
        "submission id",
        "responseid",
        "survey id",
        "case id",
        "interview id",
        "review id",
    ),
    "date": (
        "date",
        "submitted",
        "submitted at",
        "submission date",
        "response date",
        "completed",
        "completed at",
        "timestamp",
        "created",
        "created at",
        "end date",
        "recorded date",
        "survey date",
        "date submitted",
        "review date",
        "tweet created",
        "at",
    ),
    "touchpoint": (
        "touchpoint",
        "touch point",
        "channel",
        "contact channel",
        "point of contact",
        "interaction",
        "contact type",
        "journey step",
    ),
    "segment": (
        "segment",
        "customer segment",
        "customer type",
        "customer group",
        "tier",
        "plan",
        "market",
        "customer status",
        "class",
        "type of travel",
        "department",
        "division",
    ),
    "recommend": (
        "recommend",
        "nps",
        "likelihood to recommend",
        "likely to recommend",
        "would you recommend",
        "how likely are you to recommend",
        "net promoter",
        "net promoter score",
        "ltr",
    ),
    "overall": (
        "overall",
        "overall rating",
        "overall score",
        "overall satisfaction",
        "rating",
        "score",
        "stars",
        "star rating",
        "review score",
        "reviews rating",
        "satisfaction",
        "sentiment",
    ),
    "comment": (
        "comment",
        "comments",
        "verbatim",
        "feedback",
        "free text",
        "open text",
        "anything else",
        "remarks",
        "tell us more",
        "other comments",
        "open answer",
        "review",
        "review text",
        "text",
        "content",
        "reviews text",
        "body",
    ),
}
"""Common survey wording for each field, matched against headings."""
TOUCHPOINT_WORDS: dict[str, tuple[str, ...]] = {
    "phone": (
        "call centre",
        "call center",
        "telephone",
        "tel",
        "hotline",
        "contact centre",
        "contact center",
        "by phone",
        "phone call",
    ),
    "store": ("shop", "branch", "in store", "in-store", "showroom", "retail"),
    "web": ("website", "online", "internet", "web site", "webshop", "online shop"),
    "email": ("e-mail", "mail", "by email"),
    "delivery": ("home delivery", "courier", "shipping", "driver"),
    "app": ("mobile app", "mobile", "application"),
    "chat": ("live chat", "web chat", "chatbot"),
}
QUESTION_HEADINGS = ("question", "question text", "question label", "item", "variable", "attribute", "metric")
ANSWER_HEADINGS = ("answer", "response", "value", "score", "rating", "answer value")
BINARY_PAIRS = ({"0", "1"}, {"yes", "no"}, {"true", "false"}, {"y", "n"})
"""Answers of a flag; the first of each pair's 'yes' side is what an advocate says."""
ADVOCATE_SIDE = {"1", "yes", "true", "y"}
OUTCOME_WORDS = frozenset(
    {
        "satisfied",
        "dissatisfied",
        "unsatisfied",
        "neutral",
        "neutral or dissatisfied",
        "positive",
        "negative",
        "mixed",
        "promoter",
        "passive",
        "detractor",
        "recommended",
        "not recommended",
        "churn",
        "churned",
        "stayed",
        "yes",
        "no",
        "true",
        "false",
        "happy",
        "unhappy",
        "good",
        "bad",
        "poor",
        "excellent",
    }
)
"""Words that say how a response came out: an outcome, never a touchpoint or segment."""
OUTCOME_POINTS = {
    **dict.fromkeys(("satisfied", "positive", "happy", "good", "excellent", "recommended", "promoter"), 10),
    **dict.fromkeys(("neutral", "mixed", "passive"), 5),
    **dict.fromkeys(
        (
            "dissatisfied",
            "unsatisfied",
            "neutral or dissatisfied",
            "negative",
            "unhappy",
            "bad",
            "poor",
            "not recommended",
            "detractor",
        ),
        0,
    ),
}
"""The points an outcome label is offered at when a column of them is read as the overall rating: the good
side 10, the middle 5, the bad side 0 (the consultant may change them)."""


STOP_WORDS = frozenset(
    "a an and are as at be by did do does for from how in is it of on or our the this to "
    "us was we were what who with you your".split()
)
