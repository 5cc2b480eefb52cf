"""The conversation engine end to end over the indexed sample knowledge: language, intents, context, grounding."""

from __future__ import annotations

import re

import pytest

from assistant.config import LANGUAGES
from assistant.core import MessageTooLong
from assistant.grounding import ungrounded
from assistant.i18n import messages
from tests.esco_packages import WELDER

WELDING = {
    "sl": "Kje lahko v Kranju opravim tečaj varjenja?",
    "hr": "Tražim tečaj zavarivanja u Sisku",
    "pl": "szukam kursu na spawacza w Nowym Sączu",
    "cs": "hledám kurz svařování v Pardubicích",
    "hu": "hegesztő tanfolyamot keresek Pécsen",
    "en": "where can I learn welding in Kranj?",
}


def grounded(assistant, answer) -> list[str]:
    cited = [assistant.catalogue.courses[s.id] for s in answer.sources if s.id in assistant.catalogue.courses]
    return ungrounded(answer.text, cited, all_course_ids=assistant.catalogue.courses)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_welding_question_is_answered_in_its_language_from_the_catalogue(assistant, lang):
    answer = assistant.reply(f"test:weld-{lang}", WELDING[lang])
    assert answer.lang == lang
    assert answer.intent == "find_training"
    assert answer.sources and all(s.kind == "course" for s in answer.sources)
    titles = " ".join(s.title.lower() for s in answer.sources)
    assert re.search(r"var|zavar|spaw|svař|svar|hegeszt|weld", titles)
    assert grounded(assistant, answer) == []
    assert answer.suggestions == [s for s in answer.suggestions if s in messages().tables[lang].values()]


def test_follow_ups_keep_the_context(assistant):
    conversation = "test:context"
    first = assistant.reply(conversation, "where can I learn welding in Kranj?")
    listed = [s.id for s in first.sources]
    assert listed
    second = assistant.reply(conversation, "is the first one free?")
    assert second.intent == "course_details"
    assert [s.id for s in second.sources] == listed[:1]
    course = assistant.catalogue.courses[listed[0]]
    assert ("free" in second.text.lower()) == course.free
    third = assistant.reply(conversation, "when does it start?")
    assert [s.id for s in third.sources] == listed[:1]
    assert grounded(assistant, third) == []
    online = assistant.reply(conversation, "something online instead")
    assert online.intent == "find_training"
    # No welding course is online: said so, with the nearest offers and the counsellor.
    assert online.text.startswith("I found no offer that fits (online")
    assert any(s.kind == "guidance" for s in online.sources)
    programming = assistant.reply("test:context-online", "I want to learn programming in Kranj")
    assert programming.sources
    online = assistant.reply("test:context-online", "something online instead")
    assert online.sources
    assert all(assistant.catalogue.courses[s.id].mode.value == "online" for s in online.sources)
    sisak = assistant.reply(conversation, "and in Sisak?")
    assert sisak.sources
    assert all(
        assistant.catalogue.courses[s.id].region == "hr-sisak-moslavina"
        for s in sisak.sources
        if s.kind == "course"
    )


def test_an_ordinal_past_the_list_is_answered_honestly(assistant):
    conversation = "test:ordinal"
    first = assistant.reply(conversation, "where can I learn welding in Kranj?")
    answer = assistant.reply(conversation, "is the fifth one free?")
    assert answer.intent == "course_details"
    assert answer.sources == [] or len(first.sources) >= 5


def test_an_occupation_shows_its_essential_skills_courses_and_the_esco_attribution(assistant):
    answer = assistant.reply("test:occupation", "what does a welder do?", region="si-gorenjska")
    assert answer.intent == "occupation"
    assert answer.sources[0].id == WELDER
    assert "use welding equipment" in answer.text
    assert "si-test-esco-varjenje" in [s.id for s in answer.sources]
    assert "This service uses the ESCO classification of the European Commission." in answer.text
    assert answer.uses_esco


@pytest.mark.parametrize(
    ("text", "lang", "page"),
    [
        ("kako se prijavim na zavod za zaposlovanje?", "sl", "si-register-employment-service-sl"),
        ("tko mi može platiti tečaj, ima li vaučera?", "hr", "hr-funding-training-hr"),
        ("czy moje doświadczenie można potwierdzić bez kursu?", "pl", "pl-prior-learning-pl"),
        ("chci mluvit s poradcem", "cs", "cz-counsellor-cs"),
        ("hogyan dolgozhatnék külföldön?", "hu", "hu-work-abroad-hu"),
    ],
)
def test_guidance_questions_cite_the_countrys_page(assistant, text, lang, page):
    answer = assistant.reply(f"test:guide-{lang}", text)
    assert answer.lang == lang
    assert [s.id for s in answer.sources] == [page]


def test_nothing_fits_is_said_honestly_and_recorded_without_personal_data(assistant):
    conversation = "test:unmet"
    answer = assistant.reply(
        conversation, "I want a course in deep sea diving, call me on +386 41 123 456", region="si-gorenjska"
    )
    assert answer.intent == "find_training"
    assert "counsellor" in answer.text.lower()
    assert any(s.kind == "guidance" and "counsellor" in s.id for s in answer.sources)
    recorded = [r for r in assistant.store.unmet() if "diving" in r.text]
    assert recorded and "123 456" not in recorded[-1].text and recorded[-1].lang == "en"


def test_small_talk_and_out_of_scope(assistant):
    assert assistant.reply("test:talk", "Živjo").intent == "greeting"
    assert assistant.reply("test:talk", "hvala").intent == "thanks"
    assert assistant.reply("test:talk2", "what is the weather tomorrow?").intent == "out_of_scope"


def test_language_explicit_choice_wins_and_short_messages_keep_the_conversations(assistant):
    assert assistant.reply("test:lang", "where can I learn welding?", lang="pl").lang == "pl"
    assert assistant.reply("test:lang", "ok").lang == "pl"
    assert assistant.reply("test:lang2", "Kje se lahko naučim varjenja na Gorenjskem?").lang == "sl"
    assert assistant.reply("test:lang2", "2").lang == "sl"
    assert assistant.reply("test:lang3", "ok", lang_hint="hu").lang == "hu"


def test_change_of_language_is_confirmed_in_the_new_language(assistant):
    answer = assistant.reply("test:switch", "can you answer in Croatian please")
    assert answer.intent == "change_language"
    assert answer.lang == "hr"
    assert answer.text == messages().t("hr", "language_changed")


def test_hostile_input_is_bounded_and_never_echoed(assistant):
    answer = assistant.reply("test:hostile", "<img src=x onerror=alert(1)> welding")
    assert "<img" not in answer.text
    with pytest.raises(MessageTooLong) as error:
        assistant.reply("test:hostile", "a" * 5000, lang="sl")
    assert "1000" in str(error.value)


def test_forgetting_a_conversation_removes_it(assistant):
    assistant.reply("test:forget", "where can I learn welding?")
    assert assistant.store.load("test:forget") is not None
    assert assistant.forget("test:forget")
    assert assistant.store.load("test:forget") is None


def test_a_menu_choice_of_language_and_region_holds_for_the_next_turns(assistant):
    assert assistant.preferences("test:menu") == (None, None)
    assistant.choose("test:menu", lang="hr", region="hr-sisak-moslavina")
    assert assistant.preferences("test:menu") == ("hr", "hr-sisak-moslavina")
    answer = assistant.reply("test:menu", "where can I learn welding?")
    assert answer.lang == "hr"
    assert assistant.store.load("test:menu").region == "hr-sisak-moslavina"
    with pytest.raises(ValueError):
        assistant.choose("test:menu", lang="de")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_quick_reply_is_understood(assistant, lang):
    """Each suggestion, sent as a message after a list of courses, gets the intent it stands for."""
    wanted = {
        "suggest_find": "find_training",
        "suggest_online": "find_training",
        "suggest_free": "find_training",
        "suggest_more": "find_training",
        "suggest_details_first": "course_details",
        "suggest_when": "course_details",
        "suggest_cost": "course_details",
        "suggest_apply": "course_details",
        "suggest_counsellor": "counsellor",
        "suggest_funding": "funding",
        "suggest_register": "registration",
        "suggest_prior": "prior_learning",
        "suggest_skills": "occupation",
        "suggest_region": "change_region",
    }
    wrong = {}
    for key, intent in wanted.items():
        conversation = f"test:quick-{lang}-{key}"
        assistant.reply(conversation, WELDING[lang], lang=lang)
        answer = assistant.reply(conversation, messages().t(lang, key))
        if answer.intent != intent or answer.lang != lang:
            wrong[key] = (answer.intent, answer.lang)
    assert wrong == {}


def test_a_town_is_read_by_its_longest_name(assistant):
    waiter = assistant.reply("test:town", "waiter course in Kranjska Gora", lang="en")
    assert assistant.store.load("test:town").state["conditions"]["town"] == "Kranjska Gora"
    assert waiter.sources
    assert all(
        "Kranjska Gora" in assistant.catalogue.courses[s.id].locations
        or assistant.catalogue.courses[s.id].mode.value == "online"
        for s in waiter.sources
        if s.kind == "course"
    )


def test_a_language_course_is_looked_for_where_the_language_is_spoken(assistant):
    # A person in Croatia asks for a Slovene course: the Slovene course in Gorenjska, not a Croatian one.
    answer = assistant.reply("test:slovene", "trebam tecaj slovenskog jezika", region="hr-sisak-moslavina")
    assert answer.intent in ("find_training", "learn_skill")
    assert [s.id for s in answer.sources][:1] == ["si-gorenjska-slovenscina-za-tujce"]
    # The conversation stays in its region: the next search is in Sisak-Moslavina again.
    forklift = assistant.reply("test:slovene", "tecaj za vilicar")
    assert forklift.sources
    assert all(assistant.catalogue.courses[s.id].region == "hr-sisak-moslavina" for s in forklift.sources)


def test_a_number_that_counts_years_points_at_no_offering(assistant):
    conversation = "test:years"
    assistant.reply(conversation, "where can I learn welding in Kranj?")
    answer = assistant.reply(
        conversation, "I worked 5 years as a welder without papers, how can I get my skills recognised?"
    )
    assert answer.intent == "prior_learning"


def test_slovene_in_a_croatian_looking_message_stays_slovene(assistant):
    # Unaccented, colloquial Slovene: lingua alone reads it as Croatian.
    conversation = "test:sibling"
    assistant.reply(conversation, "živjo, iščem tečaj računalništva za začetnike")
    answer = assistant.reply(conversation, "a je kaka subvencija al pomoc za placilo tecajev?")
    assert answer.lang == "sl"
    assert answer.intent == "funding"  # about paying for courses, not a narrower list of the ones shown
    assert [s.id for s in answer.sources] == ["si-funding-training-sl"]


def test_when_is_the_next_named_course_is_a_question_about_that_offering(assistant):
    assistant.reply("test:next", "tecaj za motorko")
    answer = assistant.reply("test:next", "kdaj je naslednji tecaj za varno delo z motorno zago?")
    assert answer.intent == "course_details"
    assert [s.id for s in answer.sources] == ["si-gorenjska-motorna-zaga-varno-delo"]


def test_the_people_one_would_work_with_are_a_topic_not_a_target_group(assistant):
    conversation = "test:elderly"
    answer = assistant.reply(conversation, "po porodniski bi rada delala s starejsimi, kake tecaje imate?")
    assert answer.intent == "find_training"
    conditions = assistant.store.load(conversation).state["conditions"]
    assert conditions.get("group") == "women-returners"  # who asks, not the older people she would care for
    ids = {s.id for s in answer.sources}
    assert ids & {"si-gorenjska-bolnicar-negovalec-odrasli", "si-gorenjska-socialni-oskrbovalec-npk"}


def test_a_town_is_found_in_its_inflected_forms(assistant):
    conversation = "test:sisku"
    assistant.reply(conversation, "zanima me posao u kuhinji, ima li tecaj u sisku?")
    assert assistant.store.load(conversation).state["conditions"]["town"] == "Sisak"


def test_going_abroad_is_a_question_about_working_abroad(assistant):
    answer = assistant.reply("test:abroad", "kulfoldre mennek kamionozni, mit kell tudni?")
    assert answer.intent == "work_abroad"
    assert answer.lang == "hu"


def test_moving_to_another_country_changes_the_region(assistant):
    conversation = "test:moved"
    assistant.reply(conversation, "targoncas kepzest keresek")
    moved = assistant.reply(conversation, "bocs, kozben atkoltoztem horvatorszagba, Sisak melle. ott keresek")
    assert moved.intent == "change_region"
    assert assistant.store.load(conversation).state["region"] == "hr-sisak-moslavina"
    assert moved.lang == "hu"


@pytest.mark.parametrize(
    "text",
    [
        "Gdzie mogę zrobić kurs na wózek widłowy w Małopolsce?",  # the region in the locative
        "Gdzie mogę zrobić kurs na wózek widłowy w Krakowie?",  # the region's capital, where no course is
    ],
)
def test_a_region_named_in_any_form_narrows_the_search_and_leaves_the_topic(assistant, text):
    # Both used to stay in the searched text ('wózek widłowy Małopolsce?') and bury the forklift course under
    # offerings that only matched the place.
    answer = assistant.reply(f"test:{text}", text)
    assert answer.lang == "pl" and answer.intent == "find_training"
    assert answer.sources[0].id == "pl-malopolska-operator-wozkow-widlowych"
    assert assistant.store.load(f"test:{text}").state["region"] == "pl-malopolska"


@pytest.mark.parametrize(
    ("text", "lang", "region"),
    [
        ("where can I learn to sell my products online?", "en", "hu-south-transdanubia"),
        ("hol tanulhatok meg online árulni?", "hu", "hu-south-transdanubia"),
    ],
)
def test_selling_online_is_what_to_learn_not_how(assistant, text, lang, region):
    conversation = f"test:sell:{lang}"
    answer = assistant.reply(conversation, text, lang=lang, region=region)
    assert "mode" not in assistant.store.load(conversation).state["conditions"]
    assert "hu-south-transdanubia-webaruhaz-uzemeltetes" in [s.id for s in answer.sources]


def test_is_it_paid_asks_about_the_offering_pointed_at(assistant):
    conversation = "test:paid"
    listed = assistant.reply(conversation, "trebam tečaj za viličar", lang="hr")
    answer = assistant.reply(conversation, "jel to placeno ili moram ja platit?")
    assert answer.intent == "course_details"
    assert [s.id for s in answer.sources] == [listed.sources[0].id]


def test_a_language_named_in_czech_is_looked_for_where_it_is_spoken(assistant):
    answer = assistant.reply(
        "test:polstina", "hledam kurz polstiny pro cizince", lang="cs", region="cz-pardubice"
    )
    assert answer.lang == "cs"
    assert [s.id for s in answer.sources][:1] == ["pl-malopolska-jezyk-polski-dla-cudzoziemcow"]
