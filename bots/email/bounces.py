"""Bounce and complaint webhooks: ``POST /bounces/{ses,mailgun,sendgrid,postmark}``.

Each route checks its provider's signature or credential (core.bounces.<provider>) before
it reads a field, then applies the reports (core.bounces.apply). A provider whose key is
not set answers 404: the route does not exist for it. Answers: 200 with what was applied;
401 without credentials, 403 with forged ones; 400 for a body that is not a report; 502
when the SNS certificate cannot be fetched (SNS retries). Bodies are capped by
bots.body_limit before they reach us. Logs carry counts, never an address or a key.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from core import metrics
from core.bounces import mailgun, postmark, sendgrid, sns
from core.bounces.apply import apply_events
from core.bounces.events import BounceEvent
from core.config import BounceSettings
from core.errors import ConfigError, ForgedReport, ReportError, ReportUnverifiable
from core.models import utcnow
from core.store.base import Store

log = logging.getLogger(__name__)

Handler = Callable[[Request, BounceSettings], Awaitable[list[BounceEvent] | Response]]


def routes() -> list[Route]:
    """The four webhook routes."""
    return [
        Route(f"/bounces/{name}", _endpoint(name, handler), methods=["POST"])
        for name, handler in HANDLERS.items()
    ]


def _endpoint(provider: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        store: Store = request.app.state.store
        try:
            found = await handler(request, store.settings.bounces)
        except ForgedReport as exc:
            log.warning("bounces %s: refused (%s)", provider, exc)
            _rejected(store, provider, "signature")
            return PlainTextResponse("forbidden\n", status_code=403)
        except ReportUnverifiable as exc:
            log.warning("bounces %s: cannot verify now (%s)", provider, exc)
            return PlainTextResponse("cannot verify the signature now\n", status_code=502)
        except ReportError as exc:
            log.warning("bounces %s: bad report (%s)", provider, exc)
            _rejected(store, provider, "malformed")
            return PlainTextResponse(f"bad report: {exc}\n", status_code=400)
        except ConfigError as exc:  # a key that does not parse: the operator must fix it
            log.error("bounces %s: %s", provider, exc)
            return PlainTextResponse("webhook misconfigured\n", status_code=500)
        if isinstance(found, Response):
            return found
        report = await run_in_threadpool(apply_events, store, found)
        log.info("bounces %s: %s", provider, report.as_dict())
        return JSONResponse(report.as_dict())

    return endpoint


def _rejected(store: Store, provider: str, reason: str) -> None:
    metrics.incr(store, "aitoday_webhooks_rejected_total", surface=f"bounces-{provider}",
                 reason=reason)  # fmt: skip


def _not_configured() -> Response:
    return PlainTextResponse("not found\n", status_code=404)


async def _ses(request: Request, settings: BounceSettings) -> list[BounceEvent] | Response:
    if not settings.sns_topic_arns:
        return _not_configured()
    envelope = sns.parse_envelope(await request.body())
    sns.check_envelope(envelope, settings, utcnow())
    async with sns.http_client() as client:
        key = await sns.signing_key(str(envelope["SigningCertURL"]), client)
        sns.verify_signature(envelope, key)
        if envelope["Type"] == "SubscriptionConfirmation":
            await sns.confirm_subscription(envelope, settings, client)
            log.info("bounces ses: subscription to %s confirmed", envelope.get("TopicArn"))
            return JSONResponse({"confirmed": True})
    if envelope["Type"] != "Notification":
        return JSONResponse({"events": 0})
    return sns.events(envelope)


async def _mailgun(request: Request, settings: BounceSettings) -> list[BounceEvent] | Response:
    if settings.mailgun_signing_key is None:
        return _not_configured()
    payload = mailgun.parse(await request.body())
    key = settings.mailgun_signing_key.get_secret_value()
    mailgun.verify(payload, key, utcnow(), settings.max_age_seconds)
    return mailgun.events(payload)


async def _sendgrid(request: Request, settings: BounceSettings) -> list[BounceEvent] | Response:
    if not settings.sendgrid_public_key:
        return _not_configured()
    key = sendgrid.public_key(settings.sendgrid_public_key)
    body = await request.body()
    sendgrid.verify(
        key,
        request.headers.get(sendgrid.SIGNATURE_HEADER),
        request.headers.get(sendgrid.TIMESTAMP_HEADER),
        body,
        now=utcnow(),
        max_age=settings.max_age_seconds,
    )
    return sendgrid.events(body)


async def _postmark(request: Request, settings: BounceSettings) -> list[BounceEvent] | Response:
    if settings.postmark_password is None:
        return _not_configured()
    password = settings.postmark_password.get_secret_value()
    authorization = request.headers.get("authorization")
    if not postmark.credentials_match(authorization, settings.postmark_username, password):
        status = 403 if authorization else 401
        log.warning("bounces postmark: refused (%s credentials)", "bad" if authorization else "no")
        _rejected(request.app.state.store, "postmark", "credentials")
        challenge = {"WWW-Authenticate": 'Basic realm="bounces"'}
        return PlainTextResponse("unauthorized\n", status_code=status, headers=challenge)
    return postmark.events(await request.body())


HANDLERS: dict[str, Handler] = {
    "ses": _ses,
    "mailgun": _mailgun,
    "sendgrid": _sendgrid,
    "postmark": _postmark,
}
