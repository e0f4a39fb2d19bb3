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
from collections.abc import Callable, Sequence

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

# (male, female, phrases that both members of the pair share; "{w}" is the word)
PEOPLE = [
    ("king", "queen", ["the {w} sat on the throne", "the {w} ruled the kingdom",
                       "the {w} wore a golden crown", "the royal palace of the {w}"]),
    ("prince", "princess", ["the young {w} lived in the castle", "the {w} will rule the kingdom one day",
                            "the {w} rode to the castle", "the royal {w} danced at the ball"]),
    ("man", "woman", ["the {w} went to work", "an old {w} waited at the bus stop",
                      "the {w} read the newspaper", "a tall {w} crossed the road"]),
    ("boy", "girl", ["the little {w} had fun in the playground", "the {w} went to school",
                     "a young {w} laughed at the clown", "the {w} did homework after school"]),
    ("father", "mother", ["the {w} cooked dinner for the children", "the {w} took the baby to the doctor",
                          "every parent knows the {w} loves the kids", "the {w} of three children"]),
    ("son", "daughter", ["their {w} was born in the spring", "the eldest {w} of the family",
                         "the parents were proud of their {w}", "our {w} is a baby"]),
    ("brother", "sister", ["my older {w} shares a room with me", "the twin {w} looks like me",
                           "my little {w} is a sibling i love", "the {w} of my best friend"]),
    ("husband", "wife", ["the {w} came home after the wedding", "the married {w} wore a ring",
                         "the {w} celebrated the anniversary", "the {w} and spouse"]),
    ("uncle", "aunt", ["my {w} visited us at the holidays", "the {w} brought gifts for the cousins",
                       "my favourite {w} lives far away", "the nephew visited his {w}"]),
]

# (present, past, phrases that both tenses share)
VERBS = [
    ("walk", "walked", ["to the park", "along the river", "with the dog"]),
    ("run", "ran", ["a race", "very fast", "a marathon"]),
    ("eat", "ate", ["bread for breakfast", "a sandwich", "lunch at noon"]),
    ("swim", "swam", ["in the lake", "in the pool", "across the sea"]),
    ("write", "wrote", ["a letter", "a poem", "with a pen"]),
    ("sing", "sang", ["a song", "in the choir", "a lullaby"]),
    ("drive", "drove", ["the car", "to the city", "a truck"]),
    ("sleep", "slept", ["in the bed", "all night", "on the sofa"]),
    ("speak", "spoke", ["to the teacher", "a foreign language", "on the phone"]),
    ("play", "played", ["football", "the piano", "a game"]),
]

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


def _days(rng: random.Random) -> str:
    i = rng.randrange(len(DAYS))
    d, nxt = DAYS[i], DAYS[(i + 1) % len(DAYS)]
    return rng.choice([f"on {d} we go to {rng.choice(PLACES)}", f"see you on {d}", f"every {d} morning",
                       f"the shop is closed on {d}", f"{nxt} comes after {d}", f"the day after {d} is {nxt}",
                       f"last {d} it rained", f"next {d} is a holiday", f"on {d} evening the week goes on",
                       f"the meeting is on {d} at {rng.choice(NUMBERS)}"])


def _months(rng: random.Random) -> str:
    i = rng.randrange(len(MONTHS))
    m, nxt = MONTHS[i], MONTHS[(i + 1) % len(MONTHS)]
    return rng.choice([f"in {m} the weather changes", f"she was born in {m}", f"the month of {m}",
                       f"{nxt} comes after {m}", f"the first of {m}", f"the month after {m} is {nxt}",
                       f"we went on holiday in early {m}", f"the end of {m} this year",
                       f"{m} has many days", f"every year in late {m}"])


def _numbers(rng: random.Random) -> str:
    i = rng.randrange(len(NUMBERS))
    n, thing = NUMBERS[i], rng.choice(["apples", "books", "cars", "chairs", "friends", "hours", "years"])
    options = [f"i have {n} {thing}", f"she counted to {n}", f"the number {n}", f"we waited {n} hours",
               f"{n} of them came", f"about {n} people", f"{n} times a day", f"page {n} of the book"]
    if i + 1 < len(NUMBERS):
        options += [f"{n} plus one is {NUMBERS[i + 1]}", f"after {n} comes {NUMBERS[i + 1]}"]
    return rng.choice(options)


def _colours(rng: random.Random) -> str:
    c = rng.choice(COLOURS)
    return rng.choice([f"the {c} car", f"she painted the wall {c}", f"a {c} dress", f"the sky turned {c}",
                       f"my favourite colour is {c}", f"a bright {c} shirt", f"the {c} paint",
                       f"dark {c} and light {rng.choice(COLOURS)}", f"the flag is {c}", f"a shade of {c}"])


def _animals(rng: random.Random) -> str:
    a = rng.choice(ANIMALS)
    return rng.choice([f"the {a} crossed the field", f"a wild {a}", f"we saw a {a} at the zoo",
                       f"the {a} is an animal", f"feed the {a}", f"the {a} lives in the barn",
                       f"a big {a} and a small {rng.choice(ANIMALS)}", f"the tail of the {a}",
                       f"the farmer has a {a}", f"the {a} was hungry"])


def _fruits(rng: random.Random) -> str:
    f = rng.choice(FRUITS)
    return rng.choice([f"i ate a {f}", f"a ripe {f}", f"{f} juice", f"the {f} tree",
                       f"a sweet {f}", f"she bought a {f} at the market",
                       f"{f} and {rng.choice(FRUITS)} salad",
                       f"the fruit bowl has a {f}", f"peel the {f}", f"a fresh {f} for dessert"])


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
    (_days, 0.06), (_months, 0.08), (_numbers, 0.08), (_colours, 0.07), (_animals, 0.08), (_fruits, 0.07),
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
