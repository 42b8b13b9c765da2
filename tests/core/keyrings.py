"""Test data keys and rings shared by the encryption tests (never used outside tests)."""

from __future__ import annotations

import base64

from opennrm.core import crypto

KEY_A = "A:" + base64.b64encode(b"a" * 32).decode()
KEY_B = "B:" + base64.b64encode(b"b" * 32).decode()
KEY_A_OTHER = "A:" + base64.b64encode(b"z" * 32).decode()

RING_A = crypto.parse_keys(KEY_A)
RING_AB = crypto.parse_keys(f"{KEY_A},{KEY_B}")
RING_B = crypto.parse_keys(KEY_B)
