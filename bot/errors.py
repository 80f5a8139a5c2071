"""The gateway's exception tree: every error the gateway raises on purpose is a GatewayError."""


class GatewayError(Exception):
    """Root of the gateway's own exceptions."""


class ConfigError(GatewayError):
    """The environment does not describe a runnable gateway (message says which setting)."""


class RasaUnavailable(GatewayError):
    """Rasa did not answer in time, answered with an error, or its circuit is open."""


class ContentError(GatewayError):
    """Content data is missing or inconsistent (unknown key, language or variable)."""


class BadInput(GatewayError):
    """A person's input cannot be processed; `code` is a stable machine-readable reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
