"""Key pairs and JWT minting for the auth tests (plain helpers, no fixtures)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISSUER = "https://auth.example.test"
AUDIENCE = "http://127.0.0.1:8000/mcp"


@dataclass
class Signer:
    algorithm: str
    kid: str
    private_key: Any = field(repr=False)

    @classmethod
    def rsa(cls, kid: str = "rsa-1") -> Signer:
        return cls("RS256", kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def ec(cls, kid: str = "ec-1") -> Signer:
        return cls("ES256", kid, ec.generate_private_key(ec.SECP256R1()))

    def jwk(self) -> dict[str, Any]:
        algorithm = RSAAlgorithm if self.algorithm == "RS256" else ECAlgorithm
        return json.loads(algorithm.to_jwk(self.private_key.public_key())) | {"kid": self.kid, "use": "sig"}

    def token(self, *, headers: dict[str, Any] | None = None, drop: tuple[str, ...] = (), **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "alice@example.com",
            "iat": now,
            "exp": now + 300,
            "scope": "assignments:read assignments:write",
        } | claims
        for name in drop:
            body.pop(name)
        return jwt.encode(body, self.private_key, algorithm=self.algorithm, headers={"kid": self.kid} | (headers or {}))


def jwks(*signers: Signer) -> dict[str, Any]:
    return {"keys": [signer.jwk() for signer in signers]}
