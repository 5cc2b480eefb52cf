"""The records staff write in knowledge/: training offerings and guidance pages, with their validation."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from assistant.config import LANGUAGES

REGIONS: dict[str, str] = {
    "si-gorenjska": "SI",
    "hr-sisak-moslavina": "HR",
    "pl-malopolska": "PL",
    "cz-pardubice": "CZ",
    "hu-south-transdanubia": "HU",
}
COUNTRY_LANGUAGE: dict[str, str] = {"SI": "sl", "HR": "hr", "PL": "pl", "CZ": "cs", "HU": "hu"}
COUNTRY_CURRENCY: dict[str, str] = {"SI": "EUR", "HR": "EUR", "PL": "PLN", "CZ": "CZK", "HU": "HUF"}
ESCO_URI = re.compile(r"^http://data\.europa\.eu/esco/(skill|occupation)/[0-9a-f-]{36}$")
RECORD_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,99}$")

Lang = Literal["sl", "hr", "pl", "cs", "hu", "en"]
Country = Literal["SI", "HR", "PL", "CZ", "HU"]


def _record_id(value: str) -> str:
    if not RECORD_ID.match(value):
        raise ValueError("use 3-100 lowercase letters, digits and hyphens, e.g. hr-sisak-zavarivanje-mig")
    return value


RecordId = Annotated[str, AfterValidator(_record_id)]


class OfferingType(StrEnum):
    short_course = "short-course"
    vet_programme = "vet-programme"
    vocational_qualification = "vocational-qualification"
    prior_learning = "prior-learning"
    retraining = "retraining"
    online_course = "online-course"
    on_the_job = "on-the-job"


class Mode(StrEnum):
    online = "online"
    onsite = "onsite"
    blended = "blended"


class Theme(StrEnum):
    green = "green"
    digital = "digital"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Session(Strict):
    start: dt.date
    end: dt.date | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> Session:
        if self.end and self.end < self.start:
            raise ValueError("end is before start")
        return self


class Cost(Strict):
    amount: float = Field(ge=0, description="Price for one participant; 0 means free to the participant")
    currency: Literal["EUR", "PLN", "CZK", "HUF"]
    funding: list[str] = Field(default_factory=list, description="Funding routes, e.g. 'HZZ voucher'")
    note: str | None = None

    @property
    def free(self) -> bool:
        return self.amount == 0


class Credential(Strict):
    name: str = Field(min_length=2)
    eqf_level: int | None = Field(None, ge=1, le=8)


class EscoLinks(Strict):
    skills: list[str] = Field(default_factory=list)
    occupations: list[str] = Field(default_factory=list)

    @field_validator("skills", "occupations")
    @classmethod
    def _esco_uris(cls, uris: list[str]) -> list[str]:
        for uri in uris:
            if not ESCO_URI.match(uri):
                raise ValueError(f"not an ESCO skill or occupation URI: {uri!r}")
        return uris


class Apply(Strict):
    url: HttpUrl | None = None
    contact: str | None = None

    @model_validator(mode="after")
    def _something_to_reach(self) -> Apply:
        if not self.url and not self.contact:
            raise ValueError("give a url or a contact")
        return self


def _titles_valid(titles: dict[str, str]) -> dict[str, str]:
    if not titles:
        raise ValueError("give a title in at least one language")
    for lang, text in titles.items():
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
        if not text or not text.strip():
            raise ValueError(f"title in {lang!r} is empty")
    return titles


class Course(Strict):
    """One training offering of a regional catalogue."""

    id: RecordId
    type: OfferingType
    title: dict[str, str]
    provider: str = Field(min_length=2)
    country: Country
    region: str
    locations: list[str] = Field(default_factory=list)
    mode: Mode
    languages: list[Lang] = Field(min_length=1)
    dates: list[Session] = Field(default_factory=list)
    rolling: bool = False
    application_deadline: dt.date | None = None
    duration_hours: float = Field(gt=0, le=5000)
    cost: Cost
    target_groups: list[str] = Field(default_factory=list)
    entry_requirements: str | None = None
    credential: Credential | None = None
    esco: EscoLinks = Field(default_factory=EscoLinks)
    themes: list[Theme] = Field(default_factory=list)
    apply: Apply
    last_reviewed: dt.date
    source: str = "catalogue"
    description: str = ""

    @field_validator("title")
    @classmethod
    def _titles(cls, titles: dict[str, str]) -> dict[str, str]:
        return _titles_valid(titles)

    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        if region not in REGIONS:
            raise ValueError(f"unknown region {region!r}; use one of {', '.join(REGIONS)}")
        return region

    @model_validator(mode="after")
    def _consistent(self) -> Course:
        if REGIONS[self.region] != self.country:
            raise ValueError(f"region {self.region} is not in country {self.country}")
        if not self.dates and not self.rolling:
            raise ValueError("give dates, or set rolling: true")
        if self.mode != Mode.online and not self.locations:
            raise ValueError("an onsite or blended offering needs locations")
        return self

    @property
    def free(self) -> bool:
        return self.cost.free

    @property
    def lang(self) -> str:
        return COUNTRY_LANGUAGE[self.country]


class GuidancePage(Strict):
    """A guidance page: how to register, funding, recognition of prior learning, and the like."""

    id: RecordId
    lang: Lang
    country: Country | Literal["all"]
    title: str = Field(min_length=2)
    topics: list[str] = Field(min_length=1)
    url: HttpUrl | None = None
    last_reviewed: dt.date | None = None
    source: str = "guidance"
    body: str = Field(min_length=20)
