"""The LLM brief writer, through litellm (the only module that imports it, lazily).

One :class:`LLMWriter` per batch of briefs holds a litellm ``Router``: the configured
model first, then ``settings.llm.fallbacks`` in order, each call bounded by
``settings.llm.timeout`` and retried ``settings.llm.max_retries`` times. Models that
support structured output get a strict JSON schema (``response_format``); others get the
schema in the prompt, and the answer is validated either way. An answer that fails the
schema or the guard is retried once with the reasons; a second failure raises
:class:`WriterFailed` and the service writes an extractive brief instead.

``settings.llm.api_base``/``api_key`` apply to the model and to the fallbacks of the same
provider (the part of the name before ``/``); other providers use their usual variables.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from core.briefs.extractive import extractive_brief
from core.briefs.grounding import Grounded, ground_draft, retry_problems
from core.briefs.guard import clean_draft, draft_problems
from core.briefs.inputs import SourceText, brief_sources
from core.briefs.language import language_problem
from core.briefs.prompt import build_messages, prompt_records, retry_message
from core.briefs.schema import LIMITS, PROMPT_VERSION, BriefDraft, FAQDraft
from core.config import LLMSettings
from core.errors import LLMError
from core.logs import scrub
from core.models import (
    Brief,
    FAQItem,
    Generator,
    Grounding,
    KeyPoints,
    Story,
    Usage,
    utcnow,
)

log = logging.getLogger(__name__)

_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$", re.IGNORECASE)
_open_sessions = 0
# A brief is ~400 words; CJK and Thai take about a token a character. The cap bounds the
# cost of a model that rambles (or copies its input) and the guard's work on the answer.
MAX_OUTPUT_TOKENS = 2000
LITELLM_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")


class _Redact(logging.Filter):
    """Removes API keys from litellm's own log records (its errors repeat what a provider
    said, and providers sometimes repeat the key they were sent)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, None
        record.msg, record.args = self.mask(text), None
        return True

    def mask(self, text: str) -> str:
        """``text`` without any configured API key, addresses or token-like strings."""
        for secret in self.secrets:
            text = text.replace(secret, "****")
        return scrub(text)


_redact = _Redact()
for _name in LITELLM_LOGGERS:
    logging.getLogger(_name).addFilter(_redact)


class WriterFailed(LLMError):
    """The model could not give a brief that passes: ``reason`` is a metric label."""

    def __init__(self, reason: str, message: str, usage: Usage, calls: int) -> None:
        super().__init__(message)
        self.reason = reason  # llm_error | invalid_output | guard
        self.usage = usage
        self.calls = calls


@dataclass
class Written:
    """An LLM brief and what it cost."""

    brief: Brief
    calls: int


@dataclass
class _Attempts:
    usage: Usage = field(default_factory=Usage)
    calls: int = 0

    def add(self, response: Any, litellm: Any) -> None:
        self.calls += 1
        tokens = getattr(response, "usage", None)
        self.usage = Usage(
            prompt_tokens=self.usage.prompt_tokens + int(getattr(tokens, "prompt_tokens", 0) or 0),
            completion_tokens=self.usage.completion_tokens
            + int(getattr(tokens, "completion_tokens", 0) or 0),
            cost_usd=self.usage.cost_usd + _cost(response, litellm),
        )


def import_litellm() -> Any:
    """litellm, imported on first use, with its price list read locally (no download)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    # A fallback on another provider may not take every parameter (response_format,
    # max_tokens): drop what it cannot take rather than fail; the guard checks the answer.
    litellm.drop_params = True
    # Its INFO lines repeat every failed call; our own log says what matters, once.
    for name in LITELLM_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    return litellm


class LLMWriter:
    """Writes briefs with a model. Use as ``async with LLMWriter(settings) as writer``."""

    def __init__(self, settings: LLMSettings, *, grounding: bool = True) -> None:
        if not settings.model:
            raise LLMError("no model configured (AITODAY_LLM__MODEL)")
        self.settings = settings
        self.model: str = settings.model
        # Off only for the benchmark that counts what an unchecked model would store.
        self.grounding = grounding
        if settings.api_key is not None and settings.api_key.get_secret_value():
            _redact.secrets.add(settings.api_key.get_secret_value())
        self._litellm: Any = None
        self._router: Any = None

    async def __aenter__(self) -> LLMWriter:
        global _open_sessions
        _open_sessions += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        global _open_sessions
        _open_sessions -= 1
        # The last session out closes the clients, whichever session opened them.
        litellm = sys.modules.get("litellm")
        if _open_sessions == 0 and litellm is not None:
            await _close_clients(litellm)

    @property
    def structured(self) -> bool:
        """True when litellm says the model takes a JSON schema as response_format."""
        try:
            return bool(self._lib().supports_response_schema(model=self.model))
        except Exception:  # unknown model or provider: use the prompt
            return False

    async def write(self, story: Story, inputs: Sequence[SourceText], language: str) -> Written:
        """The brief of ``story`` in ``language``; raises WriterFailed.

        A draft that passes the guard is grounded (:mod:`core.briefs.grounding`): a
        sentence stating a fact the articles do not is removed. A part left empty gets one
        retry naming the problem, then the extractive brief's sentence for that part.
        """
        allowed = {item.url for item in inputs} | {a.url for a in story.articles}
        structured = self.structured
        budget = self.settings.input_token_budget
        messages = build_messages(
            story.id, inputs, language, budget, schema_in_prompt=not structured
        )
        records = prompt_records(inputs, budget)
        attempts = _Attempts()
        reason, problems = "invalid_output", ["no answer"]
        first: tuple[Grounded, Any] | None = None
        for attempt in range(2):
            response = await self._complete(messages, structured, attempts)
            draft, problems = _read(response)
            reason = "invalid_output"
            if draft is not None:
                draft = clean_draft(draft)
                problems = draft_problems(draft, allowed, language)
                reason = "guard"
            if draft is not None and not problems:
                grounded = self._ground(draft, records, inputs, language, first)
                if not grounded.emptied or attempt == 1:
                    retried = first is not None
                    return self._written(
                        story, inputs, grounded, language, response, attempts, retried
                    )
                first = (grounded, response)
                problems = retry_problems(grounded)
                log.info("brief %s/%s grounding retry: %s", story.id, language, "; ".join(problems))
                messages = [*messages, retry_message(problems)]
                continue
            if first is not None:  # the retry broke a good draft: keep the first one
                grounded, earlier = first
                return self._written(story, inputs, grounded, language, earlier, attempts, True)
            log.warning("brief %s/%s refused: %s", story.id, language, "; ".join(problems))
            messages = [*messages, retry_message(problems)]
        raise WriterFailed(reason, "; ".join(problems), attempts.usage, attempts.calls)

    def _ground(
        self,
        draft: BriefDraft,
        records: list[dict[str, Any]],
        inputs: Sequence[SourceText],
        language: str,
        first: tuple[Grounded, Any] | None,
    ) -> Grounded:
        if not self.grounding:
            return Grounded(draft=draft, checked=0, removed=[], emptied=[])
        grounded = ground_draft(draft, records, language, [item.language for item in inputs])
        if first is not None:  # the counts cover both answers: what the guard removed
            grounded.checked += first[0].checked
            grounded.removed = [*first[0].removed, *grounded.removed]
        return grounded

    def _written(
        self,
        story: Story,
        inputs: Sequence[SourceText],
        grounded: Grounded,
        language: str,
        response: Any,
        attempts: _Attempts,
        retried: bool,
    ) -> Written:
        draft, fallbacks, quoted_in = _fill_from_extractive(story, inputs, grounded, language)
        brief = _brief(story, inputs, draft, language, response, attempts.usage)
        brief.content_language = _written_in(draft, fallbacks, quoted_in, language)
        grounding = Grounding(
            sentences_checked=grounded.checked,
            sentences_removed=len(grounded.removed),
            retries=int(retried),
            fallbacks=fallbacks,
            removed=grounded.removed,
        )
        return Written(
            brief=brief.model_copy(update={"grounding": grounding}), calls=attempts.calls
        )

    async def _complete(
        self, messages: list[dict[str, str]], structured: bool, attempts: _Attempts
    ) -> Any:
        options: dict[str, Any] = {
            "timeout": self.settings.timeout,
            "max_tokens": MAX_OUTPUT_TOKENS,
        }
        if structured:
            options["response_format"] = BriefDraft
        try:
            response = await self._get_router().acompletion(
                model=self.model, messages=messages, **options
            )
        except Exception as exc:  # every provider error, timeout and 429 after fallbacks
            # providers sometimes echo the API key back: never let it into the reason
            message = _redact.mask(f"{type(exc).__name__}: {str(exc)[:300]}".splitlines()[0])
            raise WriterFailed("llm_error", message, attempts.usage, attempts.calls) from None
        attempts.add(response, self._lib())
        return response

    def _lib(self) -> Any:
        if self._litellm is None:
            self._litellm = import_litellm()
        return self._litellm

    def _get_router(self) -> Any:
        if self._router is None:
            router_class = self._lib().Router
            names = [self.model, *(m for m in self.settings.fallbacks if m != self.model)]
            self._router = router_class(
                model_list=[{"model_name": n, "litellm_params": self._params(n)} for n in names],
                fallbacks=[{self.model: names[1:]}] if len(names) > 1 else [],
                num_retries=self.settings.max_retries,
                timeout=self.settings.timeout,
            )
        return self._router

    def _params(self, name: str) -> dict[str, Any]:
        params: dict[str, Any] = {"model": name, "timeout": self.settings.timeout, "max_retries": 0}
        if _provider(name) == _provider(self.model):
            if self.settings.api_base:
                params["api_base"] = self.settings.api_base
            if self.settings.api_key is not None:
                params["api_key"] = self.settings.api_key.get_secret_value()
        return params


def _fill_from_extractive(
    story: Story, inputs: Sequence[SourceText], grounded: Grounded, language: str
) -> tuple[BriefDraft, list[str], str]:
    """The draft with each part grounding emptied taken from the extractive brief (quoted
    from the sources, so nothing invented); the names of the parts filled that way, and
    the language those quotes are in."""
    if not grounded.emptied:
        return grounded.draft, [], language
    quoted = extractive_brief(story, inputs, language)
    parts: dict[str, Any] = {
        "headline": quoted.headline,
        "dek": quoted.dek,
        "key_takeaway": quoted.key_takeaway,
        "what_happened": quoted.key_points.what_happened,
        "why_it_matters": quoted.key_points.why_it_matters or "",
        "what_to_watch": quoted.key_points.what_to_watch or "",
        "faq": [FAQDraft(question=f.question, answer=f.answer) for f in quoted.faq],
    }
    update = {name: parts[name] for name in grounded.emptied}
    filled = [name for name in grounded.emptied if update[name]]
    quoted_in = quoted.content_language or language
    return grounded.draft.model_copy(update=update), filled, quoted_in


def _written_in(draft: BriefDraft, quoted: list[str], quoted_in: str, language: str) -> str:
    """The language the brief's text is in: the reader's, unless a part quoted from the
    sources (an emptied part's extractive fallback) is in another; then the quotes'
    (``quoted_in``), so renderers say the text is the sources' own."""
    for name in quoted:
        value = getattr(draft, name)
        text = value if isinstance(value, str) else " ".join(f.answer for f in value)
        if text and language_problem(text, language):
            return quoted_in
    return language


def _provider(model: str) -> str:
    return model.split("/", 1)[0] if "/" in model else ""


def _read(response: Any) -> tuple[BriefDraft | None, list[str]]:
    """The draft in a response, or the reasons it is not one (never echoing the text)."""
    try:
        content = response.choices[0].message.content or ""
    except (AttributeError, IndexError):
        return None, ["the answer has no message"]
    text = _FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    try:
        data = json.loads(text[start : end + 1] if 0 <= start < end else text)
    except json.JSONDecodeError:
        return None, ["the answer is not valid JSON"]
    try:
        return BriefDraft.model_validate(data), []
    except PydanticValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) or "answer" for e in exc.errors()})
        return None, [f"the JSON does not match the schema ({', '.join(fields[:8])})"]


def _brief(
    story: Story,
    inputs: Sequence[SourceText],
    draft: BriefDraft,
    language: str,
    response: Any,
    usage: Usage,
) -> Brief:
    topics = list(dict.fromkeys([*story.topics, *(t.lower() for t in draft.topics if t)]))
    return Brief(
        story_id=story.id,
        headline=draft.headline,
        sources=brief_sources(inputs),
        dek=draft.dek,
        key_takeaway=draft.key_takeaway,
        key_points=KeyPoints(
            what_happened=draft.what_happened,
            why_it_matters=draft.why_it_matters or None,
            what_to_watch=draft.what_to_watch or None,
        ),
        faq=[FAQItem(question=f.question, answer=f.answer) for f in draft.faq],
        topics=topics[: LIMITS.topics_max],
        language=language,
        content_language=language,
        generator=Generator(
            kind="llm", model=_answering_model(response), prompt_version=PROMPT_VERSION
        ),
        created_at=utcnow(),
        usage=usage,
    )


def _answering_model(response: Any) -> str | None:
    """The model that answered (a fallback when the first one failed)."""
    hidden = getattr(response, "_hidden_params", None) or {}
    name = hidden.get("litellm_model_name") or getattr(response, "model", None)
    return str(name) if name else None


def _cost(response: Any, litellm: Any) -> float:
    try:
        return float(litellm.completion_cost(completion_response=response) or 0.0)
    except Exception:  # no price known for this model (local models): it cost nothing to us
        hidden = getattr(response, "_hidden_params", None) or {}
        return float(hidden.get("response_cost") or 0.0)


async def _close_clients(litellm: Any) -> None:
    """Close litellm's cached HTTP clients: they belong to this event loop."""
    try:
        await litellm.close_litellm_async_clients()
    finally:
        litellm.in_memory_llm_clients_cache.flush_cache()
