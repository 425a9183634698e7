"""The words and dates every format prints, in the article's language: one table for all.

A language publish has no words for falls back to English labels (marked with `lang="en"` by
the formats that can say so) and to ISO 8601 dates, which read the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markupsafe import Markup

# Scripts written right to left (primary language subtags).
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})

MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
           "ottobre", "novembre", "dicembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
           "novembro", "dezembro"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december"),
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december"),
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember"),
}
DATE_PATTERNS = {"en": "{d} {m} {y}", "fr": "{d} {m} {y}", "de": "{d}. {m} {y}", "es": "{d} de {m} de {y}",
                 "it": "{d} {m} {y}", "pt": "{d} de {m} de {y}", "nl": "{d} {m} {y}", "sv": "{d} {m} {y}",
                 "da": "{d}. {m} {y}", "nb": "{d}. {m} {y}"}
ALIASES = {"no": "nb", "nn": "nb"}


@dataclass(frozen=True)
class Labels:
    """The words around an article, in one language."""

    updated: str           # before a date: "Updated 3 March 2024"
    published: str
    by: str                # before an author: "By Ada Writer"
    minutes: str           # "{n} min read"
    online: str            # before the article's URL at the end of a PDF
    contents: str          # EPUB navigation
    landmarks: str
    cover: str
    start: str
    tags: str
    notes: str
    lang: str = ""         # set when these words are not in the page's language (an English fallback)

    @property
    def lang_attr(self) -> Markup:
        """` lang="en"` on the words of a fallback language, so screen readers say them right."""
        from markupsafe import Markup

        return Markup(' lang="{0}" xml:lang="{0}"').format(self.lang) if self.lang else Markup("")


LABELS: dict[str, Labels] = {
    "en": Labels("Updated", "Published", "By", "{n} min read", "Read online at", "Contents", "Landmarks", "Cover",
                 "Start of the text", "Tags:", "Notes"),
    "fr": Labels("Mis à jour le", "Publié le", "Par", "{n} min de lecture", "À lire en ligne sur",
                 "Table des matières", "Repères", "Couverture", "Début du texte", "Étiquettes :", "Notes"),
    "de": Labels("Aktualisiert am", "Veröffentlicht am", "Von", "{n} Min. Lesezeit", "Online lesen:", "Inhalt",
                 "Orientierungspunkte", "Umschlag", "Textanfang", "Schlagwörter:", "Anmerkungen"),
    "es": Labels("Actualizado el", "Publicado el", "Por", "{n} min de lectura", "Léelo en línea en", "Índice",
                 "Puntos de referencia", "Cubierta", "Inicio del texto", "Etiquetas:", "Notas"),
    "it": Labels("Aggiornato il", "Pubblicato il", "Di", "{n} min di lettura", "Leggi online su", "Indice",
                 "Punti di riferimento", "Copertina", "Inizio del testo", "Tag:", "Note"),
    "pt": Labels("Atualizado em", "Publicado em", "Por", "{n} min de leitura", "Leia online em", "Sumário",
                 "Pontos de referência", "Capa", "Início do texto", "Etiquetas:", "Notas"),
    "nl": Labels("Bijgewerkt op", "Gepubliceerd op", "Door", "{n} min lezen", "Online lezen op", "Inhoud",
                 "Oriëntatiepunten", "Omslag", "Begin van de tekst", "Labels:", "Noten"),
    "ar": Labels("حُدّث في", "نُشر في", "بقلم", "{n} دقيقة قراءة", "اقرأ المقال على الإنترنت:", "المحتويات",
                 "المعالم", "الغلاف", "بداية النص", "الوسوم:", "الحواشي"),
    "sv": Labels("Uppdaterad", "Publicerad", "Av", "{n} min läsning", "Läs online på", "Innehåll", "Landmärken",
                 "Omslag", "Textens början", "Taggar:", "Noter"),
    "da": Labels("Opdateret", "Udgivet", "Af", "{n} min. læsning", "Læs online på", "Indhold",
                 "Orienteringspunkter", "Omslag", "Tekstens begyndelse", "Tags:", "Noter"),
    "nb": Labels("Oppdatert", "Publisert", "Av", "{n} min lesing", "Les på nett:", "Innhold", "Landemerker",
                 "Omslag", "Starten på teksten", "Stikkord:", "Noter"),
}


def primary(language: str) -> str:
    """"pt-BR" -> "pt"; Norwegian's several codes -> "nb"."""
    code = (language or "en").split("-")[0].lower()
    return ALIASES.get(code, code)


def direction(language: str) -> str:
    return "rtl" if primary(language) in RTL_LANGUAGES else "ltr"


def labels_for(language: str) -> Labels:
    """The labels of `language`, else English ones marked as English."""
    found = LABELS.get(primary(language))
    return found if found is not None else replace(LABELS["en"], lang="en")


def long_date(moment: datetime, language: str) -> str:
    """"18 February 2024", "18. Februar 2024", "18 de febrero de 2024"; ISO 8601 where publish knows
    no month names for the language."""
    code = primary(language)
    months = MONTHS.get(code)
    if months is None:
        return moment.date().isoformat()
    return DATE_PATTERNS[code].format(d=moment.day, m=months[moment.month - 1], y=moment.year)


def label_names() -> tuple[str, ...]:
    """The labels every language defines (for themes: `labels.updated`, …)."""
    return tuple(f.name for f in fields(Labels) if f.name != "lang")
