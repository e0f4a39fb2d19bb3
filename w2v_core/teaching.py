"""A small generated *teaching corpus* whose word2vec geometry is known in advance.

``generate_teaching_corpus`` writes simple English sentences from templates. Words of one group in
``TEACHING_GROUPS`` (days, months, numbers, colours, animals, fruits, countries, capitals, people, verbs)
share their contexts, so they cluster. Paired words share two kinds of context: one for the pair (``paris`` and
``france`` both go with ``french``; ``king`` and ``queen`` with ``throne``) and one for the role (capitals go
with ``city`` and ``streets``; male words with ``he`` and ``his``), so vector offsets such as
``paris - france + italy`` land near ``rome``. ``TEACHING_ANALOGIES`` lists the questions this answers.
The text is a deterministic function of ``n_sentences`` and ``seed``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
COLOURS = ["red", "blue", "green", "yellow", "black", "white", "orange", "purple", "pink", "brown"]
ANIMALS = ["dog", "cat", "horse", "cow", "sheep", "pig", "lion", "tiger", "elephant", "rabbit", "mouse",
           "bear"]
FRUITS = ["apple", "banana", "pear", "cherry", "grape", "lemon", "peach", "plum", "mango", "strawberry"]

# (country, capital, adjective used for the pair's own contexts, continent)
COUNTRIES = [
    ("france", "paris", "french", "europe"), ("italy", "rome", "italian", "europe"),
    ("germany", "berlin", "german", "europe"), ("spain", "madrid", "spanish", "europe"),
    ("greece", "athens", "greek", "europe"), ("portugal", "lisbon", "portuguese", "europe"),
    ("russia", "moscow", "russian", "europe"), ("japan", "tokyo", "japanese", "asia"),
    ("china", "beijing", "chinese", "asia"), ("egypt", "cairo", "egyptian", "africa"),
]


def _pairs(table: str) -> list[tuple[str, str, list[str]]]:
    """(word, word, phrases) of each entry "a b: phrase; phrase; ..." of ``table`` (indented lines continue one)."""
    entries = re.sub(r"\n\s+", " ", table.strip()).splitlines()
    return [(*pair.split(), phrases.split("; ")) for pair, phrases in (entry.split(": ", 1) for entry in entries)]


# male female: phrases that both members of the pair share; "{w}" is the word
PEOPLE = _pairs("""
king queen: the {w} sat on the throne; the {w} ruled the kingdom;
    the {w} wore a golden crown; the royal palace of the {w}
prince princess: the young {w} lived in the castle; the {w} will rule the kingdom one day;
    the {w} rode to the castle; the royal {w} danced at the ball
man woman: the {w} went to work; an old {w} waited at the bus stop;
    the {w} read the newspaper; a tall {w} crossed the road
boy girl: the little {w} had fun in the playground; the {w} went to school;
    a young {w} laughed at the clown; the {w} did homework after school
father mother: the {w} cooked dinner for the children; the {w} took the baby to the doctor;
    every parent knows the {w} loves the kids; the {w} of three children
son daughter: their {w} was born in the spring; the eldest {w} of the family;
    the parents were proud of their {w}; our {w} is a baby
brother sister: my older {w} shares a room with me; the twin {w} looks like me;
    my little {w} is a sibling i love; the {w} of my best friend
husband wife: the {w} came home after the wedding; the married {w} wore a ring;
    the {w} celebrated the anniversary; the {w} and spouse
uncle aunt: my {w} visited us at the holidays; the {w} brought gifts for the cousins;
    my favourite {w} lives far away; the nephew visited his {w}
""")

# present past: phrases that both tenses share
VERBS = _pairs("""
walk walked: to the park; along the river; with the dog
run ran: a race; very fast; a marathon
eat ate: bread for breakfast; a sandwich; lunch at noon
swim swam: in the lake; in the pool; across the sea
write wrote: a letter; a poem; with a pen
sing sang: a song; in the choir; a lullaby
drive drove: the car; to the city; a truck
sleep slept: in the bed; all night; on the sofa
speak spoke: to the teacher; a foreign language; on the phone
play played: football; the piano; a game
""")

TEACHING_GROUPS: dict[str, list[str]] = {
    "days": DAYS, "months": MONTHS, "numbers": NUMBERS, "colours": COLOURS, "animals": ANIMALS,
    "fruits": FRUITS, "countries": [c[0] for c in COUNTRIES], "capitals": [c[1] for c in COUNTRIES],
    "people": [w for male, female, _ in PEOPLE for w in (male, female)],
    "verbs": [w for present, past, _ in VERBS for w in (present, past)],
}


def _pair_analogies(pairs: Sequence[tuple[str, str]], steps: Sequence[int] = (1, 2)) -> list[tuple[str, ...]]:
    """a : b :: c : d questions joining pair i with pair i + step (cyclically)."""
    n = len(pairs)
    return [(*pairs[i], *pairs[(i + step) % n]) for step in steps for i in range(n)]


TEACHING_ANALOGIES: list[tuple[str, str, str, str]] = (
    _pair_analogies([(c[0], c[1]) for c in COUNTRIES])  # type: ignore[assignment]
    + _pair_analogies([(m, f) for m, f, _ in PEOPLE])
    + _pair_analogies([(p, q) for p, q, _ in VERBS])
)

_GROUP_OF = {word: name for name, words in TEACHING_GROUPS.items() for word in words}


def group_of(word: str) -> str | None:
    """The ``TEACHING_GROUPS`` name that holds ``word``, or None."""
    return _GROUP_OF.get(word)


FILLER_OPENERS = ["i think", "my friend said that", "as everyone knows", "in the story", "of course",
                  "the teacher said", "last time", "i heard that", "it is true that", "we all know"]
FILLER_CLOSERS = ["as usual", "again", "for sure", "i think", "every time", "in the end", "that day",
                  "in the book", "or so they say", "once more"]
PRONOUNS = ["i", "you", "we", "they", "he", "she"]
PLACES = ["school", "the market", "the office", "the beach", "the library", "the farm", "the museum"]


@dataclass(frozen=True)
class _Group:
    """Sentence templates for one word of ``words``: ``{w}`` is the word, ``{next}`` the word after it (after the
    last, the first when ``cyclic``; otherwise the templates with ``{next}`` are left out for the last word), and
    each key of ``fill`` a word drawn from its list, in the order of ``fill``."""

    words: list[str]
    templates: list[str]
    fill: dict[str, list[str]] = field(default_factory=dict)
    cyclic: bool = True


def _group_sentence(group: _Group, rng: random.Random) -> str:
    """One sentence about a random word of ``group``."""
    n = len(group.words)
    i = rng.randrange(n)
    has_next = group.cyclic or i + 1 < n
    fill = {name: rng.choice(words) for name, words in group.fill.items()}
    templates = [t for t in group.templates if has_next or "{next}" not in t]
    return rng.choice(templates).format(w=group.words[i], next=group.words[(i + 1) % n], **fill)


_DAYS = _Group(DAYS, ["on {w} we go to {place}", "see you on {w}", "every {w} morning", "the shop is closed on {w}",
                      "{next} comes after {w}", "the day after {w} is {next}", "last {w} it rained",
                      "next {w} is a holiday", "on {w} evening the week goes on", "the meeting is on {w} at {number}"],
               fill={"place": PLACES, "number": NUMBERS})
_MONTHS = _Group(MONTHS, ["in {w} the weather changes", "she was born in {w}", "the month of {w}",
                          "{next} comes after {w}", "the first of {w}", "the month after {w} is {next}",
                          "we went on holiday in early {w}", "the end of {w} this year", "{w} has many days",
                          "every year in late {w}"])
_NUMBERS = _Group(NUMBERS, ["i have {w} {thing}", "she counted to {w}", "the number {w}", "we waited {w} hours",
                            "{w} of them came", "about {w} people", "{w} times a day", "page {w} of the book",
                            "{w} plus one is {next}", "after {w} comes {next}"],
                  fill={"thing": ["apples", "books", "cars", "chairs", "friends", "hours", "years"]}, cyclic=False)
_COLOURS = _Group(COLOURS, ["the {w} car", "she painted the wall {w}", "a {w} dress", "the sky turned {w}",
                            "my favourite colour is {w}", "a bright {w} shirt", "the {w} paint",
                            "dark {w} and light {other}", "the flag is {w}", "a shade of {w}"],
                  fill={"other": COLOURS})
_ANIMALS = _Group(ANIMALS, ["the {w} crossed the field", "a wild {w}", "we saw a {w} at the zoo",
                            "the {w} is an animal", "feed the {w}", "the {w} lives in the barn",
                            "a big {w} and a small {other}", "the tail of the {w}", "the farmer has a {w}",
                            "the {w} was hungry"],
                  fill={"other": ANIMALS})
_FRUITS = _Group(FRUITS, ["i ate a {w}", "a ripe {w}", "{w} juice", "the {w} tree", "a sweet {w}",
                          "she bought a {w} at the market", "{w} and {other} salad", "the fruit bowl has a {w}",
                          "peel the {w}", "a fresh {w} for dessert"],
                 fill={"other": FRUITS})


def _geography(rng: random.Random) -> str:
    country, capital, adj, continent = rng.choice(COUNTRIES)
    role = rng.random()
    if role < 0.3:  # country role, often with the pair's own adjective
        return rng.choice([f"{country} is a country in {continent}", f"the border of {country}",
                           f"the president of {country}", f"the {adj} government of {country}",
                           f"we travelled across {country}", f"the {adj} flag of {country}",
                           f"{country} is a large {adj} nation", f"the population of {country}"])
    if role < 0.6:  # capital role, often with the pair's own adjective
        return rng.choice([f"{capital} is a big city", f"the streets of {capital}",
                           f"the {adj} mayor of {capital}",
                           f"we took the train to {capital}", f"the old town of {capital}",
                           f"{capital} is a big {adj} city", f"{capital} has a busy airport",
                           f"the city centre of {capital}"])
    return rng.choice([f"the capital of {country} is {capital}", f"{capital} is the capital of {country}",
                       f"{capital} is a city in {country}", f"in {capital} the language is {adj}",
                       f"{adj} food in {capital}", f"the {adj} people of {country}",
                       f"in {country} the language is {adj}", f"{adj} food in {country}",
                       f"the {adj} language of {capital}", f"the {adj} history of {country}"])


def _people(rng: random.Random) -> str:
    male, female, shared = rng.choice(PEOPLE)
    if rng.random() < 0.15:
        return f"the {male} and the {female}" + rng.choice(["", " smiled", " were happy", " went home"])
    is_male = rng.random() < 0.5
    word, pron, poss = (male, "he", "his") if is_male else (female, "she", "her")
    phrase = rng.choice(shared).format(w=word)
    gender = rng.choice([f"and {pron} smiled", f"and {poss} friends came", f"because {pron} was tired",
                         f"with {poss} family", f"and {pron} said hello", f"so {pron} left"])
    return f"{phrase} {gender}" if rng.random() < 0.7 else f"{pron} is the {word} and {poss} name is known"


def _verbs(rng: random.Random) -> str:
    present, past, objects = rng.choice(VERBS)
    who = rng.choice(PRONOUNS)
    no_object = ["", "a lot", "together", "again", "alone"]
    obj = rng.choice(objects) if rng.random() < 0.6 else rng.choice(no_object)
    if rng.random() < 0.5:
        sentence = rng.choice([f"today {who} {present} {obj}", f"every day {who} {present} {obj}",
                               f"{who} like to {present} {obj}", f"tomorrow {who} will {present} {obj}",
                               f"{who} can {present} {obj} now", f"{who} often {present} {obj}"])
    else:
        sentence = rng.choice([f"yesterday {who} {past} {obj}", f"last week {who} {past} {obj}",
                               f"{who} {past} {obj} an hour ago", f"long ago {who} {past} {obj}",
                               f"{who} already {past} {obj}", f"{who} {past} {obj} last night"])
    return " ".join(sentence.split())


# (sentence maker, weight): weights keep every group word frequent in a default-size corpus
_MAKERS: list[tuple[Callable[[random.Random], str], float]] = [
    (partial(_group_sentence, _DAYS), 0.06), (partial(_group_sentence, _MONTHS), 0.08),
    (partial(_group_sentence, _NUMBERS), 0.08), (partial(_group_sentence, _COLOURS), 0.07),
    (partial(_group_sentence, _ANIMALS), 0.08), (partial(_group_sentence, _FRUITS), 0.07),
    (_geography, 0.18), (_people, 0.18), (_verbs, 0.2),
]


def generate_teaching_corpus(n_sentences: int = 20000, seed: int = 0) -> list[str]:
    """``n_sentences`` lowercase sentences (one string each, words separated by spaces)."""
    rng = random.Random(seed)
    makers = [maker for maker, _ in _MAKERS]
    weights = [weight for _, weight in _MAKERS]
    lines = []
    for maker in rng.choices(makers, weights=weights, k=n_sentences):
        sentence = maker(rng)
        if rng.random() < 0.45:
            sentence = f"{rng.choice(FILLER_OPENERS)} {sentence}"
        if rng.random() < 0.45:
            sentence = f"{sentence} {rng.choice(FILLER_CLOSERS)}"
        lines.append(sentence)
    return lines
