"""Checks that keep people out of an alert's text: it goes to a third party and to the public.

An alert body is refused when it holds:

- an **A-number**: "A", an optional dash or space, then 8 or 9 digits (also
  written in groups, "A-123-456-789"), or any bare run of 9 digits;
- a **phone number** that is not the network's own (``phonenumbers``'
  matcher, US region, lenient: a possible number is enough);
- an **e-mail address**;
- a **street address**: a house number then a street ("45 oak st", "12 Main
  Street apt 2", "123 N Main Ave"), a street word then a name and a number
  (Spanish "calle Oak 45", "calle 5 # 20", Portuguese "rua X, 45", Haitian
  "ri X 12"), or an apartment, unit or "#" number ("apt 2", "unit 3B",
  "# 20", "apto 4"). An alert says where people should be careful (a
  landmark, a corner, a block), never whose door it is. A house number is
  the digits right before one to three words and a street suffix, so "2 vans
  on Main Street" passes (a preposition stops the run) while "45 oak st"
  does not; a time ("14:05") or a number in a sentence does not count. The
  address of a public building is refused too: name the landmark instead;
- what looks like a **person's name**. There is no list of names to check
  against, so this is a heuristic: two or more capitalised words in a row
  (only spaces between them), none of which is a word the text may carry
  anyway: the names of known towns and landmarks, agencies (ICE, CBP, HSI,
  ERO, DHS, police...), the network's name, the weekdays and months, and
  every word of the ready-made templates (so "FALSE ALARM" or a
  sentence-initial "Do" never count). "Juan Pérez", "Maria Da Silva" are
  refused; "agents near Hartford Hospital" passes when the hospital is a
  landmark; "two vans on Main Street" passes (one capital after another only
  if both are unknown). A title before a capitalised word ("Mr. Lopez",
  "Sra. Díaz", "Dona Ana", "Mesye Jan") is a name too. A refusal names the
  words it took for a name, so the coordinator can rephrase (e.g. lowercase
  them when they are not a name).

A name written in lower case ("maria lopez") cannot be told from ordinary
words, so it is not caught: the preview reminds the author and the approver
to read for it (no names, addresses or anything that identifies a person).

The refusal (:class:`BodyRefused`) speaks the active language (the
coordinator's). Its message never repeats an A-number, phone number or
address; the words taken for a name are on ``.suspect_words`` only, for the
form that shows them back to the person who typed them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _

from amparo.alerts.errors import AlertsError
from amparo.contacts.errors import ContactsError
from amparo.contacts.models import Language
from amparo.contacts.phones import to_e164

A_NUMBER = re.compile(
    r"(?<![\w])A[\s-]?(?:\d{8,9}|\d{3}[\s-]?\d{3}[\s-]?\d{3})(?!\d)"
    r"|(?<!\d)\d{9}(?!\d)",
    re.IGNORECASE,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")

# Words that end a street's name: English suffixes and their abbreviations.
_STREET_SUFFIXES = (
    r"st|str|street|ave?|avenue|rd|road|blvd|boulevard|ln|lane|dr|drive|ct|court|pl|place|way|"
    r"ter|terrace|hwy|highway|pkwy|parkway|cir|circle|sq|square|ext|extension|tpke|turnpike|"
    r"row|aly|alley"
)
# Words that start a street's name (es, pt, ht, and the English "rte/route").
_STREET_WORDS = (
    r"calle|carrera|cra|avenida|av|avda|camino|callej[oó]n|paseo|diagonal|transversal|"
    r"rua|travessa|estrada|alameda|pra[cç]a|largo|rodovia|rue|ri|route|rte"
)
# A word of a street's name; not a preposition or article, so "2 vans on Main
# Street" is no address.
_NAME_WORD = (
    r"(?!(?:on|at|near|in|by|of|from|to|the|and|or|en|de|del|la|el|los|las|em|na|no|da|do|"
    r"dos|das|perto|cerca|nan|bò|kote|pou|ak)\b)[^\W\d_][\w'.\u2019-]*"
)
ADDRESS = re.compile(
    # "45 oak st", "12 Main Street", "123 N. Main Ave"
    rf"(?<![\d:.,/])\b\d{{1,6}}[a-z]?\s+(?:{_NAME_WORD}\s+){{1,3}}(?:{_STREET_SUFFIXES})\b\.?"
    # "calle 5 # 20", "calle Oak 45", "rua X, 45", "ri Pave 12"
    rf"|\b(?:{_STREET_WORDS})\.?\s+(?:(?:\d+[a-z]?|{_NAME_WORD})\s+){{0,3}}"
    rf"(?:\d+[a-z]?|{_NAME_WORD}),?\s*"
    r"(?:#|n[°º.o]?|no\.?|n[uú]m(?:ero)?\.?)?\s*\d{1,6}\b"
    # "apt 2", "unit 3B", "# 20", "apto 4", "suite 100"
    r"|\b(?:apt|apartment|unit|suite|ste|apto|apartamento|depto|departamento|apartman)\.?\s*"
    r"#?\s*\d+[a-z]?\b"
    r"|#\s*\d+",
    re.IGNORECASE,
)

_AGENCY_WORDS = """
    ICE ERO HSI CBP DHS FBI USCIS EOIR DEA ATF CT NY MA RI US USA Homeland Security Department
    Immigration Customs Enforcement Border Patrol Police State Sheriff Marshal Marshals Court
    Federal Trust Act
"""
_CALENDAR_WORDS = """
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December
"""
# A title, then a capitalised word: "Mr. Lopez". Case matters for the name only.
TITLED_NAME = re.compile(
    r"\b(?i:mr|mrs|ms|miss|sr|sra|srta|se[nñ]or|se[nñ]ora|don|do[nñ]a|seu|dona|mesye|madan|"
    r"madame|mme)\.?\s+[^\W\d_a-z][\w'\u2019-]*"
)
AGENCIES = frozenset(_AGENCY_WORDS.lower().split())
CALENDAR = frozenset(_CALENDAR_WORDS.lower().split())


class BodyRefused(AlertsError):
    """A body holds something personal.

    ``str()`` says what kind of thing, never the thing itself (it may reach a
    log); :meth:`explain` adds the words taken for a name, for the form shown
    to the coordinator who typed them.
    """

    def __init__(self, *, language: str, problems: list[str], suspect_words: list[str]) -> None:
        self.language = language
        self.problems = problems
        self.suspect_words = suspect_words
        super().__init__(language)

    def __str__(self) -> str:
        label = dict(Language.choices).get(self.language, self.language)
        return _("The %(language)s text was refused: %(problems)s") % {
            "language": label,
            "problems": " ".join(self.problems),
        }

    def explain(self) -> str:
        """The refusal with the words that look like a name, for the person who wrote them."""
        if not self.suspect_words:
            return str(self)
        words = "; ".join(f"“{run}”" for run in self.suspect_words)
        return str(self) + " " + _("The words: %(words)s.") % {"words": words}


def allowed_words() -> frozenset[str]:
    """Capitalised words an alert may carry: places, agencies, the network, template words."""
    from amparo.alerts.texts import template_words
    from amparo.places.models import Landmark, Town

    words = set(AGENCIES | CALENDAR | template_words())
    names: list[str] = list(Town.objects.values_list("name", flat=True))
    for name, aliases in Landmark.objects.values_list("name", "aliases"):
        names.append(name)
        names.extend(aliases.split(","))
    names.append(settings.AMPARO_NETWORK_NAME)
    for name in names:
        words.update(word.lower() for word in WORD.findall(name))
    return frozenset(words)


def network_numbers() -> frozenset[str]:
    """The network's own numbers (its SMS senders), which an alert may give as the hotline."""
    from amparo.channels.registry import channel_configs

    numbers = set()
    for config in channel_configs().values():
        for raw in config.senders:
            try:
                numbers.add(to_e164(raw))
            except ContactsError:
                continue  # a sender that is no phone number: nothing to allow
    return frozenset(numbers)


def name_like_runs(text: str, allowed: Iterable[str]) -> list[str]:
    """Runs of two or more capitalised words, none of them ``allowed``, with only spaces between."""
    allowed = frozenset(allowed)
    runs: list[str] = []
    current: list[str] = []
    last_end = -1
    for match in WORD.finditer(text):
        word = match.group(0)
        adjacent = last_end >= 0 and text[last_end : match.start()].isspace()
        name_like = word[0].isupper() and word.lower().strip("'\u2019-") not in allowed
        if name_like and current and adjacent:
            current.append(word)
        else:
            if len(current) >= 2:
                runs.append(" ".join(current))
            current = [word] if name_like else []
        last_end = match.end()
    if len(current) >= 2:
        runs.append(" ".join(current))
    return runs


def _foreign_phones(text: str, own: frozenset[str]) -> bool:
    matcher = phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE)
    for found in matcher:
        number = phonenumbers.format_number(found.number, phonenumbers.PhoneNumberFormat.E164)
        if number not in own:
            return True
    return False


def check_body(
    text: str,
    *,
    language: str,
    allowed: frozenset[str] | None = None,
    own_numbers: frozenset[str] | None = None,
) -> None:
    """Raise :class:`BodyRefused` if ``text`` holds an A-number, phone, e-mail, address or name."""
    problems: list[str] = []
    if A_NUMBER.search(text):
        problems.append(_("It holds what looks like an A-number (or a 9-digit number)."))
    if EMAIL.search(text):
        problems.append(_("It holds an e-mail address."))
    if ADDRESS.search(text):
        problems.append(
            _(
                "It holds what looks like a street address or apartment number: name a "
                "landmark, a corner or a block instead."
            )
        )
    # An A-number also reads as a possible phone number: say it once.
    if not problems and _foreign_phones(
        text, network_numbers() if own_numbers is None else own_numbers
    ):
        problems.append(_("It holds a phone number that is not the network's."))
    runs = name_like_runs(text, allowed_words() if allowed is None else allowed)
    runs = list(dict.fromkeys(runs + [m.group(0) for m in TITLED_NAME.finditer(text)]))
    if runs:
        problems.append(
            _(
                "Some words look like a person's name (two or more capitalised words that "
                "are not a known place, agency or the network)."
            )
        )
    if problems:
        raise BodyRefused(language=language, problems=problems, suspect_words=runs)


def check_bodies(bodies: dict[str, str]) -> None:
    """Check every language's body (places and numbers looked up once)."""
    allowed, own = allowed_words(), network_numbers()
    for language, text in bodies.items():
        check_body(text, language=language, allowed=allowed, own_numbers=own)
