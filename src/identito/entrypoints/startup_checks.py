"""What a server command checks before it listens (issue 13 point 6).

Outside test mode:

* the simulated INSi (``insi_backend = "simulator"``, the default) is refused unless
  ``insi_allow_simulator`` says so: a production instance must never answer INS
  recoveries with fictitious persons;
* session cookies that are not ``Secure`` (``cookie_secure`` false) are announced
  loudly: they are ``Secure`` only for requests that arrive over HTTPS (directly or
  through a trusted proxy's ``X-Forwarded-Proto``), so a plain-HTTP listener sends
  them in clear.

``identito serve`` and ``identito mllp serve`` stop on a refusal and log the warnings
(``cli_common.guard_startup``).
"""

from __future__ import annotations

from identito.config import Settings

SIMULATOR_REFUSED = (
    "Démarrage refusé : le téléservice INSi simulé (IDENTITO_INSI_BACKEND=simulator, la "
    "valeur par défaut) n'est permis qu'en mode test (IDENTITO_TEST_MODE=true). Configurez "
    "le téléservice réel (IDENTITO_INSI_BACKEND=soap, voir docs/insi.md) ou, pour une "
    "instance de démonstration hors production, IDENTITO_INSI_ALLOW_SIMULATOR=true. "
    "/ Refusing to start: the simulated INSi outside test mode; set "
    "IDENTITO_INSI_BACKEND=soap, or IDENTITO_INSI_ALLOW_SIMULATOR=true for a demonstration."
)
SIMULATOR_ALLOWED = (
    "ATTENTION : téléservice INSi SIMULÉ hors mode test (IDENTITO_INSI_ALLOW_SIMULATOR=true) : "
    "les INS récupérés sont fictifs ; jamais en production."
)
COOKIES_NOT_SECURE = (
    "ATTENTION : cookies de session sans l'attribut Secure (IDENTITO_COOKIE_SECURE=false) : "
    "sur une écoute en HTTP simple, ils circulent en clair. Servez identito derrière HTTPS "
    "(proxy qui envoie X-Forwarded-Proto) et posez IDENTITO_COOKIE_SECURE=true."
)


def startup_refusals(settings: Settings) -> list[str]:
    """Why the server must not start (empty: it may)."""
    if settings.test_mode or settings.insi_backend != "simulator":
        return []
    return [] if settings.insi_allow_simulator else [SIMULATOR_REFUSED]


def startup_warnings(settings: Settings) -> list[str]:
    if settings.test_mode:
        return []
    warnings = []
    if settings.insi_backend == "simulator":
        warnings.append(SIMULATOR_ALLOWED)
    if not settings.cookie_secure:
        warnings.append(COOKIES_NOT_SECURE)
    return warnings
