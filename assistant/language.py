"""Which of the six languages a text is in, as ranked guesses with confidences."""

from __future__ import annotations

import re
from functools import cached_property

from lingua import Language, LanguageDetectorBuilder

LINGUA = {
    "sl": Language.SLOVENE,
    "hr": Language.CROATIAN,
    "pl": Language.POLISH,
    "cs": Language.CZECH,
    "hu": Language.HUNGARIAN,
    "en": Language.ENGLISH,
}
CODES = {language: code for code, language in LINGUA.items()}


class LanguageDetector:
    """lingua restricted to sl, hr, pl, cs, hu and en; models load on first use."""

    @cached_property
    def _detector(self):
        return (
            LanguageDetectorBuilder.from_languages(*LINGUA.values()).with_preloaded_language_models().build()
        )

    def ranked(self, text: str) -> list[tuple[str, float]]:
        """Languages with their confidence, most likely first; empty for text without letters."""
        if not any(ch.isalpha() for ch in text):
            return []
        values = self._detector.compute_language_confidence_values(text)
        return [(CODES[value.language], float(value.value)) for value in values]

    def likely(self, text: str, *, threshold: float = 0.15, limit: int = 3) -> tuple[str, ...]:
        """The languages worth reading `text` as: the best guess and any close rivals."""
        ranked = self.ranked(text)
        if not ranked:
            return ()
        return tuple(code for code, confidence in ranked[:limit] if confidence >= threshold) or (
            ranked[0][0],
        )


URL_OR_EMAIL = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MIN_LETTERS_TO_DETECT = 25


def own_words_language(text: str, quoted: list[str], detector: LanguageDetector) -> str | None:
    """The language of a reply's own words, the record texts it quotes removed; None if too little is left."""
    for quote in sorted((q for q in quoted if q), key=len, reverse=True):
        text = text.replace(quote, " ")
    text = URL_OR_EMAIL.sub(" ", text)
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS_TO_DETECT:
        return None
    ranked = detector.ranked(text)
    return ranked[0][0] if ranked else None
