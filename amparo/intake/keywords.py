"""Keywords: the first word of a text decides where it goes.

Other apps register theirs (alerts, rights, plans, dispatch replies) from their
``AppConfig.ready``::

    register_keyword(
        "alerts",
        {"en": ["ALERTS"], "es": ["ALERTAS"], "pt": ["ALERTAS"], "ht": ["ALET"]},
        subscribe_to_alerts,
        menu=gettext_lazy("ALERTS + town: alerts"),
    )

Matching ignores case, accents, invisible characters and whitespace or
punctuation around the word; the rest of the text is the keyword's argument
("ALERTAS HARTFORD" -> ``alerts`` with argument "HARTFORD").

The compliance keywords below are built in and always win: a registered
keyword can never take one of their words, and they are matched first.

========  ==========================================  ===========================
keyword   words (any language)                         rule
========  ==========================================  ===========================
stop      en STOP STOPALL END QUIT CANCEL UNSUBSCRIBE  first word; opt out and
          REVOKE OPTOUT; es PARAR PARE ALTO BAJA       confirm. Text after the word
          CANCELAR DETENER; pt PARAR PARE SAIR         also goes to the operators
          CANCELAR; ht SISPANN KANPE ANILE DEZABONE    (it may be a report). Words
                                                       that open ordinary sentences
                                                       (END QUIT CANCEL ALTO BAJA
                                                       PARE CANCELAR ANILE) stop
                                                       only as the whole text: "Baja
                                                       la calle hay migra" is a
                                                       report, not an opt-out.
start     en START UNSTOP; es INICIO INICIAR ALTA;     the whole text only (consent
          pt INICIAR VOLTAR; ht KÒMANSE                must be unambiguous); opt in.
help      en HELP INFO; es AYUDA; pt AJUDA; ht EDE     first word; answer with help.
                                                       Text after it also goes to
                                                       the operators.
========  ==========================================  ===========================

Left out on purpose: YES as an opt-in (dispatch replies and ordinary answers
use it); RETIRE (an English word too); ÈD for help (accents are ignored, and
"Ed, they are at the school" must not be read as Haitian Creole).

Language rule: a keyword word that belongs to exactly one language other than
English sets the contact's language, unless the contact (or staff for them)
chose one (``Contact.language_chosen``). English keywords never do: STOP and
HELP are what carriers teach everyone, whatever their language. A word shared
by two languages (PARAR, CANCELAR, ALERTAS) sets nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

from amparo.contacts.models import Language

if TYPE_CHECKING:
    from amparo.channels.models import InboundMessage, OutboundMessage
    from amparo.contacts.models import Contact

STOP = "stop"
START = "start"
HELP = "help"

# One table, language -> words, for every compliance keyword. Keep in step with
# the module docstring.
COMPLIANCE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    STOP: {
        "en": (
            "STOP",
            "STOPALL",
            "END",
            "QUIT",
            "CANCEL",
            "UNSUBSCRIBE",
            "REVOKE",
            "OPTOUT",
        ),
        "es": ("PARAR", "PARE", "ALTO", "BAJA", "CANCELAR", "DETENER"),
        "pt": ("PARAR", "SAIR", "CANCELAR", "PARE"),
        "ht": ("SISPANN", "KANPE", "ANILE", "DEZABONE"),
    },
    START: {
        "en": ("START", "UNSTOP"),
        "es": ("INICIO", "INICIAR", "ALTA"),
        "pt": ("INICIAR", "VOLTAR"),
        "ht": ("KÒMANSE",),
    },
    HELP: {
        "en": ("HELP", "INFO"),
        "es": ("AYUDA",),
        "pt": ("AJUDA",),
        "ht": ("EDE",),
    },
}
# START must be the whole text: "Inicio de la redada en Main St" is a report, not consent.
_WHOLE_TEXT_ONLY = frozenset({START})
# Opt-out words that also begin ordinary sentences ("End of Main St, 3 ICE vans"):
# they stop only when they are the whole text, like the carriers' own handling.
EVERYDAY_STOP_WORDS = frozenset(
    {"END", "QUIT", "CANCEL", "ALTO", "BAJA", "PARE", "CANCELAR", "ANILE"}
)
RESERVED_NAMES = frozenset({STOP, START, HELP, "default", "voicemail"})

_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


def normalize_word(word: str) -> str:
    """``word`` without case, accents or invisible characters: "Kòmanse" -> "KOMANSE"."""
    decomposed = unicodedata.normalize("NFKD", word)
    kept = "".join(c for c in decomposed if unicodedata.category(c) not in {"Mn", "Me", "Cf"})
    return kept.casefold().upper()


def _is_word_char(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char) in {"Mn", "Mc", "Me", "Cf"}


def split_first_word(text: str) -> tuple[str, str]:
    """The first word of ``text`` (normalised) and the rest, stripped of whitespace and
    punctuation at both ends: "  ¡Alertas, Hartford!" -> ("ALERTAS", "Hartford").
    """
    text = unicodedata.normalize("NFC", text)
    start = 0
    while start < len(text) and not _is_word_char(text[start]):
        start += 1
    end = start
    while end < len(text) and _is_word_char(text[end]):
        end += 1
    rest = text[end:]
    first = next((i for i, c in enumerate(rest) if _is_word_char(c)), len(rest))
    last = next((i for i in range(len(rest), first, -1) if _is_word_char(rest[i - 1])), first)
    return normalize_word(text[start:end]), rest[first:last]


@dataclass(frozen=True)
class KeywordContext:
    """What a keyword handler gets: the stored message, its contact, the word and the rest.

    A handler may set ``message.needs_operator = True`` to put the text in the
    operators' inbox; the router saves it. It runs inside the transaction that
    stored the message, in a savepoint: if it raises, its writes are undone,
    the failure is logged (handler name and error type only) and the text goes
    to the operators.
    """

    keyword: str  # the registered name, e.g. "alerts"
    word: str  # the word as matched, normalised: "ALERTAS"
    argument: str  # the rest of the text: "HARTFORD" (may be empty)
    languages: frozenset[str]  # the languages the word belongs to
    contact: Contact
    message: InboundMessage

    def reply(self, body: str, *, automatic: bool = False) -> OutboundMessage | None:
        """Queue ``body`` to the contact as a reply to this message (None: not queued).

        Write ``body`` in the contact's language (``translation.override``).
        Nothing is queued to a contact who opted out.
        """
        from amparo.channels.actions import queue_message

        return queue_message(
            contact=self.contact,
            body=body,
            channel=self.message.channel,
            in_reply_to=self.message,
            automatic=automatic,
        )


class NotForThisKeyword(Exception):
    """Raised by a handler when the text is not for it after all.

    The router undoes the handler's writes and routes the text as if it had
    matched no keyword: it reaches the operators (and becomes a report). For
    ordinary words a keyword only sometimes owns: dispatch takes "NO" and "1"
    from a responder answering an offer, not from anyone else.

    A keyword registered with ``redact`` has it applied to the stored text
    before the text goes on to the operators (see :func:`register_keyword`).
    """


KeywordHandler = Callable[[KeywordContext], None]
# What a keyword blanks from a text it refused: the whole text in, the text to keep out.
Redactor = Callable[[str], str]


@dataclass(frozen=True)
class Keyword:
    name: str
    words: Mapping[str, frozenset[str]]  # normalised word -> languages
    handler: KeywordHandler | None  # None for the compliance keywords (the router's own)
    priority: int
    whole_text_only: bool = False
    menu: str | Promise | None = None
    redact: Redactor | None = None


@dataclass(frozen=True)
class KeywordMatch:
    keyword: Keyword
    word: str
    argument: str

    @property
    def name(self) -> str:
        return self.keyword.name

    @property
    def languages(self) -> frozenset[str]:
        return self.keyword.words[self.word]

    @property
    def language(self) -> str | None:
        """The language the word tells, per the rule in this module's docstring."""
        if len(self.languages) != 1:
            return None
        (only,) = self.languages
        return None if only == Language.ENGLISH else only


def _word_table(words: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for language, listed in words.items():
        if language not in Language.values:
            raise ValueError(f"{language!r} is not a language the network offers")
        for word in listed:
            normal = normalize_word(word)
            if not normal or split_first_word(word) != (normal, ""):
                raise ValueError(f"{word!r} is not a single word")
            table.setdefault(normal, set()).add(language)
    if not table:
        raise ValueError("a keyword needs at least one word")
    return {word: frozenset(languages) for word, languages in table.items()}


COMPLIANCE_KEYWORDS: tuple[Keyword, ...] = tuple(
    Keyword(
        name=name,
        words=_word_table(words),
        handler=None,
        priority=0,
        whole_text_only=name in _WHOLE_TEXT_ONLY,
    )
    for name, words in COMPLIANCE_WORDS.items()
)
_COMPLIANCE_WORDS = frozenset(word for k in COMPLIANCE_KEYWORDS for word in k.words)

_registry: dict[str, Keyword] = {}


def register_keyword(
    name: str,
    words: Mapping[str, Iterable[str]],
    handler: KeywordHandler,
    *,
    priority: int = 100,
    menu: str | Promise | None = None,
    redact: Redactor | None = None,
) -> None:
    """Send texts whose first word is one of ``words`` (language -> words) to ``handler``.

    ``name`` is a short code ("alerts") stored as the message's ``routed_to``.
    When two keywords share a word, the lower ``priority`` wins (then the
    earlier registration). ``menu``: a short line (gettext_lazy) for the menu
    sent in reply to a text that matched nothing, e.g. "ALERTS + town: alerts".
    ``redact``: for a keyword whose texts carry secrets (a plan code and PIN):
    when its handler raises :class:`NotForThisKeyword` (or fails), the router
    replaces the stored text by ``redact(text)`` before any other keyword or
    the operators' inbox sees it. It runs in the router because the refusing handler's own
    writes are rolled back.
    Registering the same name with the same handler again does nothing; with
    another handler it is an error, as is taking a compliance keyword's word.
    """
    if not _NAME.fullmatch(name) or name in RESERVED_NAMES:
        raise ValueError(f"{name!r} cannot name a keyword")
    table = _word_table(words)
    taken = sorted(set(table) & _COMPLIANCE_WORDS)
    if taken:
        raise ValueError(f"{', '.join(taken)} belong to the compliance keywords")
    keyword = Keyword(
        name=name, words=table, handler=handler, priority=priority, menu=menu, redact=redact
    )
    existing = _registry.get(name)
    if existing is not None and existing.handler is not handler:
        raise ValueError(f"a keyword named {name!r} is already registered")
    _registry[name] = keyword


def unregister_keyword(name: str) -> None:
    """Forget a registered keyword (tests)."""
    _registry.pop(name, None)


def registered_keywords() -> list[Keyword]:
    """The registered keywords in the order they are tried."""
    order = {name: index for index, name in enumerate(_registry)}
    return sorted(_registry.values(), key=lambda k: (k.priority, order[k.name]))


def next_matches(match: KeywordMatch) -> list[KeywordMatch]:
    """The registered keywords tried after ``match``'s that share its word, in order.

    When a handler raises :class:`NotForThisKeyword`, the router offers the text
    to these before treating it as matching nothing: a bare "1" that is no
    dispatch answer may still answer another keyword's menu.
    """
    keywords = registered_keywords()
    names = [keyword.name for keyword in keywords]
    if match.keyword.handler is None or match.name not in names:
        return []
    return [
        KeywordMatch(keyword=keyword, word=match.word, argument=match.argument)
        for keyword in keywords[names.index(match.name) + 1 :]
        if match.word in keyword.words and not (keyword.whole_text_only and match.argument)
    ]


def match_keyword(text: str) -> KeywordMatch | None:
    """The keyword ``text`` starts with: a compliance keyword first, always; None if none."""
    word, argument = split_first_word(text)
    if not word:
        return None
    for keyword in (*COMPLIANCE_KEYWORDS, *registered_keywords()):
        whole_text_only = keyword.whole_text_only or (
            keyword.name == STOP and word in EVERYDAY_STOP_WORDS
        )
        if word in keyword.words and not (whole_text_only and argument):
            return KeywordMatch(keyword=keyword, word=word, argument=argument)
    return None
