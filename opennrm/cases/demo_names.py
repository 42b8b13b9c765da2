"""A small provider of realistic synthetic names for the demo (Faker has no Serbian locale).

Serbian names come in both scripts, as agencies write them; foreign names are those of the
nationalities most often met in Serbian NRM cases (neighbouring countries, Ukraine, and the
migration routes through the Western Balkans). Every combination is synthetic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from opennrm.core.translit import to_latin

SERBIAN_FEMALE = (
    "Јелена",
    "Марија",
    "Ана",
    "Милица",
    "Јована",
    "Драгана",
    "Снежана",
    "Ивана",
    "Тамара",
    "Катарина",
    "Невена",
    "Сања",
    "Јасмина",
    "Бојана",
    "Александра",
    "Мирјана",
    "Данијела",
)
SERBIAN_MALE = (
    "Марко",
    "Никола",
    "Стефан",
    "Милош",
    "Лазар",
    "Душан",
    "Ђорђе",
    "Немања",
    "Александар",
    "Драган",
    "Зоран",
    "Горан",
    "Иван",
    "Милан",
    "Бранко",
    "Петар",
    "Вук",
)
SERBIAN_FAMILY = (
    "Јовановић",
    "Петровић",
    "Николић",
    "Марковић",
    "Ђорђевић",
    "Стојановић",
    "Илић",
    "Станковић",
    "Павловић",
    "Милошевић",
    "Тодоровић",
    "Ђурић",
    "Костић",
    "Лукић",
    "Живковић",
    "Митровић",
    "Радовановић",
    "Савић",
    "Поповић",
    "Обрадовић",
)
ROMA_FAMILY = ("Демировић", "Бајрамовић", "Алијевић", "Јашаревић", "Рамадани")


@dataclass(frozen=True)
class Origin:
    country: str
    language: str
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


FOREIGN = (
    Origin(
        "UA",
        "uk",
        ("Oksana", "Olena", "Iryna", "Nataliia", "Yuliia"),
        ("Andrii", "Oleksandr", "Dmytro", "Serhii"),
        ("Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko"),
    ),
    Origin(
        "BG",
        "bg",
        ("Desislava", "Mariya", "Gergana", "Ivelina"),
        ("Georgi", "Dimitar", "Nikolay"),
        ("Dimitrova", "Georgieva", "Ivanov", "Petrov"),
    ),
    Origin(
        "RO",
        "ro",
        ("Andreea", "Ioana", "Elena", "Mihaela"),
        ("Andrei", "Mihai", "Ionuț"),
        ("Popescu", "Ionescu", "Constantin", "Stan"),
    ),
    Origin(
        "BA",
        "bs",
        ("Amra", "Lejla", "Selma", "Aida"),
        ("Adnan", "Emir", "Haris"),
        ("Hodžić", "Begić", "Mujić", "Kovačević"),
    ),
    Origin(
        "AF",
        "ps",
        ("Zahra", "Maryam", "Fatima"),
        ("Ahmad", "Mohammad", "Ali", "Hamid"),
        ("Ahmadi", "Hakimi", "Rahimi", "Karimi"),
    ),
    Origin(
        "PK",
        "ur",
        ("Ayesha", "Sana"),
        ("Imran", "Bilal", "Usman"),
        ("Khan", "Hussain", "Butt", "Iqbal"),
    ),
    Origin(
        "CN",
        "zh",
        ("Li Na", "Wang Fang", "Zhang Min"),
        ("Wang Wei", "Liu Yang", "Chen Jie"),
        ("Wang", "Li", "Zhang", "Liu"),
    ),
    Origin(
        "VN",
        "vi",
        ("Nguyễn Thị Lan", "Trần Thị Hoa"),
        ("Nguyễn Văn An", "Phạm Văn Hùng"),
        ("Nguyễn", "Trần", "Phạm"),
    ),
)


@dataclass(frozen=True)
class SyntheticName:
    given: str
    family: str
    female: bool
    citizenship: list[str]
    languages: list[str]


def serbian(rng: random.Random, *, female: bool, latin: bool | None = None) -> SyntheticName:
    """A Serbian name, in Cyrillic or (half the time, as agencies write them) Latin."""
    given = rng.choice(SERBIAN_FEMALE if female else SERBIAN_MALE)
    family = rng.choice(SERBIAN_FAMILY if rng.random() < 0.85 else ROMA_FAMILY)
    if latin if latin is not None else rng.random() < 0.5:
        given, family = to_latin(given), to_latin(family)
    return SyntheticName(given, family, female, ["RS"], ["sr"])


def foreign(rng: random.Random, *, female: bool) -> SyntheticName:
    origin = rng.choice(FOREIGN)
    given = rng.choice(origin.female if female else origin.male)
    return SyntheticName(
        given, rng.choice(origin.family), female, [origin.country], [origin.language]
    )


def any_name(rng: random.Random, *, female: bool, foreign_share: float = 0.25) -> SyntheticName:
    return (
        foreign(rng, female=female) if rng.random() < foreign_share else serbian(rng, female=female)
    )
