"""Why an HTTP request got no reply at all (refused, unresolvable host, TLS, a broken connection), said in one
line with what to do: for setup errors, unreachable targets and raw channels alike."""

from __future__ import annotations

__all__ = ["explain_http_failure"]


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from (or during), innermost last."""
    chain: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and node not in chain:
        chain.append(node)
        node = node.__cause__ or node.__context__
    return chain


def explain_http_failure(exc: BaseException, method: str, url: str) -> str:
    """One line (or two) saying why ``method url`` got no HTTP reply, and what to do about it."""
    import socket
    import ssl
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    where = parts.netloc or url
    chain = _causes(exc)
    for cause in chain:
        if isinstance(cause, ssl.SSLCertVerificationError):
            why = cause.verify_message or cause.reason or str(cause)
            return (
                f"{method} {url}: TLS certificate verification failed ({why}); trust its certificate "
                "(SSL_CERT_FILE=path/to/ca.pem) or use one the system trusts"
            )
        if isinstance(cause, ssl.SSLError):
            return f"{method} {url}: the TLS handshake failed ({cause.reason or cause}); is it an HTTPS server?"
    for cause in chain:
        if isinstance(cause, ConnectionRefusedError):
            return f"{method} {url}: connection refused by {where}: is the server running, on this port?"
        if isinstance(cause, socket.gaierror):
            return f"{method} {url}: the host {parts.hostname!r} could not be resolved (DNS: {cause.strerror}); check the URL"
    name = type(exc).__name__
    if name in ("ConnectTimeout", "PoolTimeout"):
        return f"{method} {url}: no TCP connection to {where} in time: is the host reachable?"
    if name in ("ReadError", "RemoteProtocolError", "ReadTimeout", "WriteError"):
        return f"{method} {url}: the connection to {where} broke before a complete HTTP reply ({name}: {exc})"
    leaf = chain[-1]
    return f"{method} {url}: no HTTP reply ({name}: {leaf})"
