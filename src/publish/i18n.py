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


@dataclass(frozen=True)
class PageLabels:
    """The words of the subscribers' pages (the landing page and the tag pages), in one language."""

    subscribe: str         # the heading of the feeds block
    subscribe_intro: str   # what to do with a feed address
    newsletter: str
    latest_digest: str     # the link to the newsletter's latest digest
    ebook: str
    download_epub: str     # the link to the site's EPUB
    articles: str
    read_on_blog: str
    pdf: str
    in_epub: str           # an article's link to the EPUB that holds it (with every other article)
    email_version: str
    tags: str              # a heading, without a colon
    tagged: str            # a tag page's heading, with {tag}
    follow_tag: str        # a tag page's feeds block
    all_articles: str
    visit_blog: str
    lang: str = ""         # set when these words are not in the page's language (an English fallback)


PAGE_LABELS: dict[str, PageLabels] = {
    "en": PageLabels(
        subscribe="Subscribe", subscribe_intro="Copy an address into your feed reader, or open it:",
        newsletter="Newsletter", latest_digest="Read the latest digest", ebook="E-book",
        download_epub="Download every article as an EPUB", articles="Articles", read_on_blog="Read on the blog",
        pdf="PDF", in_epub="In the EPUB", email_version="Email version", tags="Tags",
        tagged="Articles tagged “{tag}”", follow_tag="Follow this tag", all_articles="All articles",
        visit_blog="Visit the blog"),
    "fr": PageLabels(
        subscribe="S’abonner", subscribe_intro="Copiez une adresse dans votre lecteur de flux, ou ouvrez-la :",
        newsletter="Lettre d’information", latest_digest="Lire le dernier récapitulatif", ebook="Livre numérique",
        download_epub="Télécharger tous les articles en EPUB", articles="Articles", read_on_blog="Lire sur le blog",
        pdf="PDF", in_epub="Dans l’EPUB", email_version="Version e-mail", tags="Étiquettes",
        tagged="Articles étiquetés « {tag} »", follow_tag="Suivre cette étiquette", all_articles="Tous les articles",
        visit_blog="Aller sur le blog"),
    "de": PageLabels(
        subscribe="Abonnieren", subscribe_intro="Kopieren Sie eine Adresse in Ihren Feedreader oder öffnen Sie sie:",
        newsletter="Newsletter", latest_digest="Die neueste Zusammenfassung lesen", ebook="E-Book",
        download_epub="Alle Artikel als EPUB herunterladen", articles="Artikel", read_on_blog="Im Blog lesen",
        pdf="PDF", in_epub="Im EPUB", email_version="E-Mail-Fassung", tags="Schlagwörter",
        tagged="Artikel mit dem Schlagwort „{tag}“", follow_tag="Diesem Schlagwort folgen",
        all_articles="Alle Artikel", visit_blog="Zum Blog"),
    "es": PageLabels(
        subscribe="Suscribirse", subscribe_intro="Copia una dirección en tu lector de feeds, o ábrela:",
        newsletter="Boletín", latest_digest="Leer el último resumen", ebook="Libro electrónico",
        download_epub="Descargar todos los artículos en EPUB", articles="Artículos", read_on_blog="Leer en el blog",
        pdf="PDF", in_epub="En el EPUB", email_version="Versión de correo", tags="Etiquetas",
        tagged="Artículos con la etiqueta «{tag}»", follow_tag="Seguir esta etiqueta",
        all_articles="Todos los artículos", visit_blog="Ir al blog"),
    "it": PageLabels(
        subscribe="Iscriviti", subscribe_intro="Copia un indirizzo nel tuo lettore di feed, oppure aprilo:",
        newsletter="Newsletter", latest_digest="Leggi l’ultimo riepilogo", ebook="E-book",
        download_epub="Scarica tutti gli articoli in EPUB", articles="Articoli", read_on_blog="Leggi sul blog",
        pdf="PDF", in_epub="Nell’EPUB", email_version="Versione e-mail", tags="Tag",
        tagged="Articoli con il tag «{tag}»", follow_tag="Segui questo tag", all_articles="Tutti gli articoli",
        visit_blog="Vai al blog"),
    "pt": PageLabels(
        subscribe="Assinar", subscribe_intro="Copie um endereço para o seu leitor de feeds, ou abra-o:",
        newsletter="Newsletter", latest_digest="Ler o resumo mais recente", ebook="E-book",
        download_epub="Baixar todos os artigos em EPUB", articles="Artigos", read_on_blog="Ler no blog",
        pdf="PDF", in_epub="No EPUB", email_version="Versão de e-mail", tags="Etiquetas",
        tagged="Artigos com a etiqueta «{tag}»", follow_tag="Seguir esta etiqueta", all_articles="Todos os artigos",
        visit_blog="Ir para o blog"),
    "nl": PageLabels(
        subscribe="Abonneren", subscribe_intro="Kopieer een adres naar je feedlezer, of open het:",
        newsletter="Nieuwsbrief", latest_digest="Lees het laatste overzicht", ebook="E-book",
        download_epub="Alle artikelen downloaden als EPUB", articles="Artikelen", read_on_blog="Lees op de blog",
        pdf="PDF", in_epub="In de EPUB", email_version="E-mailversie", tags="Labels",
        tagged="Artikelen met het label ‘{tag}’", follow_tag="Dit label volgen", all_articles="Alle artikelen",
        visit_blog="Naar de blog"),
    "ar": PageLabels(
        subscribe="اشترك", subscribe_intro="انسخ عنوانًا إلى قارئ الخلاصات لديك، أو افتحه:",
        newsletter="النشرة البريدية", latest_digest="اقرأ أحدث ملخص", ebook="كتاب إلكتروني",
        download_epub="نزّل كل المقالات بصيغة EPUB", articles="المقالات", read_on_blog="اقرأ في المدونة",
        pdf="PDF", in_epub="في كتاب EPUB", email_version="نسخة البريد الإلكتروني", tags="الوسوم",
        tagged="مقالات بالوسم «{tag}»", follow_tag="تابع هذا الوسم", all_articles="كل المقالات",
        visit_blog="زر المدونة"),
    "sv": PageLabels(
        subscribe="Prenumerera", subscribe_intro="Kopiera en adress till din flödesläsare, eller öppna den:",
        newsletter="Nyhetsbrev", latest_digest="Läs den senaste sammanfattningen", ebook="E-bok",
        download_epub="Ladda ner alla artiklar som EPUB", articles="Artiklar", read_on_blog="Läs på bloggen",
        pdf="PDF", in_epub="I EPUB-boken", email_version="E-postversion", tags="Taggar",
        tagged="Artiklar taggade ”{tag}”", follow_tag="Följ den här taggen", all_articles="Alla artiklar",
        visit_blog="Till bloggen"),
    "da": PageLabels(
        subscribe="Abonnér", subscribe_intro="Kopiér en adresse til din feedlæser, eller åbn den:",
        newsletter="Nyhedsbrev", latest_digest="Læs det seneste overblik", ebook="E-bog",
        download_epub="Hent alle artikler som EPUB", articles="Artikler", read_on_blog="Læs på bloggen",
        pdf="PDF", in_epub="I EPUB-bogen", email_version="E-mailudgave", tags="Tags",
        tagged="Artikler med tagget »{tag}«", follow_tag="Følg dette tag", all_articles="Alle artikler",
        visit_blog="Gå til bloggen"),
    "nb": PageLabels(
        subscribe="Abonner", subscribe_intro="Kopier en adresse til feedleseren din, eller åpne den:",
        newsletter="Nyhetsbrev", latest_digest="Les den siste oppsummeringen", ebook="E-bok",
        download_epub="Last ned alle artiklene som EPUB", articles="Artikler", read_on_blog="Les på bloggen",
        pdf="PDF", in_epub="I EPUB-boka", email_version="E-postversjon", tags="Stikkord",
        tagged="Artikler med stikkordet «{tag}»", follow_tag="Følg dette stikkordet", all_articles="Alle artikler",
        visit_blog="Gå til bloggen"),
}


def page_labels_for(language: str) -> PageLabels:
    """The subscribers' pages' words in `language`, else English ones marked as English."""
    found = PAGE_LABELS.get(primary(language))
    return found if found is not None else replace(PAGE_LABELS["en"], lang="en")
