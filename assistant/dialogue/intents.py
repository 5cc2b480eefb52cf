"""What a person wants, from example messages per intent: the nearest examples by shared words (TF-IDF)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from assistant.lexicon import Lexicon
from assistant.text import PREFIX, fold, lemma, words

INTENTS: tuple[str, ...] = (
    "greeting",
    "help",
    "find_training",
    "course_details",
    "occupation",
    "learn_skill",
    "funding",
    "registration",
    "prior_learning",
    "work_abroad",
    "counsellor",
    "change_language",
    "change_region",
    "thanks",
    "out_of_scope",
)
NEAREST = 3  # examples an intent's score is the mean of
GUIDANCE_INTENTS: dict[str, str] = {
    "funding": "funding-training",
    "registration": "register-employment-service",
    "prior_learning": "prior-learning",
    "work_abroad": "work-abroad",
    "counsellor": "counsellor",
}


def intent_terms(text: str, lang: str) -> list[str]:
    """Folded words, their lemmas and stems: question words stay, for they carry the intent."""
    found: list[str] = []
    for word in words(text):
        folded = fold(word)
        variants = {folded, "=" + fold(lemma(word, lang))}
        if len(folded) >= PREFIX:
            variants.add("~" + folded[:PREFIX])
        found.extend(variants)
    return found


@dataclass(frozen=True)
class Guess:
    intent: str
    score: float  # mean cosine similarity to the intent's nearest examples, 0..1


class IntentClassifier:
    """Nearest example over the examples of the given languages' lexicons."""

    def __init__(self, lexicons: list[Lexicon]) -> None:
        self._examples: list[tuple[str, dict[str, float]]] = []
        self._postings: dict[str, dict[str, list[tuple[int, float]]]] = {}
        self._idf: dict[str, dict[str, float]] = {}
        self._unseen: dict[str, float] = {}
        self._vocabulary: dict[str, set[str]] = {}
        for lexicon in lexicons:
            self._add(lexicon)

    def _add(self, lexicon: Lexicon) -> None:
        bags = [
            (intent, Counter(intent_terms(example, lexicon.lang)))
            for intent, examples in lexicon.intents.items()
            for example in examples
        ]
        df = Counter(term for _, bag in bags for term in bag)
        idf = {term: math.log((1 + len(bags)) / (1 + n)) + 1 for term, n in df.items()}
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for intent, bag in bags:
            vector = _normalised({term: count * idf[term] for term, count in bag.items()})
            number = len(self._examples)
            self._examples.append((intent, vector))
            for term, weight in vector.items():
                postings[term].append((number, weight))
        self._postings[lexicon.lang] = dict(postings)
        self._idf[lexicon.lang] = idf
        self._unseen[lexicon.lang] = math.log(1 + len(bags)) + 1
        self._vocabulary[lexicon.lang] = {
            fold(word)
            for examples in lexicon.intents.values()
            for example in examples
            for word in words(example)
        }

    def coverage(self, text: str) -> dict[str, float]:
        """For each language, the share of the text's words that its example messages use."""
        found = [fold(word) for word in words(text)]
        if not found:
            return {}
        return {
            lang: sum(w in vocabulary for w in found) / len(found)
            for lang, vocabulary in self._vocabulary.items()
        }

    def classify(self, text: str, langs: tuple[str, ...]) -> list[Guess]:
        """Intents with the mean similarity of their nearest examples, best first."""
        found: dict[str, list[float]] = defaultdict(list)
        for lang in langs:
            if lang not in self._postings:
                continue
            idf = self._idf[lang]
            unseen = self._unseen[lang]
            bag = Counter(intent_terms(text, lang))
            # Words no example has still weigh in the norm: a long message about welding is less of a 'hello'.
            query = _normalised({term: count * idf.get(term, unseen) for term, count in bag.items()})
            scores: dict[int, float] = defaultdict(float)
            for term, weight in query.items():
                for number, example_weight in self._postings[lang].get(term, ()):
                    scores[number] += weight * example_weight
            for number, score in scores.items():
                found[self._examples[number][0]].append(score)
        # The mean of an intent's nearest examples: one stray example sharing two words is not enough.
        best = {intent: sum(sorted(s, reverse=True)[:NEAREST]) / NEAREST for intent, s in found.items()}
        return [Guess(intent, score) for intent, score in sorted(best.items(), key=lambda kv: -kv[1])]


def _normalised(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {term: w / norm for term, w in vector.items() if w} if norm else {}
