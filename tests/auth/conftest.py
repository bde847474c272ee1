"""Fixtures of the auth tests.

In-process ``pytester`` runs restore ``sys.modules`` afterwards, so a module first imported inside
one run is imported afresh by the next. ``cryptography``'s Rust bindings keep their original
classes, and a re-imported ``ec`` module then fails with "curve must be an EllipticCurve instance".
Importing the crypto stack here, before any inner run, keeps one copy for the whole session.
"""

from __future__ import annotations

import cryptography.hazmat.primitives.asymmetric.ec
import cryptography.hazmat.primitives.asymmetric.rsa
import cryptography.hazmat.primitives.serialization
import jwt
import jwt.algorithms

PRELOADED = (cryptography.hazmat.primitives.asymmetric.ec, cryptography.hazmat.primitives.serialization, jwt.algorithms)
