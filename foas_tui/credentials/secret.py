"""The secret half of a credential (`Secret`, masked repr) and the `SecretStore` protocol every store follows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from foas_tui.api.signing import mask_id

StoreKind = Literal["keyring", "cryptfile"]
STORE_KINDS: tuple[StoreKind, ...] = ("keyring", "cryptfile")
SERVICE = "foas-tui"


@dataclass(frozen=True, slots=True, repr=False)
class Secret:
    """The secret half of a credential; `repr`/`str` never show it.

    `access_key_id` rides along (it is not secret, but profiles.toml keeps only its masked form, as the
    README promises); None for entries written before it was stored here.
    """

    access_key_secret: str
    security_token: str | None = None
    access_key_id: str | None = None

    def __repr__(self) -> str:
        token = "'****'" if self.security_token else "None"
        key_id = f", access_key_id={mask_id(self.access_key_id)!r}" if self.access_key_id else ""
        return f"Secret(access_key_secret='****', security_token={token}{key_id})"

    __str__ = __repr__


class SecretStore(Protocol):
    """Where profile secrets live. Methods may raise `SecretStoreUnavailable`."""

    def get(self, profile: str) -> Secret | None: ...

    def set(self, profile: str, secret: Secret) -> None: ...

    def delete(self, profile: str) -> None: ...

    def has_secret(self, profile: str) -> bool: ...

    def describe(self) -> str: ...

    def check(self) -> None:
        """Raise `SecretStoreUnavailable` now if the store cannot be used, before anyone types a secret."""
        ...


StoreFactory = Callable[[StoreKind], SecretStore]
