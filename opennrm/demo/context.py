"""What seed_demo hands to each app's ``demo.seed(ctx)``."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from opennrm.accounts.models import Agency, User


@dataclass
class DemoContext:
    agencies: dict[str, Agency]
    users: dict[str, User]
    rng: random.Random = field(default_factory=lambda: random.Random(2020))
    say: Callable[[str], None] = print
    size: int = 1  # scale factor for generated volumes (tests use small numbers)
