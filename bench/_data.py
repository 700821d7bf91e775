"""Deterministic fake contacts for the benchmarks."""

from __future__ import annotations

import random
from collections.abc import Iterator

FIRST = ("Jürgen", "Zoë", "Søren", "José", "Ada", "Grace", "Linus", "Amélie", "Björn", "Chloé",
         "Dmitri", "Eva", "François", "Giulia", "Hana", "Ines", "Jan", "Kai", "Lena", "Mateo",
         "Nora", "Olga", "Pierre", "Quinn", "Rosa", "Sven", "Tomás", "Uma", "Viktor", "Wen")  # fmt: skip
LAST = ("Müller", "Lefèvre", "Ødegaard", "Martínez", "Lovelace", "Hopper", "Torvalds", "Schmidt",
        "Dubois", "Rossi", "Novák", "Kowalski", "Smith", "García", "Nakamura", "Öztürk", "Weiß",
        "Larsen", "Fernández", "O'Brien", "Johansson", "Kim", "Silva", "Dvořák", "Petrov")  # fmt: skip
TITLES = ("CEO", "CTO", "Head of Sales", "Buyer", "Engineer", "Office Manager", "CFO", "VP Ops")


def contacts(n: int, seed: int = 1) -> Iterator[dict[str, str]]:
    rng = random.Random(seed)
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        yield {
            "name": f"{first} {last}",
            "email": f"{first.lower()}.{i}@example{i % 97}.com".encode("ascii", "ignore").decode()
            if rng.random() < 0.9
            else "",
            "phone": f"+49 30 {rng.randint(1000000, 9999999)}",
            "title": rng.choice(TITLES),
        }
